"""`write_private`: owner-only from the first byte, replacing (never writing through) what was there."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from storage.files import write_private


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("untouched")
    target = tmp_path / "export.xlsx"
    os.symlink(elsewhere, target)
    before = os.umask(0o000)  # the loosest umask: the mode still comes from mkstemp
    try:
        write_private(target, b"records")
    finally:
        os.umask(before)
    assert not target.is_symlink() and target.read_bytes() == b"records"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert elsewhere.read_text() == "untouched"
