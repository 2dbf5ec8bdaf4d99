"""Sending survey invitations and reminders (product.md §11) at Telegram's ceiling, like digests.

The invitations were claimed in the database by `SurveyService.open/remind` before anything is
sent, so a survey opened twice sends nothing twice. Each send goes through the digests' throttle
and retry loop (`jobs.delivery.send_throttled`); Telegram's 403 "can't initiate conversation"
counts the graduate as not started (they never pressed Start), any other 403 as blocked.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot import survey_texts
from bot.services.survey import Invitation, Invitee, SurveyService
from jobs.delivery import Throttle, not_started, send_throttled

log = logging.getLogger(__name__)

RECORD_EVERY = 200  # outcomes written to the database in batches


@dataclass
class InviteReport:
    outcomes: Counter[str] = field(default_factory=Counter)  # sent | not_started | blocked | failed
    seconds: float = 0.0


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def send_invitations(
    bot: Bot,
    service: SurveyService,
    invitation: Invitation,
    *,
    remind: bool,
    default_language: str,
    throttle: Throttle | None = None,
    concurrency: int = 8,
) -> InviteReport:
    throttle = throttle or Throttle()
    report = InviteReport()
    pending: dict[int, str] = {}
    queue: asyncio.Queue[Invitee] = asyncio.Queue()
    for invitee in invitation.invitees:
        queue.put_nowait(invitee)
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def flush() -> None:
        if pending:
            batch = dict(pending)
            pending.clear()
            await asyncio.to_thread(service.record_invitations, invitation.survey_id, batch)

    async def worker() -> None:
        while not queue.empty():
            invitee = queue.get_nowait()
            lang = invitee.language if invitee.language in ("zh", "en") else default_language
            text, rows = survey_texts.invitation(lang, invitation.cohort, invitation.survey_id, remind=remind)
            markup = keyboard(rows)
            try:
                await send_throttled(
                    throttle,
                    invitee.chat_id,
                    lambda i=invitee, t=text, m=markup: bot.send_message(i.chat_id, t, reply_markup=m),
                )
                status = "sent"
            except Forbidden as error:
                status = "not_started" if not_started(error) else "blocked"
                log.info(
                    "survey invitation to graduate %s: %s (%s)", invitee.graduate_id, status, error.message
                )
            except Exception:
                status = "failed"
                log.exception("survey invitation to graduate %s failed", invitee.graduate_id)
            report.outcomes[status] += 1
            pending[invitee.graduate_id] = status
            if len(pending) >= RECORD_EVERY:
                await flush()

    results = await asyncio.gather(
        *(worker() for _ in range(max(1, min(concurrency, len(invitation.invitees))))), return_exceptions=True
    )
    for result in results:
        if isinstance(result, BaseException):
            log.error("a survey invitation worker stopped: %r", result, exc_info=result)
    await flush()
    report.seconds = loop.time() - started
    log.info(
        "survey %s invitations: %s in %.1f s", invitation.survey_id, dict(report.outcomes), report.seconds
    )
    return report
