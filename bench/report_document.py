"""Time and peak memory of `/report`'s Word draft (and of both files) on a generated cohort.

    .venv/bin/python bench/report_document.py [--graduates 20000] [--repeat 3]

Through `OutputService`, as `/report` does in a worker thread: the snapshot (cached after a warm-up
call), the tables, five charts at print resolution, the .docx — and, for `report_files`, the
workbook too. Peak memory is Python's allocations during the call (tracemalloc) and the process's
resident high-water mark (ru_maxrss) before and after the first draft. Target (issue 17): ≤ 5 s and
≤ 200 MB; on a shared machine read the CPU seconds beside the wall time.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox.cohort_gen import generate_cohort
from bot.services import SYSTEM, Services
from bot.settings import Settings
from storage.db import Database
from storage.schema import upgrade_database


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(func, repeat: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(median wall seconds, median CPU seconds of this process, peak traced MB of one more run).

    CPU seconds are what the call costs when it has a core to itself: on a shared machine the wall
    time also counts the time other processes held the cores."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(walls), statistics.median(cpus), peak / 2**20


def main(graduates: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_database(url)
        settings = Settings(_env_file=None, database_url=url, home_province="山东")  # type: ignore[call-arg]
        service = Services.build(Database.connect(url), settings)
        cohort = generate_cohort(graduates, seed=3, departments=10, majors=40)
        roster = io.BytesIO()
        cohort.to_xlsx(roster)
        service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)
        service.access.grant(1, "admin", name="bench")
        admin = service.access.actor(1)
        assert admin is not None
        lines = [e.as_line() for e in cohort.events]
        for start in range(0, len(lines), 2000):
            service.updates.apply_message(admin, "\n".join(lines[start : start + 2000]), chat_id=None, message_id=None)
        outputs = service.outputs
        outputs.report(admin, [])  # warm: snapshot cache, imports
        rss_before = max_rss_mb()
        draft = outputs.report_draft(admin, [])
        rss_after = max_rss_mb()
        print(f"{graduates} graduates, {len(lines)} history entries; median of {repeat} runs; load {os.getloadavg()[0]:.1f}")
        print(f"process max RSS: {rss_before:.0f} MB before the first draft, {rss_after:.0f} MB after it")
        wall, cpu, peak = measure(lambda: outputs.report_draft(admin, []), repeat)
        print(f"draft (.docx, 5 charts at print dpi): {wall:6.2f} s wall, {cpu:6.2f} s CPU, peak traced {peak:6.1f} MB")
        wall, cpu, peak = measure(lambda: outputs.report_files(admin, []), repeat)
        print(f"/report (draft + workbook):            {wall:6.2f} s wall, {cpu:6.2f} s CPU, peak traced {peak:6.1f} MB")
        print(f"draft size: {len(draft.data) / 1024:.0f} KB")  # type: ignore[union-attr]
        service.db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    main(args.graduates, args.repeat)
