"""Regressions from the attacker's review of this round (docs/reliability.md): each test once
reproduced a finding — the write lock held during "did you mean", a Feishu hook shown unmasked, a
backslash-named sheet slipping past the used-range check, `backup` onto the live database. The
other findings' tests live beside the code they cover (test_access, test_privacy, test_cli_channel)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.services import Services
from bot.services.policy import SYSTEM
from jobs.channels import platforms
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings

ADMIN = 1001



def _services(tmp_path: Path) -> Services:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    upgrade_database(url)
    return Services.build(Database.connect(url), make_settings(url))


def test_mistyped_ids_do_not_hold_the_write_lock(tmp_path: Path) -> None:
    """Issue 8 item 7: "did you mean" (difflib over the scope) runs inside the write transaction.
    90 mistyped 学号 from an admin at 20,000 graduates hold SQLite's write lock ~7 s."""
    import io
    import sqlite3

    from bot.sandbox.cohort_gen import generate_cohort

    s = _services(tmp_path)
    cohort = generate_cohort(20000, seed=3)
    buf = io.BytesIO()
    cohort.to_csv(buf)
    s.roster.import_roster(buf.getvalue(), "r.csv", cohort=2023, actor=SYSTEM)
    s.access.grant(ADMIN, "admin", name="adm")
    admin = s.access.actor(ADMIN)
    assert admin is not None
    ids = {g.student_id for g in cohort.graduates}
    bad = [m for sid in sorted(ids)[:400] if (m := sid[::-1][:2] + sid[2:]) not in ids][:90]
    text = "\n".join(f"{b} 升学 某大学" for b in bad)
    assert len(text) < 4096
    s.questions.rate(admin, [], "zh")  # warm the snapshot
    worker = threading.Thread(
        target=s.updates.apply_message, args=(admin, text), kwargs={"chat_id": 1, "message_id": 1}
    )
    worker.start()
    time.sleep(0.3)
    started = time.monotonic()
    con = sqlite3.connect(str(tmp_path / "review.db"), timeout=60)
    con.isolation_level = None
    con.execute("BEGIN IMMEDIATE")
    con.execute("ROLLBACK")
    waited = time.monotonic() - started
    worker.join()
    assert waited < 1.0, f"another writer waited {waited:.1f} s for the write lock"


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
