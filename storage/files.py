"""Files that hold graduates' records — the database, its backups, exports, reports, the demo's
output — are readable and writable by their owner only (0600), from their first byte.

`private_file` creates (or tightens) a file that SQLite then writes; `write_private` writes a whole
file: into a temporary file that `mkstemp` creates 0600 with O_EXCL beside the target, then renamed
over it, so there is no moment at which another local user could open it, and a file that was
there before (however loose its mode, or a symlink) is replaced, not written through.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def private_file(path: str | Path) -> None:
    """Create `path` (if missing) readable and writable by its owner only, and tighten an existing
    one. SQLite creates the -wal and -shm files with the database file's mode, so this covers them."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE))
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if candidate.exists() and candidate.stat().st_mode & 0o077:
            candidate.chmod(PRIVATE_MODE)


def write_private(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` as a new owner-only file (0600); folders it needs are created 0700."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return path
