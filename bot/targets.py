"""Checkpoint targets and the gap to the next one, in graduates (domain.md "Targets")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# (month, day, target percent): domain.md's 本科 column (专科 uses it too). Only a fallback for
# callers without the cohort's own targets (PlacementService.gap uses those, per degree level).
DEFAULT_CHECKPOINTS: tuple[tuple[int, int, int], ...] = ((6, 15, 80), (8, 15, 90), (12, 15, 94))


@dataclass(frozen=True)
class Checkpoint:
    day: date
    target_percent: int


def next_checkpoint(as_of: date, cohort_year: int) -> Checkpoint | None:
    """The first checkpoint of the cohort's season on or after `as_of`, if any is left."""
    for month, day, target in DEFAULT_CHECKPOINTS:
        checkpoint = date(cohort_year, month, day)
        if checkpoint >= as_of:
            return Checkpoint(checkpoint, target)
    return None


def graduates_needed(placed: int, total: int, target_percent: int) -> int:
    """How many more placed graduates reach the target: ceil(total × target / 100) − placed, at least 0."""
    required = -(-total * target_percent // 100)
    return max(0, required - placed)


@dataclass(frozen=True)
class Gap:
    """The next checkpoint and how many more graduates must be placed to meet its targets."""

    checkpoint: date
    target_text: str  # "90%", or "本科90%/硕士94%" when degree levels differ
    needed: int
    on_track: bool | None = None  # projection from the recent pace; None when there is too little history
