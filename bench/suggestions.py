"""Did you mean at a university's size (issue 22): mistyped 学号 beside valid ones, service level.

    .venv/bin/python bench/suggestions.py [--graduates 5000 20000 100000] [--lines 270]
                                          [--upload-rows 20000] [--before] [--before-upload-rows 300]

Per cohort size: a generated cohort imported into a SQLite file, an admin, and UpdateService (what
the handlers call off the event loop, the Telegram layer excluded). Measured, one after the other:
a first message of `--lines` valid lines (`学号 合同 某公司`; it loads the roster's lookups and
builds the "did you mean" index), a second one (measured as "valid"), then twice as many 学号 each
one digit off (a 学号 that does not exist), a message of random numbers as long as a 学号 (nothing
one edit away: the rare path, a bit-parallel LCS pass over the scope's 学号 per line), and
for cohorts of at least `--upload-rows` graduates a CSV upload of that many rows, valid and mistyped.
Every mistyped line must come back rejected with a suggestion.

`--emulator` drives the same sequence through Telegram instead: the real PTB Application polling
the project's Bot API emulator, timed from the update being queued to the last part of the reply
(no new message for a second); uploads are of the whole roster when it is smaller than
`--upload-rows`.

`--before` runs the scan that issue 22 replaced (difflib over the scope, per line) instead, for
the before figures; its upload is measured on `--before-upload-rows` rows (the full file takes hours).
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import io
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import quiet_logs, running
from bot.application import build_application
from bot.sandbox.cohort_gen import generate_cohort
from bot.sandbox.emulator import BotApiEmulator
from bot.services import SYSTEM, Services
from bot.services.updates import ApplyResult, UpdateService
from bot.settings import Settings
from storage.db import Database
from storage.schema import upgrade_database


def _old_suggest(self: UpdateService, session, actor, cohort_id, result: ApplyResult) -> None:  # type: ignore[no-untyped-def]
    """The per-line scan before issue 22 (bot/services/updates.py at fcf4f3d), verbatim."""
    names = self.snapshots.names(session, cohort_id, actor.scope)
    student_ids: list[str] | None = None
    for i, outcome in enumerate(result.rejected):
        if outcome.reason not in ("unknown_student", "unknown_name") or outcome.value is None:
            continue
        if outcome.reason == "unknown_student":
            if student_ids is None:
                student_ids = [s.student_id for members in names.values() for s in members]
            close = difflib.get_close_matches(outcome.value, student_ids, n=1, cutoff=0.8)
        else:
            close = difflib.get_close_matches(outcome.value, list(names), n=1, cutoff=0.5)
        if close:
            result.rejected[i] = replace(outcome, suggestion=close[0])


def typo(student_id: str, known: set[str]) -> str:
    """The 学号 with one digit changed (from the fourth-last on), so that it names nobody."""
    for at in range(len(student_id) - 4, len(student_id)):
        for digit in "9876543210":
            mistyped = student_id[:at] + digit + student_id[at + 1 :]
            if mistyped not in known:
                return mistyped
    raise ValueError(student_id)


def _upload(rows: list[str]) -> bytes:
    return ("学号,去向,单位\n" + "\n".join(f"{sid},合同,某公司" for sid in rows) + "\n").encode()


def _timed(label: str, call) -> tuple[float, ApplyResult]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    print(
        f"  {label:<44} {seconds:7.2f} s  applied {len(result.applied):>6}  rejected {len(result.rejected):>6}"
        f"  with a suggestion {sum(o.suggestion is not None for o in result.rejected):>6}",
        flush=True,
    )
    return seconds, result


def run(graduates: int, lines: int, upload_rows: int, before: bool, before_upload_rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_database(url)
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        service = Services.build(Database.connect(url), settings)
        cohort = generate_cohort(graduates, seed=3, departments=10, majors=40)
        roster = io.BytesIO()
        cohort.to_csv(roster)
        started = time.perf_counter()
        service.roster.import_roster(roster.getvalue(), "roster.csv", actor=SYSTEM, cohort=cohort.cohort)
        print(
            f"{graduates} graduates ({'before: difflib scan' if before else 'after: index'}); "
            f"roster imported in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        service.access.grant(1, "admin", name="admin")
        admin = service.access.actor(1)
        assert admin is not None
        service.questions.rate(admin, [], "zh")  # the snapshot store warm, as on a running worker
        ids = sorted(g.student_id for g in cohort.graduates)
        known = set(ids)
        step = max(1, len(ids) // (4 * lines))
        picks = ids[::step][: 4 * lines]
        message = 0

        def send(text: str):  # type: ignore[no-untyped-def]
            nonlocal message
            message += 1
            return lambda: service.updates.apply_message(admin, text, chat_id=1, message_id=message)

        chunks = [picks[k * lines : (k + 1) * lines] for k in range(4)]
        _timed(
            f"{lines} valid lines (first message: caches)",
            send("\n".join(f"{s} 合同 某公司" for s in chunks[0])),
        )
        valid, _ = _timed(f"{lines} valid lines", send("\n".join(f"{s} 合同 某公司" for s in chunks[1])))
        mistyped, result = _timed(
            f"{lines} mistyped lines (first)",
            send("\n".join(f"{typo(s, known)} 合同 某公司" for s in chunks[2])),
        )
        assert all(o.suggestion for o in result.rejected) and len(result.rejected) == lines
        again, _ = _timed(
            f"{lines} mistyped lines (again)",
            send("\n".join(f"{typo(s, known)} 合同 某公司" for s in chunks[3])),
        )
        print(f"  ratio mistyped/valid: first {mistyped / valid:.2f}, again {again / valid:.2f}", flush=True)
        digits = random.Random(7)
        width = len(ids[0])
        nowhere = [str(digits.randrange(10 ** (width - 1), 10**width)) for _ in range(lines)]
        far, _ = _timed(
            f"{lines} random {width}-digit numbers (none near)",
            send("\n".join(f"{s} 合同 某公司" for s in nowhere if s not in known)),
        )
        print(f"  ratio random/valid: {far / valid:.2f}", flush=True)
        if graduates >= upload_rows:
            rows = ids[:upload_rows] if not before else ids[:before_upload_rows]
            upload_valid, _ = _timed(
                f"upload {len(rows)} valid rows",
                lambda: service.updates.apply_table(admin, _upload(rows), "u.csv", chat_id=2, message_id=1),
            )
            bad = ids[-len(rows) :]
            upload_bad, result = _timed(
                f"upload {len(rows)} mistyped rows",
                lambda: service.updates.apply_table(
                    admin, _upload([typo(s, known) for s in bad]), "u.csv", chat_id=2, message_id=2
                ),
            )
            assert all(o.suggestion for o in result.rejected) and len(result.rejected) == len(rows)
            print(f"  ratio mistyped/valid upload: {upload_bad / upload_valid:.2f}", flush=True)
        service.db.dispose()


TOKEN = "123456:bench-suggestions"
ADMIN = 1001


async def _round_trip(emu: BotApiEmulator, label: str, send) -> float:  # type: ignore[no-untyped-def]
    """Seconds from queuing the update to the last part of the reply (quiet for one second after)."""
    since = emu.mark(ADMIN)
    started = time.monotonic()
    send()
    replies = await emu.wait_for(ADMIN, count=1, timeout=1800, since=since)
    while True:
        await asyncio.sleep(1.0)
        now = emu.messages_to(ADMIN)[since:]
        if len(now) == len(replies):
            break
        replies = now
    seconds = replies[-1].time - started
    first = (replies[0].text or replies[0].file_name or "").splitlines()[0][:60]
    print(f"  {label:<44} {seconds:7.2f} s  {len(replies)} message(s): {first}", flush=True)
    return seconds


async def run_emulated(graduates: int, lines: int, upload_rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, BotApiEmulator(token=TOKEN) as emu:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_database(url)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_bot_token=TOKEN,  # type: ignore[arg-type]
            database_url=url,
            telegram_api_base_url=emu.base_url,
            telegram_file_base_url=emu.base_file_url,
            digests_enabled=False,
        )
        service = Services.build(Database.connect(url), settings)
        cohort = generate_cohort(graduates, seed=3, departments=10, majors=40)
        roster = io.BytesIO()
        cohort.to_csv(roster)
        service.roster.import_roster(roster.getvalue(), "roster.csv", actor=SYSTEM, cohort=cohort.cohort)
        service.access.grant(ADMIN, "admin", name="admin")
        print(f"{graduates} graduates, through the emulator (PTB Application, SQLite file)", flush=True)
        ids = sorted(g.student_id for g in cohort.graduates)
        known = set(ids)
        step = max(1, len(ids) // (4 * lines))
        picks = ids[::step][: 4 * lines]
        chunks = [picks[k * lines : (k + 1) * lines] for k in range(4)]
        app = build_application(settings, service, rate_limit=False)
        async with running(app):
            await _round_trip(emu, "/rate (warm the store)", lambda: emu.send_text(ADMIN, "/rate"))
            await _round_trip(
                emu,
                f"{lines} valid lines (first message: caches)",
                lambda: emu.send_text(ADMIN, "\n".join(f"{s} 合同 某公司" for s in chunks[0])),
            )
            valid = await _round_trip(
                emu,
                f"{lines} valid lines",
                lambda: emu.send_text(ADMIN, "\n".join(f"{s} 合同 某公司" for s in chunks[1])),
            )
            first = await _round_trip(
                emu,
                f"{lines} mistyped lines (first)",
                lambda: emu.send_text(ADMIN, "\n".join(f"{typo(s, known)} 合同 某公司" for s in chunks[2])),
            )
            again = await _round_trip(
                emu,
                f"{lines} mistyped lines (again)",
                lambda: emu.send_text(ADMIN, "\n".join(f"{typo(s, known)} 合同 某公司" for s in chunks[3])),
            )
            print(f"  ratio mistyped/valid: first {first / valid:.2f}, again {again / valid:.2f}", flush=True)
            rows = min(upload_rows, len(ids) // 2)
            good = await _round_trip(
                emu,
                f"upload {rows} valid rows",
                lambda: emu.send_document(ADMIN, "u.csv", _upload(ids[:rows])),
            )
            bad = await _round_trip(
                emu,
                f"upload {rows} mistyped rows",
                lambda: emu.send_document(ADMIN, "v.csv", _upload([typo(s, known) for s in ids[-rows:]])),
            )
            print(f"  ratio mistyped/valid upload: {bad / good:.2f}", flush=True)
        service.db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, nargs="+", default=[5_000, 20_000, 100_000])
    parser.add_argument("--lines", type=int, default=270)
    parser.add_argument("--upload-rows", type=int, default=20_000)
    parser.add_argument("--before", action="store_true")
    parser.add_argument("--before-upload-rows", type=int, default=300)
    parser.add_argument(
        "--emulator", action="store_true", help="through Telegram (the emulator), not the service"
    )
    args = parser.parse_args()
    quiet_logs()
    if args.before:
        UpdateService.suggest = _old_suggest  # type: ignore[method-assign]
    for size in args.graduates:
        if args.emulator:
            asyncio.run(
                run_emulated(size, args.lines, args.before_upload_rows if args.before else args.upload_rows)
            )
        else:
            run(size, args.lines, args.upload_rows, args.before, args.before_upload_rows)
