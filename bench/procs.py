"""Processes as a user runs them: start, stop, and their peak resident memory.

Peak RSS is the kernel's high-water mark ``VmHWM`` in ``/proc/<pid>/status``, read until the process
exits (every few milliseconds for a short CLI run). Not ``ru_maxrss`` from ``wait4``: on Linux it
also counts the pages the child shared with this (large) bench process between fork and exec.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Proc", "bot_env", "cli_command", "run_cli", "start"]


def cli_command(*args: str) -> list[str]:
    """``placement-bot <args>``: the installed console script next to this interpreter when present."""
    script = Path(sys.executable).parent / "placement-bot"
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-m", "bot.cli", *args]


def bot_env(
    *, token: str, database_url: str, api_base: str | None = None, file_base: str | None = None
) -> dict[str, str]:
    """The environment a deployment would set (product.md §1 names); digests off so no round falls due mid-measure."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL", "DIGEST"))}
    env.update({"TELEGRAM_BOT_TOKEN": token, "DATABASE_URL": database_url, "DIGESTS_ENABLED": "false"})
    if api_base:
        env["TELEGRAM_API_BASE_URL"] = api_base
    if file_base:
        env["TELEGRAM_FILE_BASE_URL"] = file_base
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _hwm_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class Proc:
    """A started subprocess; ``stop()`` returns its peak RSS in kB."""

    label: str
    popen: subprocess.Popen[bytes]
    started: float  # time.monotonic() just before the spawn
    log_path: Path
    peak_kb: int | None = None
    _log: object = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.returncode is None and self.popen.poll() is None

    def peak_now_kb(self) -> int | None:
        return _hwm_kb(self.pid)

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM (PTB stops polling and shuts down cleanly), SIGKILL after ``timeout``; reap with wait4."""
        if self.popen.returncode is not None:
            return self.peak_kb
        last = _hwm_kb(self.pid)
        self.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, _ = os.wait4(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.popen.kill()
                pid, status, _ = os.wait4(self.pid, 0)
                break
            last = _hwm_kb(self.pid) or last
            time.sleep(0.005)
        self.popen.returncode = os.waitstatus_to_exitcode(status)
        self.peak_kb = last
        if self._log is not None:
            self._log.close()  # type: ignore[attr-defined]
        return self.peak_kb

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start(label: str, command: list[str], env: dict[str, str], cwd: Path) -> Proc:
    """Spawn ``command`` with output to ``cwd/<label>.log``."""
    log_path = cwd / f"{label}.log"
    log = open(log_path, "ab")  # noqa: SIM115 - closed in Proc.stop
    started = time.monotonic()
    popen = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    return Proc(label, popen, started, log_path, _log=log)


@dataclass
class CliRun:
    returncode: int
    seconds: float
    peak_kb: int
    output: str


def run_cli(command: list[str], env: dict[str, str], cwd: Path, timeout: float = 3600.0) -> CliRun:
    """Run a one-shot command to its end; wall time and peak RSS from ``wait4``."""
    started = time.monotonic()
    popen = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert popen.stdout is not None
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(popen.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    deadline = started + timeout
    peak = 0
    while True:
        peak = max(peak, _hwm_kb(popen.pid) or 0)
        pid, status, _ = os.wait4(popen.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            popen.kill()
            pid, status, _ = os.wait4(popen.pid, 0)
            break
        time.sleep(0.005)
    seconds = time.monotonic() - started
    popen.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    popen.stdout.close()
    return CliRun(popen.returncode, seconds, peak, b"".join(chunks).decode(errors="replace"))
