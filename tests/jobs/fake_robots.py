"""A fake of the three platforms' robot webhooks on loopback (stdlib http.server in a thread).

It checks each request the way the platform does: the shape of the message, the size limits, and
— for robots registered with a secret — the signature, computed here by a second implementation
(HMAC written out from RFC 2104 over hashlib.sha256, not the `hmac` module the bot uses). A wrong
signature gets the platform's own error code; an unknown robot too. Everything that arrives is
recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256 by its definition: H((K ^ opad) || H((K ^ ipad) || m)), block size 64."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key) + message).digest()
    return hashlib.sha256(bytes(b ^ 0x5C for b in key) + inner).digest()


def expected_dingtalk_sign(secret: str, timestamp: str) -> str:
    """钉钉 加签: Base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)); the caller URL-decodes."""
    return base64.b64encode(hmac_sha256(secret.encode(), f"{timestamp}\n{secret}".encode())).decode()


def expected_feishu_sign(secret: str, timestamp: str) -> str:
    """飞书 签名校验: Base64(HMAC-SHA256(key = timestamp + "\\n" + secret, message = empty))."""
    return base64.b64encode(hmac_sha256(f"{timestamp}\n{secret}".encode(), b"")).decode()


@dataclass
class Received:
    kind: str
    robot: str  # the key / access token / hook id
    body: dict
    query: dict[str, str]
    answer: dict


@dataclass
class FakeRobots:
    secrets: dict[str, str | None] = field(default_factory=dict)  # robot id → secret (None: unsigned)
    failures: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)  # robot id → answers to give first
    always_fail: dict[str, tuple[int, dict]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    rejected: list[Received] = field(default_factory=list)
    now: float | None = None  # the platform's clock (None: real time)

    def start(self) -> FakeRobots:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
                status, answer = fake.handle(parts.path, query, raw, self.headers.get("Content-Type", ""))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.lock = threading.Lock()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def wecom_url(self, key: str) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk_url(self, token: str) -> str:
        return f"{self.base}/robot/send?access_token={token}"

    def feishu_url(self, hook: str) -> str:
        return f"{self.base}/open-apis/bot/v2/hook/{hook}"

    def to(self, robot: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.robot == robot]

    # ------------------------------------------------------------ the platforms

    def handle(self, path: str, query: dict[str, str], raw: bytes, content_type: str) -> tuple[int, dict]:
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = None
        if path == "/cgi-bin/webhook/send":
            kind, robot = "wecom", query.get("key", "")
        elif path == "/robot/send":
            kind, robot = "dingtalk", query.get("access_token", "")
        elif path.startswith("/open-apis/bot/v2/hook/"):
            kind, robot = "feishu", path.rsplit("/", 1)[-1]
        else:
            return 404, {"error": "not found"}
        status, answer = self._answer(kind, robot, query, body, content_type)
        record = Received(kind, robot, body if isinstance(body, dict) else {}, query, answer)
        with self.lock:
            (self.received if status == 200 and self._ok(kind, answer) else self.rejected).append(record)
        return status, answer

    @staticmethod
    def _ok(kind: str, answer: dict) -> bool:
        return answer.get("code" if kind == "feishu" else "errcode") == 0

    def _answer(self, kind: str, robot: str, query: dict[str, str], body: object, content_type: str) -> tuple[int, dict]:
        if robot not in self.secrets:
            if kind == "wecom":
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [fake], more info at https://open.work.weixin.qq.com/devtool/query?e=93000"}
            if kind == "dingtalk":
                return 200, {"errcode": 300001, "errmsg": "token is not exist"}
            return 200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
        if "application/json" not in content_type or not isinstance(body, dict):
            return 400, {"errcode": 40000, "errmsg": "body is not JSON"}
        with self.lock:
            queued = self.failures.get(robot)
            if queued:
                return queued.pop(0)
            if robot in self.always_fail:
                return self.always_fail[robot]
        secret = self.secrets[robot]
        now = self.now if self.now is not None else time.time()
        if kind == "wecom":
            return 200, self._wecom(body)
        if kind == "dingtalk":
            if secret is not None:
                timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
                if (
                    not timestamp.isdigit()
                    or abs(int(timestamp) / 1000 - now) > 3600
                    or sign != expected_dingtalk_sign(secret, timestamp)
                ):
                    return 200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
            return 200, self._dingtalk(body)
        if secret is not None:
            timestamp, sign = str(body.get("timestamp", "")), body.get("sign", "")
            if (
                not timestamp.isdigit()
                or abs(int(timestamp) - now) > 3600
                or sign != expected_feishu_sign(secret, timestamp)
            ):
                return 200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time", "data": {}}
        return 200, self._feishu(body)

    @staticmethod
    def _wecom(body: dict) -> dict:
        bad = {"errcode": 40008, "errmsg": "invalid message type"}
        if body.get("msgtype") == "markdown":
            content = body.get("markdown", {}).get("content")
            if not isinstance(content, str) or not content:
                return {"errcode": 40058, "errmsg": "markdown.content exceed max length or is empty"}
            if len(content.encode()) > 4096:
                return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        elif body.get("msgtype") == "image":
            image = body.get("image", {})
            try:
                png = base64.b64decode(image.get("base64", ""), validate=True)
            except ValueError:
                return {"errcode": 40009, "errmsg": "invalid image size"}
            if not png or len(png) > 2 * 1024 * 1024:
                return {"errcode": 40009, "errmsg": "invalid image size"}
            if hashlib.md5(png).hexdigest() != image.get("md5"):
                return {"errcode": 301019, "errmsg": "media md5 not match"}
        elif body.get("msgtype") == "text":
            if not isinstance(body.get("text", {}).get("content"), str):
                return bad
        else:
            return bad
        return {"errcode": 0, "errmsg": "ok"}

    @staticmethod
    def _dingtalk(body: dict) -> dict:
        if body.get("msgtype") == "markdown":
            markdown = body.get("markdown", {})
            if not isinstance(markdown.get("title"), str) or not isinstance(markdown.get("text"), str):
                return {"errcode": 40035, "errmsg": "缺少参数 markdown.title/text"}
        elif body.get("msgtype") == "text":
            if not isinstance(body.get("text", {}).get("content"), str):
                return {"errcode": 40035, "errmsg": "缺少参数 text"}
        else:
            return {"errcode": 40035, "errmsg": "缺少参数 msgtype"}
        return {"errcode": 0, "errmsg": "ok"}

    @staticmethod
    def _feishu(body: dict) -> dict:
        bad = {"code": 9499, "msg": "Bad Request"}
        if len(json.dumps(body, ensure_ascii=False).encode()) > 20 * 1024:
            return {"code": 9499, "msg": "request body too large (20 KB)"}
        if body.get("msg_type") == "post":
            post = body.get("content", {}).get("post", {})
            zh = post.get("zh_cn")
            if not isinstance(zh, dict) or not isinstance(zh.get("title"), str) or not isinstance(zh.get("content"), list):
                return bad
            for paragraph in zh["content"]:
                if not isinstance(paragraph, list) or not all(
                    isinstance(e, dict) and e.get("tag") == "text" and isinstance(e.get("text"), str) for e in paragraph
                ):
                    return bad
        elif body.get("msg_type") == "text":
            if not isinstance(body.get("content", {}).get("text"), str):
                return bad
        else:
            return bad
        return {"code": 0, "msg": "success", "data": {}}
