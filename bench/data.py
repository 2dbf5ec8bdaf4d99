"""Bench data: K generated cohorts, their roster files, a history loaded in bulk, the users, and the
messages of real changes that the measured part sends through Telegram.

Loading is setup, not what is measured: roster files of the older cohorts go through the real CLI
in parts, history goes in with ``storage.repo.insert_entries`` (one batch per cohort), users with
``AccessService.grant``. Each graduate gets several entries: the generator's own season, plus
earlier 求职中/面试中 reports when the requested history is larger than what the generator gives.

The final update of some graduates of the newest cohort is held back: those become the 60-line
messages of real changes (each line differs from the graduate's stored destination).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from bot.sandbox.cohort_gen import GenCohort, GenEvent, generate_cohort
from storage import repo
from storage.db import Database
from storage.models import Batch, Cohort

ADMIN = 1001
FIRST_HEAD = 2_000
FIRST_COUNSELLOR = 50_000
FIRST_EXTRA = 90_000
LINES_PER_MESSAGE = 60
NEWEST_COHORT = 2025  # its season (to 2025-12-20) lies before today: no line is dated in the future


@dataclass
class Messages:
    """(chat, text) pairs in the order they are sent; every text has ``LINES_PER_MESSAGE`` lines."""

    items: list[tuple[int, str]] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(text.count("\n") + 1 for _, text in self.items)

    def per_chat(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for chat, _ in self.items:
            counts[chat] = counts.get(chat, 0) + 1
        return counts


@dataclass
class Plan:
    """What the measured part sends: two bursts (limiter off, on) and single messages."""

    burst_off: Messages
    burst_on: Messages
    singles: Messages
    counsellor_chats: dict[str, int]


def applied_lines(text: str | None) -> int:
    """Lines the bot says it applied (its zh or en ingest reply)."""
    match = re.match(r"(?:已更新|Updated) (\d+)", text or "")
    return int(match.group(1)) if match else 0


def cohorts(graduates: int, count: int, *, seed: int = 3) -> list[GenCohort]:
    """``count`` cohorts of ``graduates`` each, the newest last."""
    years = range(NEWEST_COHORT - count + 1, NEWEST_COHORT + 1)
    return [
        generate_cohort(graduates, seed=seed + i, cohort=year, departments=10, majors=40)
        for i, year in enumerate(years)
    ]


def write_roster_parts(cohort: GenCohort, folder: Path, rows_per_part: int) -> list[Path]:
    """The roster as CSV files of at most ``rows_per_part`` rows (setup imports stay under any size limit)."""
    paths = []
    for part, start in enumerate(range(0, len(cohort.graduates), rows_per_part)):
        piece = GenCohort(
            cohort=cohort.cohort, graduates=cohort.graduates[start : start + rows_per_part], events=[],
            counsellors=cohort.counsellors, departments=cohort.departments, majors=cohort.majors,
        )  # fmt: skip
        path = folder / f"roster-{cohort.cohort}-part{part + 1}.csv"
        piece.to_csv(path)
        paths.append(path)
    return paths


def _same(a: GenEvent, b: GenEvent) -> bool:
    return (a.code, a.substate, a.employer, a.school) == (b.code, b.substate, b.employer, b.school)


def _by_graduate(events: Iterable[GenEvent]) -> dict[str, list[GenEvent]]:
    out: dict[str, list[GenEvent]] = {}
    for event in events:
        out.setdefault(event.student_id, []).append(event)
    return out


def plan_messages(
    cohort: GenCohort, *, messages: int, singles: int, first_chat: int = FIRST_COUNSELLOR
) -> Plan:
    """Pick whole 60-line messages of real changes, round-robin over counsellors (as they type at once).

    Singles come first (one per counsellor), then the limiter-off burst, then the limiter-on burst;
    the three share no graduate. Fewer burst messages than asked when the cohort is too small.
    """
    names = sorted(cohort.counsellors)
    chats = {name: first_chat + i for i, name in enumerate(names)}
    history = _by_graduate(cohort.events)
    lines: dict[str, list[str]] = {name: [] for name in names}
    for graduate in cohort.graduates:
        own = history.get(graduate.student_id)
        if not own or graduate.counsellor not in lines:
            continue
        final = own[-1]
        if len(own) > 1 and _same(own[-2], final):
            continue  # not a change once the earlier entries are stored
        lines[graduate.counsellor].append(final.as_line())
    chunks = {
        name: [
            own[i : i + LINES_PER_MESSAGE]
            for i in range(0, len(own) - LINES_PER_MESSAGE + 1, LINES_PER_MESSAGE)
        ]
        for name, own in lines.items()
    }
    ordered: list[tuple[int, str]] = []
    for round_no in range(max((len(c) for c in chunks.values()), default=0)):
        for name in names:
            if round_no < len(chunks[name]):
                ordered.append((chats[name], "\n".join(chunks[name][round_no])))
    singles = min(singles, len(ordered) // 3 if messages else len(ordered))
    per_burst = min(messages, (len(ordered) - singles) // 2)
    return Plan(
        burst_off=Messages(ordered[singles : singles + per_burst]),
        burst_on=Messages(ordered[singles + per_burst : singles + 2 * per_burst]),
        singles=Messages(ordered[:singles]),
        counsellor_chats=chats,
    )


def held_back(plan: Plan) -> set[str]:
    """Student IDs whose final update is sent through Telegram, not loaded."""
    ids: set[str] = set()
    for group in (plan.burst_off, plan.burst_on, plan.singles):
        for _, text in group.items:
            ids.update(line.split(" ", 1)[0] for line in text.split("\n"))
    return ids


def _earlier(first: tuple[int, str | None, dt.date], extra: int) -> list[dict[str, object]]:
    """``extra`` earlier 求职中/面试中 reports, fortnightly, before ``first`` = (code, substate, date),
    the last one differing from it."""
    rows: list[dict[str, object]] = []
    code, substate, when = first
    sub = "求职中" if (code, substate) != (70, "求职中") else "面试中"
    for k in range(extra, 0, -1):
        rows.append({
            "code": 70, "substate": sub if k % 2 == 1 else ("面试中" if sub == "求职中" else "求职中"),
            "employer": None, "school": None, "province": None, "city": None, "unit_nature": None,
            "industry": None, "related": None, "note": None, "effective_date": when - dt.timedelta(days=14 * k),
        })  # fmt: skip
    return rows


def _row(event: GenEvent) -> dict[str, object]:
    return {
        "code": event.code, "substate": event.substate, "employer": event.employer, "school": event.school,
        "province": event.province, "city": event.city, "unit_nature": event.unit_nature, "industry": event.industry,
        "related": event.related, "note": event.note, "effective_date": event.effective_date,
    }  # fmt: skip


def load_history(url: str, cohort: GenCohort, entries: int, skip_final_of: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """Insert about ``entries`` history rows for ``cohort`` (whose roster is imported); returns the count.

    The generator's events come first; earlier reports spread evenly over the graduates make up the
    rest. Graduates in ``skip_final_of`` lose their final event (it is sent through Telegram later).
    """
    history = _by_graduate(cohort.events)
    generated = sum(len(v) for v in history.values()) - len(skip_final_of)
    missing = max(0, entries - generated)
    per = missing // max(1, len(cohort.graduates))
    remainder = missing - per * len(cohort.graduates)
    season_end = dt.date(cohort.cohort, 12, 1)
    db = Database.connect(url)
    try:
        with db.write() as session:
            year = session.exec(select(Cohort).where(Cohort.year == cohort.cohort)).one()
            assert year.id is not None
            ids = {sid: g.id for sid, g in repo.graduates_by_student_id(session, year.id).items()}
            batch = Batch(cohort_id=year.id, user_id=None, source="import")
            session.add(batch)
            session.flush()
            rows: list[dict[str, object]] = []
            for index, graduate in enumerate(cohort.graduates):
                own = list(history.get(graduate.student_id, ()))
                if graduate.student_id in skip_final_of:
                    own = own[:-1]
                extra = per + (1 if index < remainder else 0)
                event = own[0] if own else history.get(graduate.student_id, [None])[0]  # type: ignore[list-item]
                # a graduate the generator left unreported gets reports before the season's end
                first = (event.code, event.substate, event.effective_date) if event else (0, None, season_end)
                graduate_rows = (_earlier(first, extra) if extra else []) + [_row(e) for e in own]
                gid = ids[graduate.student_id]
                rows.extend(
                    {**r, "cohort_id": year.id, "graduate_id": gid, "batch_id": batch.id, "line_no": None}
                    for r in graduate_rows
                )
            rows.sort(key=lambda r: r["effective_date"])  # type: ignore[arg-type, return-value]
            for start in range(0, len(rows), 20_000):
                repo.insert_entries(session, rows[start : start + 20_000])
            batch.applied = len(rows)
            repo.bump_data_version(session, year.id)
        return len(rows)
    finally:
        db.dispose()


def entries_per_cohort(total: int, cohorts_count: int) -> int:
    return math.ceil(total / max(1, cohorts_count))
