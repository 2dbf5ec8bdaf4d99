"""Per-platform request shapes, signatures, size limits, answers and URL masking. Pure.

- WeCom (企业微信) group robot: `{"msgtype": "markdown", "markdown": {"content": …}}`, content at most
  4,096 bytes of UTF-8; an image as `{"msgtype": "image", "image": {"base64": …, "md5": …}}`, the md5
  of the raw PNG, at most 2 MB before encoding. 20 messages a minute per robot.
- DingTalk (钉钉) custom robot: `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`;
  with a secret, the query gets `timestamp` (ms) and `sign`. 20 messages a minute per robot.
- Feishu (飞书) custom bot: `{"msg_type": "post", "content": {"post": {"zh_cn": {"title", "content"}}}}`;
  with a secret, the body gets `timestamp` (s) and `sign`. 100 a minute and 5 a second per bot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import socket
import urllib.parse
from dataclasses import dataclass

import httpx

from bot.texts import split_message

KINDS = ("wecom", "dingtalk", "feishu")
KIND_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}

MARKDOWN_LIMIT_BYTES = 4096  # WeCom's documented markdown limit; used for all three (DingTalk and
# Feishu accept more, but one size keeps the parts alike and well under their body limits)
IMAGE_LIMIT_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """At most `count` messages in any `window` seconds (several limits may apply at once)."""

    count: int
    window: float


LIMITS: dict[str, tuple[Limit, ...]] = {
    "wecom": (Limit(20, 60.0),),
    "dingtalk": (Limit(20, 60.0),),
    "feishu": (Limit(100, 60.0), Limit(5, 1.0)),
}

# Answers that mean "too fast / busy, try later" rather than "this request or robot is wrong".
RETRYABLE_CODES = {
    "wecom": {-1, 45009},  # system busy; api freq out of limit
    "dingtalk": {-1, 130101},  # system busy; send too fast, exceed 20 times per minute
    "feishu": {9499, 11232},  # too many requests; frequency limited
}


class ChannelUrlError(ValueError):
    """Not an http(s) URL with a host, or (unless allowed) one on this machine or a private network."""


class ChannelUrlPrivate(ChannelUrlError):
    """A URL on this machine or a private network."""


class ChannelUrlNotAscii(ChannelUrlError):
    """A host written with non-ASCII characters (an IDN in Unicode, full-width dots or digits)."""


def check_url(url: str, *, allow_private: bool = False) -> str:
    """The URL, stripped, if it is http(s) with a host that httpx will send to; else ChannelUrlError
    (without echoing it). A loopback, private, link-local or otherwise internal address is refused
    unless `allow_private` (ROBOT_PRIVATE_HOSTS): an admin account must not become a way to probe
    the server's own network (the outcome of each post is shown in `channel list`).

    The host checked is the one httpx dials: its IDNA-normalised form (`127。0。0。1`, with the
    ideographic full stop, is dialled as 127.0.0.1). A host written with any non-ASCII character is
    refused outright — the platforms' robot hosts are ASCII, and an internationalised name can be
    written in its `xn--` form. Called when a robot is added and again before every post."""
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises for a port out of range)
        dialled = httpx.URL(url).raw_host.decode("ascii")
    except ValueError:
        raise ChannelUrlError("not a URL") from None
    except httpx.InvalidURL:
        raise ChannelUrlError("not a URL") from None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() or ord(c) < 32 for c in url):
        raise ChannelUrlError("only http:// and https:// robot URLs are accepted")
    if not host.isascii():
        raise ChannelUrlNotAscii("robot URL hosts must be ASCII (write an internationalised name as xn--…)")
    if not allow_private and (_internal(dialled) or _internal(host)):
        raise ChannelUrlPrivate("robot URLs on this machine or a private network are refused")
    return url


def _internal(host: str) -> bool:
    """Whether `host` names this machine or a non-public network (literal addresses, in any of the
    spellings that resolve to one, with or without a trailing dot, and `localhost`)."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        try:  # 0x7f000001, 2130706433, 127.1: what inet_aton (and so the HTTP client) accepts
            address = ipaddress.ip_address(socket.inet_aton(name))
        except OSError:
            return False
    return not address.is_global


def _mask(value: str) -> str:
    return "****" + value[-4:] if len(value) > 8 else "****"


def mask_url(url: str) -> str:
    """The URL with every credential masked: query values, the last path segment of a hook URL
    (Feishu: /open-apis/bot/v2/hook/<id>), and any user:password."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    # every long path segment is a possible key (Feishu: /open-apis/bot/v2/hook/<id>, with or
    # without a trailing slash)
    path = "/".join(_mask(segment) if len(segment) >= 16 else segment for segment in parts.path.split("/"))
    query = "&".join(
        f"{name}={_mask(value)}" for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    return urllib.parse.urlunsplit((parts.scheme, host, path, query, ""))


def scrub(text: str, *secrets: str | None) -> str:
    """`text` with every given credential (and any URL's query string) removed, for logs and outcomes."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
            for part in _credential_parts(secret):
                text = text.replace(part, "****")
    return re.sub(r"(https?://[^\s?'\"]+)\?[^\s'\"]*", r"\1?****", text)


def _credential_parts(url: str) -> list[str]:
    parts = urllib.parse.urlsplit(url)
    found = [value for _, value in urllib.parse.parse_qsl(parts.query) if len(value) >= 4]
    found.extend(segment for segment in parts.path.split("/") if len(segment) >= 16)
    return found


# ---------------------------------------------------------------- signatures


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """URL-encoded Base64(HMAC-SHA256(key=secret, message="timestamp\\nsecret"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Base64(HMAC-SHA256(key="timestamp\\nsecret", empty message))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


# ---------------------------------------------------------------- requests


@dataclass(frozen=True)
class Request:
    """One HTTP POST to a robot. `url` is a credential."""

    url: str
    body: dict[str, object]


def request_for(kind: str, url: str, secret: str | None, payload: dict[str, object], now_s: float) -> Request:
    """Sign `payload` for the platform when a secret is given."""
    if kind == "dingtalk" and secret:
        timestamp = int(now_s * 1000)
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        return Request(f"{url}{separator}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}", payload)
    if kind == "feishu" and secret:
        timestamp = int(now_s)
        return Request(url, {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **payload})
    return Request(url, payload)


def wecom_markdown(content: str) -> dict[str, object]:
    if len(content.encode()) > MARKDOWN_LIMIT_BYTES:
        raise ValueError("WeCom markdown over 4,096 bytes")
    return {"msgtype": "markdown", "markdown": {"content": content}}


def wecom_image(png: bytes) -> dict[str, object]:
    if len(png) > IMAGE_LIMIT_BYTES:
        raise ValueError("WeCom image over 2 MB")
    return {"msgtype": "image", "image": {"base64": base64.b64encode(png).decode(), "md5": hashlib.md5(png).hexdigest()}}


def dingtalk_markdown(title: str, text: str) -> dict[str, object]:
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def feishu_post(title: str, lines: list[str]) -> dict[str, object]:
    """A post: one paragraph per line, each a single text element."""
    return {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": title, "content": [[{"tag": "text", "text": line}] for line in lines]}}},
    }


def text_message(kind: str, text: str) -> dict[str, object]:
    """A short plain message (the `channel test` message)."""
    if kind == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    return {"msgtype": "text", "text": {"content": text}}


def utf8_size(text: str) -> int:
    return len(text.encode())


def split_bytes(text: str, limit: int = MARKDOWN_LIMIT_BYTES) -> list[str]:
    """Split at line boundaries into parts of at most `limit` bytes of UTF-8: Telegram's splitter,
    measured in bytes."""
    return split_message(text, limit, size=utf8_size)


# ---------------------------------------------------------------- answers


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retryable: bool
    text: str  # e.g. "ok", "errcode 93000: invalid webhook url", "HTTP 502", "timeout"


def read_answer(kind: str, status: int, body: object) -> Outcome:
    """Classify a robot's HTTP answer: success, worth retrying (rate limits, 5xx), or final."""
    if status == 429 or status >= 500:
        return Outcome(False, True, f"HTTP {status}")
    if status >= 400:
        return Outcome(False, False, f"HTTP {status}")
    if not isinstance(body, dict):
        return Outcome(False, True, f"HTTP {status}: not a JSON answer")
    if kind == "feishu":
        code = body.get("code", body.get("StatusCode"))
        message = body.get("msg", body.get("StatusMessage", ""))
    else:
        code = body.get("errcode")
        message = body.get("errmsg", "")
    if code == 0:
        return Outcome(True, False, "ok")
    if not isinstance(code, int):
        return Outcome(False, False, f"HTTP {status}: unexpected answer")
    label = "code" if kind == "feishu" else "errcode"
    return Outcome(False, code in RETRYABLE_CODES[kind], f"{label} {code}: {str(message)[:200]}")
