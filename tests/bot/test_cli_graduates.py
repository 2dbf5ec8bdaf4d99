"""`placement-bot invite graduates --scope S --out FILE`: a workbook of links and QR codes."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from tests.e2e.test_core_loop import ROSTER_CSV


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_invite_graduates_writes_links_and_qr_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    assert main(["import", str(roster), "--cohort", "2023", "--db", db]) == 0
    out = tmp_path / "links.xlsx"
    assert main(["invite", "graduates", "--scope", "软件2301班", "--out", str(out), "--db", db]) == 0
    assert "已生成 4 个个人链接" in capsys.readouterr().out
    assert out.stat().st_mode & 0o777 == 0o600  # the links are credentials: owner only
    book = openpyxl.load_workbook(out)
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["2023020101", "2023020102", "2023020103", "2023020104"]
    assert len({r[3] for r in rows}) == 4 and len(book.worksheets[1]._images) == 4
    assert main(["invite", "graduates", "--scope", "软件2301班", "--db", db]) == 2  # no --out
    assert "--out" in capsys.readouterr().err
    assert main(["invite", "graduates", "--scope", "无此班", "--out", str(out), "--db", db]) == 2
