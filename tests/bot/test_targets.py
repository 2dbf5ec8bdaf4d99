"""bot.targets: the one rule for graduates still needed, and merging sent target rows."""

from __future__ import annotations

import math
from decimal import Decimal as D
from fractions import Fraction

from bot.targets import DEFAULT_TARGETS, Target, gap_of_groups, graduates_needed, merge_targets, needed_of


def test_needed_is_the_scope_own_line_at_every_level() -> None:
    # issue 20: 已落实 41/243, 目标 94% → ceil(228.42) − 41 = 188, not a sum of units' gaps
    assert graduates_needed(41, 243, D(94)) == math.ceil(Fraction(243 * 94, 100)) - 41 == 188
    units = [(1, 10, D(94)), (40, 233, D(94))]  # 9.4 + 219.02: each rounded up alone, 1 too many
    assert needed_of(units) == 188
    assert sum(graduates_needed(p, t, target) for p, t, target in units) == 189  # the sum is another figure
    assert needed_of([(10, 10, D(94)), (0, 10, D(94))]) == 9  # over-placed units make up for short ones
    assert needed_of([(0, 0, D(94))]) == 0 and needed_of([(300, 243, D(94))]) == 0
    assert needed_of([(0, 100, D(94)), (0, 10, D(97))]) == math.ceil(Fraction(9400 + 970, 100))


def test_gap_uses_the_one_rule() -> None:
    from datetime import date

    groups = {("护理学院", "专科"): (0, 13), ("信息工程学院", "专科"): (2, 7)}
    gap = gap_of_groups(DEFAULT_TARGETS, 2026, groups, date(2026, 9, 10))
    assert gap is not None and (gap.checkpoint, gap.target_text, gap.needed) == (
        date(2026, 12, 15),
        "94%",
        17,
    )


def test_merge_replaces_only_the_rows_sent() -> None:
    sent = [
        Target(12, 15, "专科", D(90)),
        Target(12, 15, "专科", D(92), "护理学院"),
        Target(9, 1, "本科", D(85)),
    ]
    merged = merge_targets(DEFAULT_TARGETS, sent)
    assert (merged.added, merged.changed, merged.unchanged, merged.kept) == (2, 1, 0, 11)
    assert len(merged.targets) == len(DEFAULT_TARGETS) + 2
    assert (
        Target(6, 15, "本科", D(80)) in merged.targets and Target(12, 15, "专科", D(94)) not in merged.targets
    )
    again = merge_targets(merged.targets, sent)
    assert (again.added, again.changed, again.unchanged, again.kept) == (0, 0, 3, 11)
