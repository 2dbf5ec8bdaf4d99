"""The one snapshot store: every cache of derived placement data lives here, nowhere else.

Graduates' states as of a date, scope membership, each graduate's timeline, the scope catalog and
the cohort's targets are cached per cohort *data version*, a counter stored in the database and
bumped by every write (this process's or another's), so a change made elsewhere is seen on the
next read. The public interface is deliberately narrow — cohort, states/current/as-of, members,
timeline, placed series, catalog, targets — so its internals can later be replaced by maintained
current-state tables without touching the services that read through it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from bot.kpi import DEFAULT_TARGETS, Target
from bot.metrics import GraduateState, placed_over_time
from bot.scopes import Scope, ScopeCatalog, UserScope
from bot.services.base import Clock, ServiceError
from bot.taxonomy import MAJOR_EN_TO_ZH, pinyin_key
from storage import repo

STATE_CACHE_SIZE = 24


@dataclass(frozen=True)
class Snapshot:
    """A cohort's graduates as of one date, at one data version, with lookups by id and 学号."""

    cohort_id: int
    version: int
    roster_version: int
    states: list[GraduateState]
    position: dict[int, int] = field(default_factory=dict)
    by_student_id: dict[str, GraduateState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.position:
            self.position.update((state.graduate_id, i) for i, state in enumerate(self.states))
        if not self.by_student_id:
            self.by_student_id.update((state.student_id, state) for state in self.states)


class SnapshotStore:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._states: OrderedDict[tuple[int, date], Snapshot] = OrderedDict()
        self._members: dict[tuple, list[int]] = {}
        self._timelines: dict[int, tuple[int, dict[int, list[tuple[date, int]]]]] = {}
        self._catalogs: dict[int, tuple[int, object, ScopeCatalog]] = {}
        self._targets: dict[int, tuple[int, list[Target]]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ cohorts

    def cohort(self, session: Session, year: int | None = None) -> tuple[int, int]:
        """(cohort id, year) of the given cohort, or of the latest one."""
        cohort = repo.get_cohort(session, year) if year else repo.latest_cohort(session)
        if cohort is None or cohort.id is None:
            raise ServiceError("no_cohort" if year is None else "unknown_cohort", cohort=year)
        return cohort.id, cohort.year

    def every_cohort(self, session: Session) -> list[list[GraduateState]]:
        """Today's graduates of every cohort (for checks that must hold in all of them)."""
        return [self.states(session, c.id, self.clock.today()) for c in repo.all_cohorts(session) if c.id is not None]

    # ------------------------------------------------------------ states

    def snapshot(self, session: Session, cohort_id: int, as_of: date) -> Snapshot:
        """All graduates of a cohort as of a date, cached until the cohort's data changes."""
        version, roster_version = repo.versions(session, cohort_id)
        key = (cohort_id, as_of)
        with self._lock:
            cached = self._states.get(key)
            if cached and cached.version == version:
                self._states.move_to_end(key)
                return cached
        snap = Snapshot(cohort_id, version, roster_version, repo.graduate_states(session, cohort_id, as_of))
        with self._lock:
            self._states[key] = snap
            self._states.move_to_end(key)
            while len(self._states) > STATE_CACHE_SIZE:
                self._states.popitem(last=False)
        return snap

    def states(self, session: Session, cohort_id: int, as_of: date) -> list[GraduateState]:
        return self.snapshot(session, cohort_id, as_of).states

    def current(self, session: Session, year: int | None = None) -> list[GraduateState]:
        """Today's graduates of a cohort (the latest by default)."""
        cohort_id, _ = self.cohort(session, year)
        return self.states(session, cohort_id, self.clock.today())

    def members(self, snap: Snapshot, scope: Scope | UserScope) -> list[GraduateState]:
        """The graduates of `snap` inside `scope`. Membership depends only on the roster, so the
        positions are cached per roster version and reused for every date and every update."""
        key = (snap.cohort_id, snap.roster_version, len(snap.states), scope)
        with self._lock:
            positions = self._members.get(key)
        if positions is None:
            test = scope.covers if isinstance(scope, UserScope) else scope.matches
            positions = [i for i, state in enumerate(snap.states) if test(state)]
            with self._lock:
                if len(self._members) > 256:
                    self._members.clear()
                self._members[key] = positions
        states = snap.states
        return [states[i] for i in positions]

    def record_write(self, snap: Snapshot, today: date, version: int, new_entries: Sequence[dict[str, object]]) -> Snapshot:
        """Today's snapshot after our own write of `new_entries`, built from the cached one.

        Safe because the writer holds the cohort's write lock: no one else changed the cohort
        between reading `version` and the bump to `version + 1`.
        """
        states = list(snap.states)
        for entry in new_entries:
            position = snap.position[entry["graduate_id"]]  # type: ignore[index]
            state = states[position]
            effective: date = entry["effective_date"]  # type: ignore[assignment]
            if state.last_update is None or effective >= state.last_update:
                states[position] = replace(
                    state,
                    code=entry["code"], substate=entry["substate"], related=entry["related"],
                    employer=entry["employer"], school=entry["school"], province=entry["province"],
                    city=entry["city"], unit_nature=entry["unit_nature"], industry=entry["industry"],
                    note=entry["note"], last_update=effective,
                )  # type: ignore[arg-type]
        carried = Snapshot(snap.cohort_id, version + 1, snap.roster_version, states, snap.position, snap.by_student_id)
        with self._lock:
            cached = self._states.get((snap.cohort_id, today))
            if cached is not None and cached.version == version:
                self._states[(snap.cohort_id, today)] = carried
            else:
                self._states.pop((snap.cohort_id, today), None)
        return carried

    def forget(self) -> None:
        """Drop everything (after a rolled-back write whose results may have been cached)."""
        with self._lock:
            self._states.clear()
            self._catalogs.clear()
            self._members.clear()
            self._timelines.clear()
            self._targets.clear()

    # ------------------------------------------------------------ timelines

    def timeline(self, session: Session, cohort_id: int) -> dict[int, list[tuple[date, int]]]:
        """Each graduate's effective entries (date, code) in deciding order, cached per data version."""
        version, _ = repo.versions(session, cohort_id)
        with self._lock:
            cached = self._timelines.get(cohort_id)
            if cached and cached[0] == version:
                return cached[1]
        by_graduate: dict[int, list[tuple[date, int]]] = {}
        for graduate_id, effective, code in repo.entry_timeline(session, cohort_id):
            by_graduate.setdefault(graduate_id, []).append((effective, code))
        with self._lock:
            self._timelines[cohort_id] = (version, by_graduate)
        return by_graduate

    def placed_series(self, session: Session, cohort_id: int, members: set[int], days: Sequence[date]) -> list[int]:
        """How many of `members` were placed on each of `days` (ascending)."""
        by_graduate = self.timeline(session, cohort_id)
        entries = ((g, effective, code) for g in members for effective, code in by_graduate.get(g, ()))
        return placed_over_time(entries, members, days)

    # ------------------------------------------------------------ catalog and targets

    def catalog(self, session: Session, cohort_id: int) -> ScopeCatalog:
        _, version = repo.versions(session, cohort_id)
        alias_version = repo.alias_stamp(session)  # in the database: another process may add aliases
        with self._lock:
            cached = self._catalogs.get(cohort_id)
            if cached and cached[0] == version and cached[1] == alias_version:
                return cached[2]
        catalog = ScopeCatalog.build(
            self.states(session, cohort_id, self.clock.today()),
            english_names=repo.english_names(session, cohort_id),
            user_aliases=repo.aliases(session),
            builtin_major_en=MAJOR_EN_TO_ZH,
            pinyin=pinyin_key,
        )
        with self._lock:
            self._catalogs[cohort_id] = (version, alias_version, catalog)
        return catalog

    def targets(self, session: Session, cohort_id: int) -> list[Target]:
        """The cohort's checkpoint targets, or domain.md's default scheme when none were set.
        Replacing targets bumps the data version, which retires this cache entry."""
        version, _ = repo.versions(session, cohort_id)
        with self._lock:
            cached = self._targets.get(cohort_id)
            if cached and cached[0] == version:
                return list(cached[1])
        stored = repo.checkpoint_targets(session, cohort_id)
        targets = (
            [Target(t.month, t.day, t.degree, Decimal(t.target), t.department) for t in stored]
            if stored
            else list(DEFAULT_TARGETS)
        )
        with self._lock:
            self._targets[cohort_id] = (version, targets)
        return list(targets)
