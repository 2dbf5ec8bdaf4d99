"""Sending each group robot its scope's digest once per slot, like users' digests.

Every (channel, slot) is claimed in the database first (`repo.claim_channel_delivery`), so restarts
and several processes never send one twice. Each scope's digest is built once per round and
rendered per platform. A robot that answers an error (after the retries its answer allows) is
marked failing with the outcome; the others are still served.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from bot.long_work import long_work
from bot.scopes import Scope
from jobs.channels.content import GroupDigest, render
from jobs.channels.platforms import Outcome, text_message
from jobs.channels.sender import RetryPolicy, RobotSender
from jobs.channels.service import ChannelService, DueChannel
from jobs.channels.texts import t
from jobs.schedule import iso_week, slot_times
from storage import repo

log = logging.getLogger(__name__)


@dataclass
class ChannelReport:
    slot: datetime | None
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    messages: int = 0


class ChannelDeliverer:
    """One round: every robot due for the slot that has not had its digest."""

    def __init__(
        self,
        channels: ChannelService,
        schedule: Callable[[], tuple],  # the digest schedule (DigestService.schedule)
        due: Callable[[datetime | None], datetime | None],  # the due slot (DigestService.due)
        *,
        policy: RetryPolicy | None = None,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
    ) -> None:
        self.channels = channels
        self.schedule = schedule
        self.due = due
        self.policy = policy or RetryPolicy()
        self.client_factory = client_factory or (lambda: httpx.AsyncClient(timeout=self.policy.timeout))
        self.worker = f"{socket.gethostname()}:{os.getpid()}:channels"
        self.busy = asyncio.Lock()

    async def run(self, *, now: datetime | None = None, slot: datetime | None = None, force: bool = False) -> ChannelReport:
        async with self.busy:
            slot = slot or await asyncio.to_thread(self.due, now)
            report = ChannelReport(slot)
            if slot is None:
                return report
            due = await asyncio.to_thread(self.channels.due_channels, slot)
            if not due:
                return report
            built: dict[tuple[Scope, bool], asyncio.Future[GroupDigest]] = {}
            async with self.client_factory() as client:
                sender = RobotSender(client, policy=self.policy)
                # One task per robot: each has its own rate limit, and a slow robot holds up no other.
                await asyncio.gather(*(self._deliver(sender, channel, slot, built, report, force) for channel in due))
            log.info(
                "robot digests for %s: %d sent, %d skipped, %d failed, %d messages",
                slot.isoformat(), len(report.sent), len(report.skipped), len(report.failed), report.messages,
            )
            return report

    async def _deliver(
        self, sender: RobotSender, channel: DueChannel, slot: datetime, built: dict, report: ChannelReport, force: bool
    ) -> None:
        robot = channel.robot
        try:
            claimed = await asyncio.to_thread(self._claim, robot.channel_id, slot, force)
        except Exception:
            log.exception("could not claim the digest of robot channel %s", robot.channel_id)
            report.failed.append(robot.channel_id)
            return
        if not claimed:
            report.skipped.append(robot.channel_id)
            return
        sent = 0
        outcome = Outcome(False, False, "not sent")
        try:
            key = (channel.scope, robot.kind == "wecom")
            task = built.get(key)
            if task is None:  # built once per scope (and once more with the chart for WeCom)
                task = built[key] = asyncio.ensure_future(long_work(self.channels.build, channel.scope, chart=key[1]))
            digest: GroupDigest = await task
            for payload in render(robot.kind, digest):
                outcome = await sender.post(robot, payload)
                if not outcome.ok:
                    break
                sent += 1
        except Exception as error:
            log.error("robot channel %s: digest not sent: %s", robot.channel_id, type(error).__name__, exc_info=True)
            outcome = Outcome(False, True, f"internal error: {type(error).__name__}")
        if outcome.ok:
            status = "sent"
        elif sent:
            status = "partial"  # the group already has part of it: never resent
        else:
            status = "failed" if outcome.retryable else "rejected"
        await self._record(robot.channel_id, slot, status, sent, outcome)
        if outcome.ok:
            log.info("robot channel %s: digest sent (%d messages, slot %s)", robot.channel_id, sent, slot.isoformat())
            report.sent.append(robot.channel_id)
        else:
            log.warning("robot channel %s: %s after %d message(s): %s", robot.channel_id, status, sent, outcome.text)
            report.failed.append(robot.channel_id)
        report.messages += sent

    async def _record(self, channel_id: int, slot: datetime, status: str, sent: int, outcome: Outcome) -> None:
        """Write the outcome; retried, since losing it could mean sending the digest twice."""
        for attempt in range(5):
            try:
                await asyncio.to_thread(self._finish, channel_id, slot, status, sent, outcome)
                return
            except Exception:
                log.exception("could not record a robot digest outcome (attempt %d)", attempt + 1)
                await asyncio.sleep(2**attempt)

    async def test(self, due: DueChannel, lang: str) -> Outcome:
        """One short test message now (`channel test`); the outcome is recorded on the channel."""
        text = t(lang, "test_text", scope=due.scope.label(lang))
        async with self.client_factory() as client:
            outcome = await RobotSender(client, policy=self.policy).post(due.robot, text_message(due.robot.kind, text))
        await asyncio.to_thread(self.channels.record_outcome, due.robot.channel_id, outcome.ok, outcome.text)
        return outcome

    # -- database steps (worker threads)

    def _claim(self, channel_id: int, slot: datetime, force: bool) -> bool:
        services = self.channels.services
        week_slots = slot_times(self.schedule(), slot, services.settings.tz)
        with services.db.write() as session:
            return repo.claim_channel_delivery(
                session, channel_id, slot, iso_week(slot), self.worker, force=force, week_slots=week_slots
            )

    def _finish(self, channel_id: int, slot: datetime, status: str, sent: int, outcome: Outcome) -> None:
        with self.channels.services.db.write() as session:
            repo.finish_channel_delivery(session, channel_id, slot, status, sent, outcome.text)
            repo.set_channel_outcome(session, channel_id, "ok" if outcome.ok else "failing", outcome.text)


def channel_deliverer(channels: ChannelService, digests: object, **kwargs: object) -> ChannelDeliverer:
    """A deliverer on the users' digest schedule (`digests` is a jobs.delivery.DigestService)."""
    return ChannelDeliverer(channels, digests.schedule, digests.due, **kwargs)  # type: ignore[attr-defined,arg-type]
