"""The `placement-bot` command line, run in-process: init, import, grant/revoke, invite, backup, demo."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.e2e.test_core_loop import ROSTER_CSV


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_init_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    assert main(["init", "--db", f"sqlite:///{db}"]) == 0
    assert main(["init", "--db", f"sqlite:///{db}"]) == 0
    assert count(db, "graduate") == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "database ready" in capsys.readouterr().out


def test_import_dry_run_then_real_then_prune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    url = f"sqlite:///{db}"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8-sig")
    assert main(["import", str(roster), "--cohort", "2023", "--dry-run", "--db", url]) == 0
    assert "试运行" in capsys.readouterr().out
    assert count(db, "graduate") == 0
    assert main(["import", str(roster), "--cohort", "2023", "--db", url]) == 0
    assert "新增 10" in capsys.readouterr().out
    assert count(db, "graduate") == 10
    shorter = tmp_path / "shorter.csv"
    shorter.write_text("\n".join(ROSTER_CSV.splitlines()[:-2]) + "\n", encoding="utf-8")
    assert main(["import", str(shorter), "--cohort", "2023", "--db", url]) == 0
    assert "没有的毕业生：2 人" in capsys.readouterr().out
    assert count(db, "graduate") == 10
    assert main(["import", str(shorter), "--cohort", "2023", "--prune", "--db", url]) == 0
    assert count(db, "graduate") == 8
    one_less = tmp_path / "one_less.csv"  # a single graduate missing is pruned too, and only that one
    rows = ROSTER_CSV.splitlines()
    one_less.write_text("\n".join([rows[0], *rows[2:-2]]) + "\n", encoding="utf-8")
    assert main(["import", str(one_less), "--cohort", "2023", "--prune", "--db", url]) == 0
    with sqlite3.connect(db) as con:
        kept = sorted(sid for (sid,) in con.execute("SELECT student_id FROM graduate"))
    assert kept == sorted(row.split(",")[0] for row in rows[2:-2])


def test_import_problems_and_user_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    bad = tmp_path / "bad.csv"
    bad.write_text(ROSTER_CSV + "2023010101,重复,护理学院,护理,护理2301班,专科,女,山东,,王老师,Nursing\n", encoding="utf-8")
    assert main(["import", str(bad), "--db", url]) == 1
    out = capsys.readouterr().out
    assert "未导入" in out and "12" in out
    assert main(["import", str(tmp_path / "missing.csv"), "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert main(["revoke", "42", "--db", url]) == 2
    assert "no active user" in capsys.readouterr().err


def test_grant_invite_revoke_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    url = f"sqlite:///{db}"
    assert main(["grant", "1001", "admin", "--name", "就业中心", "--db", url]) == 0
    assert main(["grant", "2001", "head", "--scope", "护理学院", "--db", url]) == 0
    assert main(["invite", "counsellor", "--name", "王老师", "--db", url]) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith("https://t.me/") and "?start=" in link
    token = link.rsplit("=", 1)[1]
    with sqlite3.connect(db) as conn:
        hashes = [row[0] for row in conn.execute("SELECT token_hash FROM invite")]
    assert token not in hashes and len(hashes) == 1  # only the hash is stored
    assert main(["revoke", "2001", "--db", url]) == 0
    backup = tmp_path / "backup.db"
    assert main(["backup", str(backup), "--db", url]) == 0
    assert count(backup, "botuser") == 2


def test_invites_lists_and_cancels_without_showing_tokens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert main(["invite", "counsellor", "--name", "王老师", "--scope", "班级:护理2301班", "--db", url]) == 0
    token = capsys.readouterr().out.strip().rsplit("=", 1)[1]
    assert main(["invites", "--db", url]) == 0
    listing = capsys.readouterr().out
    assert "#1 " in listing and "王老师" in listing and "班级:护理2301班" in listing and "CLI" in listing, listing  # dimension in the listing's language
    assert token not in listing
    assert main(["invites", "--cancel", "1", "--db", url]) == 0
    assert "cancelled invite 1" in capsys.readouterr().out
    assert main(["invites", "--db", url]) == 0
    assert "没有未使用的邀请" in capsys.readouterr().out
    assert main(["invites", "--cancel", "1", "--db", url]) == 2
    assert "没有编号为 1" in capsys.readouterr().err


def test_demo_runs_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str], loose_umask: None) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--size", "600"]) == 0
    transcript = (out / "transcript.txt").read_text(encoding="utf-8")
    assert "毕业去向落实率" in transcript
    assert "未通过 2 条" in transcript  # the scripted rejected lines
    assert "已撤销" in transcript
    written = list(out.iterdir())
    assert len(written) > 1 and {path.name: mode(path) for path in written} == dict.fromkeys((p.name for p in written), 0o600)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual 022: a file written with the defaults would be 0644, readable by every local user."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_export_and_report_files_are_owner_only(tmp_path: Path, capsys: pytest.CaptureFixture[str], loose_umask: None) -> None:
    """Issue 19 item 4: every graduate's name, 学号 and destination, like the database: 0600."""
    db = tmp_path / "p.db"
    url = f"sqlite:///{db}"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8-sig")
    assert main(["import", str(roster), "--cohort", "2023", "--db", url]) == 0
    export, report = tmp_path / "out" / "export.xlsx", tmp_path / "report.xlsx"
    report.write_bytes(b"an older, world-readable file")
    report.chmod(0o644)
    assert main(["export", str(export), "--db", url]) == 0
    assert main(["report", str(report), "--db", url]) == 0
    assert mode(export) == mode(report) == 0o600
    assert mode(export.parent) == 0o700  # the folder it created too
    assert report.read_bytes()[:2] == b"PK"  # the new workbook replaced the old file
    assert sorted(p.name for p in tmp_path.rglob("*.part")) == []  # no temporary file left behind


@pytest.mark.slow
def test_import_of_a_100000_row_csv_over_telegrams_limit_in_one_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """product.md §3: from the CLI there is no byte limit; 100,000 rows (~13 MB) import as one file."""
    header = "学号,姓名,院系,专业,专业大类,班级,学历,性别,生源地,民族,重点群体,辅导员,届别"
    rows = [
        f"2023{i:06d},张{i % 97}芳,护理学院{i % 9},护理{i % 13},医药卫生大类,护理23{i % 40:02d}班,专科,女,山东聊城,汉族,"
        f"困难家庭,李老师{i % 30},2023"
        for i in range(100_000)
    ]
    roster = tmp_path / "roster.csv"
    roster.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode())
    assert roster.stat().st_size > 11_600_000
    db = tmp_path / "big.db"
    url = f"sqlite:///{db}"
    assert main(["init", "--db", url]) == 0
    assert main(["import", str(roster), "--cohort", "2023", "--db", url]) == 0
    assert "新增 100000" in capsys.readouterr().out
    assert count(db, "graduate") == 100_000


def test_run_refuses_an_invalid_digest_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """No built-in schedule stands in for a wrong one: `run` says what is wrong and stops."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST")
    monkeypatch.setenv("DIGEST_SCHEDULE", "someday 25:99")
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert main(["init", "--db", url]) == 0
    assert main(["run", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "DIGEST_SCHEDULE" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "refusal"),
    [
        (["invites", "--cancel", "99999999999999999999999"], "not an ID: '99999999999999999999999'"),
        (["grant", "99999999999999999999999", "admin"], "not an ID: '99999999999999999999999'"),
        (["revoke", "１２３"], "not an ID: '１２３'"),
        (["digest", "--dry-run", "--to", "²"], "not an ID: '²'"),
        (["kpi", "--cohort", "99999999999"], "not a cohort year: '99999999999'"),
        (["channel", "remove", "99999999999999999999999"], "not an ID: '99999999999999999999999'"),
    ],
)
def test_numbers_at_the_command_line_are_checked_before_they_reach_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], refusal: str
) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    with pytest.raises(SystemExit) as exit_:
        main([*argv[:1], "--db", url, *argv[1:]] if argv[0] != "channel" else ["channel", "--db", url, *argv[1:]])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert refusal in err, err
    assert "Traceback" not in err
