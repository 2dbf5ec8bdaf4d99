"""Regressions from the attacker's review of this round (docs/reliability.md): each test once
reproduced a finding — a Feishu hook shown unmasked, a backslash-named sheet slipping past the
used-range check, `backup` onto the live database. The other findings' tests live beside the code
they cover (test_access, test_privacy, test_cli_channel); the write lock held during "did you mean"
is tests/bot/services/test_snapshots.py::test_mistyped_ids_do_not_hold_the_write_lock, which holds
the search until another writer got through (a timed copy here passed with the bug put back)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import Services
from jobs.channels import platforms
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings

ADMIN = 1001



def _services(tmp_path: Path) -> Services:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    upgrade_database(url)
    return Services.build(Database.connect(url), make_settings(url))


def test_feishu_hook_with_trailing_slash_is_masked() -> None:
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef0123/"
    assert "0123456789abcdef0123" not in platforms.mask_url(url)


def _xlsx_with_backslash_sheet(far_row: int) -> bytes:
    """A valid workbook whose only worksheet entry is stored as `xl\\worksheets\\sheet1.xml`: Python's
    zipfile (the pre-scan) does not see it as a worksheet, calamine's zip reader does."""
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "学号"
    plain = io.BytesIO()
    book.save(plain)
    far = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        f'<row r="{far_row}"><c r="XFD{far_row}" t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>'
    ).encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                dst.writestr("xl\\worksheets\\sheet1.xml", far)
            else:
                dst.writestr(info, src.read(info))
    return out.getvalue()


def test_backslash_named_sheet_is_refused_before_calamine_allocates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 8 item 2 bypass: at XFD199000 this 1.5 KB file makes calamine abort the process (SIGABRT,
    exit 134, reproduced under `ulimit -v 6000000`); at XFD3000 it allocates 1.5 GB before the
    refusal. The used-range pre-scan must see every member calamine may open."""
    from bot import uploads

    class CalamineMustNotRun:
        @staticmethod
        def from_filelike(*args: object) -> object:
            raise AssertionError("calamine opened a sheet the pre-scan never measured")

    monkeypatch.setattr(uploads, "CalamineWorkbook", CalamineMustNotRun)
    with pytest.raises(uploads.UploadError):
        uploads.read_grid(_xlsx_with_backslash_sheet(199000), "roster.xlsx")


def test_backup_onto_the_live_database_does_not_destroy_it(tmp_path: Path) -> None:
    """`placement-bot backup placement.db` (the live file, a bad-day typo) unlinks the database
    first (storage/backup.py), leaving 0 bytes, then hangs. It must refuse, and keep every row."""
    import sqlite3
    import subprocess
    import sys

    s = _services(tmp_path)
    s.access.grant(ADMIN, "admin", name="adm")
    s.db.dispose()
    live = tmp_path / "review.db"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "backup", str(live), "--db", f"sqlite:///{live}"],
        timeout=60, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 2 and "live database" in done.stderr and "Traceback" not in done.stderr, done.stderr
    into_dir = subprocess.run(
        [sys.executable, "-m", "bot.cli", "backup", str(tmp_path), "--db", f"sqlite:///{live}"],
        timeout=60, capture_output=True, text=True, check=False,
    )
    assert into_dir.returncode == 2 and "directory" in into_dir.stderr and "Traceback" not in into_dir.stderr
    tables = (
        sqlite3.connect(live).execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    )
    assert tables > 0, f"the live database is gone ({live.stat().st_size} bytes)"
