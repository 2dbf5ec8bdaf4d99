"""Who reads an answer, and what may be shown to them: the one rule for group chats.

A private chat may see everything in the user's scope. A group (a Telegram group, or a group
robot) sees aggregates only: never names or per-student lists (the policy refuses those actions),
never a priority group (群体), and never a figure about fewer than `MIN_GROUP_FIGURE` graduates,
which is shown as `<5`. The policy (bot.services.policy) applies this to actions and scopes; the
texts and charts ask `hides` before they print a number.

Sibling units beside their total (/rates rows and 合计, the rates chart, a group robot's unit lines)
get complementary suppression, `withheld`: hiding a unit of 1–4 is worthless when the total and the
other rows are shown — the total minus the rest is the hidden unit. So while the hidden units
together count 1–4 graduates, the shown unit with the fewest graduates is withheld too (shown as
`WITHHELD`, its rate, counts and size alike), until what the total gives away by subtraction is a
figure about at least `MIN_GROUP_FIGURE` graduates. We keep the total rather than drop it: the
total is the figure a group asks for. Every one of the three paths calls `withheld`.

Not covered (residual risk): a count of 1–4 inside a shown unit is `<5` but its rate × its size
gives it back (50.00% of 6 → 3 placed); and differencing *across* answers — two scopes that differ
by one small unit (`/rate 护理学院` against `/rate 专业:护理`), or this week against last week.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

MIN_GROUP_FIGURE = 5
HIDDEN = f"<{MIN_GROUP_FIGURE}"
WITHHELD = "—"  # a unit of 5 or more withheld so that a smaller one cannot be found by subtraction
PRIORITY_DIMENSION = "group"  # 群体: never named, counted or charted in a group


class Audience(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


def hides(audience: Audience, count: int) -> bool:
    """Whether a figure counting `count` graduates must be hidden from this audience (0 is no one)."""
    return audience == Audience.GROUP and 0 < count < MIN_GROUP_FIGURE


def shown(audience: Audience, count: int) -> str:
    return HIDDEN if hides(audience, count) else str(count)


def withheld(audience: Audience, totals: Sequence[int]) -> frozenset[int]:
    """The positions of the sibling units (their sizes `totals`, listed beside their sum) whose
    figures this audience may not see: those under 5, and as many of the smallest others as it
    takes for the hidden ones together to count 0 or at least `MIN_GROUP_FIGURE` graduates."""
    out = {i for i, total in enumerate(totals) if hides(audience, total)}
    if not out:
        return frozenset()
    candidates = sorted((total, i) for i, total in enumerate(totals) if i not in out and total > 0)
    while hides(audience, sum(totals[i] for i in out)) and candidates:
        out.add(candidates.pop(0)[1])
    return frozenset(out)
