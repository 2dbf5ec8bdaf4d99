"""Durable update intake: every update Telegram hands over is stored before it is confirmed.

PTB's own Updater confirms a `getUpdates` batch (the next call's offset) before any handler has
committed, and its webhook server answers 200 before anything is stored, so a crash loses updates.
Here instead:

- `Poller` calls `getUpdates`, stores the batch in the inbox in one transaction, and only then
  moves the offset (the next call confirms the batch to Telegram);
- `webhook_app` answers Telegram 200 only once the update is stored (Telegram retries otherwise)
  and 403 to any request without the secret token;
- `Dispatcher` claims chat heads from the inbox (storage/inbox.py), feeds them to the PTB
  Application, and marks each done after its handlers finished. A worker killed mid-update leaves
  a claim whose lease lapses; whichever worker is free then replays it. Applying an update message
  is idempotent per (chat, message_id), so a replay answers without recording anything twice.

`run_worker` wires these by `WORKER_ROLE`: `receiver` only stores, `processor` only processes (and
sends), `all` does both.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import re
import signal
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from bot.settings import Settings
from storage import inbox
from storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # Telegram's updates are a few KB; anything larger is not from Telegram
DONE_RETENTION = timedelta(days=2)
PRUNE_EVERY_SECONDS = 3600.0
POLL_TIMEOUT_SECONDS = 10


def chat_key(update: Update) -> int:
    """The key that orders updates: the chat, else the user (inline queries …), else one shared key."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


def incoming(data: dict[str, Any], application: Application) -> inbox.Incoming:
    """An inbox row for a raw update; raises ValueError for something that is not an update."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("not an update")
    update = Update.de_json(data, application.bot)
    return inbox.Incoming(update.update_id, chat_key(update), json.dumps(data, ensure_ascii=False))


def worker_name(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid or os.getpid()}"[:64]


def dead_claimants(names: list[str]) -> list[str]:
    """Claimants that were processes on this host and are gone (or were an earlier process with this
    very pid, as in a restarted container): their claims can be replayed now, not after the lease."""
    host, me = socket.gethostname(), os.getpid()
    dead = []
    for name in names:
        claimant_host, _, pid = name.rpartition(":")
        if claimant_host != host[:64 - len(pid) - 1] or not pid.isdigit():
            continue
        if int(pid) == me:
            dead.append(name)
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(name)
        except PermissionError:  # alive, someone else's
            pass
    return dead


MAX_ATTEMPTS = 3  # a 4th claim of one update means it killed the worker three times
POISONED_REPLY = (
    "这条消息处理了 3 次都未能完成（可能是文件导致程序出错），已跳过；请检查后重新发送，或联系管理员。\n"
    "This message could not be processed after 3 attempts (perhaps its file crashes the bot) and was "
    "skipped; check it and send it again, or contact the administrator."
)


class Dispatcher:
    """Claims stored updates and processes them: different chats concurrently, one chat in order."""

    def __init__(self, application: Application, db: Database, settings: Settings, *, concurrency: int = 16) -> None:
        self.application = application
        self.db = db
        self.worker = worker_name()
        self.lease = settings.inbox_lease_seconds
        self.poll = settings.inbox_poll_seconds
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._finished: list[int] = []  # processed, to be marked done with the next claim

    def wake(self) -> None:
        """Something was stored by this process: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        heartbeat = asyncio.create_task(self._heartbeat(stop))
        last_prune = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                if loop.time() - last_prune > PRUNE_EVERY_SECONDS:
                    last_prune = loop.time()
                    await self._quietly(inbox.prune, self.db, DONE_RETENTION)
                self._wake.clear()
                finished, self._finished = self._finished, []
                claimed = await self._quietly(
                    inbox.claim, self.db, self.worker, self.concurrency - len(self._running), self.lease, finished
                )
                if claimed is None:  # the database failed: mark these done next time
                    self._finished = finished + self._finished
                for row in claimed or []:
                    self._running[row.id] = asyncio.create_task(self._process(row))
                if claimed and len(self._running) < self.concurrency:
                    continue  # there may be more heads
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll)
            if self._finished or self._running:  # stopping: let started handlers finish and record them
                if self._running:
                    await asyncio.wait(list(self._running.values()), timeout=self.lease / 2)
                await self._quietly(inbox.claim, self.db, self.worker, 0, self.lease, self._finished)
        finally:
            heartbeat.cancel()

    async def _quietly(self, func: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(func, *args)
        except Exception:  # the database may be restarting: try again at the next round
            log.exception("inbox: %s failed", getattr(func, "__name__", func))
            await asyncio.sleep(self.poll)
            return None

    async def _process(self, row: inbox.Claimed) -> None:
        """Feed one stored update to the Application; it is marked done with the next claim, in
        the same transaction. If this raises, it stays claimed and is replayed when the lease lapses.

        An update whose processing killed the worker `MAX_ATTEMPTS` times (a file that crashes the
        process, say) is parked instead of replayed again: one poisoned update must not take the
        bot down at every start. Its sender is told once."""
        try:
            try:
                update = Update.de_json(json.loads(row.payload), self.application.bot)
            except Exception:
                log.exception("inbox: update %s is unreadable; dropped", row.update_id)
            else:
                if row.attempts > MAX_ATTEMPTS:
                    await self._park(row)
                    self._finished.append(row.id)
                    return
                if row.attempts > 1:
                    log.info("inbox: replaying update %s (attempt %s)", row.update_id, row.attempts)
                await self.application.process_update(update)  # handler errors go to the error handler
            self._finished.append(row.id)
        except Exception:
            log.exception("inbox: update %s not finished", row.update_id)
        finally:
            self._running.pop(row.id, None)
            self._wake.set()

    async def _park(self, row: inbox.Claimed) -> None:
        log.error("inbox: update %s failed %d times (the worker died processing it); parked", row.update_id, row.attempts - 1)
        if row.chat_key:
            try:
                await self.application.bot.send_message(row.chat_key, POISONED_REPLY)
            except Exception:
                log.exception("inbox: could not tell chat %s that update %s was parked", row.chat_key, row.update_id)

    async def _heartbeat(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.lease / 3)
            if self._running:
                await self._quietly(inbox.renew, self.db, self.worker, list(self._running), self.lease)


class Poller:
    """`getUpdates` long polling that stores each batch before the offset moves past it."""

    def __init__(self, application: Application, db: Database, on_stored: Any) -> None:
        self.application = application
        self.db = db
        self.on_stored = on_stored

    async def run(self, stop: asyncio.Event) -> None:
        bot = self.application.bot
        await bot.delete_webhook(drop_pending_updates=False)
        offset: int | None = None  # first call unconfirmed: what an earlier run stored comes again and is ignored
        backoff = 0.5
        while not stop.is_set():
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=POLL_TIMEOUT_SECONDS, allowed_updates=Update.ALL_TYPES,
                    read_timeout=POLL_TIMEOUT_SECONDS + 10,
                )
            except (InvalidToken, Conflict):
                raise
            except RetryAfter as wait:
                delay = wait.retry_after
                await asyncio.sleep(delay.total_seconds() if isinstance(delay, timedelta) else float(delay))
                continue
            except (TimedOut, NetworkError) as problem:
                log.warning("getUpdates failed (%s); retrying in %.1f s", type(problem).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            if not updates:
                continue
            rows = [inbox.Incoming(u.update_id, chat_key(u), u.to_json()) for u in updates]
            while True:
                try:
                    await asyncio.to_thread(inbox.store, self.db, rows)
                    break
                except Exception:  # not stored: the offset stays, so Telegram keeps the batch
                    log.exception("inbox: could not store %d updates; retrying", len(rows))
                    await asyncio.sleep(1.0)
                    if stop.is_set():
                        return
            offset = updates[-1].update_id + 1
            self.on_stored()


def webhook_app(application: Application, db: Database, secret: str, path: str, on_stored: Any) -> Any:
    """A tornado application serving only `path`: 403 without the secret, 200 once stored."""
    import tornado.web

    expected = secret.encode()

    class WebhookHandler(tornado.web.RequestHandler):
        def check_xsrf_cookie(self) -> None:  # a machine endpoint, no cookies
            pass

        async def post(self) -> None:
            given = self.request.headers.get(SECRET_HEADER)
            if given is None or not hmac.compare_digest(given.encode(), expected):
                log.warning("webhook: refused a request without the right secret token from %s", self.request.remote_ip)
                self.set_status(403)
                return
            try:
                row = incoming(json.loads(self.request.body), application)
            except Exception:
                self.set_status(400)
                return
            try:
                await asyncio.to_thread(inbox.store, db, [row])
            except Exception:  # Telegram retries what is not answered 200
                log.exception("webhook: could not store update %s", row.update_id)
                self.set_status(500)
                return
            on_stored()
            self.set_status(200)

    return tornado.web.Application([(re.escape(path), WebhookHandler)])  # tornado anchors the pattern


@dataclass
class Webhook:
    url: str
    listen: str
    port: int

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def validate_webhook(webhook: Webhook, settings: Settings) -> str:
    """The secret, or ValueError with one line saying what is wrong."""
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise ValueError("WEBHOOK_SECRET is not set: webhook mode refuses to start without it")
    secret = settings.webhook_secret.get_secret_value()
    if not (1 <= len(secret) <= 256) or any(not (c.isascii() and (c.isalnum() or c in "_-")) for c in secret):
        raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    parts = urlsplit(webhook.url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"--webhook-url must be an https:// URL, not {webhook.url!r}")
    return secret


async def run_worker(application: Application, db: Database, settings: Settings, webhook: Webhook | None) -> None:
    """Run until SIGTERM/SIGINT: receive (poll or serve the webhook) and/or process, by WORKER_ROLE."""
    role = settings.worker_role
    receives, processes = role in ("all", "receiver"), role in ("all", "processor")
    secret = validate_webhook(webhook, settings) if webhook is not None and receives else None
    logging.getLogger("tornado.access").setLevel(logging.WARNING)  # one line per update otherwise; refusals are logged below
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()  # the job queue (digests) and the update processor
    from bot.application import MAX_CONCURRENT_UPDATES

    dispatcher = Dispatcher(application, db, settings, concurrency=MAX_CONCURRENT_UPDATES) if processes else None
    on_stored = dispatcher.wake if dispatcher is not None else (lambda: None)
    tasks: list[asyncio.Task[None]] = []
    server = None
    try:
        if dispatcher is not None:
            if db.is_sqlite:  # one process on SQLite: claims left by a killed run are ours to replay now
                released = await asyncio.to_thread(inbox.release_all, db)
            else:  # other workers' claims lapse with their leases; dead ones on this host at once
                dead = dead_claimants(await asyncio.to_thread(inbox.claimants, db))
                released = await asyncio.to_thread(inbox.release, db, dead)
            if released:
                log.info("inbox: replaying %d updates claimed by an earlier run", released)
            tasks.append(asyncio.create_task(dispatcher.run(stop), name="dispatcher"))
        if receives and webhook is None:
            tasks.append(asyncio.create_task(Poller(application, db, on_stored).run(stop), name="poller"))
        elif receives and webhook is not None and secret is not None:
            server = webhook_app(application, db, secret, webhook.path, on_stored).listen(
                webhook.port, address=webhook.listen, max_body_size=MAX_UPDATE_BYTES, xheaders=True
            )
            await application.bot.set_webhook(
                url=webhook.url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
            )
            log.info("webhook: serving %s on %s:%d", webhook.path, webhook.listen, webhook.port)
        log.info("worker %s running as %s", worker_name(), role)
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopped, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopped and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        stop.set()
        if server is not None:
            server.stop()
        for task in tasks:
            if task.get_name() == "poller":
                task.cancel()  # what it fetched and did not store stays unconfirmed at Telegram
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, timeout=settings.inbox_lease_seconds)
        if application.running:
            await application.stop()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()
