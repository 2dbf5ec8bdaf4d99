"""Application services: what the bot does, between the Telegram handlers and storage.

Every method is synchronous and does its own database work; handlers call them through
`asyncio.to_thread`. Results are plain dataclasses that `bot.texts` turns into replies.
"""

from __future__ import annotations

import difflib
import secrets
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.grammar import LineError, ParsedLine, parse_date, parse_message
from bot.kpi import (
    DEFAULT_TARGETS,
    DEGREES,
    CardRule,
    Target,
    card_for,
    graduates_needed,
    project,
    target_for,
)
from bot.metrics import (
    GraduateState,
    PlacementCounts,
    UnitRow,
    breakdown,
    group_values,
    placed_over_time,
    tally,
)
from bot.roster import RosterFile, read_roster, read_update_table
from bot.scopes import (
    DIMENSIONS,
    WHOLE_SCHOOL,
    Scope,
    ScopeCatalog,
    UserScope,
    dimension_from_word,
    norm,
    split_query,
)
from bot.settings import Settings
from bot.targets import Gap
from bot.taxonomy import MAJOR_EN_TO_ZH, Destination, pinyin_key
from storage import repo
from storage.db import Database
from storage.models import Alias, Batch, BotUser, DestinationEntry, Graduate, Invite

ROLES = ("admin", "head", "counsellor")
DEGREE_ORDER = {degree: i for i, degree in enumerate(DEGREES)}
INVITE_LIFETIME = timedelta(days=7)
STATE_CACHE_SIZE = 24


class ServiceError(Exception):
    """A refusal the user caused; `key` names the message in bot.texts, `params` fill it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Actor:
    """A registered user as the services see them."""

    user_id: int
    telegram_id: int | None
    name: str | None
    role: str
    language: str | None
    scope: UserScope
    digest_opt_out: bool = False


# ---------------------------------------------------------------- snapshots


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


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class LineOutcome:
    line_no: int
    raw: str
    student_id: str | None = None
    name: str | None = None
    destination: Destination | None = None
    reason: str | None = None  # text key for rejections: grammar error codes or resolution failures
    value: str | None = None
    suggestion: str | None = None


@dataclass
class ApplyResult:
    applied: list[LineOutcome] = field(default_factory=list)
    unchanged: list[LineOutcome] = field(default_factory=list)
    rejected: list[LineOutcome] = field(default_factory=list)
    duplicate: bool = False
    scope_label: str = ""
    before: PlacementCounts | None = None
    after: PlacementCounts | None = None
    batch_id: int | None = None


@dataclass
class UndoResult:
    graduates: int
    entries: int
    created_at: datetime
    scope_label: str
    before: PlacementCounts
    after: PlacementCounts


@dataclass
class RateAnswer:
    scope_label: str
    as_of: date
    cohort: int
    counts: PlacementCounts
    week_ago: PlacementCounts
    partial: bool = False  # the asked scope reaches beyond the user's scope; only their part is counted
    gap: Gap | None = None


@dataclass
class RatesAnswer:
    dimension: str
    scope_label: str
    as_of: date
    cohort: int
    rows: list[UnitRow]
    total: PlacementCounts
    cards: dict[str, str] = field(default_factory=dict)  # major → 红牌/黄牌
    below: dict[str, Gap] = field(default_factory=dict)  # units short of the next checkpoint's targets


@dataclass
class UnplacedAnswer:
    scope_label: str
    as_of: date
    cohort: int
    graduates: list[GraduateState]


@dataclass
class StudentAnswer:
    state: GraduateState
    cohort: int
    history: list[tuple[DestinationEntry, str | None]]


@dataclass
class Ambiguous:
    """Several scopes match what the user typed; the handler offers them as buttons."""

    text: str
    candidates: list[Scope]


@dataclass
class ImportResult:
    cohort: int
    total_rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0
    pruned: int = 0
    destinations_applied: int = 0
    destinations_unchanged: int = 0
    dry_run: bool = False
    problems: list = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- the service


class PlacementService:
    """The placement bot's behaviour over one database."""

    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock  # tests move time; None = the real clock
        self._cache: OrderedDict[tuple[int, date], Snapshot] = OrderedDict()
        self._members_cache: dict[tuple, list[int]] = {}
        self._timeline_cache: dict[int, tuple[int, dict[int, list[tuple[date, int]]]]] = {}
        self._catalog_cache: dict[int, tuple[int, object, ScopeCatalog]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ time

    def now(self) -> datetime:
        return self.clock().astimezone(self.settings.tz) if self.clock else datetime.now(self.settings.tz)

    def today(self) -> date:
        return self.now().date()

    def date_of(self, moment: datetime) -> date:
        return moment.astimezone(self.settings.tz).date()

    # ------------------------------------------------------------ users

    def actor(self, telegram_id: int) -> Actor | None:
        with self.db.read() as session:
            user = repo.user_by_telegram_id(session, telegram_id)
            if user is None or not user.active:
                return None
            return self._actor(session, user)

    def _actor(self, session: Session, user: BotUser) -> Actor:
        assert user.id is not None
        grants = [Scope(s.dimension, s.value) for s in repo.user_scopes(session, user.id)]
        if user.role == "counsellor" and user.name:
            grants.insert(0, Scope("counsellor", user.name))
        return Actor(
            user_id=user.id,
            telegram_id=user.telegram_id,
            name=user.name,
            role=user.role,
            language=user.language,
            scope=UserScope(everything=user.role == "admin", grants=tuple(grants)),
            digest_opt_out=user.digest_opt_out,
        )

    @staticmethod
    def parse_scope_grants(role: str, scopes: Sequence[str]) -> list[tuple[str, str]]:
        """`--scope` values: `院系:护理学院`, or a bare name (a department for heads, a class for counsellors)."""
        default = {"head": "department", "counsellor": "class_name"}.get(role, "department")
        grants = []
        for raw in scopes:
            text = raw.strip()
            if not text:
                continue
            dimension, value = default, text
            for sep in (":", "："):
                head, found, tail = text.partition(sep)
                if found:
                    matched = [d for d, (_, _, prefixes) in DIMENSIONS.items() if norm(head) in map(str.casefold, prefixes)]
                    if not matched:
                        raise ServiceError("bad_scope", scope=raw)
                    dimension, value = matched[0], tail.strip()
                    break
            grants.append((dimension, value))
        return grants

    def grant(
        self, telegram_id: int, role: str, *, name: str | None = None, scopes: Sequence[str] = (), actor_id: int | None = None
    ) -> BotUser:
        if role not in ROLES:
            raise ServiceError("bad_role", role=role)
        grants = self.parse_scope_grants(role, scopes)
        if role == "counsellor" and not name and not grants:
            raise ServiceError("counsellor_needs_scope")
        with self.db.write() as session:
            user = repo.user_by_telegram_id(session, telegram_id) or BotUser(telegram_id=telegram_id, role=role)
            user.role = role
            user.active = True
            if name:
                user.name = name
            user.created_by = user.created_by or actor_id
            session.add(user)
            session.flush()
            assert user.id is not None
            repo.set_user_scopes(session, user.id, grants)
            repo.audit(session, actor_id, "grant", f"{telegram_id} {role} {name or ''} {grants}")
            return user

    def revoke(self, telegram_id: int, *, actor_id: int | None = None) -> bool:
        with self.db.write() as session:
            user = repo.user_by_telegram_id(session, telegram_id)
            if user is None or not user.active:
                return False
            user.active = False
            session.add(user)
            repo.audit(session, actor_id, "revoke", str(telegram_id))
            return True

    def create_invite(self, role: str, *, name: str | None = None, scopes: Sequence[str] = (), inviter: Actor | None = None) -> str:
        """A single-use token valid for 7 days; only its hash is stored."""
        if role not in ("head", "counsellor", "admin"):
            raise ServiceError("bad_role", role=role)
        grants = self.parse_scope_grants(role, scopes)
        if inviter is not None:
            if inviter.role == "counsellor" or (inviter.role == "head" and role != "counsellor"):
                raise ServiceError("invite_not_allowed")
            if inviter.role == "head":
                if not grants and not (role == "counsellor" and name):
                    raise ServiceError("invite_needs_scope")
                departments = {s.value for s in inviter.scope.grants if s.dimension == "department"}
                with self.db.read() as session:
                    states = self.states_now(session)
                if role == "counsellor" and name:
                    grants_to_check = [*grants, ("counsellor", name)]
                else:
                    grants_to_check = list(grants)
                for dimension, value in grants_to_check:
                    members = [s for s in states if Scope(dimension, value).matches(s)]
                    if (dimension == "department" and value not in departments) or any(
                        m.department not in departments for m in members
                    ):
                        raise ServiceError("out_of_scope_invite", scope=value)
        if role == "counsellor" and not name and not grants:
            raise ServiceError("counsellor_needs_scope")
        token = secrets.token_urlsafe(24)
        with self.db.write() as session:
            session.add(
                Invite(
                    token_hash=repo.hash_token(token),
                    role=role,
                    name=name,
                    scopes="\n".join(f"{d}:{v}" for d, v in grants),
                    created_by=inviter.user_id if inviter else None,
                    expires_at=datetime.now(UTC) + INVITE_LIFETIME,
                )
            )
            repo.audit(session, inviter.user_id if inviter else None, "invite", f"{role} {name or ''} {grants}")
        return token

    def redeem_invite(self, token: str, telegram_id: int, display_name: str | None, language: str | None) -> Actor:
        with self.db.write() as session:
            invite = repo.invite_by_token(session, token)
            if invite is None:
                raise ServiceError("invite_invalid")
            if invite.used_at is not None:
                raise ServiceError("invite_used")
            expires_at = invite.expires_at if invite.expires_at.tzinfo else invite.expires_at.replace(tzinfo=UTC)
            if expires_at < datetime.now(UTC):
                raise ServiceError("invite_expired")
            user = repo.user_by_telegram_id(session, telegram_id) or BotUser(telegram_id=telegram_id, role=invite.role)
            user.role = invite.role
            user.active = True
            # never from the Telegram display name: a counsellor's name is also their scope
            user.name = invite.name or user.name
            user.created_by = invite.created_by
            session.add(user)
            session.flush()
            assert user.id is not None
            grants = [tuple(line.split(":", 1)) for line in invite.scopes.splitlines() if ":" in line]
            repo.set_user_scopes(session, user.id, grants)  # type: ignore[arg-type]
            invite.used_at = datetime.now(UTC)
            invite.used_by = user.id
            session.add(invite)
            repo.audit(session, user.id, "redeem", f"invite {invite.id}")
            return self._actor(session, user)

    def users(self, actor: Actor) -> list[tuple[BotUser, list[str]]]:
        if actor.role == "counsellor":
            raise ServiceError("not_allowed")
        with self.db.read() as session:
            out = []
            for user in repo.all_users(session):
                assert user.id is not None
                scopes = [f"{s.dimension}:{s.value}" for s in repo.user_scopes(session, user.id)]
                if actor.role == "head" and (user.role != "counsellor" or user.created_by != actor.user_id):
                    continue
                out.append((user, scopes))
            return out

    def set_language(self, actor: Actor, language: str) -> None:
        with self.db.write() as session:
            user = session.get(BotUser, actor.user_id)
            assert user is not None
            user.language = language
            session.add(user)

    def set_digest_opt_out(self, actor: Actor, opt_out: bool) -> None:
        with self.db.write() as session:
            user = session.get(BotUser, actor.user_id)
            assert user is not None
            user.digest_opt_out = opt_out
            session.add(user)

    # ------------------------------------------------------------ snapshots

    def _cohort_id(self, session: Session, year: int | None) -> tuple[int, int]:
        cohort = repo.get_cohort(session, year) if year else repo.latest_cohort(session)
        if cohort is None or cohort.id is None:
            raise ServiceError("no_cohort" if year is None else "unknown_cohort", cohort=year)
        return cohort.id, cohort.year

    def snapshot(self, session: Session, cohort_id: int, as_of: date) -> Snapshot:
        """All graduates of a cohort as of a date, cached until the cohort's data changes."""
        version, roster_version = repo.versions(session, cohort_id)
        key = (cohort_id, as_of)
        with self._lock:
            cached = self._cache.get(key)
            if cached and cached.version == version:
                self._cache.move_to_end(key)
                return cached
        snap = Snapshot(cohort_id, version, roster_version, repo.graduate_states(session, cohort_id, as_of))
        with self._lock:
            self._cache[key] = snap
            self._cache.move_to_end(key)
            while len(self._cache) > STATE_CACHE_SIZE:
                self._cache.popitem(last=False)
        return snap

    def states(self, session: Session, cohort_id: int, as_of: date) -> list[GraduateState]:
        return self.snapshot(session, cohort_id, as_of).states

    def timeline(self, session: Session, cohort_id: int) -> dict[int, list[tuple[date, int]]]:
        """Each graduate's effective entries (date, code) in deciding order, cached per data version."""
        version, _ = repo.versions(session, cohort_id)
        with self._lock:
            cached = self._timeline_cache.get(cohort_id)
            if cached and cached[0] == version:
                return cached[1]
        by_graduate: dict[int, list[tuple[date, int]]] = {}
        for graduate_id, effective, code in repo.entry_timeline(session, cohort_id):
            by_graduate.setdefault(graduate_id, []).append((effective, code))
        with self._lock:
            self._timeline_cache[cohort_id] = (version, by_graduate)
        return by_graduate

    def placed_series(self, session: Session, cohort_id: int, members: set[int], days: Sequence[date]) -> list[int]:
        """How many of `members` were placed on each of `days` (ascending)."""
        by_graduate = self.timeline(session, cohort_id)
        entries = ((g, effective, code) for g in members for effective, code in by_graduate.get(g, ()))
        return placed_over_time(entries, members, days)

    def members(self, snap: Snapshot, scope: Scope | UserScope) -> list[GraduateState]:
        """The graduates of `snap` inside `scope`. Membership depends only on the roster, so the
        positions are cached per roster version and reused for every date and every update."""
        key = (snap.cohort_id, snap.roster_version, len(snap.states), scope)
        with self._lock:
            positions = self._members_cache.get(key)
        if positions is None:
            test = scope.covers if isinstance(scope, UserScope) else scope.matches
            positions = [i for i, state in enumerate(snap.states) if test(state)]
            with self._lock:
                if len(self._members_cache) > 256:
                    self._members_cache.clear()
                self._members_cache[key] = positions
        states = snap.states
        return [states[i] for i in positions]

    def states_now(self, session: Session, year: int | None = None) -> list[GraduateState]:
        cohort_id, _ = self._cohort_id(session, year)
        return self.states(session, cohort_id, self.today())

    def catalog(self, session: Session, cohort_id: int) -> ScopeCatalog:
        _, version = repo.versions(session, cohort_id)
        alias_version = repo.alias_stamp(session)  # in the database: another process may add aliases
        with self._lock:
            cached = self._catalog_cache.get(cohort_id)
            if cached and cached[0] == version and cached[1] == alias_version:
                return cached[2]
        catalog = ScopeCatalog.build(
            self.states(session, cohort_id, self.today()),
            english_names=repo.english_names(session, cohort_id),
            user_aliases=repo.aliases(session),
            builtin_major_en=MAJOR_EN_TO_ZH,
            pinyin=pinyin_key,
        )
        with self._lock:
            self._catalog_cache[cohort_id] = (version, alias_version, catalog)
        return catalog

    # ------------------------------------------------------------ applying updates

    def apply_message(
        self,
        actor: Actor,
        text: str,
        *,
        chat_id: int | None,
        message_id: int | None,
        sent_at: datetime | None = None,
        source: str = "message",
    ) -> ApplyResult:
        """Apply every valid line of an update message; reject the rest with reasons."""
        today = self.date_of(sent_at) if sent_at else self.today()
        parsed = parse_message(text, today)
        with self.db.write() as session:
            cohort_id, _ = self._cohort_id(session, None)
            repo.lock_cohort(session, cohort_id)
            if chat_id is not None and message_id is not None:
                previous = repo.find_batch(session, chat_id, message_id)
                if previous is not None:
                    return ApplyResult(duplicate=True, batch_id=previous.id)
            return self._apply(session, actor, cohort_id, parsed, chat_id, message_id, source)

    def _apply(
        self,
        session: Session,
        actor: Actor,
        cohort_id: int,
        parsed: Sequence[ParsedLine | LineError],
        chat_id: int | None,
        message_id: int | None,
        source: str,
    ) -> ApplyResult:
        version = repo.lock_cohort(session, cohort_id)
        today = self.today()
        snap = self.snapshot(session, cohort_id, today)
        by_student_id = snap.by_student_id
        mine = self.members(snap, actor.scope)
        by_name: dict[str, list[GraduateState]] = {}
        for state in mine:
            by_name.setdefault(state.name, []).append(state)
        result = ApplyResult(scope_label=actor.scope.label(actor.language or self.settings.bot_language))
        result.before = tally(mine)

        accepted: list[tuple[ParsedLine, GraduateState]] = []
        for item in parsed:
            if isinstance(item, LineError):
                result.rejected.append(
                    LineOutcome(item.line_no, item.raw, reason=str(item.code), value=item.value, suggestion=item.suggestion)
                )
                continue
            state, rejection = self._resolve(item, actor, by_student_id, by_name, mine)
            if rejection is not None:
                result.rejected.append(rejection)
                continue
            assert state is not None
            accepted.append((item, state))

        latest = repo.latest_entries(session, [s.graduate_id for _, s in accepted])
        new_entries: list[dict[str, object]] = []
        for line, state in accepted:
            entry: dict[str, object] = {
                "code": line.destination.code,
                "substate": line.destination.substate,
                "employer": line.employer,
                "school": line.school,
                "province": line.province,
                "city": line.city,
                "unit_nature": line.unit_nature,
                "industry": line.industry,
                "related": line.related,
                "note": line.note,
                "effective_date": line.effective_date,
            }
            outcome = LineOutcome(line.line_no, line.raw, state.student_id, state.name, line.destination)
            current = latest.get(state.graduate_id)
            if current is not None and _same_destination(current, entry):
                result.unchanged.append(outcome)
                continue
            latest[state.graduate_id] = entry
            result.applied.append(outcome)
            new_entries.append({**entry, "cohort_id": cohort_id, "graduate_id": state.graduate_id, "line_no": line.line_no})

        if new_entries:  # a message that changes nothing leaves no trace: nothing to undo, nothing stored
            batch = Batch(
                cohort_id=cohort_id,
                user_id=actor.user_id or None,
                source=source,
                chat_id=chat_id,
                message_id=message_id,
                applied=len(result.applied),
                unchanged=len(result.unchanged),
                rejected=len(result.rejected),
            )
            session.add(batch)
            try:
                session.flush()
            except IntegrityError as exc:  # the same message arrived twice at the same moment
                raise ServiceError("duplicate_message") from exc
            assert batch.id is not None
            result.batch_id = batch.id
            repo.insert_entries(session, [{**entry, "batch_id": batch.id} for entry in new_entries])
            repo.bump_data_version(session, cohort_id)
            snap = self._carry_forward(snap, today, version, new_entries)
            result.after = tally(self.members(snap, actor.scope))
        else:
            result.after = result.before
        return result

    def _resolve(
        self,
        line: ParsedLine,
        actor: Actor,
        by_student_id: dict[str, GraduateState],
        by_name: dict[str, list[GraduateState]],
        mine: list[GraduateState],
    ) -> tuple[GraduateState | None, LineOutcome | None]:
        who = line.who
        state = by_student_id.get(who)
        if state is not None:
            if not actor.scope.covers(state):
                return None, LineOutcome(line.line_no, line.raw, reason="out_of_scope", value=who)
            return state, None
        named = by_name.get(who, [])
        if len(named) == 1:
            return named[0], None
        if len(named) > 1:
            ids = "、".join(s.student_id for s in named[:8])
            return None, LineOutcome(line.line_no, line.raw, reason="ambiguous_name", value=who, suggestion=ids)
        if who.isdigit() or any(ch.isdigit() for ch in who):
            close = difflib.get_close_matches(who, [s.student_id for s in mine], n=1, cutoff=0.8)
            return None, LineOutcome(
                line.line_no, line.raw, reason="unknown_student", value=who, suggestion=close[0] if close else None
            )
        close = difflib.get_close_matches(who, list(by_name), n=1, cutoff=0.5)
        return None, LineOutcome(line.line_no, line.raw, reason="unknown_name", value=who, suggestion=close[0] if close else None)

    def _carry_forward(self, snap: Snapshot, today: date, version: int, new_entries: list[dict[str, object]]) -> Snapshot:
        """Today's snapshot after our own write, built from the cached one instead of reloading it.

        Safe because the write transaction holds the cohort's write lock: no one else changed the
        cohort between reading `version` and our bump to `version + 1`.
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
            cached = self._cache.get((snap.cohort_id, today))
            if cached is not None and cached.version == version:
                self._cache[(snap.cohort_id, today)] = carried
            else:
                self._cache.pop((snap.cohort_id, today), None)
        return carried

    def apply_table(self, actor: Actor, data: bytes, file_name: str, *, chat_id: int, message_id: int) -> ApplyResult:
        """An uploaded .csv/.xlsx with 学号 and 去向 columns, applied like a message: good rows apply,
        bad rows are reported with their row numbers."""
        text, problems = read_update_table(data, file_name, self.today())
        row_problems = [
            LineOutcome(p.row_no, "", reason="file_row", value=p.message_zh, suggestion=p.message_en) for p in problems
        ]
        if not text.strip("#\n "):
            result = ApplyResult()
            result.rejected = row_problems
            return result
        result = self.apply_message(actor, text, chat_id=chat_id, message_id=message_id, source="file")
        result.rejected = sorted([*result.rejected, *row_problems], key=lambda o: o.line_no)
        return result

    def undo(self, actor: Actor) -> UndoResult:
        since = datetime.now(UTC) - timedelta(hours=self.settings.undo_window_hours)
        with self.db.write() as session:
            latest = repo.latest_cohort(session)
            if latest is not None and latest.id is not None:
                repo.lock_cohort(session, latest.id)  # before choosing: a double-tapped /undo undoes two
            batch = repo.last_undoable_batch(session, actor.user_id, since)
            if batch is None or batch.id is None:
                raise ServiceError("nothing_to_undo", hours=self.settings.undo_window_hours)
            repo.lock_cohort(session, batch.cohort_id)
            mine_before = tally(self.members(self.snapshot(session, batch.cohort_id, self.today()), actor.scope))
            graduates = set(repo.batch_graduates(session, batch.id))
            entries = repo.undo_batch(session, batch)
            repo.bump_data_version(session, batch.cohort_id)
            session.flush()
            after = self.members(self.snapshot(session, batch.cohort_id, self.today()), actor.scope)
            created_at = batch.created_at
        return UndoResult(
            graduates=len(graduates),
            entries=entries,
            created_at=created_at,
            scope_label=actor.scope.label(actor.language or self.settings.bot_language),
            before=mine_before,
            after=tally(after),
        )

    # ------------------------------------------------------------ asking

    def _query(self, session: Session, actor: Actor, args: Sequence[str]) -> tuple[int, int, date, str, list[Scope]]:
        today = self.today()
        probe = split_query(args, parse_date, today)
        cohort_id, year = self._cohort_id(session, probe.cohort)
        # A month-day without a year means the cohort's own year for a past cohort.
        default_year = year if year < today.year else None
        query = split_query(args, lambda text, t: parse_date(text, t, default_year=default_year), today)
        as_of = query.as_of or today
        if as_of > today:
            raise ServiceError("future_as_of", date=as_of.isoformat())
        catalog = self.catalog(session, cohort_id)
        scopes = [s for s in catalog.resolve(query.scope_text) if s.dimension != "cohort"]
        return cohort_id, year, as_of, query.scope_text, scopes

    def _scoped(
        self, session: Session, actor: Actor, cohort_id: int, as_of: date, scope: Scope
    ) -> tuple[list[GraduateState], bool]:
        """Graduates in `scope` that the actor may see; `partial` when the scope reaches beyond them."""
        snap = self.snapshot(session, cohort_id, as_of)
        if scope == WHOLE_SCHOOL:
            return self.members(snap, actor.scope), False
        asked = self.members(snap, scope)
        if actor.scope.everything:
            return asked, False
        visible = [s for s in asked if actor.scope.covers(s)]
        if asked and not visible:
            raise ServiceError("scope_forbidden", scope=scope.value)
        return visible, len(visible) < len(asked)

    def _one_scope(self, text: str, scopes: list[Scope]) -> Scope | Ambiguous:
        if not scopes:
            raise ServiceError("unknown_scope", scope=text)
        if len(scopes) > 1:
            return Ambiguous(text, scopes[:12])
        return scopes[0]

    def scope_label(self, actor: Actor, scope: Scope, lang: str) -> str:
        return actor.scope.label(lang) if scope == WHOLE_SCHOOL else scope.label(lang)

    def _asked(
        self, session: Session, actor: Actor, args: Sequence[str]
    ) -> tuple[int, int, date, Scope] | Ambiguous:
        """Cohort, year, as-of date and the one scope a question's arguments name (or the choices)."""
        cohort_id, year, as_of, text, scopes = self._query(session, actor, args)
        scope = self._one_scope(text, scopes)
        return scope if isinstance(scope, Ambiguous) else (cohort_id, year, as_of, scope)

    def rate(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> RateAnswer | Ambiguous:
        with self.db.read() as session:
            asked = self._asked(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            cohort_id, year, as_of, scope = asked
            states, partial = self._scoped(session, actor, cohort_id, as_of, scope)
            week_ago, _ = self._scoped(session, actor, cohort_id, as_of - timedelta(days=7), scope)
            gap = self.gap(session, cohort_id, year, states, as_of)
            return RateAnswer(self.scope_label(actor, scope, lang), as_of, year, tally(states), tally(week_ago), partial, gap)

    def rates(self, actor: Actor, dimension_word: str, args: Sequence[str], lang: str = "zh") -> RatesAnswer | Ambiguous:
        dimension = dimension_from_word(dimension_word)
        if dimension is None or dimension == "cohort":
            raise ServiceError("unknown_dimension", dimension=dimension_word)
        with self.db.read() as session:
            asked = self._asked(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            cohort_id, year, as_of, scope = asked
            states, _ = self._scoped(session, actor, cohort_id, as_of, scope)
            rows = breakdown(states, dimension)
            cards = self.cards(session, year, [row.unit for row in rows]) if dimension == "major" else {}
            by_unit: dict[str, list[GraduateState]] = {}
            for state in states:
                for value in group_values(state, dimension):
                    by_unit.setdefault(value, []).append(state)
            below: dict[str, Gap] = {}
            targets = self.targets(session, cohort_id)  # once, not once per unit
            for unit, members in by_unit.items():
                unit_gap = self.gap(session, cohort_id, year, members, as_of, projection=False, targets=targets)
                if unit_gap is not None and unit_gap.needed > 0:
                    below[unit] = unit_gap
            return RatesAnswer(
                dimension, self.scope_label(actor, scope, lang), as_of, year, rows, tally(states), cards, below
            )

    def unplaced(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> UnplacedAnswer | Ambiguous:
        with self.db.read() as session:
            asked = self._asked(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            cohort_id, year, as_of, scope = asked
            states, _ = self._scoped(session, actor, cohort_id, as_of, scope)
            unplaced = [s for s in states if not s.placed]
            unplaced.sort(key=lambda s: (s.code != 0, s.substate or "", s.class_name or "", s.student_id))
            return UnplacedAnswer(self.scope_label(actor, scope, lang), as_of, year, unplaced)

    def student(self, actor: Actor, who: str) -> StudentAnswer | list[GraduateState]:
        who = who.strip()
        if not who:
            raise ServiceError("student_usage")
        with self.db.read() as session:
            cohort_id, year = self._cohort_id(session, None)
            states = self.states(session, cohort_id, self.today())
            matches = [s for s in states if s.student_id == who] or [s for s in states if s.name == who]
            if not matches:
                raise ServiceError("unknown_student", value=who)
            visible = [s for s in matches if actor.scope.covers(s)]
            if not visible:
                raise ServiceError("out_of_scope", value=who)
            if len(visible) > 1:
                return visible
            state = visible[0]
            rows = repo.history(session, state.graduate_id)
            return StudentAnswer(state, year, [(entry, user.name if user else None) for entry, user in rows])

    # ------------------------------------------------------------ targets and the live gap

    def targets(self, session: Session, cohort_id: int) -> list[Target]:
        """The cohort's checkpoint targets, or domain.md's default scheme when none were set."""
        stored = repo.checkpoint_targets(session, cohort_id)
        if not stored:
            return list(DEFAULT_TARGETS)
        return [Target(t.month, t.day, t.degree, Decimal(t.target), t.department) for t in stored]

    def headline_targets(self, session: Session, cohort_id: int, year: int, states: Sequence[GraduateState]) -> list[tuple[date, Decimal]]:
        """Each checkpoint with the general target of the scope's most common degree level (for chart lines)."""
        targets = [t for t in self.targets(session, cohort_id) if t.department is None]
        degrees = Counter(s.degree for s in states if s.degree)
        for degree in [d for d, _ in degrees.most_common()] + ["本科", *DEGREES]:
            chosen = sorted((t.checkpoint(year), t.target_percent) for t in targets if t.degree == degree)
            if chosen:
                return chosen
        return []

    def gap(
        self,
        session: Session,
        cohort_id: int,
        year: int,
        states: Sequence[GraduateState],
        as_of: date,
        *,
        projection: bool = True,
        targets: Sequence[Target] | None = None,
    ) -> Gap | None:
        """Graduates still needed for the next checkpoint: the sum over departments and degree
        levels of what each lacks against its target, with a projection from the last 4 weeks."""
        if not states:
            return None
        targets = targets if targets is not None else self.targets(session, cohort_id)
        upcoming = sorted({t.checkpoint(year) for t in targets if t.checkpoint(year) >= as_of})
        if not upcoming:
            return None
        day = upcoming[0]
        groups: dict[tuple[str, str], list[GraduateState]] = {}
        for state in states:
            groups.setdefault((state.department, state.degree or "未知"), []).append(state)
        needed = 0
        by_degree: dict[str, Decimal] = {}
        for (department, degree), members in groups.items():
            target = target_for(targets, department=department, degree=degree, month=day.month, day=day.day)
            if target is None:
                continue
            needed += graduates_needed(sum(1 for s in members if s.placed), len(members), target)
            by_degree.setdefault(degree, target)
        if not by_degree:
            return None
        values = set(by_degree.values())
        if len(values) == 1:
            target_text = f"{_percent_text(values.pop())}%"
        else:
            target_text = "/".join(f"{d}{_percent_text(v)}%" for d, v in sorted(by_degree.items(), key=lambda kv: DEGREE_ORDER.get(kv[0], 9)))
        if not projection:
            return Gap(day, target_text, needed)
        members = {s.graduate_id for s in states}
        samples = [as_of - timedelta(days=7 * k) for k in range(4, -1, -1)]
        placed_then = self.placed_series(session, cohort_id, members, samples)
        required = sum(1 for s in states if s.placed) + needed
        projection = project(
            list(zip(samples, placed_then, strict=True)),
            total=len(states),
            target_percent=Decimal(required * 100) / Decimal(len(states)),
            checkpoint=day,
            today=as_of,
        )
        return Gap(day, target_text, needed, projection.will_make_it if projection else None)

    def cards(self, session: Session, year: int, majors: Sequence[str]) -> dict[str, str]:
        """红黄牌: majors whose rate at the final checkpoint is below the configured thresholds,
        this cohort and — when `card_years_running` > 1 — the cohorts before it."""
        settings = self.settings
        rule = CardRule(settings.card_yellow_below, settings.card_red_below, settings.card_years_running)
        per_major: dict[str, list[int]] = {major: [] for major in majors}
        for past_year in range(year - rule.years_running + 1, year + 1):
            cohort = repo.get_cohort(session, past_year)
            if cohort is None or cohort.id is None:
                continue
            final = max(t.checkpoint(past_year) for t in self.targets(session, cohort.id))
            for row in breakdown(self.states(session, cohort.id, min(final, self.today())), "major"):
                if row.unit in per_major:
                    per_major[row.unit].append(row.counts.placement_hundredths)
        cards = {}
        for major, rates in per_major.items():
            card = card_for(rates, rule)
            if card:
                cards[major] = "红牌" if card == "red" else "黄牌"
        return cards

    # ------------------------------------------------------------ aliases

    def add_alias(self, actor: Actor, alias: str, target: str) -> Scope:
        if actor.role != "admin":
            raise ServiceError("not_allowed")
        with self.db.write() as session:
            cohort_id, _ = self._cohort_id(session, None)
            scopes = [s for s in self.catalog(session, cohort_id).resolve(target) if s != WHOLE_SCHOOL]
            if len(scopes) != 1:
                raise ServiceError("alias_target", target=target)
            key = norm(alias)
            existing = session.exec(select(Alias).where(Alias.alias == key)).first()
            row = existing or Alias(alias=key, dimension=scopes[0].dimension, value=scopes[0].value)
            row.dimension, row.value, row.created_by = scopes[0].dimension, scopes[0].value, actor.user_id
            row.created_at = datetime.now(UTC)
            session.add(row)
            repo.audit(session, actor.user_id, "alias", f"{key} → {scopes[0].token}")
        return scopes[0]

    def list_aliases(self) -> dict[str, tuple[str, str]]:
        with self.db.read() as session:
            return repo.aliases(session)

    # ------------------------------------------------------------ roster import

    def import_roster(
        self,
        data: bytes,
        file_name: str,
        *,
        cohort: int | None = None,
        dry_run: bool = False,
        prune: bool = False,
        actor: Actor | None = None,
    ) -> ImportResult:
        """All-or-nothing import: any bad row → nothing is written and every bad row is listed."""
        today = self.today()
        default_cohort = cohort or today.year
        roster: RosterFile = read_roster(data, file_name, default_cohort=default_cohort, today=today)
        years = {row.cohort or default_cohort for row in roster.rows}
        year = cohort or (years.pop() if len(years) == 1 else default_cohort)
        result = ImportResult(cohort=year, total_rows=len(roster.rows), dry_run=dry_run, unknown_columns=roster.unknown_columns)
        if roster.problems:
            result.problems = roster.problems
            return result
        with self.db.write() as session:
            cohort_row = repo.get_or_create_cohort(session, year)
            assert cohort_row.id is not None
            repo.lock_cohort(session, cohort_row.id)
            existing = repo.graduates_by_student_id(session, cohort_row.id)
            new_rows: list[dict] = []
            for row in roster.rows:
                values = _roster_values(row)
                graduate = existing.get(row.student_id)
                if graduate is None:
                    result.created += 1
                    new_rows.append({"cohort_id": cohort_row.id, "student_id": row.student_id, **values})
                elif any(getattr(graduate, k) != v for k, v in values.items()):
                    result.updated += 1
                    if not dry_run:
                        for key, value in values.items():
                            setattr(graduate, key, value)
                        graduate.updated_at = datetime.now(UTC)
                        session.add(graduate)
                else:
                    result.unchanged += 1
            seen = {row.student_id for row in roster.rows}
            missing = [g.id for sid, g in existing.items() if sid not in seen and g.id is not None]
            result.missing = len(missing)
            if dry_run:
                session.rollback()
                return result
            if new_rows:
                for start in range(0, len(new_rows), 2000):
                    session.execute(insert(Graduate), new_rows[start : start + 2000])
            if prune and missing:
                repo.delete_graduates(session, missing)
                result.pruned = len(missing)
                result.missing = 0
            repo.bump_data_version(session, cohort_row.id, roster=True)
            session.flush()
            update_lines = "\n".join(row.update_text for row in roster.rows if row.update_text)
            if update_lines:
                importer = actor or _SYSTEM_ACTOR
                applied = self._apply(
                    session, importer, cohort_row.id, parse_message(update_lines, today), None, None, "import"
                )
                if applied.rejected:  # e.g. a row's 学号 clashing with the scope: keep all-or-nothing
                    session.rollback()
                    self._forget_caches()  # they may hold what was just rolled back
                    result.problems = applied.rejected
                    return result
                result.destinations_applied = len(applied.applied)
                result.destinations_unchanged = len(applied.unchanged)
        self._forget_caches()
        return result

    def _forget_caches(self) -> None:
        with self._lock:
            self._cache.clear()
            self._catalog_cache.clear()
            self._members_cache.clear()
            self._timeline_cache.clear()


_SYSTEM_ACTOR = Actor(user_id=0, telegram_id=None, name="import", role="admin", language=None, scope=UserScope(everything=True))


def _roster_values(row: object) -> dict[str, object]:
    return {
        "name": row.name,  # type: ignore[attr-defined]
        "department": row.department,  # type: ignore[attr-defined]
        "major": row.major,  # type: ignore[attr-defined]
        "category": row.category,  # type: ignore[attr-defined]
        "class_name": row.class_name,  # type: ignore[attr-defined]
        "degree": row.degree,  # type: ignore[attr-defined]
        "gender": row.gender,  # type: ignore[attr-defined]
        "origin": row.origin,  # type: ignore[attr-defined]
        "ethnicity": row.ethnicity,  # type: ignore[attr-defined]
        "groups": ";".join(row.groups),  # type: ignore[attr-defined]
        "counsellor": row.counsellor,  # type: ignore[attr-defined]
        "major_en": row.major_en,  # type: ignore[attr-defined]
        "department_en": row.department_en,  # type: ignore[attr-defined]
    }


def _same_destination(current: dict[str, object], new: dict[str, object]) -> bool:
    """Same values again → unchanged. A new date alone does not make a new destination."""
    return all(current[name] == new[name] for name in repo.ENTRY_FIELDS if name != "effective_date")


def _percent_text(value: Decimal) -> str:
    return format(value.normalize(), "f")
