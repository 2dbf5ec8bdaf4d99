"""`placement-bot report FILE [--cohort Y] [--as-of D]` writes the workbook or the Word draft by FILE's
suffix (`--out FILE` and `--date D` accepted too); any other suffix is a one-line error."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest

from bot.cli import main
from bot.services import Services
from storage.db import Database
from tests.bot.test_report_document import compare_with_workbook
from tests.conftest import make_settings
from tests.e2e.test_core_loop import ROSTER_CSV

NOW = datetime(2023, 9, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def school(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8-sig")
    assert main(["import", str(roster), "--cohort", "2023", "--db", url]) == 0
    service = Services.build(Database.connect(url), make_settings(url), clock=lambda: NOW)
    service.access.grant(1, "admin", name="就业中心")
    admin = service.access.actor(1)
    assert admin is not None
    lines = "2023010101 合同 甲医院 日期=2023-06-01\n2023010102 升学 聊城大学 日期=2023-06-20\n2023020101 合同 乙公司 日期=2023-08-01"
    service.updates.apply_message(admin, lines, chat_id=None, message_id=None)
    service.db.dispose()
    return url


def test_report_writes_the_draft_or_the_workbook_by_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = school(tmp_path)
    common = ["--cohort", "2023", "--as-of", "2023-08-31", "--db", url]
    assert main(["report", str(tmp_path / "out" / "r.docx"), *common]) == 0
    assert main(["report", "--out", str(tmp_path / "r.xlsx"), "--cohort", "2023", "--date", "2023-08-31", "--db", url]) == 0
    printed = capsys.readouterr().out
    assert "r.docx" in printed and "r.xlsx" in printed
    draft = (tmp_path / "out" / "r.docx").read_bytes()
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    assert compare_with_workbook(draft, book) > 100
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(draft)).paragraphs)
    assert "截至 8 月 31 日，我校 2023 届毕业生毕业去向落实率为 30.00%（3/10）。" in text


def test_report_refuses_an_unknown_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = school(tmp_path)
    assert main(["report", str(tmp_path / "r.pdf"), "--db", url]) != 0
    assert ".xlsx" in capsys.readouterr().err and not (tmp_path / "r.pdf").exists()
