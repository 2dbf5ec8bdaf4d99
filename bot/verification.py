"""核查: how a placed graduate's destination has been checked, from plain values (§10).

A destination counts as confirmed when the graduate confirmed it (the 正确 button, or their own
report approved by review), as documented when a photo or PDF is attached to it, as checked when
staff's latest check of it found it true (属实). A graduate may be all three; "none" is a placed
graduate with none of them. A check that found it untrue (不属实) flags the destination until it
changes. Every figure of /check, /rate, the digests and the 核查 sheet is counted here.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Method(StrEnum):
    PHONE = "phone"  # 电话
    VISIT = "visit"  # 实地
    OTHER = "other"  # 其他


class Outcome(StrEnum):
    TRUE = "true"  # 属实
    FALSE = "false"  # 不属实
    UNREACHABLE = "unreachable"  # 联系不上


METHOD_WORDS: dict[str, Method] = {
    "电话": Method.PHONE, "phone": Method.PHONE, "实地": Method.VISIT, "visit": Method.VISIT,
    "其他": Method.OTHER, "other": Method.OTHER,
}  # fmt: skip
OUTCOME_WORDS: dict[str, Outcome] = {
    "属实": Outcome.TRUE, "true": Outcome.TRUE, "不属实": Outcome.FALSE, "false": Outcome.FALSE,
    "联系不上": Outcome.UNREACHABLE, "unreachable": Outcome.UNREACHABLE,
}  # fmt: skip


class CheckState(StrEnum):
    """The strongest check a destination has, for one graduate's card."""

    CHECKED = "checked"
    MATERIALS = "materials"
    CONFIRMED = "confirmed"
    NONE = "none"


@dataclass(frozen=True)
class CheckFlags:
    """What is known about one graduate's current destination."""

    placed: bool
    confirmed: bool = False
    materials: bool = False
    outcome: Outcome | None = None  # the latest check of this destination

    @property
    def checked(self) -> bool:
        return self.outcome == Outcome.TRUE

    @property
    def flagged(self) -> bool:
        return self.outcome == Outcome.FALSE

    @property
    def state(self) -> CheckState:
        if self.checked:
            return CheckState.CHECKED
        if self.materials:
            return CheckState.MATERIALS
        if self.confirmed:
            return CheckState.CONFIRMED
        return CheckState.NONE


@dataclass(frozen=True)
class CheckTally:
    """The 核查 figures of a set of graduates: a, b, c overlap; `none` is the placed with none."""

    placed: int = 0
    confirmed: int = 0
    materials: int = 0
    checked: int = 0
    none: int = 0
    flagged: int = 0  # 不属实, among all graduates (placed or not)


def tally(flags: Iterable[CheckFlags]) -> CheckTally:
    placed = confirmed = materials = checked = none = flagged = 0
    for f in flags:
        flagged += f.flagged
        if not f.placed:
            continue
        placed += 1
        confirmed += f.confirmed
        materials += f.materials
        checked += f.checked
        none += not (f.confirmed or f.materials or f.checked)
    return CheckTally(placed, confirmed, materials, checked, none, flagged)


# ---------------------------------------------------------------- materials (材料)

MATERIAL_MAX_BYTES = 10 * 1024 * 1024  # a photo or PDF of an agreement, contract or admission letter
PDF_MIME = "application/pdf"


def material_kind(*, photo: bool, mime_type: str | None, file_name: str | None, size: int | None) -> str:
    """ "photo" or "pdf" for an acceptable material, judged from what the update says (before any
    download); otherwise the refusal's key: material_type or material_size."""
    if photo:
        kind = "photo"
    elif (mime_type or "").lower() == PDF_MIME and (file_name or "").lower().endswith(".pdf"):
        kind = "pdf"
    else:
        return "material_type"
    if size is None or size > MATERIAL_MAX_BYTES or size <= 0:
        return "material_size"
    return kind


# ---------------------------------------------------------------- samples (抽查)


def sample_size(requested: str, population: int) -> int | None:
    """ "20" → 20, "5%" → 5 % of the population rounded up (at least 1 when any); capped at the
    population. None for anything else (a usage error)."""
    text = requested.strip().replace("％", "%")
    percent = text.endswith("%")
    digits = text[:-1] if percent else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 6:
        return None
    n = int(digits)
    if percent:
        if not 0 < n <= 100:
            return None
        return min(population, -(-n * population // 100))
    return min(population, n) if n > 0 else None


def draw(population: list[int], seed: int, size: int) -> list[int]:
    """A reproducible random sample: the same population (in any order) and seed give the same draw."""
    return random.Random(seed).sample(sorted(population), size)
