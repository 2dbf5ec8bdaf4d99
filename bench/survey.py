"""The follow-up survey's bench rows (issue 16), each beside its floor from the same run.

    .venv/bin/python -m bench.survey [--invitations N] [--answering N] [--respondents N]

(1) invitations: N graduates invited through `jobs.survey.send_invitations` (its throttle) against
    the emulator, in messages/s — beside a rate-limited echo floor: a bare PTB bot with
    `AIORateLimiter` (Telegram's 30/s) sending as many messages. Target ≥ 0.9 of the floor.
(2) buttons: N bound graduates answer at once through the real Application (limiter off); each press's
    time to its edited screen, p50 — beside the bare echo bot's round trip. Target p50 ≤ 3× the floor.
(3) figures: N submitted questionnaires; `/survey`'s figures (database read and counting) and the
    自主评价 rows and sheet. Target ≤ 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import AIORateLimiter, ContextTypes, MessageHandler, filters

from bench.harness import builder, measure_roundtrip, percentile, quiet_logs, running
from bot.application import build_application
from bot.sandbox.cohort_gen import generate_cohort
from bot.sandbox.emulator import BotApiEmulator
from bot.services import SYSTEM, Services
from bot.services.survey import Invitation, Invitee
from bot.settings import Settings
from storage.db import Database
from storage.schema import upgrade_database

TOKEN = "123456:survey-bench"
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _settings(url: str, emu: BotApiEmulator) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        database_url=url,
        telegram_api_base_url=emu.base_url,
        telegram_file_base_url=emu.base_file_url,
        digests_enabled=False,
    )


def _school(url: str, emu: BotApiEmulator, graduates: int) -> Services:
    upgrade_database(url)
    service = Services.build(Database.connect(url), _settings(url, emu), clock=lambda: NOW)
    cohort = generate_cohort(graduates, seed=16, cohort=2026, departments=6, majors=12, today=NOW.date())
    roster = io.BytesIO()
    cohort.to_xlsx(roster)
    service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=2026)
    return service


async def invitations(n: int) -> tuple[float, float]:
    """(survey invitations/s, rate-limited echo floor messages/s)."""
    from jobs.delivery import Throttle
    from jobs.survey import send_invitations

    with tempfile.TemporaryDirectory() as tmp, BotApiEmulator(token=TOKEN) as emu:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        service = _school(url, emu, n)
        service.graduates.issue_links(SYSTEM, [], "bench_bot")
        invitation = service.survey.open(SYSTEM, [])  # nobody bound: creates the open survey
        invitees = [Invitee(g, 10_000 + g, "zh") for g in range(1, n + 1)]
        app = builder(emu, TOKEN).rate_limiter(AIORateLimiter(max_retries=3)).build()
        async with running(app):
            job = Invitation(invitation.survey_id, 2026, "全校", invitees, n, 0, 0, 0)
            started = time.monotonic()
            report = await send_invitations(
                app.bot, service.survey, job, remind=False, default_language="zh", throttle=Throttle(per_second=28)
            )
            survey_rate = report.outcomes["sent"] / (time.monotonic() - started)
            started = time.monotonic()
            await asyncio.gather(*(app.bot.send_message(20_000 + i, "echo") for i in range(n)))
            floor = n / (time.monotonic() - started)
        service.db.dispose()
    return survey_rate, floor


async def buttons(n: int) -> tuple[float, float]:
    """(p50 of a survey press with n answering at once, p50 of the echo bot's round trip), in ms."""
    from tests.survey_helpers import bind_all

    with tempfile.TemporaryDirectory() as tmp, BotApiEmulator(token=TOKEN) as emu:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        service = _school(url, emu, n)
        with service.db.read() as session:
            from storage import repo

            cohort = repo.get_cohort(session, 2026)
            assert cohort is not None and cohort.id is not None
            ids = {sid: g.id for sid, g in repo.graduates_by_student_id(session, cohort.id).items()}
        chats = bind_all(service, ids, base=1_000_000_000)  # type: ignore[arg-type]
        app = build_application(service.settings, service, rate_limit=False)
        times: list[float] = []
        async with running(app):
            service.survey.open(SYSTEM, [])  # the claims; the screens are reached through 开始 below

            async def one(chat: int) -> None:
                rng = random.Random(chat)
                since = emu.mark(chat)
                emu.send_text(chat, "/me")  # the graduate's card, with 填写问卷
                card = (await emu.wait_for(chat, 1, timeout=120, since=since))[-1]
                since = emu.mark(chat)
                emu.press_button(chat, card, "sv:0:0:g:0")
                screen = (await emu.wait_for(chat, 1, timeout=120, since=since))[-1]
                while screen.buttons:
                    labels = [(t, d) for t, d in screen.buttons if d]
                    choices = [d for t, d in labels if t not in ("上一题",)]
                    data = next((d for t, d in labels if t in ("提交", "完成") and ("✓" in "".join(x for x, _ in labels) or t == "提交")), None)
                    data = data or rng.choice([d for t, d in labels if t not in ("上一题", "完成", "提交")] or choices)
                    since = emu.mark(chat)
                    pressed = time.monotonic()
                    emu.press_button(chat, screen, data)
                    screen = (await emu.wait_for(chat, 1, timeout=120, since=since))[-1]
                    times.append((time.monotonic() - pressed) * 1000)

            await asyncio.gather(*(one(chat) for chat in chats.values()))
        service.db.dispose()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None and update.effective_message.text:
            await update.effective_message.reply_text(update.effective_message.text)

    with BotApiEmulator(token=TOKEN) as emu:
        app = builder(emu, TOKEN).concurrent_updates(True).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with running(app):
            floor = await measure_roundtrip(emu, lambda i: emu.send_text(1, f"ping {i}"), chat_id=1, n=200)
    return percentile(times, 50), statistics.median(floor)


def figures(n: int) -> tuple[float, float, float]:
    """(seconds for /survey's figures, for the 自主评价 rows, for the report workbook with its sheet)."""
    import json

    from bot.survey import default_questionnaire
    from bot.workbooks import report_workbook
    from storage import repo
    from storage import survey as store
    from storage.models import SurveyResponse

    q = default_questionnaire()
    with tempfile.TemporaryDirectory() as tmp, BotApiEmulator(token=TOKEN) as emu:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        service = _school(url, emu, n)
        rng = random.Random(16)
        with service.db.write() as session:
            cohort = repo.get_cohort(session, 2026)
            assert cohort is not None and cohort.id is not None
            survey = store.put_survey(session, cohort.id, q.source, None, NOW)
            ids = [g.id for g in repo.graduates_by_student_id(session, cohort.id).values()]
            rows = []
            for graduate_id in ids:
                answers = {}
                for question in q.questions:
                    if question.kind == "many":
                        answers[question.id] = sorted(rng.sample(range(len(question.options)), rng.randint(1, question.max_choices or 2)))
                    elif rng.random() < 0.8:
                        answers[question.id] = [rng.randrange(len(question.options))]
                rows.append({"survey_id": survey.id, "graduate_id": graduate_id, "invited_at": NOW, "invite_status": "sent",
                             "started_at": NOW, "completed_at": NOW, "version": 30, "path": "", "answers": json.dumps(answers),
                             "updated_at": NOW})  # fmt: skip
            session.bulk_insert_mappings(SurveyResponse, rows)  # type: ignore[arg-type]
            store.set_status(session, survey, "open", None, NOW)
        service.survey.figures(SYSTEM, [])  # warm the snapshot store, as a running bot has it
        started = time.monotonic()
        service.survey.figures(SYSTEM, [])
        figures_s = time.monotonic() - started
        with service.db.read() as session:
            cohort = repo.get_cohort(session, 2026)
            states = service.snapshots.states(session, cohort.id, NOW.date())  # type: ignore[union-attr]
            started = time.monotonic()
            rows_ = service.survey.evaluation(session, cohort.id, states)  # type: ignore[union-attr]
            rows_s = time.monotonic() - started
        started = time.monotonic()
        report_workbook(states, cohort=2026, as_of=NOW.date(), evaluation=rows_)
        book_s = time.monotonic() - started
        service.db.dispose()
    return figures_s, rows_s, book_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=5000)
    parser.add_argument("--answering", type=int, default=500)
    parser.add_argument("--respondents", type=int, default=20000)
    args = parser.parse_args()
    quiet_logs()
    print("| what | measured | floor | target |")
    print("| --- | --- | --- | --- |")
    if args.respondents:
        f, r, b = figures(args.respondents)
        print(f"| /survey figures, {args.respondents:,} respondents | {f:.2f} s (自主评价 rows {r:.2f} s; whole report workbook {b:.2f} s) | — | ≤ 1 s |")
    if args.invitations:
        mine, floor = asyncio.run(invitations(args.invitations))
        print(f"| {args.invitations:,} invitations | {mine:.1f} msg/s ({mine / floor:.2f} of the floor) | {floor:.1f} msg/s (AIORateLimiter echo) | ≥ 0.9 |")
    if args.answering:
        p50, floor = asyncio.run(buttons(args.answering))
        print(f"| button press, {args.answering} answering at once, p50 | {p50:.1f} ms ({p50 / floor:.1f}× the floor) | {floor:.1f} ms (echo round trip) | ≤ 3× |")


if __name__ == "__main__":
    main()
