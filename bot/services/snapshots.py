"""The one snapshot store: every cache of derived placement data lives here, nowhere else.

Per cohort it keeps the roster (graduates with their attributes, loaded once per roster version)
and a compact columnar timeline of every effective entry — numpy arrays of (graduate position, day,
entry id, state key), where a state key interns everything a tally needs of a graduate (code,
related, unplaced label). A graduate's state as of any date is "the last entry ≤ D in (day, id)
order", found for the whole cohort in a few vectorised passes; counts of a scope are a bincount of
those keys over the scope's positions. Nothing here is a per-date list of 100,000 objects except a
small LRU of full snapshots for the readers that need names and employers.

Everything is tagged with the cohort's *data version*, a counter in the database bumped by every
write (this process's or another's). On a new version the store reads only what changed: entries
with an id above the last one seen (a cohort's writers are serialised by its lock, so ids grow in
commit order) and the entries of batches undone since; a roster change reloads the cohort.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property

import numpy as np
from sqlmodel import Session

from bot.kpi import DEFAULT_TARGETS, Target
from bot.metrics import (
    EMPLOYED_CODES,
    STUDY_CODES,
    UNPLACED_LABELS,
    GraduateState,
    PlacementCounts,
    counts_of,
    group_values,
)
from bot.scopes import WHOLE_SCHOOL, Scope, ScopeCatalog, UserScope, attributes_read
from bot.services.base import Clock, ServiceError
from bot.suggestions import IdIndex, NameIndex
from bot.taxonomy import MAJOR_EN_TO_ZH, pinyin_key
from storage import repo

SNAPSHOT_CACHE_SIZE = 3  # full GraduateState lists (names, exports, digests): few, they are big
KEYS_CACHE_SIZE = 12  # per cohort: 3 small ints per graduate per date (1.6 MB at 100,000)
MERGE_TAIL = 20_000  # entries appended since the last sort before the arrays are re-sorted
CURRENT = date.max.toordinal()  # "as of today": the latest entry of each graduate, whatever its date

StateKey = tuple[int, bool | None, str | None]


def state_key(code: int, related: bool | None, substate: str | None) -> StateKey:
    """What `tally` reads of a graduate: the code, relatedness if employed, the label if unplaced."""
    if code in EMPLOYED_CODES:
        return (code, related, None)
    if code in STUDY_CODES:
        return (code, None, None)
    return (code, None, substate or UNPLACED_LABELS.get(code, "待就业"))


class _KeyTable:
    """Interned state keys; id 0 is a graduate without any entry (未上报)."""

    def __init__(self) -> None:
        self.keys: list[StateKey] = [state_key(0, None, None)]
        self.ids: dict[StateKey, int] = {self.keys[0]: 0}
        self.placed = np.zeros(1, dtype=bool)
        self._lock = threading.Lock()

    def id(self, key: StateKey) -> int:
        found = self.ids.get(key)
        if found is not None:
            return found
        with self._lock:
            if key not in self.ids:
                placed = np.append(self.placed, key[0] in EMPLOYED_CODES or key[0] in STUDY_CODES)
                self.keys.append(key)
                self.ids[key] = len(self.keys) - 1
                self.placed = placed
            return self.ids[key]

    def counts(self, key_counts: np.ndarray) -> PlacementCounts:
        by_code: dict[int, int] = {}
        by_substate: dict[str, int] = {}
        related_yes = related_known = 0
        for kid in np.flatnonzero(key_counts):
            n = int(key_counts[kid])
            code, related, label = self.keys[kid]
            by_code[code] = by_code.get(code, 0) + n
            if code in EMPLOYED_CODES:
                if related is not None:
                    related_known += n
                    related_yes += n if related else 0
            elif code not in STUDY_CODES:
                assert label is not None
                by_substate[label] = by_substate.get(label, 0) + n
        return counts_of(by_code, by_substate, related_yes, related_known)


@dataclass(frozen=True)
class Snapshot:
    """A cohort's graduates as of one date, at one data version, with lookups by id and 学号."""

    cohort_id: int
    version: int
    roster_version: int
    states: list[GraduateState]
    position: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.position:
            self.position.update((state.graduate_id, i) for i, state in enumerate(self.states))

    @cached_property
    def by_student_id(self) -> dict[str, GraduateState]:
        return {state.student_id: state for state in self.states}


@dataclass(frozen=True)
class Selection:
    """Which of a cohort's graduates a scope holds, as roster positions: counted without states."""

    cohort_id: int
    roster_version: int
    positions: np.ndarray

    def __len__(self) -> int:
        return int(self.positions.size)


def _profiles(
    roster: _Roster, states: Callable[[], list[GraduateState]], attributes: tuple[str, ...]
) -> tuple[list[GraduateState], list[np.ndarray]]:
    """One representative graduate per distinct combination of `attributes` (what a scope reads),
    and each combination's positions; cached per roster and attribute set."""
    cache_key = ("profiles", attributes)
    found = roster.cache.get(cache_key)
    if found is None:
        index: dict[tuple, list[int]] = {}
        representative: dict[tuple, GraduateState] = {}
        for i, state in enumerate(states()):
            key = tuple(getattr(state, name, None) for name in attributes)
            index.setdefault(key, []).append(i)
            representative.setdefault(key, state)
        found = roster.cache[cache_key] = (
            [representative[key] for key in index], [np.array(positions, dtype=np.int64) for positions in index.values()]
        )
    return found  # type: ignore[return-value]


class _Roster:
    """A cohort's graduates in student_id order. Only their ids are read up front (all that counting
    the whole cohort needs); the roster attributes are loaded the first time a scope needs them."""

    def __init__(self, cohort_id: int, version: int, rows: Sequence[tuple[int, str, str | None]]) -> None:
        self.cohort_id = cohort_id
        self.version = version
        self.ids = [row[0] for row in rows]
        self.size = len(rows)
        self.position = dict(zip(self.ids, range(self.size), strict=True))
        self.cache: dict[object, object] = {}  # selections, name indexes, group codes
        labels: dict[tuple, int] = {}
        codes = np.fromiter((labels.setdefault((row[1], row[2]), len(labels)) for row in rows), dtype=np.int64, count=self.size)
        self.cache[("groups", ("department", "degree"))] = (list(labels), codes)
        self._states: list[GraduateState] | None = None
        self._by_student_id: dict[str, GraduateState] | None = None
        self._suggestions: _SuggestionIndex | None = None
        self._indexing = threading.Lock()  # one thread builds the "did you mean" index, the others wait
        # Sixteen updates of a burst arrive at once on a fresh worker: one of them reads the roster,
        # the others wait for it instead of reading it sixteen times over.
        self._loading = threading.Lock()

    def lookup(self) -> np.ndarray:
        """Position by graduate id (−1: not in this roster)."""
        found = self.cache.get("lookup")
        if found is None:
            ids = np.array(self.ids, dtype=np.int64)
            found = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int32)
            found[ids] = np.arange(self.size, dtype=np.int32)
            self.cache["lookup"] = found
        return found  # type: ignore[return-value]

    def states(self, session: Session) -> list[GraduateState]:
        """The graduates with their roster attributes (code 0), read in the caller's session, which
        found this roster's version."""
        if self._states is None:
            with self._loading:
                if self._states is None:
                    states = repo.roster_states(session, self.cohort_id)
                    if [s.graduate_id for s in states] != self.ids:  # the roster changed in between (PostgreSQL)
                        raise RuntimeError("the roster changed while it was read; ask again")
                    self._states = states
        return self._states

    def by_student_id(self, session: Session) -> dict[str, GraduateState]:
        if self._by_student_id is None:
            states = self.states(session)
            with self._loading:
                if self._by_student_id is None:
                    self._by_student_id = {s.student_id: s for s in states}
        return self._by_student_id

    def suggestions(self, session: Session) -> _SuggestionIndex:
        """The roster's 学号 and name indexes for "did you mean", built once per roster version."""
        if self._suggestions is None:
            states = self.states(session)
            with self._indexing:
                if self._suggestions is None:
                    self._suggestions = _SuggestionIndex.build(states)
        return self._suggestions


@dataclass(frozen=True)
class _SuggestionIndex:
    """A roster's 学号 (by position) and distinct names, indexed; `name_of` maps positions to names."""

    ids: IdIndex
    names: NameIndex
    name_of: np.ndarray

    @classmethod
    def build(cls, states: Sequence[GraduateState]) -> _SuggestionIndex:
        names = [s.name for s in states]
        distinct = {name: i for i, name in enumerate(dict.fromkeys(names))}
        name_of = np.array([distinct[name] for name in names], dtype=np.int64)
        return cls(IdIndex([s.student_id for s in states]), NameIndex(list(distinct)), name_of)


@dataclass(frozen=True)
class Suggester:
    """The "did you mean" of one scope: the roster's indexes with the scope's members marked. Safe to
    share between threads (nothing in it changes); the same for every line of a message."""

    index: _SuggestionIndex
    members: np.ndarray  # by roster position
    named: np.ndarray  # by distinct name: a member bears it

    def student_ids(self, words: Sequence[str]) -> list[str | None]:
        """The closest 学号 of the scope to each word (difflib's ratio ≥ 0.8), or None."""
        return [found[0] if found else None for found in self.index.ids.closest_many(words, self.members)]

    def name(self, word: str) -> str | None:
        """The closest name of the scope (difflib's ratio ≥ 0.5), or None."""
        found = self.index.names.closest(word, self.named)
        return found[0] if found else None


@dataclass(frozen=True)
class _At:
    """Each graduate's deciding entry as of one day: state key, day and entry id (−1: none)."""

    key: np.ndarray
    day: np.ndarray
    eid: np.ndarray

    def overlay(self, entries: Iterable[tuple[int, int, int, int]], as_of: int) -> _At:
        """These arrays with (position, day, id, key) entries applied, copied only if one counts."""
        out: _At | None = None
        for position, day, eid, key in entries:
            target = out or self
            if day <= as_of and (day, eid) > (int(target.day[position]), int(target.eid[position])):
                if out is None:
                    out = _At(self.key.copy(), self.day.copy(), self.eid.copy())
                out.key[position], out.day[position], out.eid[position] = key, day, eid
        return out or self


@dataclass
class _Timeline:
    """A cohort's effective entries as arrays sorted by (position, day, id), plus a short unsorted
    tail of entries added since; `at` caches the deciding entries per day (LRU)."""

    roster_version: int
    version: int
    undone: frozenset[int]
    last_id: int
    pos: np.ndarray
    day: np.ndarray
    eid: np.ndarray
    key: np.ndarray
    tail: list[tuple[int, int, int, int]]
    size: int  # graduates
    at: OrderedDict[int, _At] = field(default_factory=OrderedDict)

    def first_day(self) -> int | None:
        days = [int(self.day.min())] if self.day.size else []
        days.extend(day for _, day, _, _ in self.tail)
        return min(days) if days else None

    def compute(self, as_of: int) -> _At:
        cached = self.at.get(as_of)
        if cached is not None:
            self.at.move_to_end(as_of)
            return cached
        key = np.zeros(self.size, dtype=np.int32)
        day = np.full(self.size, -1, dtype=np.int32)
        eid = np.full(self.size, -1, dtype=np.int64)
        idx = np.flatnonzero(self.day <= as_of)
        if idx.size:
            positions = self.pos[idx]
            last = np.ones(idx.size, dtype=bool)
            last[:-1] = positions[1:] != positions[:-1]
            chosen = idx[last]
            where = self.pos[chosen]
            key[where], day[where], eid[where] = self.key[chosen], self.day[chosen], self.eid[chosen]
        result = _At(key, day, eid).overlay(self.tail, as_of)
        self.at[as_of] = result
        while len(self.at) > KEYS_CACHE_SIZE:
            self.at.popitem(last=False)
        return result


def _merged(timeline: _Timeline) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The timeline's sorted arrays with its tail merged in, sorted again."""
    tail = np.array(timeline.tail, dtype=np.int64).reshape(-1, 4)
    pos = np.concatenate([timeline.pos, tail[:, 0].astype(np.int32)])
    day = np.concatenate([timeline.day, tail[:, 1].astype(np.int32)])
    eid = np.concatenate([timeline.eid, tail[:, 2]])
    key = np.concatenate([timeline.key, tail[:, 3].astype(np.int32)])
    order = np.lexsort((eid, day, pos))
    return pos[order], day[order], eid[order], key[order]


class SnapshotStore:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._keys = _KeyTable()
        self._rosters: dict[int, _Roster] = {}
        self._timelines: dict[int, _Timeline] = {}
        self._states: OrderedDict[tuple[int, int], Snapshot] = OrderedDict()
        self._catalogs: dict[int, tuple[int, object, ScopeCatalog]] = {}
        self._targets: dict[int, tuple[int, list[Target]]] = {}
        self._lock = threading.RLock()

    def _day(self, as_of: date) -> int:
        """The ordinal a date is counted at. Today (or later) means the current state: every entry,
        whatever its date — an update dated by the message's clock counts as soon as it is stored."""
        return CURRENT if as_of >= self.clock.today() else as_of.toordinal()

    # ------------------------------------------------------------ cohorts

    def cohort(self, session: Session, year: int | None = None) -> tuple[int, int]:
        """(cohort id, year) of the given cohort, or of the latest one."""
        cohort = repo.get_cohort(session, year) if year else repo.latest_cohort(session)
        if cohort is None or cohort.id is None:
            raise ServiceError("no_cohort" if year is None else "unknown_cohort", cohort=year)
        return cohort.id, cohort.year

    def every_cohort(self, session: Session) -> list[list[GraduateState]]:
        """Every cohort's graduates with their roster attributes (for checks that must hold in all)."""
        return [self._roster(session, c.id).states(session) for c in repo.all_cohorts(session) if c.id is not None]

    # ------------------------------------------------------------ synchronising with the database

    def _roster(self, session: Session, cohort_id: int, roster_version: int | None = None) -> _Roster:
        if roster_version is None:
            roster_version = repo.versions(session, cohort_id)[1]
        with self._lock:
            roster = self._rosters.get(cohort_id)
            if roster is not None and roster.version == roster_version:
                return roster
            roster = _Roster(cohort_id, roster_version, repo.roster_ids(session, cohort_id))
            self._rosters[cohort_id] = roster
            return roster

    def _timeline(self, session: Session, cohort_id: int) -> tuple[_Roster, _Timeline]:
        """The cohort's roster and timeline at the database's current data version."""
        version, roster_version = repo.versions(session, cohort_id)  # first: entries read after are ≥ it
        with self._lock:
            roster = self._roster(session, cohort_id, roster_version)
            timeline = self._timelines.get(cohort_id)
            if timeline is not None and timeline.roster_version == roster_version and timeline.version == version:
                return roster, timeline
            if timeline is None or timeline.roster_version != roster_version:
                timeline = self._load(session, cohort_id, roster, version)
            else:
                timeline = self._catch_up(session, cohort_id, roster, timeline, version)
            self._timelines[cohort_id] = timeline
            return roster, timeline

    def _load(self, session: Session, cohort_id: int, roster: _Roster, version: int) -> _Timeline:
        undone = repo.undone_batches(session, cohort_id)
        pos, day, eid, key = self._columns(roster, repo.entry_keys(session, cohort_id))
        order = np.lexsort((eid, day, pos))
        pos, day, eid, key = pos[order], day[order], eid[order], key[order]
        last_id = int(eid.max()) if eid.size else 0
        return _Timeline(roster.version, version, undone, last_id, pos, day, eid, key, [], roster.size)

    def _columns(self, roster: _Roster, chunks: Iterable[Sequence[tuple]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Entry rows (id, graduate_id, day, code, related, substate), a chunk at a time, as
        position, day, id and key columns (positions by one array lookup; keys interned once per
        distinct triple)."""
        lookup = roster.lookup()
        interned: dict[tuple, int] = {}
        key_id = self._keys.id
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for rows in chunks:
            ids, graduate_ids, days, codes, related, substates = zip(*rows, strict=True)
            wanted = np.array(graduate_ids, dtype=np.int64)
            if int(wanted.max()) >= lookup.size or (pos := lookup[wanted]).min() < 0:  # not in this roster version
                raise RuntimeError("the roster changed while entries were read; ask again")
            triples = list(zip(codes, related, substates, strict=True))
            for triple in set(triples) - interned.keys():
                code, rel, substate = triple
                interned[triple] = key_id(state_key(code, None if rel is None else bool(rel), substate))
            key = np.fromiter(map(interned.__getitem__, triples), dtype=np.int32, count=len(triples))
            parts.append((pos, np.array(days, dtype=np.int32), np.array(ids, dtype=np.int64), key))
        if not parts:
            return (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32))
        return tuple(np.concatenate([part[i] for part in parts]) for i in range(4))  # type: ignore[return-value]

    def _catch_up(self, session: Session, cohort_id: int, roster: _Roster, old: _Timeline, version: int) -> _Timeline:
        """Apply what other writes changed: new entries (id > last seen) and entries undone."""
        undone = repo.undone_batches(session, cohort_id)
        if undone != old.undone:
            gone = np.array(repo.entry_ids_of_batches(session, sorted(undone - old.undone)), dtype=np.int64)
            keep = ~np.isin(old.eid, gone)
            removed = set(gone.tolist())
            old = _Timeline(
                old.roster_version, old.version, undone, old.last_id, old.pos[keep], old.day[keep], old.eid[keep],
                old.key[keep], [t for t in old.tail if t[2] not in removed], old.size,
            )  # every cached day may have changed: recomputed on demand
            self._drop_snapshots(cohort_id)
        columns = self._columns(roster, repo.entry_keys(session, cohort_id, old.last_id))
        new = sorted(zip(*(c.tolist() for c in columns), strict=True), key=lambda entry: entry[2])
        new_ids = [entry[2] for entry in new]
        tail = old.tail + new
        timeline = _Timeline(
            old.roster_version, version, undone, max([old.last_id, *new_ids]), old.pos, old.day, old.eid,
            old.key, tail, old.size,
        )
        if len(tail) > MERGE_TAIL:
            timeline.pos, timeline.day, timeline.eid, timeline.key = _merged(timeline)
            timeline.tail = []
        if old.at is not None and undone == old.undone:
            for as_of, at in old.at.items():
                timeline.at[as_of] = at.overlay(new, as_of)
        if new:
            self._patch_snapshots(session, cohort_id, roster, timeline, new_ids)
        with self._lock:
            for key, snap in list(self._states.items()):
                if key[0] == cohort_id and snap.version == old.version:
                    self._states[key] = replace(snap, version=version)
        return timeline

    def _patch_snapshots(self, session: Session, cohort_id: int, roster: _Roster, timeline: _Timeline, ids: list[int]) -> None:
        """Bring cached full snapshots up to date with new entries (only the graduates they decide)."""
        new_ids = set(ids)
        fields: dict[int, dict[str, object]] | None = None
        for key, snap in list(self._states.items()):
            if key[0] != cohort_id:
                continue
            at = timeline.compute(key[1])
            changed = [int(p) for p in np.flatnonzero(np.isin(at.eid, ids))] if new_ids else []
            if not changed:
                continue
            if fields is None:
                fields = repo.entries_by_id(session, ids)
            states = list(snap.states)
            for p in changed:
                entry = fields[int(at.eid[p])]
                states[p] = replace(
                    snap.states[p],
                    code=entry["code"], substate=entry["substate"],
                    related=None if entry["related"] is None else bool(entry["related"]),
                    employer=entry["employer"], school=entry["school"], province=entry["province"], city=entry["city"],
                    unit_nature=entry["unit_nature"], industry=entry["industry"], note=entry["note"],
                    last_update=entry["effective_date"],
                )  # type: ignore[arg-type]
            self._states[key] = Snapshot(cohort_id, snap.version, snap.roster_version, states, snap.position)

    def _drop_snapshots(self, cohort_id: int) -> None:
        for key in [k for k in self._states if k[0] == cohort_id]:
            del self._states[key]

    def warm(self, session: Session) -> None:
        """Load what the first questions need — every cohort's timeline and scope catalog (with
        its pinyin table) — so that a freshly started worker answers at once. The latest cohort
        first: it is the one nearly every question is about."""
        for cohort in sorted(repo.all_cohorts(session), key=lambda c: c.year, reverse=True):
            if cohort.id is not None:
                self._timeline(session, cohort.id)
                self.catalog(session, cohort.id)

    def forget(self) -> None:
        """Drop everything (after a rolled-back write whose results may have been cached)."""
        with self._lock:
            self._rosters.clear()
            self._timelines.clear()
            self._states.clear()
            self._catalogs.clear()
            self._targets.clear()

    # ------------------------------------------------------------ full states (names, exports, digests)

    def snapshot(self, session: Session, cohort_id: int, as_of: date) -> Snapshot:
        """All graduates of a cohort as of a date, with every field. Few are cached: prefer
        `select` and `counts` for figures."""
        roster, _ = self._timeline(session, cohort_id)
        version, _ = repo.versions(session, cohort_id)
        key = (cohort_id, self._day(as_of))
        with self._lock:
            cached = self._states.get(key)
            if cached and cached.version == version:
                self._states.move_to_end(key)
                return cached
        states = repo.graduate_states(session, cohort_id, date.fromordinal(key[1]), roster.states(session))
        snap = Snapshot(cohort_id, version, roster.version, states, roster.position)
        with self._lock:
            self._states[key] = snap
            self._states.move_to_end(key)
            while len(self._states) > SNAPSHOT_CACHE_SIZE:
                self._states.popitem(last=False)
        return snap

    def states(self, session: Session, cohort_id: int, as_of: date) -> list[GraduateState]:
        return self.snapshot(session, cohort_id, as_of).states

    def current(self, session: Session, year: int | None = None) -> list[GraduateState]:
        """Today's graduates of a cohort (the latest by default)."""
        cohort_id, _ = self.cohort(session, year)
        return self.states(session, cohort_id, self.clock.today())

    def members(self, snap: Snapshot, scope: Scope | UserScope) -> list[GraduateState]:
        """The graduates of `snap` inside `scope`."""
        roster = self._rosters.get(snap.cohort_id)
        if roster is None or roster.version != snap.roster_version:
            test = scope.covers if isinstance(scope, UserScope) else scope.matches
            return [state for state in snap.states if test(state)]
        states = snap.states
        return [states[i] for i in self._positions(roster, scope, lambda: states).positions.tolist()]

    # ------------------------------------------------------------ scopes as positions, and counts

    def _positions(self, roster: _Roster, scope: Scope | UserScope, states: Callable[[], list[GraduateState]]) -> Selection:
        """A scope's positions in the roster; `states` gives the roster-ordered states to test."""
        key = ("select", scope)
        found = roster.cache.get(key)
        if found is None:
            if (isinstance(scope, UserScope) and scope.everything) or scope == WHOLE_SCHOOL:
                positions = np.arange(roster.size, dtype=np.int64)
            else:
                # A scope reads roster attributes only, so it is tested once per distinct profile
                # (a few hundred in a cohort), not once per graduate: a digest round asks for a
                # thousand scopes.
                test = scope.covers if isinstance(scope, UserScope) else scope.matches
                representatives, members = _profiles(roster, states, attributes_read(scope))
                chosen = [positions for state, positions in zip(representatives, members, strict=True) if test(state)]
                positions = np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)
            if len(roster.cache) > 512:  # bounded: drop the per-scope entries, keep the per-roster ones
                for old in [k for k in list(roster.cache) if isinstance(k, tuple) and k[0] in ("select", "names", "suggest")]:
                    roster.cache.pop(old, None)
            found = roster.cache[key] = Selection(roster.cohort_id, roster.version, positions)
        return found  # type: ignore[return-value]

    def select(self, session: Session, cohort_id: int, scope: Scope | UserScope, within: UserScope | None = None) -> tuple[Selection, int]:
        """The graduates of `scope` (that `within` also covers), and how many `scope` holds in all."""
        roster = self._roster(session, cohort_id)
        asked = self._positions(roster, scope, lambda: roster.states(session))
        if within is None or within.everything:
            return asked, len(asked)
        allowed = self._positions(roster, within, lambda: roster.states(session))
        shown = np.intersect1d(asked.positions, allowed.positions, assume_unique=True)
        return Selection(cohort_id, roster.version, shown), len(asked)

    def roster(self, session: Session, cohort_id: int, selection: Selection) -> list[GraduateState]:
        """The roster attributes (code 0) of a selection's graduates."""
        states = self._roster(session, cohort_id).states(session)
        return [states[i] for i in selection.positions.tolist()]

    def names(self, session: Session, cohort_id: int, scope: Scope | UserScope) -> Mapping[str, list[GraduateState]]:
        """A scope's graduates (roster attributes) by name, cached per roster version."""
        roster = self._roster(session, cohort_id)
        key = ("names", scope)
        found = roster.cache.get(key)
        if found is None:
            by_name: dict[str, list[GraduateState]] = {}
            states = roster.states(session)
            for i in self._positions(roster, scope, lambda: states).positions.tolist():
                by_name.setdefault(states[i].name, []).append(states[i])
            found = roster.cache[key] = by_name
        return found  # type: ignore[return-value]

    def roster_names(self, session: Session, cohort_id: int) -> frozenset[str]:
        """Every name on the cohort's roster, cached per roster version (masked inside free text)."""
        roster = self._roster(session, cohort_id)
        found = roster.cache.get("roster_names")
        if found is None:
            found = roster.cache["roster_names"] = frozenset(s.name for s in roster.states(session))
        return found  # type: ignore[return-value]

    def suggester(self, session: Session, cohort_id: int, scope: Scope | UserScope) -> Suggester:
        """The "did you mean" for unknown 学号 and names within a scope: the roster's indexes are built
        once per roster version, the scope's marks once per scope (both cached on the roster)."""
        roster = self._roster(session, cohort_id)
        index = roster.suggestions(session)
        key = ("suggest", scope)
        found = roster.cache.get(key)
        if found is None:
            positions = self._positions(roster, scope, lambda: roster.states(session)).positions
            members = np.zeros(roster.size, dtype=bool)
            members[positions] = True
            named = np.zeros(len(index.names.names), dtype=bool)
            named[index.name_of[positions]] = True
            found = roster.cache[key] = Suggester(index, members, named)
        return found  # type: ignore[return-value]

    def by_student_id(self, session: Session, cohort_id: int) -> Mapping[str, GraduateState]:
        """Every graduate of the cohort by 学号 (roster attributes)."""
        return self._roster(session, cohort_id).by_student_id(session)

    def _at(self, session: Session, cohort_id: int, as_of: date) -> tuple[_Timeline, _At]:
        _, timeline = self._timeline(session, cohort_id)
        with self._lock:
            return timeline, timeline.compute(self._day(as_of))

    def counts(self, session: Session, cohort_id: int, as_of: date, selection: Selection) -> PlacementCounts:
        """Every figure of a selection as of a date (what `tally` gives for its states)."""
        _, at = self._at(session, cohort_id, as_of)
        return self._keys.counts(np.bincount(at.key[selection.positions], minlength=len(self._keys.keys)))

    def deciding_entries(self, session: Session, cohort_id: int, as_of: date, selection: Selection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each graduate of a selection as of a date: graduate id, the id of the entry that
        decides their destination (−1: none) and whether it is placed (§10's 核查 figures)."""
        roster, _ = self._timeline(session, cohort_id)
        _, at = self._at(session, cohort_id, as_of)
        positions = selection.positions
        ids = np.asarray(roster.ids, dtype=np.int64)[positions]
        return ids, at.eid[positions], self._keys.placed[at.key[positions]]

    def counts_after(
        self, session: Session, cohort_id: int, as_of: date, selection: Selection, entries: Sequence[Mapping[str, object]]
    ) -> PlacementCounts:
        """The selection's figures once `entries` (new, not yet visible to readers) are added: the
        before counts with only the touched graduates moved from their old key to their new one."""
        roster, timeline = self._timeline(session, cohort_id)
        day_of = self._day(as_of)
        with self._lock:
            at = timeline.compute(day_of)
        positions = selection.positions
        touched: dict[int, tuple[int, int]] = {}
        for entry in entries:
            p = roster.position[entry["graduate_id"]]  # type: ignore[index]
            found = int(np.searchsorted(positions, p))  # positions ascend
            if found == positions.size or positions[found] != p:
                continue
            day = entry["effective_date"].toordinal()  # type: ignore[attr-defined]
            current = touched.get(p, (int(at.day[p]), int(at.key[p])))
            if day_of >= day >= current[0]:  # a new entry's id is the newest: it wins a tie
                related = entry["related"]
                code: int = entry["code"]  # type: ignore[assignment]
                substate: str | None = entry["substate"]  # type: ignore[assignment]
                touched[p] = (day, self._keys.id(state_key(code, None if related is None else bool(related), substate)))
            else:
                touched[p] = current
        base = np.bincount(at.key[selection.positions], minlength=len(self._keys.keys)).astype(np.int64)
        for p, (_, key) in touched.items():
            base[int(at.key[p])] -= 1
            base[key] += 1
        return self._keys.counts(base)

    def placed_by(self, session: Session, cohort_id: int, as_of: date, selection: Selection, attributes: Sequence[str]) -> dict[tuple, tuple[int, int]]:
        """(placed, total) per combination of roster attributes (e.g. department and degree)."""
        roster = self._roster(session, cohort_id)
        codes_key = ("groups", tuple(attributes))
        found = roster.cache.get(codes_key)
        if found is None:
            labels: dict[tuple, int] = {}
            codes = np.fromiter(
                (labels.setdefault(tuple(getattr(s, a) for a in attributes), len(labels)) for s in roster.states(session)),
                dtype=np.int64, count=roster.size,
            )
            found = roster.cache[codes_key] = (list(labels), codes)
        names, codes = found  # type: ignore[misc]
        _, at = self._at(session, cohort_id, as_of)
        group = codes[selection.positions]
        placed = self._keys.placed[at.key[selection.positions]]
        totals = np.bincount(group, minlength=len(names))
        placed_counts = np.bincount(group, weights=placed, minlength=len(names))
        return {names[i]: (int(placed_counts[i]), int(totals[i])) for i in np.flatnonzero(totals)}

    def units(self, session: Session, cohort_id: int, selection: Selection, dimension: str) -> dict[str, Selection]:
        """A selection split by the value(s) of a roster dimension (`metrics.group_values`)."""
        roster = self._roster(session, cohort_id)
        key = ("units", dimension)
        found = roster.cache.get(key)
        if found is None:
            lists: dict[str, list[int]] = {}
            for i, state in enumerate(roster.states(session)):
                for value in group_values(state, dimension):
                    lists.setdefault(value, []).append(i)
            found = roster.cache[key] = {unit: np.array(p, dtype=np.int64) for unit, p in lists.items()}
        inside = np.zeros(roster.size, dtype=bool)
        inside[selection.positions] = True
        split = {}
        for unit, positions in found.items():  # type: ignore[attr-defined]
            chosen = positions[inside[positions]]
            if chosen.size:
                split[unit] = Selection(cohort_id, roster.version, chosen)
        return split

    def placed_series(self, session: Session, cohort_id: int, selection: Selection, days: Sequence[date]) -> list[int]:
        """How many of a selection's graduates were placed on each of `days`."""
        series = []
        for day in days:
            _, at = self._at(session, cohort_id, day)
            series.append(int(np.count_nonzero(self._keys.placed[at.key[selection.positions]])))
        return series

    def first_day(self, session: Session, cohort_id: int) -> date | None:
        """The earliest effective date of any entry of the cohort."""
        _, timeline = self._timeline(session, cohort_id)
        first = timeline.first_day()
        return None if first is None else date.fromordinal(first)

    def selection_of(self, session: Session, cohort_id: int, graduate_ids: Iterable[int]) -> Selection:
        """The selection of the given graduates (by id)."""
        roster = self._roster(session, cohort_id)
        positions = np.array(sorted(roster.position[g] for g in graduate_ids if g in roster.position), dtype=np.int64)
        return Selection(cohort_id, roster.version, positions)

    # ------------------------------------------------------------ catalog and targets

    def catalog(self, session: Session, cohort_id: int) -> ScopeCatalog:
        _, version = repo.versions(session, cohort_id)
        alias_version = repo.alias_stamp(session)  # in the database: another process may add aliases
        with self._lock:
            cached = self._catalogs.get(cohort_id)
            if cached and cached[0] == version and cached[1] == alias_version:
                return cached[2]
        catalog = ScopeCatalog.build(
            repo.roster_profiles(session, cohort_id),
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
