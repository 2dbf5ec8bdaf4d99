"""A Telegram Bot API emulator: an HTTP server on loopback speaking the subset of the Bot API the bot uses.

The real python-telegram-bot ``Application`` runs against it unchanged::

    with BotApiEmulator(token="123:ABC") as emu:
        app = (
            ApplicationBuilder().token("123:ABC")
            .base_url(emu.base_url).base_file_url(emu.base_file_url).build()
        )
        ...
        emu.send_text(1001, "/rate 护理")
        replies = await emu.wait_for(1001)

It serves the end-to-end tests, the offline demo and the interactive console. Standard library only
(no ``telegram`` import), so the demo needs nothing beyond the bot's own dependencies.

What it does, as Telegram does:
- requests as POST (form-urlencoded with JSON-encoded non-string values, multipart/form-data for
  uploads, or JSON) or GET with a query string, to ``/bot<token>/<method>``; method names are
  case-insensitive; answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": "...", "parameters": {...}}`` with the matching HTTP status;
- ``getUpdates`` long polling (offset confirms, limit, timeout) woken at once by injected updates;
- texts over 4,096 characters (captions over 1,024) answer ``400 Bad Request: message is too
  long``, an edit that changes nothing answers ``400 Bad Request: message is not modified``
  (``strict=False`` turns these off);
- uploaded files are kept and served by ``getFile`` and ``/file/bot<token>/<file_path>``.

What it does not do: the bot sends plain text only, so ``parse_mode`` (HTML, Markdown) is not
rendered; a request that sets it is refused with 400, so a change that starts using markup fails
the tests instead of showing raw tags to users unnoticed.

Thread-safety: the server runs in daemon threads; every public method may be called from any
thread or from the event loop. Nothing here is meant to face the internet: bind loopback only.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import copy
import itertools
import json
import logging
import mimetypes
import re
import secrets
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, unquote_plus

__all__ = ["ApiError", "BotApiEmulator", "SentMessage"]

JSONDict = dict[str, Any]

_LOG = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
DEFAULT_BOT_ID = 777000111

# Parameters whose values are plain strings even when they look like JSON (PTB does not JSON-encode
# strings; every other value arrives JSON-encoded in form and multipart bodies).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "file_id",
        "url",
        "inline_message_id",
        "data",
        "language_code",
        "action",
        "description",
        "short_description",
        "name",
        "title",
        "secret_token",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "photo",
        "document",
        "query",
        "filename",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
        "message_ids",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a content and reply markup of the current message"
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class SentMessage:
    """One thing the bot sent (or edited): a text, photo or document message.

    ``text`` is the text (or caption) as the bot sent it. For ``editMessageReplyMarkup`` it holds the
    message's current text. ``message`` is the Message object the bot got back.
    """

    method: str
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: JSONDict | None
    file_name: str | None
    file_bytes: bytes | None
    time: float
    params: JSONDict
    message: JSONDict | None = field(default=None, repr=False)

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """The inline keyboard as ``(label, callback_data)`` pairs, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(button.get("text", ""), button.get("callback_data")) for row in rows for button in row]

    def button_data(self, label: str) -> str:
        """The callback data of the first button whose label contains ``label``."""
        for text, data in self.buttons:
            if label in text and data is not None:
                return data
        raise KeyError(f"no button labelled {label!r} in {self.buttons!r}")


@dataclass
class _Upload:
    filename: str
    content: bytes
    content_type: str | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None
    mime_type: str | None


@dataclass
class _Fault:
    status: int
    description: str
    retry_after: int | None
    remaining: int


@dataclass
class _StoredMessage:
    """A message the emulator knows about, with what is needed to edit it."""

    message: JSONDict
    from_bot: bool
    file_name: str | None = None
    file_bytes: bytes | None = None


def _utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# --------------------------------------------------------------------------------------------
# Request decoding helpers
# --------------------------------------------------------------------------------------------


def _header_param(header: str, key: str) -> str | None:
    """A parameter of a header value such as ``form-data; name="x"; filename="y.csv"``."""
    star = re.search(rf";\s*{key}\*\s*=\s*([^;]+)", header, re.I)
    if star:
        value = star.group(1).strip().strip('"')
        _charset, _, rest = value.partition("''")
        return unquote(rest or value)
    match = re.search(rf';\s*{key}\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', header, re.I)
    if not match:
        return None
    if match.group(2) is not None:
        return match.group(2)
    # httpx escapes '"' as %22, control characters as %XX and '\' as '\\' (HTML5 form encoding)
    return re.sub(
        r"\\(.)|%(0[0-9A-Fa-f]|1[0-9A-Fa-f]|22)",
        lambda m: m.group(1) if m.group(1) is not None else chr(int(m.group(2), 16)),
        match.group(1),
    )


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, _Upload]]:
    boundary = _header_param(content_type, "boundary")
    if not boundary:
        raise ApiError(400, "Bad Request: multipart boundary is missing")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    fields: dict[str, str] = {}
    uploads: dict[str, _Upload] = {}
    for chunk in (b"\r\n" + body).split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _header_param(disposition, "name")
        if name is None:
            continue
        filename = _header_param(disposition, "filename")
        if filename is None:
            fields[name] = data.decode("utf-8")
        else:
            uploads[name] = _Upload(filename, data, headers.get("content-type"))
    return fields, uploads


def _unquote_plus(raw: bytes) -> str:
    """``urllib.parse.unquote_plus`` for a form field, ~8x faster on percent-encoded CJK text.

    ``%XX`` becomes ``\\xXX`` and C-level ``codecs.escape_decode`` does the rest; anything it cannot
    take (a stray ``%``, invalid UTF-8) falls back to the standard function.
    """
    if b"%" not in raw:
        return raw.replace(b"+", b" ").decode("utf-8", "replace")
    try:
        escaped = raw.replace(b"\\", b"\\\\").replace(b"+", b" ").replace(b"%", b"\\x")
        return codecs.escape_decode(escaped)[0].decode("utf-8")  # type: ignore[attr-defined]
    except (ValueError, UnicodeDecodeError):
        return unquote_plus(raw.decode("utf-8", "replace"), errors="replace")


def _parse_form(body: bytes) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs, like ``parse_qsl(..., keep_blank_values=True)``."""
    pairs: list[tuple[str, str]] = []
    for piece in body.split(b"&"):
        if piece:
            name, _, value = piece.partition(b"=")
            pairs.append((_unquote_plus(name), _unquote_plus(value)))
    return pairs


def _decode_form_value(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; (512, 512) when unknown."""
    if content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(content):
            if content[i] != 0xFF:
                i += 1
                continue
            marker = content[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            (length,) = struct.unpack(">H", content[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", content[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return 512, 512


def _opt_int(params: JSONDict, key: str) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {key} specified") from None


def _as_json(params: JSONDict, key: str) -> Any:
    value = params.get(key)
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
    return value


# --------------------------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], emulator: BotApiEmulator) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (PTB cancelling a long poll, a test ending) is not an error.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or self.emulator._stopping:
            return
        _LOG.exception("emulator: error while handling a request from %s", client_address)


class _Headers(dict[str, str]):
    """Request headers with lower-cased names; ``get`` takes any case."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server
    server_version = "BotApiEmulator/1.0"

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def parse_request(self) -> bool:
        """The request line and headers, without the email parser (a third of the time per request)."""
        self.command = None  # type: ignore[assignment]
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if not words:
            return False
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({self.requestline!r})")
            return False
        self.command, self.path, self.request_version = words
        headers = _Headers()
        for _ in range(100):
            line = self.rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        else:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
            return False
        self.headers = headers  # type: ignore[assignment]
        connection = headers.get("connection", "").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive"
        )
        if headers.get("expect", "").lower() == "100-continue" and self.request_version == "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        )
        if self.close_connection:
            head += "Connection: close\r\n"
        self.wfile.write(head.encode("latin-1") + b"\r\n" + body)

    def _send_json(self, status: int, payload: JSONDict) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body)

    def _dispatch(self) -> None:
        emu = self.server.emulator
        body = self._read_body()
        path, _, query = self.path.partition("?")
        try:
            if path.startswith("/file/bot"):
                token, _, file_path = path[len("/file/bot") :].partition("/")
                status, content, content_type = emu._download(unquote(token), unquote(file_path))
                self._send(status, content, content_type)
                return
            if not path.startswith("/bot"):
                raise ApiError(404, "Not Found")
            token, _, method = path[len("/bot") :].partition("/")
            params, uploads = self._decode(body, query)
            status, payload = emu._call(unquote(token), method.strip("/"), params, uploads)
        except ApiError as exc:
            status, payload = exc.status, exc.payload()
        except Exception as exc:
            _LOG.exception("emulator: internal error for %s", path.rsplit("/", 1)[-1])
            emu._note_error("?", None, 500, f"Internal Server Error: {exc!r}")
            status, payload = (
                500,
                {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc!r}"},
            )
        self._send_json(status, payload)

    def _decode(self, body: bytes, query: str) -> tuple[JSONDict, dict[str, _Upload]]:
        params: JSONDict = {k: _decode_form_value(k, v) for k, v in parse_qsl(query, keep_blank_values=True)}
        uploads: dict[str, _Upload] = {}
        if not body:
            return params, uploads
        content_type = self.headers.get("Content-Type", "")
        kind = content_type.split(";", 1)[0].strip().lower()
        if kind == "multipart/form-data":
            fields, uploads = _parse_multipart(body, content_type)
            params.update({k: _decode_form_value(k, v) for k, v in fields.items()})
        elif kind == "application/json":
            try:
                data = json.loads(body)
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(data, dict):
                raise ApiError(400, "Bad Request: JSON request body must be an object")
            params.update(data)
            for key in _JSON_PARAMS & data.keys():
                params[key] = _as_json(params, key)
        else:
            params.update({k: _decode_form_value(k, v) for k, v in _parse_form(body)})
        return params, uploads


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------

_Method = Callable[[JSONDict, dict[str, _Upload]], Any]


class BotApiEmulator:
    """A Bot API server on loopback, plus the controls a test needs: inject updates, read replies.

    ``strict`` (default on) makes it answer like Telegram to malformed markup, over-long texts and
    edits that change nothing; with ``strict=False`` those are accepted as they come.
    """

    _FAULTY_PREFIXES: ClassVar[tuple[str, ...]] = ("send", "edit")

    def __init__(
        self,
        token: str | None = None,
        bot_username: str = "placement_demo_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        strict: bool = True,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.strict = strict
        bot_id = DEFAULT_BOT_ID
        if token and token.partition(":")[0].isdigit():
            bot_id = int(token.partition(":")[0])
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Placement Bot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._from_bot: JSONDict = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}

        self._lock = threading.Lock()
        self._updates_cv = threading.Condition(self._lock)
        self._sent_cv = threading.Condition(self._lock)
        self._stopping = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._updates: deque[JSONDict] = deque()
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._open_queries: set[str] = set()
        self._faults: dict[int, deque[_Fault]] = {}
        self._sent: list[SentMessage] = []
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._request_log: list[tuple[float, str, int | None]] = []
        self._errors: list[tuple[float, str, int | None, int, str]] = []
        self._callback_answers: list[JSONDict] = []
        self._deleted: list[tuple[int, int]] = []
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook_url = ""
        self.webhook_secret: str | None = None  # the secret_token of the last setWebhook
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

        self._methods: dict[str, _Method] = {
            "getme": lambda p, f: dict(self.bot_user),
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getchat": self._get_chat,
            "close": lambda p, f: True,
            "logout": lambda p, f: True,
            "setmydescription": lambda p, f: True,
            "setmyshortdescription": lambda p, f: True,
            "setmyname": lambda p, f: True,
            "setchatmenubutton": lambda p, f: True,
        }

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> BotApiEmulator:
        """Bind and serve in a daemon thread; returns ``self``."""
        if self._server is not None:
            return self
        self._stopping = False
        self._server = _Server((self.host, self.port), self)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="bot-api-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end pending long polls and close every open connection."""
        server = self._server
        if server is None:
            return
        with self._lock:
            self._stopping = True
            self._updates_cv.notify_all()
        server.shutdown()
        server.server_close()
        with server.connections_lock:
            connections = list(server.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: ``http://127.0.0.1:<port>/bot``."""
        return f"http://{self.host}:{self._bound_port()}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: ``http://127.0.0.1:<port>/file/bot``."""
        return f"http://{self.host}:{self._bound_port()}/file/bot"

    def _bound_port(self) -> int:
        if self._server is None and self.port == 0:
            raise RuntimeError("BotApiEmulator is not started (call start() or use it as a context manager)")
        return self.port

    # ---- injecting updates ----------------------------------------------------------------

    @staticmethod
    def _user(user_id: int, first_name: str, username: str | None, language_code: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, user: JSONDict, chat_id: int | None, chat_type: str) -> JSONDict:
        if chat_type == "private":
            chat: JSONDict = {
                "id": chat_id if chat_id is not None else user["id"],
                "type": "private",
                "first_name": user["first_name"],
            }
            if "username" in user:
                chat["username"] = user["username"]
            return chat
        if chat_type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unknown chat_type {chat_type!r}")
        if chat_id is None:
            chat_id = -abs(user["id"]) if chat_type == "group" else -(10**12 + abs(user["id"]))
        if chat_id >= 0:
            raise ValueError(f"a {chat_type} chat needs a negative chat_id, not {chat_id}")
        return {"id": chat_id, "type": chat_type, "title": "Group"}

    @staticmethod
    def _command_entities(text: str | None) -> list[JSONDict]:
        if not text or not text.startswith("/"):
            return []
        command = text.split(None, 1)[0] if text.strip() else text
        return [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "User",
        username: str | None = None,
        language_code: str = "zh-hans",
        date: int | None = None,
    ) -> dict:
        """Queue a text message from a user; a leading ``/command`` gets its ``bot_command`` entity.

        ``chat_id`` defaults to ``user_id`` in a private chat; for ``chat_type="group"`` it defaults to
        ``-user_id`` (``-(10**12 + user_id)`` for a supergroup) and must be negative.
        """
        user = self._user(user_id, first_name, username, language_code)
        chat = self._chat(user, chat_id, chat_type)
        message: JSONDict = {
            "message_id": 0,
            "from": user,
            "chat": chat,
            "date": date if date is not None else int(time.time()),
            "text": text,
        }
        entities = self._command_entities(text)
        if entities:
            message["entities"] = entities
        return self._queue_message(message)

    def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "User",
        language_code: str = "zh-hans",
        username: str | None = None,
        date: int | None = None,
        declared_size: int | None = None,
    ) -> dict:
        """Queue a document (file upload) from a user; the bot can fetch it with ``getFile``.
        ``declared_size`` is the ``file_size`` the update claims (a large file without its bytes)."""
        user = self._user(user_id, first_name, username, language_code)
        chat = self._chat(user, chat_id, chat_type)
        mime = mime_type or mimetypes.guess_type(file_name, strict=False)[0] or "application/octet-stream"
        stored = self._store_file("documents", content, file_name, mime)
        document = self._document_dict(stored)
        if declared_size is not None:
            document["file_size"] = declared_size
        message: JSONDict = {
            "message_id": 0,
            "from": user,
            "chat": chat,
            "date": date if date is not None else int(time.time()),
            "document": document,
        }
        if caption is not None:
            message["caption"] = caption
            entities = self._command_entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self._queue_message(message)

    def send_photo(
        self,
        user_id: int,
        content: bytes,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "User",
        language_code: str = "zh-hans",
        date: int | None = None,
        declared_size: int | None = None,
    ) -> dict:
        """Queue a photo from a user, as Telegram sends one: a list of sizes (here one) with file ids
        the bot can send again by id. ``declared_size`` is the ``file_size`` the update claims."""
        user = self._user(user_id, first_name, username=None, language_code=language_code)
        chat = self._chat(user, chat_id, chat_type)
        stored = self._store_file("photos", content, None, "image/jpeg")
        width, height = _image_size(content)
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": declared_size if declared_size is not None else len(content),
            "width": width,
            "height": height,
        }
        message: JSONDict = {
            "message_id": 0,
            "from": user,
            "chat": chat,
            "date": date if date is not None else int(time.time()),
            "photo": [size],
        }
        if caption is not None:
            message["caption"] = caption
            entities = self._command_entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self._queue_message(message)

    def press_button(
        self,
        user_id: int,
        message: SentMessage,
        callback_data: str,
        *,
        language_code: str = "zh-hans",
        first_name: str = "User",
        username: str | None = None,
    ) -> dict:
        """Queue a callback query: ``user_id`` pressed a button carrying ``callback_data`` under ``message``.

        The query carries the message as it is now (after any later edits). The data is not checked
        against the keyboard, so a test can also send data the bot never made.
        """
        user = self._user(user_id, first_name, username, language_code)
        with self._lock:
            stored = self._messages.get((message.chat_id, message.message_id))
            current = copy.deepcopy(stored.message) if stored else None
            query_id = f"{next(self._query_ids)}{secrets.randbelow(10**9):09d}"
            self._open_queries.add(query_id)
        if current is None:
            current = (
                copy.deepcopy(message.message)
                if message.message
                else {
                    "message_id": message.message_id,
                    "from": self._from_bot,
                    "chat": self._chat_for(message.chat_id),
                    "date": int(time.time()),
                    "text": message.plain_text if message.plain_text is not None else (message.text or ""),
                }
            )
            if message.reply_markup and "inline_keyboard" in message.reply_markup:
                current["reply_markup"] = message.reply_markup
        update: JSONDict = {
            "callback_query": {
                "id": query_id,
                "from": user,
                "message": current,
                "chat_instance": str(abs(message.chat_id) * 7919 % 10**12),
                "data": callback_data,
            }
        }
        return self._queue(update)

    def inject(self, update: dict) -> dict:
        """Queue a raw update (deep-copied); assigns a fresh ``update_id`` and returns the queued update."""
        update = copy.deepcopy(update)
        update.pop("update_id", None)
        with self._lock:
            for key in ("message", "edited_message", "channel_post"):
                message = update.get(key)
                if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                    self._remember_chat_locked(message["chat"])
                    if isinstance(message.get("message_id"), int) and isinstance(
                        message["chat"].get("id"), int
                    ):
                        stored = _StoredMessage(message, from_bot=False)
                        self._messages.setdefault((message["chat"]["id"], message["message_id"]), stored)
        return self._queue(update)

    def edit_user_message(self, update: dict, text: str, *, edit_date: int | None = None) -> dict:
        """Queue an ``edited_message`` update: the user edited the message of ``update`` (as returned by
        ``send_text``) to ``text``. Same chat and message_id; ``edit_date`` defaults to now."""
        with self._lock:
            original = update.get("message") or update.get("edited_message") or {}
            stored = self._messages.get((original["chat"]["id"], original["message_id"]))
            message = copy.deepcopy(stored.message if stored else original)
            message["text"] = text
            message["edit_date"] = edit_date if edit_date is not None else int(time.time())
            message.pop("entities", None)
            entities = self._command_entities(text)
            if entities:
                message["entities"] = entities
            if stored:
                stored.message = copy.deepcopy(message)
        return self._queue({"edited_message": message})

    def redeliver(self, update: dict) -> dict:
        """Queue the same update again (same message and message_id, new update_id): a duplicate delivery."""
        return self.inject(update)

    def _queue_message(self, message: JSONDict) -> JSONDict:
        with self._lock:
            message["message_id"] = next(self._message_ids)
            self._remember_chat_locked(message["chat"])
            self._messages[(message["chat"]["id"], message["message_id"])] = _StoredMessage(
                message, from_bot=False
            )
        return self._queue({"message": message})

    def _queue(self, update: JSONDict) -> JSONDict:
        with self._lock:
            update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            self._updates_cv.notify_all()
        return update

    def _remember_chat_locked(self, chat: JSONDict) -> None:
        chat_id = chat.get("id")
        if isinstance(chat_id, int):
            self._chats[chat_id] = dict(chat)

    # ---- reading what the bot sent ---------------------------------------------------------

    @property
    def sent(self) -> list[SentMessage]:
        """Everything the bot sent or edited, in arrival order (a copy)."""
        with self._lock:
            return list(self._sent)

    @property
    def request_log(self) -> list[tuple[float, str, int | None]]:
        """``(time.monotonic(), method, chat_id)`` of every request received (a copy)."""
        with self._lock:
            return list(self._request_log)

    @property
    def errors(self) -> list[tuple[float, str, int | None, int, str]]:
        """``(time, method, chat_id, status, description)`` of every error answer given (a copy)."""
        with self._lock:
            return list(self._errors)

    @property
    def callback_answers(self) -> list[JSONDict]:
        """Every ``answerCallbackQuery``: its params plus ``user_id`` and ``time``."""
        with self._lock:
            return [dict(a) for a in self._callback_answers]

    @property
    def deleted(self) -> list[tuple[int, int]]:
        """``(chat_id, message_id)`` of every message the bot deleted."""
        with self._lock:
            return list(self._deleted)

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        with self._lock:
            return len(self._updates)

    def my_commands(self, scope: dict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command menu set with ``setMyCommands`` for ``scope`` (default) and ``language_code``."""
        with self._lock:
            return [dict(c) for c in self._commands.get((self._scope_key(scope), language_code), [])]

    def menu_for(self, chat_id: int, language_code: str = "", *, chat_type: str = "private") -> list[str]:
        """The command names a user whose client speaks ``language_code`` sees in ``chat_id``'s menu,
        resolved as Telegram does: the most specific scope first (the chat, then all private or all
        group chats, then the default), within each the user's language before no language."""
        language = language_code.split("-")[0].lower()
        kind = "all_private_chats" if chat_type == "private" else "all_group_chats"
        scopes: list[dict | None] = [{"type": "chat", "chat_id": chat_id}, {"type": kind}, None]
        with self._lock:
            for scope in scopes:
                for code in ([language] if language else []) + [""]:
                    commands = self._commands.get((self._scope_key(scope), code))
                    if commands is not None:
                        return [str(c.get("command")) for c in commands]
        return []

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """What the bot sent or edited in ``chat_id``, in arrival order (a copy)."""
        with self._lock:
            return list(self._sent_by_chat.get(chat_id, ()))

    def mark(self, chat_id: int) -> int:
        """The number of messages to ``chat_id`` so far: pass it as ``since`` to wait for newer ones."""
        with self._lock:
            return len(self._sent_by_chat.get(chat_id, ()))

    def clear(self) -> None:
        """Forget what was sent, the request log, errors, callback answers and deletions.

        Messages stay known (buttons can still be pressed, messages edited); marks taken before are void.
        """
        with self._lock:
            self._sent.clear()
            self._sent_by_chat.clear()
            self._request_log.clear()
            self._errors.clear()
            self._callback_answers.clear()
            self._deleted.clear()

    async def wait_for(
        self, chat_id: int, count: int = 1, timeout: float = 10.0, since: int = 0
    ) -> list[SentMessage]:
        """Wait until ``chat_id`` holds at least ``count`` messages at index ``>= since``; return all of them.

        Woken by each arriving message (no polling delay). Raises ``TimeoutError`` that lists what was sent.
        """
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        deadline = loop.time() + timeout
        with self._lock:
            self._async_waiters.append(waiter)
        try:
            while True:
                event.clear()
                with self._lock:
                    found = self._sent_by_chat.get(chat_id, [])[since:]
                if len(found) >= count:
                    return found
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise TimeoutError(self._timeout_report(chat_id, count, timeout, since))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), remaining)
        finally:
            with self._lock:
                self._async_waiters.remove(waiter)

    def wait_for_sync(
        self, chat_id: int, count: int = 1, timeout: float = 10.0, since: int = 0
    ) -> list[SentMessage]:
        """Blocking form of :meth:`wait_for`, for code that runs outside the bot's event loop."""
        deadline = time.monotonic() + timeout
        with self._sent_cv:
            while True:
                found = self._sent_by_chat.get(chat_id, [])[since:]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._sent_cv.wait(remaining)
        raise TimeoutError(self._timeout_report(chat_id, count, timeout, since))

    def _timeout_report(self, chat_id: int, count: int, timeout: float, since: int) -> str:
        with self._lock:
            mine = list(self._sent_by_chat.get(chat_id, []))
            others = [m for m in self._sent if m.chat_id != chat_id][-5:]
            errors = self._errors[-5:]
            pending = len(self._updates)
        lines = [
            f"timed out after {timeout:g}s waiting for {count} message(s) to chat {chat_id} "
            f"at index >= {since}; chat {chat_id} has {len(mine)} in all, {max(0, len(mine) - since)} since:"
        ]
        lines += [f"  [{i}] {m.method}: {_short(m.text)}" for i, m in enumerate(mine)] or ["  (nothing)"]
        if others:
            lines.append("last messages to other chats:")
            lines += [f"  chat {m.chat_id} {m.method}: {_short(m.text)}" for m in others]
        if errors:
            lines.append("last error answers:")
            lines += [f"  {method} chat {cid}: {status} {desc}" for _, method, cid, status, desc in errors]
        lines.append(f"updates not yet fetched by the bot: {pending}")
        return "\n".join(lines)

    # ---- fault injection -------------------------------------------------------------------

    def fail_next(
        self,
        chat_id: int,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` send*/edit* calls to ``chat_id`` (not sendChatAction) with an error.

        E.g. ``status=429, retry_after=3`` (flood control) or ``status=403`` ("Forbidden: bot was
        blocked by the user"). Without ``description`` a Telegram-like one is chosen by status.
        """
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                403: "Forbidden: bot was blocked by the user",
                400: "Bad Request: chat not found",
            }.get(status, HTTPStatus(status).phrase)
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.setdefault(chat_id, deque()).append(_Fault(status, description, retry_after, times))

    # ---- request handling (server threads) -------------------------------------------------

    def _call(
        self, token: str, method: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> tuple[int, JSONDict]:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = params["chat_id"] = int(chat_id)
        log_chat = chat_id if isinstance(chat_id, int) else None
        now = time.monotonic()
        with self._lock:
            self._request_log.append((now, method, log_chat))
        try:
            if self.token is not None and token != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            lower = method.lower()
            if log_chat is not None and lower.startswith(self._FAULTY_PREFIXES) and lower != "sendchataction":
                self._apply_fault(log_chat)
            result = handler(params, uploads)
        except ApiError as exc:
            self._note_error(method, log_chat, exc.status, exc.description)
            return exc.status, exc.payload()
        return 200, {"ok": True, "result": result}

    def _apply_fault(self, chat_id: int) -> None:
        with self._lock:
            faults = self._faults.get(chat_id)
            if not faults:
                return
            fault = faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.popleft()
        parameters = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
        raise ApiError(fault.status, fault.description, parameters)

    def _note_error(self, method: str, chat_id: int | None, status: int, description: str) -> None:
        with self._lock:
            self._errors.append((time.monotonic(), method, chat_id, status, description))

    def _download(self, token: str, file_path: str) -> tuple[int, bytes, str]:
        with self._lock:
            self._request_log.append((time.monotonic(), "downloadFile", None))
            stored = self._files_by_path.get(file_path)
        if self.token is not None and token != self.token:
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}', "application/json"
        if stored is None:
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}', "application/json"
        return 200, stored.content, stored.mime_type or "application/octet-stream"

    # ---- helpers for methods ---------------------------------------------------------------

    def _chat_for(self, chat_id: int) -> JSONDict:
        with self._lock:
            return self._chat_for_locked(chat_id)

    def _chat_for_locked(self, chat_id: int) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": "User"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": kind, "title": "Group"}
            self._chats[chat_id] = chat
        return dict(chat)

    @staticmethod
    def _target_chat(params: JSONDict) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _check_text(self, text: str, params: JSONDict, *, caption: bool) -> list[JSONDict]:
        """Refuse what Telegram would (or the emulator cannot render); the entities passed through."""
        if params.get("parse_mode"):
            raise ApiError(
                400, f"Bad Request: parse_mode {params['parse_mode']!r} is not rendered by the emulator"
            )
        entities = params.get("caption_entities" if caption else "entities")
        if self.strict:
            limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
            if len(text) > limit:
                raise ApiError(
                    400,
                    "Bad Request: message caption is too long"
                    if caption
                    else "Bad Request: message is too long",
                )
            if not caption and not text.strip():
                raise ApiError(400, "Bad Request: message text is empty")
        return list(entities) if isinstance(entities, list) else []

    @staticmethod
    def _inline_markup(markup: Any) -> JSONDict | None:
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            return markup
        return None

    def _new_message(self, chat_id: int, params: JSONDict) -> JSONDict:
        """A bot message skeleton (message_id, date, chat, from, reply_to_message, reply_markup)."""
        with self._lock:
            message: JSONDict = {
                "message_id": next(self._message_ids),
                "from": self._from_bot,
                "chat": self._chat_for_locked(chat_id),
                "date": int(time.time()),
            }
            reply_to = _opt_int(params, "reply_to_message_id")
            reply_parameters = params.get("reply_parameters")
            if reply_to is None and isinstance(reply_parameters, dict):
                reply_to = _opt_int(reply_parameters, "message_id")
            if reply_to is not None:
                original = self._messages.get((chat_id, reply_to))
                if original is not None:
                    quoted = dict(original.message)
                    quoted.pop("reply_to_message", None)
                    message["reply_to_message"] = quoted
        markup = self._inline_markup(params.get("reply_markup"))
        if markup is not None:
            message["reply_markup"] = markup
        return message

    def _record(self, sent: SentMessage, stored: _StoredMessage | None = None) -> None:
        with self._lock:
            if stored is not None:
                self._messages[(sent.chat_id, sent.message_id)] = stored
            self._sent.append(sent)
            self._sent_by_chat.setdefault(sent.chat_id, []).append(sent)
            self._sent_cv.notify_all()
            waiters = list(self._async_waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # loop closed
                loop.call_soon_threadsafe(event.set)

    def _store_file(
        self, folder: str, content: bytes, file_name: str | None, mime_type: str | None
    ) -> _StoredFile:
        with self._lock:
            n = next(self._file_ids)
            token = secrets.token_hex(6)
            suffix = file_name or f"file_{n}"
            stored = _StoredFile(
                file_id=f"BQAC{n:06d}{token}",
                file_unique_id=f"AgAD{n:06d}",
                file_path=f"{folder}/file_{n}_{suffix}" if file_name else f"{folder}/file_{n}",
                content=content,
                file_name=file_name,
                mime_type=mime_type,
            )
            self._files[stored.file_id] = stored
            self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_dict(stored: _StoredFile) -> JSONDict:
        document: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _file_param(
        self, params: JSONDict, uploads: dict[str, _Upload], key: str, folder: str
    ) -> _StoredFile | None:
        """The file given in ``key``: an upload (part ``key`` or ``attach://name``), a known file_id, or a URL."""
        value = params.get(key)
        upload = uploads.get(key)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://") :])
        if upload is not None:
            mime = upload.content_type or mimetypes.guess_type(upload.filename, strict=False)[0]
            return self._store_file(folder, upload.content, upload.filename, mime)
        if isinstance(value, str) and value:
            with self._lock:
                known = self._files.get(value)
            if known is not None:
                return known
            if value.startswith(("http://", "https://")):
                return None
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise ApiError(400, f"Bad Request: there is no {key} in the request")

    def _caption(self, message: JSONDict, params: JSONDict) -> str | None:
        caption = params.get("caption")
        if caption is None or caption == "":
            return None
        entities = self._check_text(str(caption), params, caption=True)
        message["caption"] = str(caption)
        if entities:
            message["caption_entities"] = entities
        return str(caption)

    # ---- methods ---------------------------------------------------------------------------

    def _get_updates(self, params: JSONDict, uploads: dict[str, _Upload]) -> list[JSONDict]:
        offset = _opt_int(params, "offset")
        limit = min(100, max(1, _opt_int(params, "limit") or 100))
        timeout = max(0.0, float(params.get("timeout") or 0))
        deadline = time.monotonic() + timeout
        with self._updates_cv:
            if self._webhook_url:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
                )
            if offset is not None and offset > 0:
                while self._updates and self._updates[0]["update_id"] < offset:
                    self._updates.popleft()
            elif offset is not None and offset < 0:
                while len(self._updates) > -offset:
                    self._updates.popleft()
            while not self._updates and not self._stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._updates_cv.wait(remaining)
            return list(itertools.islice(self._updates, limit))

    def _send_message(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        chat_id = self._target_chat(params)
        text = params.get("text")
        if text is None or text == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        entities = self._check_text(text, params, caption=False)
        message = self._new_message(chat_id, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        self._record(
            self._sent_message("sendMessage", chat_id, message, params, text),
            _StoredMessage(message, from_bot=True),
        )
        return message

    def _send_photo(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        return self._send_file(params, uploads, "photo", "sendPhoto", "photos")

    def _send_document(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        return self._send_file(params, uploads, "document", "sendDocument", "documents")

    def _send_file(
        self, params: JSONDict, uploads: dict[str, _Upload], key: str, method: str, folder: str
    ) -> JSONDict:
        chat_id = self._target_chat(params)
        stored = self._file_param(params, uploads, key, folder)
        message = self._new_message(chat_id, params)
        if stored is None:  # sent by URL: nothing to keep
            stored = _StoredFile(
                f"URL{secrets.token_hex(6)}", f"URL{secrets.token_hex(3)}", "", b"", None, None
            )
        if key == "photo":
            width, height = _image_size(stored.content)
            message["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.content),
                    "width": width,
                    "height": height,
                }
            ]
        else:
            message["document"] = self._document_dict(stored)
        caption = self._caption(message, params)
        sent = self._sent_message(method, chat_id, message, params, caption)
        sent.file_name = stored.file_name
        sent.file_bytes = stored.content
        self._record(
            sent, _StoredMessage(message, True, file_name=stored.file_name, file_bytes=stored.content)
        )
        return message

    def _sent_message(
        self,
        method: str,
        chat_id: int,
        message: JSONDict,
        params: JSONDict,
        text: str | None,
    ) -> SentMessage:
        markup = params.get("reply_markup")
        return SentMessage(
            method=method,
            chat_id=chat_id,
            message_id=message["message_id"],
            text=text,
            reply_markup=markup if isinstance(markup, dict) else None,
            file_name=None,
            file_bytes=None,
            time=time.monotonic(),
            params=dict(params),
            message=message,
        )

    def _editable(self, params: JSONDict) -> tuple[int, int, _StoredMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the emulator")
        chat_id = self._target_chat(params)
        message_id = _opt_int(params, "message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        with self._lock:
            stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not stored.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return chat_id, message_id, stored

    def _commit_edit(
        self,
        method: str,
        chat_id: int,
        stored: _StoredMessage,
        new: JSONDict,
        params: JSONDict,
    ) -> JSONDict:
        old = stored.message
        if self.strict and all(
            old.get(k) == new.get(k)
            for k in ("text", "entities", "caption", "caption_entities", "reply_markup")
        ):
            raise ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = int(time.time())
        updated = _StoredMessage(new, True, stored.file_name, stored.file_bytes)
        sent = self._sent_message(method, chat_id, new, params, new.get("text", new.get("caption")))
        sent.file_name = stored.file_name
        sent.file_bytes = stored.file_bytes
        self._record(sent, updated)
        return new

    def _edit_message_text(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        chat_id, _, stored = self._editable(params)
        if "text" not in stored.message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = params.get("text")
        if text is None or text == "":
            raise ApiError(400, "Bad Request: message text is empty")
        text = str(text)
        entities = self._check_text(text, params, caption=False)
        new = {
            k: v
            for k, v in stored.message.items()
            if k not in ("text", "entities", "reply_markup", "edit_date")
        }
        new["text"] = text
        if entities:
            new["entities"] = entities
        markup = self._inline_markup(params.get("reply_markup"))
        if markup is not None:
            new["reply_markup"] = markup
        return self._commit_edit("editMessageText", chat_id, stored, new, params)

    def _edit_message_caption(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        chat_id, _, stored = self._editable(params)
        if "text" in stored.message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        new = {
            k: v
            for k, v in stored.message.items()
            if k not in ("caption", "caption_entities", "reply_markup", "edit_date")
        }
        self._caption(new, params)
        markup = self._inline_markup(params.get("reply_markup"))
        if markup is not None:
            new["reply_markup"] = markup
        return self._commit_edit("editMessageCaption", chat_id, stored, new, params)

    def _edit_message_reply_markup(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        chat_id, _, stored = self._editable(params)
        new = {k: v for k, v in stored.message.items() if k not in ("reply_markup", "edit_date")}
        markup = self._inline_markup(params.get("reply_markup"))
        if markup is not None:
            new["reply_markup"] = markup
        return self._commit_edit("editMessageReplyMarkup", chat_id, stored, new, params)

    def _delete_message(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        chat_id = self._target_chat(params)
        message_id = _opt_int(params, "message_id")
        with self._lock:
            if message_id is None or self._messages.pop((chat_id, message_id), None) is None:
                raise ApiError(400, "Bad Request: message to delete not found")
            self._deleted.append((chat_id, message_id))
        return True

    def _delete_messages(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        chat_id = self._target_chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        with self._lock:
            for message_id in ids:
                if self._messages.pop((chat_id, int(message_id)), None) is not None:
                    self._deleted.append((chat_id, int(message_id)))
        return True

    def _answer_callback_query(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        with self._lock:
            if query_id not in self._open_queries:
                raise ApiError(
                    400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
                )
            self._open_queries.discard(query_id)
            answer = dict(params)
            answer["time"] = time.monotonic()
            self._callback_answers.append(answer)
        return True

    def _send_chat_action(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        chat_id = self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._chat_for(chat_id)
        return True

    def _get_file(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        file_id = str(params.get("file_id") or "")
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope or (isinstance(scope, dict) and scope.get("type") == "default"):
            return "default"
        return json.dumps(scope, sort_keys=True)

    def _set_my_commands(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not _COMMAND_RE.match(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(
                    400,
                    "Bad Request: command description is empty"
                    if not command.get("description")
                    else "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
                )
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        with self._lock:
            self._commands[key] = [dict(c) for c in commands]
        return True

    def _get_my_commands(self, params: JSONDict, uploads: dict[str, _Upload]) -> list[JSONDict]:
        return self.my_commands(params.get("scope"), str(params.get("language_code") or ""))

    def _delete_my_commands(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        key = (self._scope_key(params.get("scope")), str(params.get("language_code") or ""))
        with self._lock:
            self._commands.pop(key, None)
        return True

    def _set_webhook(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        with self._lock:
            self._webhook_url = str(params.get("url") or "")
            self.webhook_secret = str(params["secret_token"]) if params.get("secret_token") else None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    @property
    def webhook_url(self) -> str:
        with self._lock:
            return self._webhook_url

    def pop_update(self, timeout: float = 0.5) -> dict | None:
        """Take the oldest queued update (for a test that pushes updates to a webhook as Telegram does)."""
        with self._updates_cv:
            if not self._updates:
                self._updates_cv.wait(timeout)
            return self._updates.popleft() if self._updates else None

    def _delete_webhook(self, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        with self._lock:
            self._webhook_url = ""
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _get_webhook_info(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        with self._lock:
            return {
                "url": self._webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }

    def _get_chat(self, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        chat = self._chat_for(self._target_chat(params))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        return chat


def _short(text: str | None, width: int = 100) -> str:
    if text is None:
        return "(no text)"
    flat = text.replace("\n", " ⏎ ")
    return flat if len(flat) <= width else flat[: width - 1] + "…"
