"""Smoke test of the bench runner (`python -m bench --quick`): it runs end to end — the bot as its
own process on the emulator, the echo floor, the CLI import — and prints and writes every row.
On PostgreSQL it also runs the two-worker phase (webhook workers behind a round-robin proxy) and
counts history entries: every line of the burst applied exactly once, with one worker and with two.
No timing assertions: figures from a tiny cohort on a shared machine mean nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ROWS = {
    "ingest_off": "ingest, limiter off",
    "ingest_on": "ingest, Telegram's limiter on",
    "single_n": "one 60-line message alone, 1,200 graduates",
    "single_ref": "one 60-line message alone, 600 graduates",
    "single_ratio": "cost at 1,200 ÷ cost at 600",
    "rate": "/rate current",
    "rate_dated": "/rate <scope> <past date>",
    "rates": "/rates 专业 current",
    "rates_dated": "/rates 专业 <past date>",
    "restart": "first answer after a restart",
    "digests": "digest build, 30 recipients",
    "export": "/export, whole cohort",
    "report": "/report, whole cohort",
    "import": "roster import, `placement-bot import`, 1,200 rows",
    "rss_run": "peak RSS, `placement-bot run`",
    "rss_unlimited": "peak RSS, bot process (ingest, questions",
    "rss_import": "peak RSS, `placement-bot import`",
    "ingest_w1": "ingest, 1 webhook worker on PostgreSQL behind the proxy, limiter off",
    "ingest_workers": "ingest, 2 workers on PostgreSQL, limiter off",
    "rss_workers": "peak RSS per worker, 2 workers",
}
WORKER_ROWS = {"ingest_w1", "ingest_workers", "rss_workers"}


def _run(tmp_path: Path, *extra: str) -> tuple[str, dict]:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--workers", "2", "--json", str(out), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=1700,  # minutes on a busy machine: room for 5x slower
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout, json.loads(out.read_text())


def _check(stdout: str, result: dict, *, workers_measured: bool) -> None:
    table_lines = [line for line in stdout.splitlines() if line.startswith("| ")]
    assert table_lines[0].startswith(
        "| measure | placement bot | floor (echo bot, same run) | target | verdict |"
    )
    body = table_lines[2:]
    assert len(body) == len(ROWS)
    for (key, label), line in zip(ROWS.items(), body, strict=True):
        assert line.startswith(f"| {label}"), (key, line)
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == 5 and all(cells), line  # figure, floor, target, verdict all filled
    assert [row["key"] for row in result["rows"]] == list(ROWS)
    assert result["table"] in stdout
    by_key = {row["key"]: row for row in result["rows"]}
    for key in ROWS.keys() - (set() if workers_measured else WORKER_ROWS):
        value = by_key[key]["value"]
        assert value is not None and value > 0, key
    if not workers_measured:  # SQLite: several workers need PostgreSQL
        for key in WORKER_ROWS:
            assert by_key[key]["shown"] == "n/a: several workers need PostgreSQL (--db)", key
    bot = result["figures"]["bot"]
    # Every line sent through Telegram was a real change, and the bot applied every one of them.
    assert bot["applied_lines"] == bot["sent_lines"] > 0
    assert bot["error_replies"] == 0
    assert result["figures"]["import"]["returncode"] == 0
    assert result["meta"]["machine"]["nproc"] >= 1


@pytest.mark.timeout(1800)
def test_quick_run_prints_and_writes_every_row(tmp_path: Path) -> None:
    stdout, result = _run(tmp_path)
    _check(stdout, result, workers_measured=False)
    assert result["meta"]["config"]["db"] is None  # a temporary SQLite file
    again = subprocess.run(
        [sys.executable, "-m", "bench", "--render", str(tmp_path / "bench.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert again.returncode == 0 and again.stdout.strip() == result["table"].strip()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL variant: TEST_DATABASE_URL is not set"
)
@pytest.mark.timeout(1800)
def test_quick_run_on_postgresql(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"bench_smoke_{uuid.uuid4().hex[:8]}"
    try:
        stdout, result = _run(tmp_path, "--db", base.set(database=name).render_as_string(hide_password=False))
        _check(stdout, result, workers_measured=True)
        _check_workers(result)
    finally:
        engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for database in (name, f"{name}_reference", f"{name}_w1", f"{name}_w2"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        engine.dispose()


def _check_workers(result: dict) -> None:
    """One and two webhook workers behind the proxy: every line of the burst applied exactly once."""
    runs = result["figures"]["workers"]["runs"]
    assert set(runs) == {"1", "2"}
    burst_lines = result["meta"]["plan"]["burst_lines"]
    for count, run in runs.items():
        assert run["workers"] == int(count)
        assert run["sent_lines"] == burst_lines > 0
        # counted in the database: one history entry per line, one batch per message, nothing twice
        assert run["after"]["entries"] - run["before"]["entries"] == run["sent_lines"], count
        assert run["after"]["message_batches"] - run["before"]["message_batches"] == run["sent_messages"], (
            count
        )
        assert run["applied_lines"] == run["sent_lines"], count  # and the bot said so to each counsellor
        assert run["error_replies"] == 0, count
        assert "inbox_pending" not in run["after"] and "inbox_claimed" not in run["after"], run["after"]
        assert len(run["peak_kb"]) == int(count) and all(kb > 0 for kb in run["peak_kb"])
    assert all(n > 0 for n in runs["2"]["routed"].values())  # the proxy fed both workers
    assert len(runs["2"]["routed"]) == 2
    done_by = [n for key, n in runs["2"]["after"].items() if key.startswith("done_by_")]
    assert sum(done_by) == runs["2"]["after"]["inbox_done"]  # every stored update finished by a worker
