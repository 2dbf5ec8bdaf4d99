"""bot.services.policy: every role × action answer, revoked users and strangers, invite roles and scopes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.metrics import GraduateState
from bot.scopes import Scope, UserScope
from bot.services import policy
from bot.services.base import ServiceError
from bot.services.policy import Action, Actor, Role

A, H, C, G = Role.ADMIN, Role.HEAD, Role.COUNSELLOR, Role.GRADUATE

# Written out by hand (not derived from policy.RULES): the contract of product.md §2 and §6–§8.
EXPECTED: dict[Action, set[Role]] = {
    Action.READ_RATES: {A, H, C},
    Action.READ_NAMES: {A, H, C},
    Action.EXPORT: {A, H, C},
    Action.REPORT: {A, H, C},
    Action.KPI: {A, H, C},
    Action.READ_TARGETS: {A, H, C},
    Action.SET_TARGETS: {A},
    Action.APPLY_UPDATES: {A, H, C},
    Action.UNDO: {A, H, C},
    Action.IMPORT_ROSTER: {A},
    Action.INVITE: {A, H},
    Action.LIST_INVITES: {A, H},  # a head, her own invites (bot.services.access)
    Action.CANCEL_INVITE: {A, H},
    Action.USERS: {A, H},
    Action.ALIAS: {A},
    Action.SCHEDULE: {A},
    Action.SETTINGS: {A, H, C},
    Action.DIGEST: {A, H, C},
    Action.CHANNELS: {A},
    # §10: graduates in the loop. A graduate gets no staff action; only their own record.
    Action.INVITE_GRADUATES: {A, H, C},
    Action.UNBIND: {A, H, C},
    Action.REVIEW: {A, H, C},
    Action.REQUEST_CONFIRMATION: {A, H, C},
    Action.ATTACH_MATERIAL: {A, H, C},
    Action.VERIFY: {A, H, C},
    Action.SAMPLE: {A, H},
    Action.CHECK: {A, H, C},
    Action.OWN_RECORD: {G},
    # §11: the follow-up survey. Graduates answer through their binding, not through an action.
    Action.SURVEY_RUN: {A, H, C},
    Action.SURVEY_CLOSE: {A, H},
    Action.SURVEY_FIGURES: {A, H, C},
    Action.SURVEY_QUESTIONS: {A},
}

ACTORS = {
    A: Actor(1, 101, "就业中心", A, "zh", UserScope(everything=True)),
    H: Actor(2, 102, "护理主任", H, "zh", UserScope(everything=False, grants=(Scope("department", "护理学院"),))),
    C: Actor(3, 103, "王老师", C, "zh", UserScope(everything=False, grants=(Scope("counsellor", "王老师"),))),
    G: Actor(4, 104, "张伟", G, "zh", UserScope(everything=False)),
}


def test_the_table_names_every_action() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_by_action(role: Role, action: Action) -> None:
    actor = ACTORS[role]
    expected = role in EXPECTED[action]
    assert policy.allows(actor, action) is expected
    if expected:
        assert policy.require(actor, action) is actor
    else:
        with pytest.raises(ServiceError) as refusal:
            policy.require(actor, action)
        assert refusal.value.key == ("staff_only" if role == G else "not_allowed")


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_revoked_users_and_strangers_may_do_nothing(role: Role, action: Action) -> None:
    revoked = replace(ACTORS[role], active=False)
    for nobody in (revoked, None):
        assert policy.allows(nobody, action) is False
        with pytest.raises(ServiceError):
            policy.require(nobody, action)


@pytest.mark.parametrize(
    ("inviter", "invitee", "allowed"),
    [(i, r, (i == A and r != G) or (i == H and r == C)) for i in Role for r in Role],
)
def test_who_may_invite_whom(inviter: Role, invitee: Role, allowed: bool) -> None:
    assert policy.may_invite(ACTORS[inviter], invitee) is allowed
    assert policy.may_invite(replace(ACTORS[inviter], active=False), invitee) is False
    assert policy.may_invite(None, invitee) is False


def grad(gid: int, department: str, class_name: str, counsellor: str) -> GraduateState:
    return GraduateState(
        graduate_id=gid, student_id=f"{gid}", name=f"学生{gid}", department=department, major="m", category=None,
        class_name=class_name, degree="本科", gender=None, origin=None, groups=(), counsellor=counsellor, code=0,
        substate=None, last_update=None, note=None,
    )  # fmt: skip


COHORT_2022 = [grad(1, "信息工程学院", "软件2201班", "李老师"), grad(2, "护理学院", "护理2201班", "王老师")]
COHORT_2023 = [grad(3, "护理学院", "护理2301班", "王老师")]


def test_head_scope_is_checked_in_every_cohort() -> None:
    head = ACTORS[H]
    policy.require_invite(head, C, [("class_name", "护理2301班")], [COHORT_2022, COHORT_2023])
    policy.require_invite(head, C, [("class_name", "护理2201班")], [COHORT_2022, COHORT_2023])
    # a class of another department that exists only in a past cohort
    with pytest.raises(ServiceError) as refusal:
        policy.require_invite(head, C, [("class_name", "软件2201班")], [COHORT_2022, COHORT_2023])
    assert refusal.value.key == "out_of_scope_invite"
    with pytest.raises(ServiceError):  # a counsellor name whose graduates were elsewhere in 2022
        policy.require_invite(head, C, [("counsellor", "李老师")], [COHORT_2022, COHORT_2023])
    with pytest.raises(ServiceError):
        policy.require_invite(head, C, [("department", "信息工程学院")], [COHORT_2023])
    with pytest.raises(ServiceError) as no_scope:
        policy.require_invite(head, C, [], [COHORT_2023])
    assert no_scope.value.key == "invite_needs_scope"
    with pytest.raises(ServiceError) as wrong_role:
        policy.require_invite(head, H, [("department", "护理学院")], [COHORT_2023])
    assert wrong_role.value.key == "invite_not_allowed"
    policy.require_invite(ACTORS[A], H, [("department", "信息工程学院")], [COHORT_2022])  # admins: anything


def test_a_graduate_is_no_staff_and_sees_no_one() -> None:
    graduate = ACTORS[G]
    assert not policy.is_staff(graduate) and policy.is_graduate(graduate)
    assert all(policy.is_staff(ACTORS[r]) for r in (A, H, C))
    assert policy.visible(graduate, COHORT_2022 + COHORT_2023) == []
    assert G not in policy.STAFF


def test_visible_is_the_actor_scope() -> None:
    everyone = COHORT_2022 + COHORT_2023
    assert policy.visible(ACTORS[A], everyone) == everyone
    assert [s.graduate_id for s in policy.visible(ACTORS[H], everyone)] == [2, 3]
    assert [s.graduate_id for s in policy.visible(ACTORS[C], everyone)] == [2, 3]
