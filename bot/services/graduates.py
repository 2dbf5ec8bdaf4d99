"""Graduates in the loop (§10): personal links, binding a Telegram account to one graduate,
unbinding, and a graduate's view of their own record.

For other services (the survey, digests): `whois(telegram_id)` says which bound graduate a Telegram
user is, and `bound_in_scope(actor, args)` lists the bound graduates of a scope with their Telegram
IDs. Both read only; permissions are the policy's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.metrics import GraduateState
from bot.scopes import UserScope
from bot.services import policy
from bot.services.access import new_token, token_hash
from bot.services.base import Clock, ServiceError
from bot.services.policy import Action, Actor, Role
from bot.services.questions import Ambiguous, Scoping, scope_label
from bot.services.snapshots import SnapshotStore
from bot.services.updates import REVIEW_SOURCE
from bot.settings import Settings
from bot.taxonomy import PLACED_CODES
from bot.verification import CheckFlags, Outcome
from storage import graduates as store
from storage import repo
from storage.db import Database
from storage.models import BotUser, DestinationEntry, Graduate, GraduateBinding


@dataclass(frozen=True)
class GraduateIdentity:
    """A bound graduate as the services see them."""

    user_id: int
    telegram_id: int
    graduate_id: int
    cohort_id: int
    student_id: str
    name: str
    language: str | None

    def actor(self) -> Actor:
        """The graduate as the policy sees them: role graduate, a scope that covers no one (their own
        record is reached through this identity, never through a scope)."""
        return Actor(
            self.user_id,
            self.telegram_id,
            self.name,
            Role.GRADUATE,
            self.language,
            UserScope(everything=False),
        )


@dataclass(frozen=True)
class BoundGraduate:
    graduate_id: int
    cohort_id: int
    student_id: str
    name: str
    telegram_id: int
    language: str | None


@dataclass(frozen=True)
class LinkRow:
    """One row of the links workbook: a link, or None when the graduate is bound already."""

    student_id: str
    name: str
    class_name: str
    link: str | None


@dataclass(frozen=True)
class LinkBook:
    scope_label: str
    rows: list[LinkRow]
    issued: int
    bound: int
    expires_at: datetime


@dataclass(frozen=True)
class Destination:
    """A destination entry as a graduate or a reviewer reads it."""

    entry_id: int
    code: int
    substate: str | None
    employer: str | None
    school: str | None
    province: str | None
    city: str | None
    note: str | None
    effective_date: date
    recorded_by: str | None  # the name of who recorded it (the reviewer for an approved report)
    by_graduate: bool  # an approved self-report

    @classmethod
    def of(cls, entry: DestinationEntry, recorder: BotUser | None, source: str) -> Destination:
        assert entry.id is not None
        return cls(
            entry.id, entry.code, entry.substate, entry.employer, entry.school, entry.province, entry.city, entry.note,
            entry.effective_date, recorder.name if recorder else None, source == REVIEW_SOURCE,
        )  # fmt: skip


@dataclass(frozen=True)
class MyRecord:
    """/me: a graduate's own record."""

    name: str
    student_id: str
    destination: Destination | None
    flags: CheckFlags
    pending: str | None  # the line of their report awaiting review
    returned: str | None  # the reason their last report was returned, if it was the last word


class GraduateService:
    def __init__(
        self, db: Database, snapshots: SnapshotStore, scoping: Scoping, clock: Clock, settings: Settings
    ) -> None:
        self.db = db
        self.snapshots = snapshots
        self.scoping = scoping
        self.clock = clock
        self.settings = settings

    # ------------------------------------------------------------ who is who (API for other services)

    def whois(self, telegram_id: int) -> GraduateIdentity | None:
        """The bound, active graduate this Telegram user is; None for anyone else."""
        with self.db.read() as session:
            found = store.graduate_user(session, telegram_id)
        if found is None:
            return None
        user, graduate = found
        assert user.id is not None and graduate.id is not None
        return GraduateIdentity(
            user.id,
            telegram_id,
            graduate.id,
            graduate.cohort_id,
            graduate.student_id,
            graduate.name,
            user.language,
        )

    def in_scope(self, actor: Actor, args: Sequence[str], action: Action) -> tuple[str, list[GraduateState]]:
        """The graduates of the scope the arguments name that the actor may see (today), for `action`."""
        policy.require(actor, action)
        with self.db.read() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous):
                options = "、".join(s.value for s in asked.candidates)
                raise ServiceError("ambiguous_scope", text=asked.text, options=options)
            states, _ = self.scoping.visible(session, actor, asked.cohort_id, self.clock.today(), asked.scope)
            return scope_label(actor, asked.scope, actor.language or self.settings.bot_language), states

    def bound_in_scope(self, actor: Actor, args: Sequence[str] = ()) -> list[BoundGraduate]:
        """Bound graduates of a scope with their Telegram IDs (for /confirm, the survey)."""
        _, states = self.in_scope(actor, args, Action.READ_NAMES)
        with self.db.read() as session:
            accounts = store.bound_accounts(session, [s.graduate_id for s in states])
            cohort_id, _ = self.snapshots.cohort(session)
        out = []
        for state in states:
            user = accounts.get(state.graduate_id)
            if user is not None and user.telegram_id is not None:
                out.append(
                    BoundGraduate(
                        state.graduate_id,
                        cohort_id,
                        state.student_id,
                        state.name,
                        user.telegram_id,
                        user.language,
                    )
                )
        return out

    # ------------------------------------------------------------ personal links

    def issue_links(self, actor: Actor, args: Sequence[str], bot_username: str) -> LinkBook:
        """A new link for every unbound graduate in scope (their unused links are cancelled);
        bound graduates are listed as bound."""
        label, states = self.in_scope(actor, args, Action.INVITE_GRADUATES)
        now = self.clock.now()
        expires_at = now + timedelta(days=self.settings.graduate_link_days)
        ids = [s.graduate_id for s in states]
        with self.db.write() as session:
            bound = store.bound_graduate_ids(session, ids)
            fresh = [s for s in states if s.graduate_id not in bound]
            store.cancel_open_links(session, [s.graduate_id for s in fresh], now)
            tokens: dict[int, str] = {}
            rows: list[dict[str, object]] = []
            for state in fresh:
                token, hashed = new_token()
                tokens[state.graduate_id] = token
                rows.append({
                    "graduate_id": state.graduate_id, "token_hash": hashed, "created_by": actor.user_id or None,
                    "created_at": now, "expires_at": expires_at,
                })  # fmt: skip
            store.insert_links(session, rows)
            repo.audit(
                session,
                actor.user_id or None,
                "graduate_links",
                f"{label}: {len(rows)} issued, {len(bound)} bound",
            )
        prefix = f"https://t.me/{bot_username}?start="
        out = [
            LinkRow(
                s.student_id,
                s.name,
                s.class_name or "",
                None if s.graduate_id in bound else prefix + tokens[s.graduate_id],
            )
            for s in sorted(states, key=lambda s: (s.class_name or "", s.student_id))
        ]
        return LinkBook(label, out, len(rows), len(bound), expires_at)

    def redeem(self, token: str, telegram_id: int, language: str | None) -> GraduateIdentity | None:
        """Bind this Telegram account to the link's graduate. None when the token is no graduate's
        link (it may be a staff invite); a refusal when the link is used, cancelled or expired, the
        graduate is bound already, or the account is someone else's."""
        now = self.clock.now()
        with self.db.write() as session:
            link = store.link_by_hash(session, token_hash(token))
            if link is None or link.id is None:
                return None
            if link.used_at is not None:
                raise ServiceError("link_used")
            if link.cancelled_at is not None:
                raise ServiceError("link_cancelled")
            expires_at = link.expires_at if link.expires_at.tzinfo else link.expires_at.replace(tzinfo=UTC)
            if expires_at < now:
                raise ServiceError("link_expired", days=self.settings.graduate_link_days)
            graduate = session.get(Graduate, link.graduate_id)
            if graduate is None or graduate.id is None:
                raise ServiceError("invite_invalid")
            user = repo.user_by_telegram_id(session, telegram_id)
            if user is not None and user.active:
                if user.role != Role.GRADUATE:
                    raise ServiceError("account_is_staff")
                raise ServiceError("account_bound")
            if not store.claim_link(session, link.id, now):
                raise ServiceError("link_used")  # another account got there first
            if store.binding_of_graduate(session, graduate.id) is not None:
                raise ServiceError("graduate_bound")
            user = user or BotUser(telegram_id=telegram_id, role=Role.GRADUATE)
            user.role = Role.GRADUATE
            user.active = True
            user.name = graduate.name
            user.language = language if language in ("zh", "en") else user.language
            user.created_at = self.clock.now()
            user.created_by = link.created_by
            session.add(user)
            session.flush()
            assert user.id is not None
            repo.set_user_scopes(session, user.id, [])
            session.add(
                GraduateBinding(graduate_id=graduate.id, user_id=user.id, link_id=link.id, bound_at=now)
            )
            try:
                session.flush()
            except IntegrityError as exc:  # a second link of the same graduate, redeemed at the same moment
                raise ServiceError("graduate_bound") from exc
            store.set_link_user(session, link.id, user.id)
            repo.audit(session, user.id, "bind", f"graduate {graduate.id} link {link.id}")
            return GraduateIdentity(
                user.id,
                telegram_id,
                graduate.id,
                graduate.cohort_id,
                graduate.student_id,
                graduate.name,
                user.language,
            )

    def unbind(self, actor: Actor, student_id: str) -> str:
        """Release a graduate's binding (their counsellor, heads, admins); the graduate's name."""
        state = self.graduate_in_scope(actor, student_id, Action.UNBIND)
        with self.db.write() as session:
            user_id = store.delete_binding(session, state.graduate_id)
            if user_id is None:
                raise ServiceError("not_bound", who=student_id)
            user = session.get(BotUser, user_id)
            if user is not None:
                user.active = False
                session.add(user)
            store.cancel_open_links(session, [state.graduate_id], self.clock.now())
            repo.audit(session, actor.user_id or None, "unbind", f"graduate {state.graduate_id}")
        return state.name

    def graduate_in_scope(self, actor: Actor, student_id: str, action: Action) -> GraduateState:
        """One graduate of the latest cohort by 学号, if the actor may act on them; otherwise the same
        answer as for a 学号 that does not exist."""
        policy.require(actor, action)
        who = student_id.strip()
        with self.db.read() as session:
            cohort_id, _ = self.snapshots.cohort(session)
            state = self.snapshots.by_student_id(session, cohort_id).get(who)
        if state is None or not policy.visible(actor, [state]):
            raise ServiceError("unknown_student", who=who)
        return state

    # ------------------------------------------------------------ the graduate's own record

    def me(self, actor: Actor, identity: GraduateIdentity) -> MyRecord:
        policy.require(actor, Action.OWN_RECORD)
        with self.db.read() as session:
            entry = store.current_entries(session, [identity.graduate_id]).get(identity.graduate_id)
            destination, flags = None, CheckFlags(placed=False)
            if entry is not None and entry.id is not None:
                recorder, source = store.entry_recorder(session, entry)
                destination = Destination.of(entry, recorder, source)
                flags = self.flags_of(session, entry)
            last = store.last_report(session, identity.graduate_id)
        pending = last.raw if last is not None and last.status == "pending" else None
        returned = (last.reason or "") if last is not None and last.status == "returned" else None
        return MyRecord(identity.name, identity.student_id, destination, flags, pending, returned)

    @staticmethod
    def flags_of(session: Session, entry: DestinationEntry) -> CheckFlags:
        assert entry.id is not None
        confirmed = entry.id in store.confirmed_entries(session, [entry.id])
        materials = bool(store.materials_of_entries(session, [entry.id]))
        check = store.verifications_of_entries(session, [entry.id]).get(entry.id)
        return CheckFlags(
            entry.code in PLACED_CODES, confirmed, materials, Outcome(check.outcome) if check else None
        )
