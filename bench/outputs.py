"""Chart render and workbook build times on a generated cohort, through `OutputService`.

    .venv/bin/python bench/outputs.py [--graduates 20000] [--repeat 7]

Each figure is the median of `--repeat` runs of the whole service call (database snapshot from
cache, data assembly, rendering), as `/chart`, `/export` and `/report` do in a worker thread.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox.cohort_gen import generate_cohort
from bot.services import SYSTEM, Services
from bot.services.outputs import CHART_KINDS
from bot.settings import Settings
from storage.db import Database
from storage.schema import upgrade_database


def timed(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


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
            service.updates.apply_message(
                admin, "\n".join(lines[start : start + 2000]), chat_id=None, message_id=None
            )
        outputs = service.outputs
        outputs.chart(admin, "rates", [])  # warm: font registration, snapshot cache
        print(f"{graduates} graduates, {len(lines)} history entries; median of {repeat} runs")
        for kind in CHART_KINDS:
            print(
                f"/chart {kind:<7} school: {timed(lambda k=kind: outputs.chart(admin, k, []), repeat):7.0f} ms"
            )
        major = cohort.majors[0]
        print(
            f"/chart rates   {major}: {timed(lambda: outputs.chart(admin, 'rates', [major]), repeat):7.0f} ms"
        )
        print(
            f"/export        school: {timed(lambda: outputs.export(admin, []), max(3, repeat // 2)):7.0f} ms"
        )
        print(
            f"/report        school: {timed(lambda: outputs.report(admin, []), max(3, repeat // 2)):7.0f} ms"
        )
        service.db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    main(args.graduates, args.repeat)
