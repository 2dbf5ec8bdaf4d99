"""The one authorization policy: which role may do which action, within which scope.

Every entry point (handlers, CLI, jobs) reaches the data through a service, and every service asks
this policy; no other module compares role names. Strangers and revoked users have no `Actor`
(they are `None` here) or an inactive one, and may do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.disclosure import PRIORITY_DIMENSION, Audience
from bot.metrics import GraduateState
from bot.scopes import WITHIN, Scope, UserScope
from bot.services.base import ServiceError


class Role(StrEnum):
    ADMIN = "admin"  # the careers office: the whole school
    HEAD = "head"  # 院系负责人: their departments
    COUNSELLOR = "counsellor"  # 辅导员: their graduates and classes
    GRADUATE = "graduate"  # a bound graduate (§10): their own record only, never a staff action


class Action(StrEnum):
    """Everything a user can ask the bot to do."""

    READ_RATES = "read_rates"  # /rate, /rates, /chart
    READ_NAMES = "read_names"  # /unplaced, /student, names in replies
    EXPORT = "export"
    REPORT = "report"
    KPI = "kpi"
    READ_TARGETS = "read_targets"
    SET_TARGETS = "set_targets"
    APPLY_UPDATES = "apply_updates"
    UNDO = "undo"
    IMPORT_ROSTER = "import_roster"
    INVITE = "invite"
    LIST_INVITES = "list_invites"
    CANCEL_INVITE = "cancel_invite"
    USERS = "users"
    ALIAS = "alias"
    SCHEDULE = "schedule"  # the digest schedule
    SETTINGS = "settings"  # one's own language and digest opt-out
    DIGEST = "digest"  # receive / preview one's digest
    CHANNELS = "channels"  # channel subscriptions (the channels module)
    # graduates in the loop (§10)
    INVITE_GRADUATES = "invite_graduates"  # personal links and QR codes
    UNBIND = "unbind"
    REVIEW = "review"  # approve or return self-reports
    REQUEST_CONFIRMATION = "request_confirmation"  # /confirm
    ATTACH_MATERIAL = "attach_material"  # staff: a photo or PDF captioned 材料 <学号>
    VERIFY = "verify"  # /verify: a phone or visit check
    SAMPLE = "sample"  # /sample: draw a random sample for checking
    CHECK = "check"  # /check: the 核查 figures
    OWN_RECORD = "own_record"  # a graduate: see, report, confirm and document their own destination
    SURVEY_RUN = "survey_run"  # /survey open|remind: invite the graduates of one's scope
    SURVEY_CLOSE = "survey_close"  # /survey close: ends the cohort's survey for everyone
    SURVEY_FIGURES = "survey_figures"  # /survey, /chart survey: aggregates only, `<5` below five
    SURVEY_QUESTIONS = "survey_questions"  # replace a cohort's questionnaire


STAFF = frozenset({Role.ADMIN, Role.HEAD, Role.COUNSELLOR})
_EVERYONE = STAFF  # every staff role: a graduate is never "everyone" for a staff action
_GRADUATE = frozenset({Role.GRADUATE})
_ADMIN = frozenset({Role.ADMIN})
_ADMIN_HEAD = frozenset({Role.ADMIN, Role.HEAD})

# role × action. Reading is always limited to the actor's scope (see `visible`).
RULES: dict[Action, frozenset[Role]] = {
    Action.READ_RATES: _EVERYONE,
    Action.READ_NAMES: _EVERYONE,
    Action.EXPORT: _EVERYONE,
    Action.REPORT: _EVERYONE,
    Action.KPI: _EVERYONE,
    Action.READ_TARGETS: _EVERYONE,
    Action.SET_TARGETS: _ADMIN,
    Action.APPLY_UPDATES: _EVERYONE,
    Action.UNDO: _EVERYONE,
    Action.IMPORT_ROSTER: _ADMIN,
    Action.INVITE: _ADMIN_HEAD,
    Action.LIST_INVITES: _ADMIN_HEAD,  # a head lists (and cancels) the invites she made
    Action.CANCEL_INVITE: _ADMIN_HEAD,
    Action.USERS: _ADMIN_HEAD,
    Action.ALIAS: _ADMIN,
    Action.SCHEDULE: _ADMIN,
    Action.SETTINGS: _EVERYONE,
    Action.DIGEST: _EVERYONE,
    Action.CHANNELS: _ADMIN,
    Action.INVITE_GRADUATES: _EVERYONE,
    Action.UNBIND: _EVERYONE,
    Action.REVIEW: _EVERYONE,
    Action.REQUEST_CONFIRMATION: _EVERYONE,
    Action.ATTACH_MATERIAL: _EVERYONE,
    Action.VERIFY: _EVERYONE,
    Action.SAMPLE: _ADMIN_HEAD,
    Action.CHECK: _EVERYONE,
    Action.OWN_RECORD: _GRADUATE,
    Action.SURVEY_RUN: STAFF,
    Action.SURVEY_CLOSE: _ADMIN_HEAD,
    Action.SURVEY_FIGURES: STAFF,
    Action.SURVEY_QUESTIONS: _ADMIN,
}

# What is never done where a group reads along (bot.disclosure): names, per-student lists, files,
# digests (they name priority groups), KPI tables (per-unit figures), changes and administration.
PRIVATE_ONLY: frozenset[Action] = frozenset({
    Action.READ_NAMES, Action.EXPORT, Action.REPORT, Action.KPI, Action.DIGEST, Action.APPLY_UPDATES,
    Action.UNDO, Action.IMPORT_ROSTER, Action.INVITE, Action.LIST_INVITES, Action.CANCEL_INVITE, Action.USERS,
    Action.SET_TARGETS, Action.ALIAS, Action.SCHEDULE, Action.CHANNELS,
    Action.INVITE_GRADUATES, Action.UNBIND, Action.REVIEW, Action.REQUEST_CONFIRMATION, Action.ATTACH_MATERIAL,
    Action.VERIFY, Action.SAMPLE, Action.OWN_RECORD,
    Action.SURVEY_RUN, Action.SURVEY_CLOSE, Action.SURVEY_QUESTIONS,
})  # fmt: skip

# The commands a user is offered (/help and the Telegram command menu), each with the action it
# needs: a role is offered exactly the commands its RULES allow, so the help and the menus follow the
# policy and a new role (e.g. graduates) is offered only what it is allowed. `None`: every
# registered user. Order is the order shown.
COMMANDS: tuple[tuple[str, Action | None], ...] = (
    ("rate", Action.READ_RATES),
    ("rates", Action.READ_RATES),
    ("unplaced", Action.READ_NAMES),
    ("student", Action.READ_NAMES),
    ("chart", Action.READ_RATES),
    ("export", Action.EXPORT),
    ("report", Action.REPORT),
    ("digest", Action.DIGEST),
    ("kpi", Action.KPI),
    ("targets", Action.READ_TARGETS),
    ("undo", Action.UNDO),
    ("invite", Action.INVITE),
    ("invite graduates", Action.INVITE_GRADUATES),  # the same command, a second form (§10)
    ("invites", Action.LIST_INVITES),
    ("users", Action.USERS),
    ("import", Action.IMPORT_ROSTER),
    ("alias", Action.ALIAS),
    ("channels", Action.CHANNELS),
    ("review", Action.REVIEW),
    ("confirm", Action.REQUEST_CONFIRMATION),
    ("check", Action.CHECK),
    ("verify", Action.VERIFY),
    ("sample", Action.SAMPLE),
    ("unbind", Action.UNBIND),
    ("survey", Action.SURVEY_FIGURES),
    ("me", Action.OWN_RECORD),
    ("settings", Action.SETTINGS),
    ("help", None),
    ("cancel", None),
)
# What a stranger is offered: the way in.
STRANGER_COMMANDS: tuple[str, ...] = ("start", "help")


def command_forms_for(role: Role | None, audience: Audience = Audience.PRIVATE) -> list[str]:
    """The command forms `role` is offered where `audience` reads (a group: none that are
    private-only), one /help line each — `invite` and `invite graduates` are two forms of one
    command; `None` is a stranger."""
    if role is None:
        return list(STRANGER_COMMANDS)
    return [
        form
        for form, action in COMMANDS
        if action is None
        or (role in RULES[action] and not (audience == Audience.GROUP and action in PRIVATE_ONLY))
    ]


def commands_for(role: Role | None, audience: Audience = Audience.PRIVATE) -> list[str]:
    """The command names `role` is offered (its Telegram menu): each name once, in table order."""
    return list(dict.fromkeys(form.split()[0] for form in command_forms_for(role, audience)))


def group_commands() -> list[str]:
    """The commands offered in group chats: those some role may use where a group reads along."""
    offered = {name for role in Role for name in commands_for(role, Audience.GROUP)}
    return [name for name, _ in COMMANDS if name in offered and name != "cancel"]


# Who may invite whom: admins anyone, heads counsellors (of their departments) only.
# Graduates are never invited this way: they bind through their personal links (§10).
INVITES: dict[Role, frozenset[Role]] = {
    Role.ADMIN: STAFF,
    Role.HEAD: frozenset({Role.COUNSELLOR}),
    Role.COUNSELLOR: frozenset(),
    Role.GRADUATE: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """A registered user as the services see them."""

    user_id: int
    telegram_id: int | None
    name: str | None
    role: Role
    language: str | None
    scope: UserScope
    digest_opt_out: bool = False
    active: bool = True
    audience: Audience = Audience.PRIVATE  # where the answer is read: set from the chat type


def in_chat(actor: Actor, audience: Audience) -> Actor:
    """The actor as seen in a chat of this kind (the entry point knows the chat; nothing else)."""
    return actor if actor.audience == audience else replace(actor, audience=audience)


# The operator at the server's command line (CLI verbs, imports, jobs acting for the school).
SYSTEM = Actor(user_id=0, telegram_id=None, name="system", role=Role.ADMIN, language=None, scope=UserScope(everything=True))


def allows(actor: Actor | None, action: Action) -> bool:
    """Role × action: may this actor do this at all (scope aside)?"""
    return actor is not None and actor.active and actor.role in RULES[action]


def is_staff(actor: Actor | None) -> bool:
    """An active admin, head or counsellor (not a graduate, not a stranger)."""
    return actor is not None and actor.active and actor.role in STAFF


def is_graduate(actor: Actor | None) -> bool:
    return actor is not None and actor.active and actor.role == Role.GRADUATE


def require(actor: Actor | None, action: Action) -> Actor:
    """The actor, if the policy allows the action here; otherwise the user's refusal."""
    if actor is None or not allows(actor, action):
        raise ServiceError("staff_only" if is_graduate(actor) else "not_allowed")
    if actor.audience == Audience.GROUP and action in PRIVATE_ONLY:
        raise ServiceError("private_only")
    return actor


def require_shareable(actor: Actor, dimension: str) -> None:
    """In a group, no answer is about a priority group (a scope or a breakdown by 群体)."""
    if actor.audience == Audience.GROUP and dimension == PRIORITY_DIMENSION:
        raise ServiceError("group_no_priority")


def may_invite(inviter: Actor | None, role: Role) -> bool:
    return allows(inviter, Action.INVITE) and role in INVITES[inviter.role]  # type: ignore[union-attr]


def require_invite(
    inviter: Actor,
    role: Role,
    grants: Sequence[tuple[str, str]],
    cohorts: Iterable[Sequence[GraduateState]],
) -> None:
    """Role × action × scope for invites: a head invites counsellors only for classes and
    counsellors lying wholly inside the head's departments — in every cohort, past and future."""
    if not may_invite(inviter, role):
        raise ServiceError("invite_not_allowed")
    if inviter.scope.everything:
        return
    if not grants:
        raise ServiceError("invite_needs_scope")
    departments = _inviter_departments(inviter)
    for dimension, value in grants:
        # a cohort (届:2023) holds every department's graduates; with no department there is
        # nothing to bind the invitee to (see `invite_bound`)
        if (dimension == "department" and value not in departments) or dimension in ("cohort", WITHIN) or not departments:
            raise ServiceError("out_of_scope_invite", scope=value)
    scopes = [(Scope(dimension, value), value) for dimension, value in grants]
    for states in cohorts:
        for state in states:
            for scope, value in scopes:
                if state.department not in departments and scope.matches(state):
                    raise ServiceError("out_of_scope_invite", scope=value)


def invite_bound(inviter: Actor) -> list[tuple[str, str]]:
    """The scope rows that bind what the inviter's invitee reads to the inviter's departments
    (checked at read time by `UserScope.covers`: a class or counsellor name a later roster puts in
    another department stays out). Nothing for admins; a bound inviter passes its bound on."""
    if inviter.scope.everything:
        return []
    return [(WITHIN, d) for d in sorted(_inviter_departments(inviter))]


def _inviter_departments(inviter: Actor) -> set[str]:
    departments = {s.value for s in inviter.scope.grants if s.dimension == "department"}
    return departments if inviter.scope.within is None else departments & inviter.scope.within


def visible(actor: Actor, asked: Sequence[GraduateState]) -> list[GraduateState]:
    """The part of `asked` the actor may read: their scope, whatever they asked for."""
    if actor.scope.everything:
        return list(asked)
    return [s for s in asked if actor.scope.covers(s)]
