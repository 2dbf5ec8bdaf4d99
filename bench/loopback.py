"""Telegram's side of webhook mode on loopback: a pusher that POSTs updates, a round-robin proxy.

``WebhookPusher`` plays Telegram: it takes the updates queued at the Bot API emulator and POSTs each
to the registered webhook URL with the registered secret token, retrying the same update until it
gets HTTP 200. With ``lanes`` > 1 it keeps several connections busy at once, as Telegram does (up
to ``max_connections``), while one chat's updates stay on one lane and so arrive in order.

``RoundRobinProxy`` is the load balancer in front of several webhook workers: each POST goes to
the next backend in turn; a backend that does not answer gives 502 back, as nginx would.

Used by the bench runner's multi-worker phase and by tests/e2e/workers.py.
"""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from bot.sandbox.emulator import BotApiEmulator

__all__ = ["RoundRobinProxy", "WebhookPusher", "free_port", "post"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> int:
    """POST and return the HTTP status (0 when the connection failed)."""
    parts = urlsplit(url)
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        conn.request("POST", parts.path or "/", body=body, headers=headers)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


def _chat_of(update: dict) -> int:
    for value in update.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict) and "id" in chat:
                return int(chat["id"])
            sender = value.get("from")
            if isinstance(sender, dict) and "id" in sender:
                return int(sender["id"])
    return 0


@dataclass
class WebhookPusher:
    """Plays Telegram in webhook mode (see the module docstring); ``lanes`` concurrent deliveries."""

    emu: BotApiEmulator
    lanes: int = 1
    delivered: list[int] = field(default_factory=list)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _queues: list[queue.Queue[dict]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> WebhookPusher:
        if self.lanes == 1:
            self._threads = [threading.Thread(target=self._run_single, daemon=True, name="webhook-pusher")]
        else:
            self._queues = [queue.Queue() for _ in range(self.lanes)]
            self._threads = [threading.Thread(target=self._route, daemon=True, name="webhook-router")]
            self._threads += [
                threading.Thread(target=self._run_lane, args=(q,), daemon=True, name=f"webhook-lane-{i}")
                for i, q in enumerate(self._queues)
            ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(10)

    def _run_single(self) -> None:
        while not self._stop.is_set():
            update = self.emu.pop_update(0.2)
            if update is not None:
                self._deliver(update)

    def _route(self) -> None:
        while not self._stop.is_set():
            update = self.emu.pop_update(0.2)
            if update is not None:
                self._queues[_chat_of(update) % self.lanes].put(update)

    def _run_lane(self, lane: queue.Queue[dict]) -> None:
        while not self._stop.is_set():
            try:
                update = lane.get(timeout=0.2)
            except queue.Empty:
                continue
            self._deliver(update)

    def _deliver(self, update: dict) -> None:
        body = json.dumps(update).encode()
        while not self._stop.is_set():
            headers = {"Content-Type": "application/json"}
            if self.emu.webhook_secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.emu.webhook_secret
            if self.emu.webhook_url and post(self.emu.webhook_url, body, headers) == 200:
                with self._lock:
                    self.delivered.append(update["update_id"])
                return
            with self._lock:
                self.failures += 1
            time.sleep(0.1)


class RoundRobinProxy:
    """An HTTP proxy on loopback that sends each POST to the next backend in turn (a load balancer).
    A backend that does not answer gets 502 back to the client, as nginx would."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.routed: list[tuple[int, int]] = []  # (update_id, backend port) of each request answered 200
        self._next = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy._lock:
                    port = proxy.backends[proxy._next % len(proxy.backends)]
                    proxy._next += 1
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                status = post(f"http://127.0.0.1:{port}{self.path}", body, headers)
                if status == 200:
                    with proxy._lock:
                        proxy.routed.append((json.loads(body).get("update_id", -1), port))
                self.send_response(status or 502)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="rr-proxy")

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
