"""Posting to group robots over HTTP: each robot's rate limit, retries with backoff, no leaks.

A robot's URL carries its key, so it never reaches a log: our own messages name the channel ID,
outcomes are scrubbed, and a filter masks webhook URLs in httpx's and httpcore's own log records.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from jobs.channels import platforms
from jobs.channels.platforms import Limit, Outcome

log = logging.getLogger(__name__)

_URL_QUERY = re.compile(r"(https?://[^\s?'\"]+)\?[^\s'\"]*")
_HOOK_PATH = re.compile(r"(/hook/)[^\s/?'\"]+")


class RedactUrls(logging.Filter):
    """Masks query strings and hook IDs of URLs in a record (httpx logs every request's URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _HOOK_PATH.sub(r"\1****", _URL_QUERY.sub(r"\1?****", message))
        if masked != message:
            record.msg, record.args = masked, None
        return True


_REDACT = RedactUrls()


def install_log_redaction() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


class RateLimiter:
    """Sliding windows per robot: waits until one more message fits every limit of its platform."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self._sent: dict[int, collections.deque[float]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def wait(self, channel_id: int, limits: tuple[Limit, ...]) -> None:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:  # one waiter per robot at a time keeps the order of its messages
            sent = self._sent.setdefault(channel_id, collections.deque())
            longest = max(limit.window for limit in limits)
            while True:
                now = self.clock()
                while sent and now - sent[0] >= longest:
                    sent.popleft()
                delay = 0.0
                for limit in limits:
                    recent = [t for t in sent if now - t < limit.window]
                    if len(recent) >= limit.count:
                        delay = max(delay, limit.window - (now - recent[-limit.count]))
                if delay <= 0:
                    sent.append(now)
                    return
                await self.sleep(delay + 0.001)  # past the edge: float rounding must not spin


LIMITER = RateLimiter()  # one per process: the digest round and `channel test` share each robot's budget


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff: float = 1.0  # 1, 2, 4 … seconds between attempts
    rate_limited_wait: float = 60.0  # after a "too fast" answer: the platforms count per minute
    timeout: float = 10.0


@dataclass(frozen=True)
class Robot:
    """What the sender needs of a channel. `url` and `secret` are credentials."""

    channel_id: int
    kind: str
    url: str
    secret: str | None
    allow_private: bool = False  # ROBOT_PRIVATE_HOSTS: may the URL name this machine or a private network

    def __repr__(self) -> str:  # never the URL or the secret, even in a traceback's repr
        return f"Robot(channel_id={self.channel_id}, kind={self.kind!r})"


class RobotSender:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        policy: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        install_log_redaction()
        self.client = client
        self.policy = policy or RetryPolicy()
        self.limiter = limiter or LIMITER
        self.clock = clock  # wall clock for signatures

    async def post(self, robot: Robot, payload: dict[str, object]) -> Outcome:
        """Send one message; retry what may succeed later. Returns the last outcome.

        The URL is checked again here, where it is dialled: a robot stored before a check existed
        (or written into the database by hand) never reaches this machine or a private network."""
        try:
            platforms.check_url(robot.url, allow_private=robot.allow_private)
        except platforms.ChannelUrlError as refusal:
            return Outcome(False, False, f"not sent: {refusal}")
        outcome = Outcome(False, False, "not sent")
        for attempt in range(1, self.policy.attempts + 1):
            await self.limiter.wait(robot.channel_id, platforms.LIMITS[robot.kind])
            request = platforms.request_for(robot.kind, robot.url, robot.secret, payload, self.clock())
            outcome = await self._once(robot, request)
            if outcome.ok or not outcome.retryable or attempt == self.policy.attempts:
                return outcome
            rate_limited = outcome.text.startswith(("HTTP 429", "errcode 45009", "errcode 130101", "code 9499", "code 11232"))
            delay = self.policy.rate_limited_wait if rate_limited else self.policy.backoff * 2 ** (attempt - 1)
            log.warning("robot channel %s: %s; retry %d in %.1f s", robot.channel_id, outcome.text, attempt, delay)
            await asyncio.sleep(delay)
        return outcome

    async def _once(self, robot: Robot, request: platforms.Request) -> Outcome:
        try:
            response = await self.client.post(request.url, json=request.body, timeout=self.policy.timeout)
        except httpx.TimeoutException:
            return Outcome(False, True, "timeout")
        except httpx.HTTPError as error:  # connection refused, reset …: the message names no URL
            return Outcome(False, True, platforms.scrub(f"network error: {type(error).__name__}", robot.url, robot.secret))
        try:
            body = response.json()
        except ValueError:
            body = None
        outcome = platforms.read_answer(robot.kind, response.status_code, body)
        return Outcome(outcome.ok, outcome.retryable, platforms.scrub(outcome.text, robot.url, robot.secret))
