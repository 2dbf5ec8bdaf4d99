"""One bench run, one table: the placement bot as a user runs it, each figure beside its floor.

    python -m bench --graduates N --cohorts K --workers W --db URL [--quick] [--json FILE]

The bot runs as its own process (``placement-bot run``, polling the project's Bot API emulator), so
peak RSS and the first answer after a restart are the real ones. The floor is a bare PTB echo bot
process (``bench/echo_bot.py``) on the same emulator, the same messages, the same machine, the same
run. Setup (cohorts, roster files, ~1,000,000 history entries at 100,000 × 3, users) is not
measured; ingest goes through Telegram messages of real changes. Targets: issue #11.

Several workers (``--workers W`` > 1, PostgreSQL only): ``bench/workers.py``. One webhook worker and
then W, each on a fresh copy of the database as setup left it, behind a round-robin proxy on
loopback, the limiter off, the same burst as the one-worker ingest row (the held-back final updates
of the limiter-off burst); lines/s side by side, their ratio against the 1.6× target, peak RSS per
worker, and the history entries counted (every line applied exactly once).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import data, workers
from bench.harness import measure_burst, percentile, quiet_logs
from bench.procs import Proc, bot_env, cli_command, run_cli, start
from bot.sandbox.cohort_gen import GenCohort
from bot.sandbox.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:bench-runner"
ADMIN = data.ADMIN
NEEDS_POSTGRESQL = "n/a: several workers need PostgreSQL (--db)"
ONE_WORKER = "n/a: --workers 1 (ask for 2 or more)"


# ------------------------------------------------------------------------------------------ rows


@dataclass
class Row:
    """One line of the table. ``value`` in ``unit``; ``verdict`` is met / missed by … / — ."""

    key: str
    measure: str
    shown: str
    floor: str = "—"
    target: str = "—"
    verdict: str = "—"
    value: float | None = None
    unit: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def _at_most(value: float | None, limit: float, unit: str) -> str:
    if value is None:
        return "not measured"
    if value <= limit:
        return "met"
    return f"missed by {value - limit:,.{_digits(unit)}f} {unit} ({value / limit:.1f}×)"


def _at_least(value: float | None, limit: float, unit: str) -> str:
    if value is None:
        return "not measured"
    if value >= limit:
        return "met"
    return f"missed by {limit - value:,.{_digits(unit)}f} {unit} ({value / limit:.2f} of it)"


def _digits(unit: str) -> int:
    return 0 if unit in ("lines/s", "ms", "MB") else 2


_applied = data.applied_lines


def _ms(values: list[float]) -> str:
    return f"p50 {statistics.median(values):,.1f} ms, p95 {percentile(values, 95):,.1f} ms"


# ------------------------------------------------------------------------------------------ Telegram side


async def first_answer(
    emu: BotApiEmulator, proc: Proc, chat: int, text: str, timeout: float = 300.0
) -> float:
    """Seconds from the spawn of ``proc`` to its first reply to ``text`` (queued right after the spawn)."""
    since = emu.mark(chat)
    emu.send_text(chat, text)
    try:
        replies = await emu.wait_for(chat, count=1, timeout=timeout, since=since)
    except TimeoutError:
        raise RuntimeError(
            f"{proc.label} did not answer within {timeout:.0f} s:\n{proc.log_tail()}"
        ) from None
    return replies[0].time - proc.started


async def roundtrips(
    emu: BotApiEmulator,
    items: list[tuple[int, str]],
    *,
    timeout: float = 600.0,
    keep: list[str] | None = None,
) -> list[float]:
    """Milliseconds per message, sent one at a time, each after the previous reply arrived."""
    out: list[float] = []
    for chat, text in items:
        since = emu.mark(chat)
        started = time.monotonic()
        emu.send_text(chat, text)
        replies = await emu.wait_for(chat, count=1, timeout=timeout, since=since)
        out.append((replies[0].time - started) * 1000)
        if keep is not None:
            keep.append((replies[0].text or replies[0].caption or "")[:300])
    return out


async def burst(emu: BotApiEmulator, messages: data.Messages, timeout: float = 3600.0) -> float:
    """Lines per second: every message injected at once, until the last reply arrived."""

    def send_all() -> None:
        for chat, text in messages.items:
            emu.send_text(chat, text)

    seconds = await measure_burst(emu, messages.per_chat(), send_all, timeout=timeout)
    return messages.lines / seconds


# ------------------------------------------------------------------------------------------ databases


def prepare_database(url: str | None, tmp: Path, name: str) -> str:
    """A fresh database: a SQLite file in ``tmp`` by default; a PostgreSQL database named ``bench…``
    is dropped and created again (any other name is refused, so nothing else is ever dropped)."""
    if url is None or url.startswith("sqlite"):
        return f"sqlite:///{tmp / (name + '.db')}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    database = f"{target.database}{'' if name == 'main' else '_' + name}"
    if not database.startswith("bench"):
        raise SystemExit(
            f"refusing to drop and create database {database!r}: its name must start with 'bench'"
        )
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return target.set(database=database).render_as_string(hide_password=False)


def cli_env(url: str) -> dict[str, str]:
    return bot_env(token=TOKEN, database_url=url) | {"PYTHONPATH": str(ROOT)}


def setup_cohorts(
    url: str,
    tmp: Path,
    cohorts: list[GenCohort],
    entries_per_cohort: int,
    held: set[str],
    log: Callable[[str], None],
) -> tuple[int, list[Path]]:
    """Every cohort but the newest: roster through the CLI in parts, then history in bulk.
    Returns (entries loaded, the newest cohort's part files for the fallback import)."""
    env = cli_env(url)
    total = 0
    init = run_cli(cli_command("init"), env, tmp)
    if init.returncode:
        raise RuntimeError(init.output)
    for cohort in cohorts[:-1]:
        for part in data.write_roster_parts(cohort, tmp, 30_000):
            result = run_cli(cli_command("import", str(part), "--cohort", str(cohort.cohort)), env, tmp)
            if result.returncode:
                raise RuntimeError(f"setup import of {part.name} failed:\n{result.output[-2000:]}")
        total += data.load_history(url, cohort, entries_per_cohort)
        log(f"  cohort {cohort.cohort}: roster and {total:,} entries so far")
    return total, data.write_roster_parts(cohorts[-1], tmp, 30_000)


def grant_users(url: str, cohort: GenCohort, plan: data.Plan, recipients: int) -> int:
    """Admin, every counsellor of the newest cohort, a head per department, extra counsellors by class
    up to ``recipients`` users in all (the digest audience)."""
    from bot.services import Services
    from bot.settings import Settings
    from storage.db import Database

    settings = Settings(_env_file=None, database_url=url, digests_enabled=False)  # type: ignore[call-arg]
    services = Services.build(Database.connect(url), settings)
    grant = services.access.grant
    try:
        grant(ADMIN, "admin", name="bench")
        count = 1
        for name, chat in plan.counsellor_chats.items():
            grant(chat, "counsellor", name=name)
            count += 1
        for i, department in enumerate(cohort.departments):
            grant(data.FIRST_HEAD + i, "head", name=f"head-{i}", scopes=[department])
            count += 1
        classes = sorted({g.class_name for g in cohort.graduates if g.class_name})
        i = 0
        while count < recipients and classes:
            grant(
                data.FIRST_EXTRA + i,
                "counsellor",
                name=f"extra-{i}",
                scopes=[f"班级:{classes[i % len(classes)]}"],
            )
            i += 1
            count += 1
        return count
    finally:
        services.db.dispose()


def digest_build(url: str, recipients: int) -> tuple[float, int]:
    """Seconds to build every recipient's digest once, as a delivery round does (in this process)."""
    from bot.services import Services
    from bot.settings import Settings
    from jobs.delivery import DigestService
    from storage.db import Database

    settings = Settings(_env_file=None, database_url=url, digests_enabled=False)  # type: ignore[call-arg]
    services = Services.build(Database.connect(url), settings)
    try:
        digests = DigestService(services)
        people = digests.recipients()[:recipients]
        started = time.perf_counter()
        for actor in people:
            digests.build(actor)
        return time.perf_counter() - started, len(people)
    finally:
        services.db.dispose()


def is_postgresql(url: str | None) -> bool:
    return bool(url) and not str(url).startswith("sqlite")


async def workers_phase(
    tmp: Path, clones: dict[int, str], messages: data.Messages, log: Callable[[str], None]
) -> dict[str, Any]:
    """The limiter-off burst through 1 and then W webhook workers, each on its own copy of the database."""
    out: dict[str, Any] = {}
    for count, url in clones.items():
        try:
            out[str(count)] = await workers.ingest(
                tmp, url, messages, count, token=TOKEN, admin=ADMIN, root=ROOT, log=log
            )
        finally:
            workers.drop_database(url)
    return out


# ------------------------------------------------------------------------------------------ the run


@dataclass
class Config:
    graduates: int
    cohorts: int
    workers: int
    db: str | None
    quick: bool
    messages: int
    singles: int
    queries: int
    dated_queries: int
    documents: int
    recipients: int
    reference: int
    history: int


def config_from(args: argparse.Namespace) -> Config:
    if args.quick:
        return Config(
            graduates=args.graduates or 1200, cohorts=args.cohorts or 2, workers=args.workers, db=args.db, quick=True,
            messages=3, singles=2, queries=6, dated_queries=3, documents=1, recipients=30,
            reference=args.reference or 600, history=args.history or 0,
        )  # fmt: skip
    graduates = args.graduates or 20_000
    cohorts = args.cohorts or 3
    return Config(
        graduates=graduates, cohorts=cohorts, workers=args.workers, db=args.db, quick=False,
        messages=args.messages, singles=args.singles, queries=args.queries, dated_queries=max(6, args.queries // 8),
        documents=3, recipients=1000, reference=args.reference or 5000, history=args.history or 0,
    )  # fmt: skip


def history_total(config: Config) -> int:
    """~1,000,000 entries at 100,000 × 3 cohorts: 10/3 per graduate unless --history says otherwise."""
    return config.history or round(config.graduates * config.cohorts * 10 / 3)


async def run(config: Config, log: Callable[[str], None]) -> dict[str, Any]:
    quiet_logs()
    meta: dict[str, Any] = {
        "config": asdict(config),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_at_start": os.getloadavg(),
    }
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        tmp = Path(folder)
        # ---- setup (not measured)
        started = time.monotonic()
        cohorts = data.cohorts(config.graduates, config.cohorts)
        newest = cohorts[-1]
        plan = data.plan_messages(newest, messages=config.messages, singles=config.singles)
        held = data.held_back(plan)
        per_cohort = data.entries_per_cohort(history_total(config), config.cohorts)
        url = prepare_database(config.db, tmp, "main")
        log(f"setup: {config.cohorts} × {config.graduates:,} graduates, ~{per_cohort:,} entries a cohort, "
            f"{len(plan.burst_off.items)} + {len(plan.burst_on.items)} burst messages, {len(plan.singles.items)} singles")  # fmt: skip
        entries, parts = setup_cohorts(url, tmp, cohorts, per_cohort, held, log)

        # ---- roster import, measured: one file of N rows through the CLI (the floor: `init`, any CLI verb's fixed cost)
        env = cli_env(url)
        floor_cli = run_cli(cli_command("init"), env, tmp)
        roster = tmp / f"roster-{newest.cohort}.csv"
        newest.to_csv(roster)
        one = run_cli(cli_command("import", str(roster), "--cohort", str(newest.cohort)), env, tmp)
        figures["import"] = {
            "rows": len(newest.graduates), "bytes": roster.stat().st_size, "returncode": one.returncode,
            "seconds": one.seconds, "peak_kb": one.peak_kb, "output": one.output.strip()[-400:],
            "floor_seconds": floor_cli.seconds, "floor_peak_kb": floor_cli.peak_kb,
        }  # fmt: skip
        if one.returncode:  # refused (or failed): import in parts so the rest of the bench can run
            seconds = peak = 0
            for part in parts:
                result = run_cli(cli_command("import", str(part), "--cohort", str(newest.cohort)), env, tmp)
                if result.returncode:
                    raise RuntimeError(f"import of {part.name} failed:\n{result.output[-2000:]}")
                seconds += result.seconds
                peak = max(peak, result.peak_kb)
            figures["import"].update(parts=len(parts), parts_seconds=seconds, parts_peak_kb=peak)
        log(f"roster import: rc {one.returncode} in {one.seconds:.1f} s")
        entries += data.load_history(url, newest, per_cohort, skip_final_of=held)
        users = grant_users(url, newest, plan, config.recipients)
        meta.update(entries=entries, users=users, setup_seconds=round(time.monotonic() - started, 1))
        meta["plan"] = {"burst_messages": len(plan.burst_off.items), "burst_lines": plan.burst_off.lines,
                        "singles": len(plan.singles.items), "lines_per_message": data.LINES_PER_MESSAGE}  # fmt: skip
        log(f"setup done: {entries:,} entries, {users} users in {meta['setup_seconds']} s")
        clones: dict[int, str] = {}
        if config.workers > 1 and is_postgresql(config.db):  # copies as setup left them, before any phase
            clones = {
                count: workers.clone_database(url, f"w{count}") for count in sorted({1, config.workers})
            }

        scopes = ["", *newest.departments, *newest.majors]
        rate_asks = [(ADMIN, f"/rate {scopes[i % len(scopes)]}".strip()) for i in range(config.queries)]
        first_day = dt.date(newest.cohort, 6, 1)
        dates = [(first_day + dt.timedelta(days=3 * i)).isoformat() for i in range(config.dated_queries)]
        rate_dated = [
            (ADMIN, f"/rate {scopes[i % len(scopes)]} {d}".replace("  ", " ")) for i, d in enumerate(dates)
        ]
        rates_now = [(ADMIN, "/rates 专业") for _ in range(config.dated_queries)]
        rates_dated = [(ADMIN, f"/rates 专业 {d}") for d in dates]

        # ---- floor: the echo bot process, limiter off then on
        figures["floor"] = await echo_floor(tmp, plan, rate_asks)
        log(f"floor: {figures['floor']['burst_off']:,.0f} / {figures['floor']['burst_on']:,.0f} lines/s")

        # ---- the placement bot process
        figures["bot"] = await bot_phase(
            tmp, url, plan, config, rate_asks, rate_dated, rates_now, rates_dated, log
        )

        # ---- digests for the recipients (in this process; no transport involved)
        seconds, people = digest_build(url, config.recipients)
        figures["digests"] = {"seconds": seconds, "recipients": people}
        log(f"digests: {people} built in {seconds:.1f} s")

        # ---- one message alone at the reference size (same per-graduate history density)
        figures["reference"] = await reference_phase(tmp, config, per_cohort / config.graduates, log)

        # ---- W webhook workers on PostgreSQL behind a round-robin proxy, and one for the ratio
        figures["workers"] = {"requested": config.workers}
        if clones:
            figures["workers"]["runs"] = await workers_phase(tmp, clones, plan.burst_off, log)
            figures["workers"]["load"] = os.getloadavg()
        else:
            figures["workers"]["result"] = ONE_WORKER if config.workers <= 1 else NEEDS_POSTGRESQL
    meta["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return {"meta": meta, "figures": figures}


async def echo_floor(tmp: Path, plan: data.Plan, rate_asks: list[tuple[int, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    command = [sys.executable, "-m", "bench.echo_bot"]
    with BotApiEmulator(token=TOKEN) as emu:
        env = bot_env(
            token=TOKEN, database_url="sqlite://", api_base=emu.base_url, file_base=emu.base_file_url
        )
        env["PYTHONPATH"] = str(ROOT)
        proc = start("echo", command, env, tmp)
        try:
            out["cold_start_s"] = await first_answer(emu, proc, ADMIN, "/rate")
            out["burst_off"] = await burst(emu, plan.burst_off)
            out["singles_ms"] = await roundtrips(emu, plan.singles.items)
            out["rate_ms"] = await roundtrips(emu, rate_asks)
        finally:
            out["peak_kb"] = proc.stop()
        proc = start("echo-restart", command, env, tmp)
        try:
            out["restart_s"] = await first_answer(emu, proc, ADMIN, "/rate")
        finally:
            proc.stop()
    with BotApiEmulator(token=TOKEN) as emu:
        env = bot_env(
            token=TOKEN, database_url="sqlite://", api_base=emu.base_url, file_base=emu.base_file_url
        )
        env["PYTHONPATH"] = str(ROOT)
        proc = start("echo-limited", [*command, "--rate-limit"], env, tmp)
        try:
            await first_answer(emu, proc, ADMIN, "/rate")
            out["burst_on"] = await burst(emu, plan.burst_on)
        finally:
            out["peak_limited_kb"] = proc.stop()
    return out


async def bot_phase(
    tmp: Path, url: str, plan: data.Plan, config: Config, rate_asks: list[tuple[int, str]],
    rate_dated: list[tuple[int, str]], rates_now: list[tuple[int, str]], rates_dated: list[tuple[int, str]],
    log: Callable[[str], None],
) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {}
    with BotApiEmulator(token=TOKEN) as emu:
        env = bot_env(token=TOKEN, database_url=url, api_base=emu.base_url, file_base=emu.base_file_url)
        env["PYTHONPATH"] = str(ROOT)
        # limiter off: the bot's own cost
        proc = start("bot-unlimited", [sys.executable, "-m", "bench.bot_unlimited"], env, tmp)
        try:
            out["cold_start_s"] = await first_answer(emu, proc, ADMIN, "/rate")
            out["burst_off"] = await burst(emu, plan.burst_off)
            log(f"bot burst, limiter off: {out['burst_off']:,.0f} lines/s")
            replies: list[str] = []
            out["singles_ms"] = await roundtrips(emu, plan.singles.items, keep=replies)
            out["singles_replies"] = replies
            out["rate_ms"] = await roundtrips(emu, rate_asks)
            out["rate_dated_ms"] = await roundtrips(emu, rate_dated)
            out["rates_ms"] = await roundtrips(emu, rates_now)
            out["rates_dated_ms"] = await roundtrips(emu, rates_dated)
            log(f"bot questions: /rate {_ms(out['rate_ms'])}; dated {_ms(out['rate_dated_ms'])}")
            docs: list[str] = []
            out["export_ms"] = await roundtrips(emu, [(ADMIN, "/export")] * config.documents, keep=docs)
            out["report_ms"] = await roundtrips(emu, [(ADMIN, "/report")] * config.documents, keep=docs)
            out["document_captions"] = docs
            out["peak_unlimited_kb"] = proc.peak_now_kb()
        finally:
            peak = proc.stop()
            out["peak_unlimited_kb"] = max(peak or 0, out.get("peak_unlimited_kb") or 0)
        # restart as a user would: `placement-bot run` (Telegram's limiter on), first question at once
        proc = start("bot-run", cli_command("run"), env, tmp)
        try:
            out["restart_s"] = await first_answer(emu, proc, ADMIN, "/rate")
            log(f"bot restart: first answer after {out['restart_s']:.2f} s")
            out["burst_on"] = await burst(emu, plan.burst_on)
        finally:
            out["peak_run_kb"] = proc.stop()
        out["error_replies"] = sum(
            1 for m in emu.sent if m.text and ("出错" in m.text or "went wrong" in m.text)
        )
        counsellors = set(plan.counsellor_chats.values())
        out["applied_lines"] = sum(_applied(m.text) for m in emu.sent if m.chat_id in counsellors)
        out["sent_lines"] = plan.burst_off.lines + plan.burst_on.lines + plan.singles.lines
    return out


async def reference_phase(
    tmp: Path, config: Config, density: float, log: Callable[[str], None]
) -> dict[str, Any]:
    """The same single 60-line messages' cost in a one-cohort database of ``config.reference`` graduates."""
    cohort = data.cohorts(config.reference, 1)[0]
    plan = data.plan_messages(cohort, messages=0, singles=config.singles)
    url = prepare_database(config.db, tmp, "reference")
    env = cli_env(url)
    if (init := run_cli(cli_command("init"), env, tmp)).returncode:
        raise RuntimeError(init.output)
    for part in data.write_roster_parts(cohort, tmp, 30_000):
        if (
            result := run_cli(cli_command("import", str(part), "--cohort", str(cohort.cohort)), env, tmp)
        ).returncode:
            raise RuntimeError(result.output[-2000:])
    data.load_history(url, cohort, round(density * config.reference), skip_final_of=data.held_back(plan))
    grant_users(url, cohort, plan, 1)
    out: dict[str, Any] = {"graduates": config.reference}
    with BotApiEmulator(token=TOKEN) as emu:
        env = bot_env(token=TOKEN, database_url=url, api_base=emu.base_url, file_base=emu.base_file_url)
        env["PYTHONPATH"] = str(ROOT)
        proc = start("bot-reference", [sys.executable, "-m", "bench.bot_unlimited"], env, tmp)
        try:
            await first_answer(emu, proc, ADMIN, "/rate")
            out["singles_ms"] = await roundtrips(emu, plan.singles.items)
        finally:
            proc.stop()
    log(f"reference {config.reference:,}: one message {_ms(out['singles_ms'])}")
    return out


# ------------------------------------------------------------------------------------------ the table


def rows_of(result: dict[str, Any]) -> list[Row]:
    config = result["meta"]["config"]
    n = config["graduates"]
    f = result["figures"]
    floor, bot, ref = f["floor"], f["bot"], f["reference"]
    rows: list[Row] = []
    plan = result["meta"]["plan"]

    v = bot["burst_off"]
    rows.append(Row("ingest_off", f"ingest, limiter off ({plan['burst_messages']} msgs × 60 lines, real changes)",
                    f"{v:,.0f} lines/s", f"{floor['burst_off']:,.0f} lines/s", "≥ 5,000 lines/s",
                    _at_least(v, 5000, "lines/s"), v, "lines/s"))  # fmt: skip
    v = bot["burst_on"]
    limit = 0.8 * floor["burst_on"]
    rows.append(Row("ingest_on", "ingest, Telegram's limiter on (AIORateLimiter)", f"{v:,.0f} lines/s",
                    f"{floor['burst_on']:,.0f} lines/s", f"≥ 0.8 × floor = {limit:,.0f} lines/s",
                    _at_least(v, limit, "lines/s"), v, "lines/s"))  # fmt: skip
    one = statistics.median(bot["singles_ms"])
    rows.append(Row("single_n", f"one 60-line message alone, {n:,} graduates (median of {len(bot['singles_ms'])})",
                    f"{one:,.0f} ms", f"{statistics.median(floor['singles_ms']):,.1f} ms", "≤ 50 ms",
                    _at_most(one, 50, "ms"), one, "ms"))  # fmt: skip
    small = statistics.median(ref["singles_ms"])
    rows.append(Row("single_ref", f"one 60-line message alone, {ref['graduates']:,} graduates (1 cohort)",
                    f"{small:,.0f} ms", f"{statistics.median(floor['singles_ms']):,.1f} ms", "—", "—", small, "ms"))  # fmt: skip
    ratio = one / small
    rows.append(Row("single_ratio", f"cost at {n:,} ÷ cost at {ref['graduates']:,}", f"{ratio:.2f}×", "1.00×",
                    "≤ 1.5×", _at_most(ratio, 1.5, "×"), ratio, "×"))  # fmt: skip
    for key, label, target in (
        ("rate_ms", "/rate current", (30, 80)),
        ("rate_dated_ms", "/rate <scope> <past date>, a new date each ask", (100, None)),
        ("rates_ms", "/rates 专业 current", None),
        ("rates_dated_ms", "/rates 专业 <past date>, a new date each ask", None),
    ):
        values = bot[key]
        p50, p95 = statistics.median(values), percentile(values, 95)
        text, verdict = "—", "—"
        if target:
            text = f"p50 ≤ {target[0]} ms" + (f", p95 ≤ {target[1]} ms" if target[1] else "")
            verdicts = [f"p50 {_at_most(p50, target[0], 'ms')}"]
            if target[1]:
                verdicts.append(f"p95 {_at_most(p95, target[1], 'ms')}")
            verdict = "; ".join(verdicts)
        rows.append(Row(key.removesuffix("_ms"), f"{label} (n={len(values)})", _ms(values), _ms(floor["rate_ms"]),
                        text, verdict, p50, "ms", {"p95": p95}))  # fmt: skip
    v = bot["restart_s"]
    rows.append(Row("restart", "first answer after a restart (spawn → reply to /rate)", f"{v:.2f} s",
                    f"{floor['restart_s']:.2f} s", "≤ 1 s", _at_most(v, 1.0, "s"), v, "s",
                    {"first_start_s": bot["cold_start_s"], "floor_first_start_s": floor["cold_start_s"]}))  # fmt: skip
    d = f["digests"]
    rows.append(Row("digests", f"digest build, {d['recipients']:,} recipients", f"{d['seconds']:.1f} s", "—",
                    "≤ 10 s", _at_most(d["seconds"], 10, "s"), d["seconds"], "s"))  # fmt: skip
    for key, label, target in (
        ("export", "/export, whole cohort", 1.0),
        ("report", "/report, whole cohort", None),
    ):
        values = [ms / 1000 for ms in bot[f"{key}_ms"]]
        v = statistics.median(values)
        rows.append(Row(key, f"{label} ({n:,} graduates, median of {len(values)}, reply received)", f"{v:.2f} s",
                        f"{statistics.median(floor['rate_ms']) / 1000:.3f} s",
                        f"≤ {target:g} s (for 20,000 graduates)" if target else "—",
                        _at_most(v, target, "s") if target else "—", v, "s"))  # fmt: skip
    imp = f["import"]
    if imp["returncode"] == 0:
        shown, verdict = f"{imp['seconds']:.1f} s ({imp['bytes'] / 1e6:.1f} MB, one file)", "met (one file)"
    else:
        shown = f"refused ({imp['bytes'] / 1e6:.1f} MB); {imp.get('parts', 0)} files: {imp.get('parts_seconds', 0):.1f} s"
        verdict = "missed: one file refused"
    rows.append(Row("import", f"roster import, `placement-bot import`, {imp['rows']:,} rows", shown,
                    f"{imp['floor_seconds']:.1f} s (`placement-bot init`)", "one file accepted", verdict,
                    imp["seconds"] if imp["returncode"] == 0 else None, "s"))  # fmt: skip
    echo_mb = floor["peak_kb"] / 1024
    for key, label, kb in (
        ("rss_run", "peak RSS, `placement-bot run` (restart + limiter-on burst)", bot["peak_run_kb"]),
        (
            "rss_unlimited",
            "peak RSS, bot process (ingest, questions, /export, /report)",
            bot["peak_unlimited_kb"],
        ),
        ("rss_import", "peak RSS, `placement-bot import`", imp["peak_kb"]),
    ):
        mb = kb / 1024
        shown = f"{mb:,.0f} MB"
        if key == "rss_import" and imp["returncode"]:
            shown += f" (refused); {imp.get('parts_peak_kb', 0) / 1024:,.0f} MB importing the parts"
        floor_mb = echo_mb if key != "rss_import" else imp["floor_peak_kb"] / 1024
        rows.append(Row(key, label, shown, f"{floor_mb:,.0f} MB", "≤ 400 MB" if key != "rss_import" else "—",
                        _at_most(mb, 400, "MB") if key != "rss_import" else "—", mb, "MB"))  # fmt: skip
    rows += worker_rows(f["workers"], floor, plan)
    return rows


def worker_rows(w: dict[str, Any], floor: dict[str, Any], plan: dict[str, Any]) -> list[Row]:
    """One webhook worker, W of them (with the ratio), peak RSS per worker; "n/a" rows without a run."""
    count = max(2, w["requested"])
    labels = (
        f"ingest, 1 webhook worker on PostgreSQL behind the proxy, limiter off ({plan['burst_messages']} msgs)",
        f"ingest, {count} workers on PostgreSQL, limiter off (same burst)",
        f"peak RSS per worker, {count} workers",
    )
    if "runs" not in w:
        return [
            Row("ingest_w1", labels[0], w["result"], "—", "—", "not measured"),
            Row("ingest_workers", labels[1], w["result"], "—", "≥ 1.6 × one worker", "not measured"),
            Row("rss_workers", labels[2], w["result"], "—", "≤ 400 MB", "not measured"),
        ]
    one, many = w["runs"]["1"], w["runs"][str(w["requested"])]
    v1, vw = one["lines_per_s"], many["lines_per_s"]
    ratio = vw / v1
    peaks = [kb / 1024 for kb in many["peak_kb"]]
    echo = f"{floor['burst_off']:,.0f} lines/s (echo, 1 process)"
    return [
        Row("ingest_w1", labels[0], f"{v1:,.0f} lines/s", echo, "—", "—", v1, "lines/s",
            {"new_entries": one["new_entries"], "sent_lines": one["sent_lines"]}),
        Row("ingest_workers", labels[1], f"{vw:,.0f} lines/s = {ratio:.2f}× one worker",
            f"1 worker: {v1:,.0f} lines/s", "≥ 1.6 × one worker", _at_least(ratio, 1.6, "×"), ratio, "×",
            {"lines_per_s": vw, "one_worker_lines_per_s": v1, "new_entries": many["new_entries"],
             "sent_lines": many["sent_lines"]}),
        Row("rss_workers", labels[2], f"{max(peaks):,.0f} MB (each: {', '.join(f'{p:,.0f}' for p in peaks)})",
            f"{floor['peak_kb'] / 1024:,.0f} MB", "≤ 400 MB", _at_most(max(peaks), 400, "MB"), max(peaks), "MB"),
    ]  # fmt: skip


def render(result: dict[str, Any], rows: list[Row]) -> str:
    meta = result["meta"]
    config = meta["config"]
    lines = [
        f"{config['cohorts']} cohorts × {config['graduates']:,} graduates, {meta['entries']:,} history entries, "
        f"{meta['users']:,} users; database {_db_label(config['db'])}; workers {config['workers']}"
        + ("; QUICK (smoke test: figures mean nothing)" if config["quick"] else ""),
        f"started {meta['started']}, load average {_load(meta.get('load_at_start'))} at start, "
        f"{_load(meta.get('machine', {}).get('load'))} at the end",
        "",
        "| measure | placement bot | floor (echo bot, same run) | target | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {r.measure} | {r.shown} | {r.floor} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


def _load(values: Any) -> str:
    return "/".join(f"{v:.1f}" for v in values) if values else "?"


def _db_label(url: str | None) -> str:
    if not url or url.startswith("sqlite"):
        return "SQLite (file)"
    from sqlalchemy.engine import make_url

    return f"PostgreSQL ({make_url(url).render_as_string(hide_password=True)})"


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) // 1024
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_mb": ram,
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--graduates", type=int, help="graduates per cohort (20,000; quick: 1,200)")
    parser.add_argument("--cohorts", type=int, help="cohorts (3; quick: 2)")
    parser.add_argument(
        "--workers", type=int, default=1, help="bot workers (>1 needs the multi-worker webhook mode)"
    )
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file); a PostgreSQL database "
                        "whose name starts with 'bench' is dropped and created")  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true", help="tiny smoke run (CI): every row, meaningless figures"
    )
    parser.add_argument("--json", type=Path, help="write the figures and the table here")
    parser.add_argument("--messages", type=int, default=200, help="messages per ingest burst (200)")
    parser.add_argument("--singles", type=int, default=10, help="60-line messages sent alone (10)")
    parser.add_argument("--queries", type=int, default=100, help="/rate questions (100; dated: an eighth)")
    parser.add_argument("--reference", type=int, help="graduates of the one-message reference (5,000)")
    parser.add_argument("--history", type=int, help="history entries in all (default 10/3 per graduate)")
    parser.add_argument(
        "--render", type=Path, metavar="JSON", help="print the table of an earlier run's JSON and exit"
    )
    args = parser.parse_args(argv)
    if args.render:
        earlier = json.loads(args.render.read_text())
        print(render(earlier, rows_of(earlier)))
        return 0
    config = config_from(args)

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    result = asyncio.run(run(config, log))
    result["meta"]["machine"] = machine()
    rows = rows_of(result)
    table = render(result, rows)
    print(table)
    if args.json:
        result["rows"] = [asdict(r) for r in rows]
        result["table"] = table
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0
