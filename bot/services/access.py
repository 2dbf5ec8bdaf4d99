"""Access: who the user is (actors), granting and revoking roles, invitations, per-user settings.

Every permission question goes to `bot.services.policy`; this module only keeps the records.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.scopes import DIMENSIONS, WITHIN, Scope, UserScope, norm
from bot.services import policy
from bot.services.base import Clock, ServiceError
from bot.services.policy import Action, Actor, Role
from bot.services.snapshots import SnapshotStore
from storage import repo
from storage.db import Database
from storage.models import BotUser, Invite

INVITE_LIFETIME = timedelta(days=7)


@dataclass(frozen=True)
class OpenInvite:
    """An invite not yet used, cancelled or expired, as admins see it (never its token)."""

    id: int
    role: str
    name: str | None
    scopes: list[str]
    made_by: str  # the maker's name or Telegram ID; "CLI" for command-line invites
    expires_at: datetime


def new_token() -> tuple[str, str]:
    """A random single-use token for a deep link, and the hash that is all the database keeps
    (invites and graduates' personal links alike)."""
    token = secrets.token_urlsafe(24)
    return token, repo.hash_token(token)


def token_hash(token: str) -> str:
    return repo.hash_token(token)


def role_of(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise ServiceError("bad_role", role=text) from None


def parse_scope_grants(role: str, scopes: Sequence[str]) -> list[tuple[str, str]]:
    """`--scope` values: `院系:护理学院`, or a bare name (a department for heads, a class for counsellors)."""
    default = {Role.HEAD: "department", Role.COUNSELLOR: "class_name"}.get(role, "department")  # type: ignore[call-overload]
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


def actor_of(session: Session, user: BotUser) -> Actor:
    """The services' view of a stored user (their role and scope grants)."""
    assert user.id is not None
    role = Role(user.role)
    rows = repo.user_scopes(session, user.id)
    grants = [Scope(s.dimension, s.value) for s in rows if s.dimension != WITHIN]
    bound = [s.value for s in rows if s.dimension == WITHIN]
    if role == Role.COUNSELLOR and user.name:
        grants.insert(0, Scope("counsellor", user.name))
    return Actor(
        user_id=user.id,
        telegram_id=user.telegram_id,
        name=user.name,
        role=role,
        language=user.language,
        scope=UserScope(everything=role == Role.ADMIN, grants=tuple(grants), within=frozenset(bound) if bound else None),
        digest_opt_out=user.digest_opt_out,
        active=user.active,
    )


@dataclass(frozen=True)
class UserRow:
    """One line of /users."""

    telegram_id: int | None
    name: str | None
    role: str
    active: bool
    scopes: list[str]
    started: bool  # False: Telegram refused their last digest because they never pressed Start


class AccessService:
    def __init__(self, db: Database, snapshots: SnapshotStore, clock: Clock) -> None:
        self.db = db
        self.snapshots = snapshots
        self.clock = clock

    # ------------------------------------------------------------ actors

    def actor(self, telegram_id: int) -> Actor | None:
        """The registered, active user with this Telegram ID; None for strangers and revoked users."""
        with self.db.read() as session:
            user = repo.user_by_telegram_id(session, telegram_id)
            if user is None or not user.active:
                return None
            return actor_of(session, user)

    def active_actors(self) -> list[Actor]:
        """Every active registered user (for their command menus)."""
        with self.db.read() as session:
            return [
                actor_of(session, user)
                for user in repo.all_users(session)
                if user.active and user.telegram_id is not None
            ]

    def digest_recipients(self, only: int | None = None, slot: datetime | None = None) -> list[Actor]:
        """Who gets a slot's digest: active users registered before the slot (every active user when
        no slot is given). Someone registered after it waits for the next slot, so a fresh install
        never sends the digest of a slot that passed before its users existed (product.md §6)."""
        with self.db.read() as session:
            users = repo.digest_recipients(session, registered_before=slot)
            actors = [actor_of(session, user) for user in users if only is None or user.telegram_id == only]
        return [a for a in actors if policy.allows(a, Action.DIGEST)]

    # ------------------------------------------------------------ roles

    def grant(
        self, telegram_id: int, role: str, *, name: str | None = None, scopes: Sequence[str] = (), actor: Actor = policy.SYSTEM
    ) -> BotUser:
        """Give a Telegram user a role directly (the CLI's `grant`: the operator, not a chat user)."""
        policy.require(actor, Action.INVITE)
        role_ = role_of(role)
        grants = parse_scope_grants(role_, scopes)
        if role_ == Role.COUNSELLOR and not name and not grants:
            raise ServiceError("counsellor_needs_scope")
        with self.db.write() as session:
            if not actor.scope.everything:
                policy.require_invite(actor, role_, self._to_check(role_, name, grants), self.snapshots.every_cohort(session))
            user = repo.user_by_telegram_id(session, telegram_id) or BotUser(telegram_id=telegram_id, role=role_)
            if user.id is None or not user.active:
                user.created_at = self.clock.now()  # registration time: decides which digest slots are theirs
            user.role = role_
            user.active = True
            if name:
                user.name = name
            user.created_by = user.created_by or (actor.user_id or None)
            session.add(user)
            session.flush()
            assert user.id is not None
            repo.set_user_scopes(session, user.id, [*grants, *policy.invite_bound(actor)])
            repo.audit(session, actor.user_id or None, "grant", f"{telegram_id} {role_} {name or ''} {grants}")
            return user

    def revoke(self, telegram_id: int, *, actor: Actor = policy.SYSTEM) -> bool:
        """Deactivate a user and cancel every invite they made and nobody has used yet."""
        policy.require(actor, Action.USERS)
        with self.db.write() as session:
            user = repo.user_by_telegram_id(session, telegram_id)
            if user is None or not user.active or user.id is None:
                return False
            user.active = False
            session.add(user)
            cancelled = repo.cancel_invites_by(session, user.id, datetime.now(UTC))
            repo.audit(session, actor.user_id or None, "revoke", f"{telegram_id}; {cancelled} invite(s) cancelled")
            return True

    def users(self, actor: Actor) -> list[UserRow]:
        """Admins see everyone; heads see the counsellors they brought in and those whose graduates
        (in the latest cohort) lie in the head's departments, whoever registered them."""
        policy.require(actor, Action.USERS)
        with self.db.read() as session:
            not_started = repo.users_not_started(session)
            out = []
            for user in repo.all_users(session):
                assert user.id is not None
                if user.role == Role.GRADUATE:  # graduates are listed per scope by /invite graduates, not here
                    continue
                if not actor.scope.everything and not self._head_sees(session, actor, user):
                    continue
                scopes = [f"{s.dimension}:{s.value}" for s in repo.user_scopes(session, user.id)]
                out.append(UserRow(user.telegram_id, user.name, user.role, user.active, scopes, user.id not in not_started))
            return out

    def _head_sees(self, session: Session, head: Actor, user: BotUser) -> bool:
        if user.role != Role.COUNSELLOR:
            return False
        if user.created_by == head.user_id:
            return True
        cohort = repo.latest_cohort(session)
        if cohort is None or cohort.id is None:
            return False
        counsellor = actor_of(session, user)
        shown, _ = self.snapshots.select(session, cohort.id, counsellor.scope, within=head.scope)
        return len(shown) > 0

    # ------------------------------------------------------------ invites

    @staticmethod
    def _to_check(role: Role, name: str | None, grants: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # a counsellor's name is also their scope (the roster's 辅导员 column)
        return [*grants, ("counsellor", name)] if role == Role.COUNSELLOR and name else list(grants)

    def create_invite(
        self, role: str, *, name: str | None = None, scopes: Sequence[str] = (), inviter: Actor = policy.SYSTEM
    ) -> str:
        """A single-use token valid for 7 days; only its hash is stored."""
        role_ = role_of(role)
        grants = parse_scope_grants(role_, scopes)
        if not policy.may_invite(inviter, role_):
            raise ServiceError("invite_not_allowed")
        if not inviter.scope.everything:
            with self.db.read() as session:
                cohorts = self.snapshots.every_cohort(session)
            policy.require_invite(inviter, role_, self._to_check(role_, name, grants), cohorts)
        if role_ == Role.COUNSELLOR and not name and not grants:
            raise ServiceError("counsellor_needs_scope")
        token, token_hash = new_token()
        maker = inviter.user_id or None
        with self.db.write() as session:
            session.add(
                Invite(
                    token_hash=token_hash,
                    role=role_,
                    name=name,
                    scopes="\n".join(f"{d}:{v}" for d, v in [*grants, *policy.invite_bound(inviter)]),
                    created_by=maker,
                    expires_at=datetime.now(UTC) + INVITE_LIFETIME,
                )
            )
            repo.audit(session, maker, "invite", f"{role_} {name or ''} {grants}")
        return token

    def redeem_invite(self, token: str, telegram_id: int, display_name: str | None, language: str | None) -> Actor:
        """Bind a Telegram account to an invite. Dead when used, cancelled, expired, or made by
        someone revoked (or no longer allowed to invite that role); exactly one of two racing
        accounts wins."""
        now = datetime.now(UTC)
        with self.db.write() as session:
            invite = repo.invite_by_token(session, token)
            if invite is None or invite.id is None:
                raise ServiceError("invite_invalid")
            if invite.used_at is not None:
                raise ServiceError("invite_used" if invite.used_by is not None else "invite_invalid")
            expires_at = invite.expires_at if invite.expires_at.tzinfo else invite.expires_at.replace(tzinfo=UTC)
            if expires_at < now:
                raise ServiceError("invite_expired")
            bound: list[tuple[str, str]] = []
            if invite.created_by is not None:
                maker = session.get(BotUser, invite.created_by)
                if maker is None or not policy.may_invite(maker_actor := actor_of(session, maker), role_of(invite.role)):
                    raise ServiceError("invite_invalid")
                bound = policy.invite_bound(maker_actor)
            if not repo.claim_invite(session, invite.id, None, now):
                raise ServiceError("invite_used")  # another account got there first
            user = repo.user_by_telegram_id(session, telegram_id) or BotUser(telegram_id=telegram_id, role=invite.role)
            if user.active and user.role == Role.GRADUATE:
                raise ServiceError("account_is_graduate")  # a graduate's account stays theirs: /unbind first
            if user.id is None or not user.active:
                user.created_at = self.clock.now()  # registration time: decides which digest slots are theirs
            user.role = invite.role
            user.active = True
            # never from the Telegram display name: a counsellor's name is also their scope
            user.name = invite.name or user.name
            user.created_by = invite.created_by
            session.add(user)
            session.flush()
            assert user.id is not None
            grants = [tuple(line.split(":", 1)) for line in invite.scopes.splitlines() if ":" in line]
            if bound:  # the maker's departments today, inside those the invite was made with
                written = {g for g in grants if g[0] == WITHIN}
                kept = [b for b in bound if not written or b in written] or [(WITHIN, "")]  # "": covers no one
                grants = [g for g in grants if g[0] != WITHIN] + kept
            repo.set_user_scopes(session, user.id, grants)  # type: ignore[arg-type]
            repo.set_invite_user(session, invite.id, user.id)
            repo.audit(session, user.id, "redeem", f"invite {invite.id}")
            return actor_of(session, user)

    def open_invites(self, actor: Actor = policy.SYSTEM) -> list[OpenInvite]:
        policy.require(actor, Action.LIST_INVITES)
        with self.db.read() as session:
            rows = repo.open_invites(session, datetime.now(UTC))
        if not actor.scope.everything:  # a head sees the invites she made
            rows = [(invite, maker) for invite, maker in rows if invite.created_by == actor.user_id]
        return [
            OpenInvite(
                id=invite.id or 0,
                role=invite.role,
                name=invite.name,
                scopes=invite.scopes.splitlines(),
                made_by="CLI" if maker is None else (maker.name or str(maker.telegram_id)),
                expires_at=invite.expires_at if invite.expires_at.tzinfo else invite.expires_at.replace(tzinfo=UTC),
            )
            for invite, maker in rows
        ]

    def cancel_invite(self, invite_id: int, actor: Actor = policy.SYSTEM) -> None:
        policy.require(actor, Action.CANCEL_INVITE)
        with self.db.write() as session:
            invite = session.get(Invite, invite_id)
            if not actor.scope.everything and (invite is None or invite.created_by != actor.user_id):
                raise ServiceError("invite_not_open", id=invite_id)  # another's invite: as if there were none
            if not repo.claim_invite(session, invite_id, None, datetime.now(UTC)):
                raise ServiceError("invite_not_open", id=invite_id)
            repo.audit(session, actor.user_id or None, "cancel_invite", str(invite_id))

    # ------------------------------------------------------------ one's own settings

    def set_language(self, actor: Actor, language: str) -> None:
        self._set(actor, language=language)

    def set_digest_opt_out(self, actor: Actor, opt_out: bool) -> None:
        self._set(actor, digest_opt_out=opt_out)

    def _set(self, actor: Actor, **values: object) -> None:
        policy.require(actor, Action.SETTINGS)
        with self.db.write() as session:
            user = session.get(BotUser, actor.user_id)
            assert user is not None
            for key, value in values.items():
                setattr(user, key, value)
            session.add(user)
