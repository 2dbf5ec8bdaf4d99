"""Weekly digests: who gets one, building each, and sending each exactly once.

Every (user, slot) is claimed in the database before anything is sent, so restarts and several
processes sharing one database never send a digest twice. Sending respects Telegram's limits
(≤ 30 messages/s overall, ≤ 1/s per chat), waits out 429s, marks users who blocked the bot
inactive, retries network errors with backoff, and logs every outcome.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import texts
from bot.long_work import long_work
from bot.metrics import PlacementCounts, breakdown, format_percent
from bot.services import Action, Actor, Role, Services, policy
from bot.services.outputs import Picture
from bot.services.progress import recorded_this_week
from bot.services.snapshots import Snapshot
from jobs.digest import Digest, DigestInput, build_digest
from jobs.schedule import Slot, due_slot, iso_week, parse_schedule, slot_times
from storage import repo

log = logging.getLogger(__name__)

SCHEDULE_KEY = "digest_schedule"
SUB_DIMENSION = {"admin": "department", "head": "major", "counsellor": "class_name"}
NETWORK_RETRIES = 3
NOT_STARTED = "not_started"


def not_started(error: Forbidden) -> bool:
    """Telegram's 403 for a user who never opened a chat with the bot. Unlike "bot was blocked by
    the user" or "user is deactivated", it says nothing about the user wanting digests."""
    return "can't initiate conversation" in error.message.lower() or "cannot initiate conversation" in error.message.lower()


class Throttle:
    """At most `per_second` sends in any sliding second overall, and one per `per_chat` seconds per chat."""

    def __init__(self, per_second: int = 22, per_chat: float = 1.0) -> None:
        # 22, not 30: requests leave a little after the throttle releases them and can bunch up;
        # the margin keeps every sliding second at Telegram's side under 30.
        self.per_second = per_second
        self.per_chat = per_chat
        self._sent: collections.deque[float] = collections.deque()
        self._last_in_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: int) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= 1.0:
                    self._sent.popleft()
                overall = 0.0 if len(self._sent) < self.per_second else 1.0 - (now - self._sent[0])
                chat = max(0.0, self.per_chat - (now - self._last_in_chat.get(chat_id, -1e9)))
                delay = max(overall, chat)
                if delay <= 0:
                    self._sent.append(now)
                    self._last_in_chat[chat_id] = now
                    return
            await asyncio.sleep(delay + 0.001)


async def send_throttled(throttle: Throttle, chat_id: int, call) -> None:  # type: ignore[no-untyped-def]
    """One request: throttled; a 429 is waited out; network errors retried with backoff. Digests and
    other broadcasts (§10's /confirm, §11's survey invitations) send through this."""
    network_failures = 0
    while True:
        await throttle.wait(chat_id)
        try:
            await call()
            return
        except RetryAfter as error:
            delay = error.retry_after if isinstance(error.retry_after, int | float) else error.retry_after.total_seconds()
            log.warning("429 for chat %s: waiting %.1f s", chat_id, delay)
            await asyncio.sleep(float(delay))
        except TimedOut:
            network_failures += 1
            if network_failures > NETWORK_RETRIES:
                raise
            await asyncio.sleep(2 ** (network_failures - 1))
        except NetworkError as error:
            if isinstance(error, BadRequest | Forbidden):
                raise
            network_failures += 1
            if network_failures > NETWORK_RETRIES:
                raise
            log.warning("network error to chat %s (%s): retry %d", chat_id, error, network_failures)
            await asyncio.sleep(2 ** (network_failures - 1))


@dataclass
class DeliveryReport:
    slot: datetime | None
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # already claimed or delivered
    blocked: list[int] = field(default_factory=list)
    not_started: list[int] = field(default_factory=list)  # never pressed Start: stay active
    failed: list[int] = field(default_factory=list)
    messages: int = 0
    build_seconds: float = 0.0
    send_seconds: float = 0.0
    previews: list[tuple[int, Digest]] = field(default_factory=list)  # --dry-run


@dataclass(frozen=True)
class _Round:
    key: tuple[object, ...]
    cohort_id: int
    year: int
    now: Snapshot
    week_ago: Snapshot
    departments: tuple[tuple[str, PlacementCounts], ...]
    active: frozenset[str]


class DigestService:
    """Builds digests from the placement data (synchronous; call off the event loop)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._round: _Round | None = None
        self._round_lock = threading.Lock()

    def _shared(self, session: Session, today: date) -> _Round:
        """What every recipient's digest of this moment shares — the cohort's states now and a week
        ago, the departments' figures, who sent updates this week — computed once per data version
        and day, not once per recipient (a round has a thousand)."""
        store = self.services.snapshots
        cohort_id, year = store.cohort(session)
        version = repo.versions(session, cohort_id)
        key = (cohort_id, today, version)
        with self._round_lock:
            if self._round is not None and self._round.key == key:
                return self._round
        now_snap = store.snapshot(session, cohort_id, today)
        week_snap = store.snapshot(session, cohort_id, today - timedelta(days=7))
        since = datetime.combine(today - timedelta(days=7), datetime.min.time(), tzinfo=self.services.settings.tz)
        shared = _Round(
            key=key,
            cohort_id=cohort_id,
            year=year,
            now=now_snap,
            week_ago=week_snap,
            departments=tuple((row.unit, row.counts) for row in breakdown(now_snap.states, "department")),
            active=frozenset(repo.counsellors_active_since(session, cohort_id, since)),
        )
        with self._round_lock:
            self._round = shared
        return shared

    def schedule(self) -> tuple[Slot, ...]:
        with self.services.db.read() as session:
            stored = repo.get_setting(session, SCHEDULE_KEY)
        # No built-in fallback: /settings stores only valid schedules and `run` refuses to start with
        # an invalid DIGEST_SCHEDULE, so a failure here is a damaged database, logged by the tick.
        return parse_schedule(stored or self.services.settings.digest_schedule)

    def set_schedule(self, text: str, actor: Actor) -> tuple[Slot, ...]:
        policy.require(actor, Action.SCHEDULE)
        slots = parse_schedule(text)  # raises ScheduleError for the caller to report
        canonical = "; ".join(slot.text() for slot in slots)
        with self.services.db.write() as session:
            repo.put_setting(session, SCHEDULE_KEY, canonical)
            repo.audit(session, actor.user_id or None, "digest_schedule", canonical)
        return slots

    def due(self, now: datetime | None = None) -> datetime | None:
        return due_slot(self.schedule(), now or self.services.now(), self.services.settings.tz)

    def recipients(self, only: int | None = None, slot: datetime | None = None) -> list[Actor]:
        return self.services.access.digest_recipients(only, slot)

    def build(self, actor: Actor, lang: str | None = None) -> tuple[Digest, Picture | None]:
        p = self.services
        policy.require(actor, Action.DIGEST)
        store = p.snapshots
        lang = lang or actor.language or p.settings.bot_language
        today = p.today()
        leader = actor.role in (Role.ADMIN, Role.HEAD)
        with p.db.read() as session:
            shared = self._shared(session, today)
            cohort_id, year = shared.cohort_id, shared.year
            now = store.members(shared.now, actor.scope)
            week_ago = store.members(shared.week_ago, actor.scope)
            peers: Sequence = shared.departments if actor.role == "head" else ()
            active = shared.active
            gap = p.targets.gap(session, cohort_id, year, now, today) if leader else None
            recorded = recorded_this_week(session, p.clock, cohort_id, (s.graduate_id for s in now))
            cards = p.targets.card_details(session, year, sorted({s.major for s in now})) if leader else {}
            masked = p.settings.pii_in_chat == "masked"
            names = store.roster_names(session, cohort_id) if masked else frozenset()
            review = p.checks.digest_lines(actor, session, cohort_id, store.select(session, cohort_id, actor.scope)[0])
        digest = build_digest(
            DigestInput(
                role=actor.role,
                lang=lang,
                scope_label=actor.scope.label(lang),
                cohort=year,
                today=today,
                now=now,
                week_ago=week_ago,
                peers=peers,
                sub_dimension=SUB_DIMENSION.get(actor.role, "major"),
                counsellors_in_scope=frozenset(s.counsellor for s in now if s.counsellor),
                counsellors_active_this_week=frozenset(active),
                masked=masked,
                names=names,
                gap=gap,
                cards=cards,
                notices=(*self._robot_notices(actor, lang), *review_notices(lang, actor.role, review), *self._survey_notices(actor, lang)),
                recorded=recorded,
            )
        )
        chart = None
        if leader and now:
            picture = p.outputs.chart(actor, "trend", [], lang)
            chart = picture if isinstance(picture, Picture) else None
        return digest, chart


    def _survey_notices(self, actor: Actor, lang: str) -> tuple[str, ...]:
        """Counsellors read their classes' survey response rate while a survey is open (product.md §11)."""
        if actor.role != Role.COUNSELLOR:
            return ()
        from bot.survey_texts import digest_line

        tally = self.services.survey.digest_line(actor)
        return (digest_line(lang, tally),) if tally is not None else ()

    def _robot_notices(self, actor: Actor, lang: str) -> tuple[str, ...]:
        """Admins read which group robots are failing (product.md §6)."""
        if actor.role != Role.ADMIN:
            return ()
        from jobs.channels.service import ChannelService
        from jobs.channels.texts import failing_line

        line = failing_line(lang, ChannelService(self.services).views(lang))
        return (line,) if line else ()


def review_notices(lang: str, role: str, figures: dict[str, int]) -> tuple[str, ...]:
    """§10 in digests: counsellors their pending reports (→ /review); heads and admins reports pending
    over 7 days, 不属实 flags and the share of the placed who confirmed their destination."""
    out = []
    if figures["pending"]:
        key = "digest_pending_reviews" if role == Role.COUNSELLOR else "digest_stale_reviews"
        out.append(texts.t(lang, key, n=figures["pending"]))
    if figures["flagged"]:
        out.append(texts.t(lang, "digest_flagged", n=figures["flagged"]))
    if role != Role.COUNSELLOR and figures["confirmed"]:
        share = format_percent(figures["confirmed"], figures["placed"])
        out.append(texts.t(lang, "digest_confirmed", n=figures["confirmed"], placed=figures["placed"], share=share))
    return tuple(out)


class DigestDeliverer:
    """Sends this slot's digests to everyone who has not had theirs."""

    def __init__(self, bot: Bot, digests: DigestService, throttle: Throttle | None = None, *, concurrency: int = 8) -> None:
        # Few sends in flight: a request that waits for a pooled connection would reach Telegram
        # later than the throttle let it go, and late requests bunch up into a burst.
        self.bot = bot
        self.digests = digests
        self.throttle = throttle or Throttle()
        self.concurrency = concurrency
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.busy = asyncio.Lock()

    async def run(
        self,
        *,
        now: datetime | None = None,
        force: bool = False,
        only: int | None = None,
        dry_run: bool = False,
        slot: datetime | None = None,
    ) -> DeliveryReport:
        async with self.busy:
            return await self._run(now=now, force=force, only=only, dry_run=dry_run, slot=slot)

    async def _run(
        self, *, now: datetime | None, force: bool, only: int | None, dry_run: bool, slot: datetime | None
    ) -> DeliveryReport:
        digests = self.digests
        slot = slot or await asyncio.to_thread(digests.due, now)
        report = DeliveryReport(slot)
        if slot is None:
            return report
        recipients = await asyncio.to_thread(digests.recipients, only, None if force else slot)
        queue: asyncio.Queue[Actor] = asyncio.Queue()
        for actor in recipients:
            queue.put_nowait(actor)

        async def worker() -> None:
            while not queue.empty():
                actor = queue.get_nowait()
                await self._deliver(actor, slot, report, force=force, dry_run=dry_run)

        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(worker() for _ in range(min(self.concurrency, max(1, len(recipients))))), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                log.error("a digest worker stopped: %r", outcome, exc_info=outcome)
        report.send_seconds = time.monotonic() - started - report.build_seconds / max(1, self.concurrency)
        log.info(
            "digests for %s: %d sent, %d skipped, %d blocked, %d failed, %d messages",
            slot.isoformat(), len(report.sent), len(report.skipped), len(report.blocked), len(report.failed), report.messages,
        )
        return report

    async def _deliver(self, actor: Actor, slot: datetime, report: DeliveryReport, *, force: bool, dry_run: bool) -> None:
        assert actor.telegram_id is not None
        if dry_run:
            digest, _ = await long_work(self.digests.build, actor)
            report.previews.append((actor.telegram_id, digest))
            return
        claimed = await asyncio.to_thread(self._claim, actor.user_id, slot, force)
        if not claimed:
            report.skipped.append(actor.telegram_id)
            return
        started = time.monotonic()
        sent = 0
        try:
            digest, chart = await long_work(self.digests.build, actor)
            report.build_seconds += time.monotonic() - started
            for part in digest.parts:
                await self._send(actor.telegram_id, lambda text=part: self.bot.send_message(actor.telegram_id, text))
                sent += 1
            if chart is not None:
                await self._send(
                    actor.telegram_id,
                    lambda: self.bot.send_photo(actor.telegram_id, chart.png, caption=chart.caption, filename=chart.file_name),
                )
                sent += 1
        except Forbidden as error:
            if not sent and not_started(error):
                # Granted from the CLI or invited, but has not pressed Start: Telegram lets no bot
                # write first. They stay active; /users lists them as not started.
                log.warning("user %s has not started the bot yet (%s)", actor.user_id, error.message)
                await self._record(self._finish, actor.user_id, slot, NOT_STARTED, 0, error.message)
                report.not_started.append(actor.telegram_id)
                return
            log.warning("user %s blocked the bot (%s): marked inactive", actor.user_id, error.message)
            await self._record(self._blocked, actor.user_id, slot, error.message)
            report.blocked.append(actor.telegram_id)
            return
        except Exception as error:
            # Once anything reached the user the digest counts as delivered ("partial"): a retry
            # would send the same parts again. Nothing sent: "failed", retried by a later round.
            status = "partial" if sent else "failed"
            log.error("digest to user %s %s after %d message(s): %r", actor.user_id, status, sent, error, exc_info=True)
            await self._record(self._finish, actor.user_id, slot, status, sent, repr(error))
            (report.sent if sent else report.failed).append(actor.telegram_id)
            report.messages += sent
            return
        await self._record(self._finish, actor.user_id, slot, "sent", sent, "")
        log.info("digest sent to user %s (%d messages, slot %s)", actor.user_id, sent, slot.isoformat())
        report.sent.append(actor.telegram_id)
        report.messages += sent

    @staticmethod
    async def _record(step, *args: object) -> None:  # type: ignore[no-untyped-def]
        """Write a delivery outcome; retried, since losing it could mean sending the digest twice."""
        for attempt in range(5):
            try:
                await asyncio.to_thread(step, *args)
                return
            except Exception:
                log.exception("could not record a digest outcome (attempt %d)", attempt + 1)
                await asyncio.sleep(2**attempt)

    async def _send(self, chat_id: int, call) -> None:  # type: ignore[no-untyped-def]
        await send_throttled(self.throttle, chat_id, call)

    # -- database steps (worker threads)

    def _claim(self, user_id: int, slot: datetime, force: bool) -> bool:
        week_slots = slot_times(self.digests.schedule(), slot, self.digests.services.settings.tz)
        with self.digests.services.db.write() as session:
            return repo.claim_delivery(
                session, user_id, slot, iso_week(slot), self.worker, force=force, week_slots=week_slots
            )

    def _finish(self, user_id: int, slot: datetime, status: str, messages: int, detail: str) -> None:
        with self.digests.services.db.write() as session:
            repo.finish_delivery(session, user_id, slot, status, messages, detail)

    def _blocked(self, user_id: int, slot: datetime, detail: str) -> None:
        with self.digests.services.db.write() as session:
            repo.finish_delivery(session, user_id, slot, "blocked", 0, detail)
            repo.deactivate_user(session, user_id, detail)
