"""bot.verification: 核查 states and tallies, sample sizes and reproducible draws, material types."""

from __future__ import annotations

import pytest

from bot.verification import (
    MATERIAL_MAX_BYTES,
    CheckFlags,
    CheckState,
    CheckTally,
    Outcome,
    draw,
    material_kind,
    sample_size,
    tally,
)


def test_states_and_tally_overlap_and_none() -> None:
    flags = [
        CheckFlags(placed=True, confirmed=True, materials=True),
        CheckFlags(placed=True, outcome=Outcome.TRUE),
        CheckFlags(placed=True, outcome=Outcome.FALSE),
        CheckFlags(placed=True),
        CheckFlags(placed=False, confirmed=True, outcome=Outcome.FALSE),
    ]
    assert [f.state for f in flags] == [
        CheckState.MATERIALS,
        CheckState.CHECKED,
        CheckState.NONE,
        CheckState.NONE,
        CheckState.CONFIRMED,
    ]
    assert tally(flags) == CheckTally(placed=4, confirmed=1, materials=1, checked=1, none=2, flagged=2)


@pytest.mark.parametrize(
    ("requested", "population", "expected"),
    [("20", 100, 20), ("20", 7, 7), ("5%", 100, 5), ("5%", 30, 2), ("１%", 10, None), ("0", 10, None), ("101%", 10, None),
     ("x", 10, None), ("-3", 10, None), ("3％", 200, 6), ("1%", 1, 1)],
)  # fmt: skip
def test_sample_size(requested: str, population: int, expected: int | None) -> None:
    assert sample_size(requested, population) == expected


def test_draw_is_reproducible_from_its_seed_and_independent_of_order() -> None:
    population = list(range(1000, 1200))
    first = draw(population, 123456789, 10)
    assert draw(list(reversed(population)), 123456789, 10) == first
    assert len(set(first)) == 10 and set(first) <= set(population)
    assert draw(population, 987654321, 10) != first


@pytest.mark.parametrize(
    ("photo", "mime", "name", "size", "expected"),
    [
        (True, None, None, 1000, "photo"),
        (True, None, None, MATERIAL_MAX_BYTES + 1, "material_size"),
        (False, "application/pdf", "合同.PDF", MATERIAL_MAX_BYTES, "pdf"),
        (False, "application/pdf", "合同.pdf", None, "material_size"),
        (False, "application/pdf", "合同.docx", 10, "material_type"),
        (False, "application/zip", "合同.pdf", 10, "material_type"),
        (False, None, None, 10, "material_type"),
    ],
)
def test_material_kind(
    photo: bool, mime: str | None, name: str | None, size: int | None, expected: str
) -> None:
    assert material_kind(photo=photo, mime_type=mime, file_name=name, size=size) == expected
