"""`placement-bot survey questions FILE --cohort Y` and `placement-bot purge --cohort Y`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.survey import DEFAULT_PATH
from tests.e2e.test_core_loop import ROSTER_CSV

GOOD = '[[question]]\nid = "only"\ntext = "你满意吗？"\nkind = "scale"\noptions = ["很满意", "较满意", "基本满意", "不太满意", "很不满意"]\n'


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def stored(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT questionnaire FROM survey")]


def test_survey_questions_replaces_or_refuses_with_line_and_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    url = f"sqlite:///{db}"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    assert main(["import", str(roster), "--cohort", "2023", "--db", url]) == 0
    good = tmp_path / "q.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["survey", "--db", url, "questions", str(good), "--cohort", "2023"]) == 0
    assert "questionnaire set: 1 questions (only)" in capsys.readouterr().out
    assert stored(db) == [GOOD]
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('"scale"', '"ranking"'), encoding="utf-8")
    assert main(["survey", "--db", url, "questions", str(bad), "--cohort", "2023"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: bad.toml: line 4: question 1 (only): unknown kind 'ranking' (one, many or scale) (nothing changed)"
    assert stored(db) == [GOOD]  # nothing changed
    assert main(["survey", "--db", url, "questions", str(DEFAULT_PATH), "--cohort", "2023"]) == 0
    assert stored(db) == [DEFAULT_PATH.read_text(encoding="utf-8")]
    assert main(["survey", "--db", url, "questions", str(tmp_path / "missing.toml"), "--cohort", "2023"]) == 2
    assert main(["survey", "--db", url, "questions", str(good), "--cohort", "1999"]) == 2
    assert "1999" in capsys.readouterr().err


def test_purge_deletes_a_cohort(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    url = f"sqlite:///{db}"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    assert main(["import", str(roster), "--cohort", "2023", "--db", url]) == 0
    good = tmp_path / "q.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["survey", "--db", url, "questions", str(good), "--cohort", "2023"]) == 0
    assert main(["purge", "--cohort", "2023", "--db", url]) == 0
    assert "cohort 2023 deleted: 10 graduates" in capsys.readouterr().out
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM graduate").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM survey").fetchone()[0] == 0
    assert main(["purge", "--cohort", "2023", "--db", url]) == 2
