"""Who reads an answer, and what may be shown to them: the one rule for group chats.

A private chat may see everything in the user's scope. A group (a Telegram group, or a group
robot) sees aggregates only: never names or per-student lists (the policy refuses those actions),
never a priority group (群体), and never a figure about fewer than `MIN_GROUP_FIGURE` graduates,
which is shown as `<5`. The policy (bot.services.policy) applies this to actions and scopes; the
texts and charts ask `hides` before they print a number.
"""

from __future__ import annotations

from enum import StrEnum

MIN_GROUP_FIGURE = 5
HIDDEN = f"<{MIN_GROUP_FIGURE}"
PRIORITY_DIMENSION = "group"  # 群体: never named, counted or charted in a group


class Audience(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


def hides(audience: Audience, count: int) -> bool:
    """Whether a figure counting `count` graduates must be hidden from this audience (0 is no one)."""
    return audience == Audience.GROUP and 0 < count < MIN_GROUP_FIGURE


def shown(audience: Audience, count: int) -> str:
    return HIDDEN if hides(audience, count) else str(count)
