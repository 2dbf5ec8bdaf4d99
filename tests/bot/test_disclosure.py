"""bot.disclosure and the policy's audience rules: what a group may read (product.md §2), and the
masking of names and 学号 (PII_IN_CHAT=masked) in texts.Privacy."""

from __future__ import annotations

import pytest

from bot.disclosure import Audience, hides, shown, withheld
from bot.scopes import UserScope
from bot.services import policy
from bot.services.base import ServiceError
from bot.services.policy import Action, Actor, Role
from bot.texts import Privacy

ADMIN = Actor(user_id=1, telegram_id=1, name="a", role=Role.ADMIN, language="zh", scope=UserScope(everything=True))
IN_GROUP = policy.in_chat(ADMIN, Audience.GROUP)

# Written out by hand: what a group chat may never be given (names, lists, files, digests with
# priority groups, per-unit KPI tables, changes, administration).
GROUP_REFUSED = {
    Action.READ_NAMES, Action.EXPORT, Action.REPORT, Action.KPI, Action.DIGEST, Action.APPLY_UPDATES, Action.UNDO,
    Action.IMPORT_ROSTER, Action.INVITE, Action.LIST_INVITES, Action.CANCEL_INVITE, Action.USERS,
    Action.SET_TARGETS, Action.ALIAS, Action.SCHEDULE, Action.CHANNELS,
    # graduates in the loop (§10) and the survey (§11): lists, links, one graduate's record, sending
    Action.INVITE_GRADUATES, Action.UNBIND, Action.REVIEW, Action.REQUEST_CONFIRMATION, Action.ATTACH_MATERIAL,
    Action.VERIFY, Action.SAMPLE, Action.OWN_RECORD, Action.SURVEY_RUN, Action.SURVEY_CLOSE, Action.SURVEY_QUESTIONS,
}  # fmt: skip
GRADUATE = Actor(user_id=2, telegram_id=2, name="g", role=Role.GRADUATE, language="zh", scope=UserScope(everything=False))


@pytest.mark.parametrize("action", list(Action))
def test_group_audience_per_action(action: Action) -> None:
    actor = ADMIN if Role.ADMIN in policy.RULES[action] else GRADUATE  # a graduate's own record: theirs alone
    assert policy.require(actor, action) is actor  # a private chat: the role decides alone
    in_group = policy.in_chat(actor, Audience.GROUP)
    if action in GROUP_REFUSED:
        with pytest.raises(ServiceError) as refusal:
            policy.require(in_group, action)
        assert refusal.value.key == "private_only"
    else:
        assert policy.require(in_group, action) is in_group


def test_priority_groups_never_in_a_group() -> None:
    policy.require_shareable(ADMIN, "group")
    policy.require_shareable(IN_GROUP, "class_name")
    with pytest.raises(ServiceError) as refusal:
        policy.require_shareable(IN_GROUP, "group")
    assert refusal.value.key == "group_no_priority"


@pytest.mark.parametrize(("count", "group_sees"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (123, "123")])
def test_figures_under_five_hidden_from_groups_only(count: int, group_sees: str) -> None:
    assert shown(Audience.GROUP, count) == group_sees
    assert shown(Audience.PRIVATE, count) == str(count)
    assert hides(Audience.GROUP, count) == (group_sees == "<5")


def test_privacy_masks_every_form_a_graduate_is_named_in() -> None:
    masked, full = Privacy("masked"), Privacy("full")
    assert masked.who("2023010101") == "…0101" and masked.who("李娜") == "李*" and masked.who("欧阳娜娜") == "欧**娜"
    assert masked.whos("2023010101、2023010104") == "…0101、…0104"
    assert masked.line("张伟 升学 聊城大学", "张伟") == "张* 升学 聊城大学"
    assert masked.line("2023010199 签约 某医院") == "…0199 签约 某医院"  # a grammar error: the first token
    assert masked.line("学号：2023010101\n姓名：王芳\n去向：升学") == "学号：…0101\n姓名：王*\n去向：升学"
    assert masked.params({"who": "2023010101", "scope": "护理"}) == {"who": "…0101", "scope": "护理"}
    assert masked.ids("第 3 行：学号 2023010101 重复") == "第 3 行：学号 …0101 重复"
    for text in ("张伟 升学", "2023010101、2023010104"):
        assert full.line(text) == text and full.whos(text) == text


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ([6, 1], {0, 1}),  # one hidden unit: the total less the other row would give it away
        ([12, 6, 3], {1, 2}),  # the smallest shown unit goes with it; 9 together is a figure about ≥ 5
        ([12, 3, 4], {1, 2}),  # two hidden units counting 7 together: enough
        ([12, 1, 2, 6], {1, 2, 3}),  # two hidden units counting 3 together: one more
        ([12, 7, 6], set()),  # nothing under 5
        ([3], {0}),  # the whole scope is under 5 (its total is hidden too)
        ([1, 0, 8], {0, 2}),  # an empty unit hides nothing
        ([2, 2], {0, 1}),  # no unit left to withhold: the total (4) is hidden anyway
    ],
)
def test_withheld_units_leave_no_group_of_one_to_four_by_subtraction(totals: list[int], expected: set[int]) -> None:
    held = withheld(Audience.GROUP, totals)
    assert held == expected
    together = sum(totals[i] for i in held)
    assert together == 0 or together >= 5 or together == sum(totals)
    assert withheld(Audience.PRIVATE, totals) == frozenset()
