"""The "did you mean" indexes give exactly difflib's answer over the scope (the scan they replace),
kept here as the reference: same candidates, same order, on realistic and adversarial inputs."""

from __future__ import annotations

import difflib

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.suggestions import NAME_CUTOFF, STUDENT_ID_CUTOFF, IdIndex, NameIndex


def reference(word: str, scope: list[str], n: int, cutoff: float) -> list[str]:
    """The scan of the scope that the indexes replace (bot/services/updates.py before issue 22)."""
    return difflib.get_close_matches(word, scope, n=n, cutoff=cutoff)


def _ids(index: IdIndex, allowed: np.ndarray) -> list[str]:
    return [index.ids[p] for p in np.flatnonzero(allowed).tolist()]


def _edit(rng: np.random.Generator, text: str, alphabet: str) -> str:
    """One random substitution, transposition, insertion or deletion."""
    i = int(rng.integers(0, len(text) + 1))
    kind = int(rng.integers(0, 4))
    ch = alphabet[int(rng.integers(0, len(alphabet)))]
    if kind == 0 and i < len(text):
        return text[:i] + ch + text[i + 1 :]
    if kind == 1 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 2 and i < len(text):
        return text[:i] + text[i + 1 :]
    return text[:i] + ch + text[i:]


def test_mistyped_ids_of_a_dense_cohort() -> None:
    """Sequential 学号 (class blocks), each typo one or two edits off, half the cohort in scope."""
    ids = [f"2023{d:02d}{c:02d}{k:02d}" for d in range(1, 4) for c in range(1, 6) for k in range(1, 41)]
    ids += [f"2023{d:02d}{c:02d}{k:03d}" for d in range(4, 5) for c in range(1, 3) for k in range(1, 30)]
    index = IdIndex(ids)
    rng = np.random.default_rng(7)
    for trial in range(150):
        allowed = rng.random(len(ids)) < (1.0 if trial % 2 else 0.5)
        word = ids[int(rng.integers(0, len(ids)))]
        for _ in range(int(rng.integers(1, 4))):
            word = _edit(rng, word, "0123456789x")
        for n in (1, 3):
            assert index.closest(word, allowed, n) == reference(
                word, _ids(index, allowed), n, STUDENT_ID_CUTOFF
            ), word


def test_one_pass_for_many_words_answers_each() -> None:
    """A message's (or an upload's) 学号 are looked up together: the same answers, word by word."""
    ids = [f"2024{d:02d}{k:04d}" for d in range(1, 6) for k in range(1, 200)]
    index = IdIndex(ids)
    rng = np.random.default_rng(11)
    allowed = rng.random(len(ids)) < 0.6
    words = [_edit(rng, ids[int(rng.integers(0, len(ids)))], "0123456789") for _ in range(300)]
    words += ["", "x", "1" * 5000, ids[0], ids[1][:-1]]
    scope = _ids(index, allowed)
    assert index.closest_many(words, allowed) == [reference(w, scope, 1, STUDENT_ID_CUTOFF) for w in words]


def test_the_documented_typos() -> None:
    """The cases the service tests pin: a character more, a reversed pair, a digit off."""
    ids = ["2023010101", "2023010102", "2023010201", "20240009001", "20241000002"]
    index = IdIndex(ids)
    everyone = np.ones(len(ids), dtype=bool)
    assert index.closest("2023010x101", everyone) == ["2023010101"]
    assert index.closest("20241000001", everyone) == ["20241000002"]
    assert index.closest("3202010101", everyone) == reference("3202010101", ids, 1, STUDENT_ID_CUTOFF)
    assert index.closest("99999", everyone) == []
    assert index.closest("1" * 4000, everyone) == []
    nobody = np.zeros(len(ids), dtype=bool)
    assert index.closest("2023010x101", nobody) == []  # suggestions come only from the scope


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(st.text("0123", min_size=0, max_size=9), min_size=1, max_size=40, unique=True),
    word=st.text("01234", min_size=0, max_size=11),
    mask=st.lists(st.booleans(), min_size=40, max_size=40),
    n=st.integers(1, 3),
    cutoff=st.sampled_from([STUDENT_ID_CUTOFF, NAME_CUTOFF, 0.6, 0.9, 0.0]),
)
def test_ids_match_difflib_on_any_strings(
    ids: list[str], word: str, mask: list[bool], n: int, cutoff: float
) -> None:
    index = IdIndex(ids)
    allowed = np.array(mask[: len(ids)], dtype=bool)
    assert index.closest(word, allowed, n, cutoff) == reference(word, _ids(index, allowed), n, cutoff)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(st.text("01\x00", min_size=0, max_size=5), min_size=1, max_size=30, unique=True),
    word=st.text("01\x00", min_size=0, max_size=6),
    n=st.integers(1, 3),
)
def test_ids_with_nuls_and_the_word_itself(ids: list[str], word: str, n: int) -> None:
    """Trailing NULs (numpy's strings drop them: the tie-break order falls back to Python's) and a
    word that is itself a 学号 of the scope."""
    index = IdIndex(ids)
    allowed = np.ones(len(ids), dtype=bool)
    for w in (word, ids[0], ids[-1] + "\x00"):
        assert index.closest(w, allowed, n) == reference(w, ids, n, STUDENT_ID_CUTOFF)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(st.text("0123456789", min_size=8, max_size=12), min_size=1, max_size=60, unique=True),
    picks=st.lists(
        st.tuples(st.integers(0, 59), st.integers(0, 11), st.sampled_from("0123456789ab"), st.integers(0, 3))
    ),
    n=st.integers(1, 3),
)
def test_ids_match_difflib_near_real_ones(
    ids: list[str], picks: list[tuple[int, int, str, int]], n: int
) -> None:
    """Words a few edits from a 学号 of the roster: where the index, not the scan, does the work."""
    index = IdIndex(ids)
    allowed = np.ones(len(ids), dtype=bool)
    word = ids[picks[0][0] % len(ids)] if picks else ids[0]
    for _, at, ch, kind in picks[:3]:
        at %= len(word) + 1
        word = [
            word[:at] + ch + word[at + 1 :],
            word[:at] + word[at + 1 :],
            word[:at] + ch + word[at:],
            word[::-1],
        ][kind]
    assert index.closest(word, allowed, n) == reference(word, ids, n, STUDENT_ID_CUTOFF)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.text("王李张明华小芳伟", min_size=0, max_size=4), min_size=1, max_size=40, unique=True),
    word=st.text("王李张明华小芳伟a1", min_size=0, max_size=5),
    mask=st.lists(st.booleans(), min_size=40, max_size=40),
    n=st.integers(1, 3),
    cutoff=st.sampled_from([NAME_CUTOFF, STUDENT_ID_CUTOFF, 0.3, 0.0]),
)
def test_names_match_difflib(names: list[str], word: str, mask: list[bool], n: int, cutoff: float) -> None:
    index = NameIndex(names)
    allowed = np.array(mask[: len(names)], dtype=bool)
    scope = [name for name, inside in zip(names, allowed.tolist(), strict=True) if inside]
    assert index.closest(word, allowed, n, cutoff) == reference(word, scope, n, cutoff)


def test_names_of_a_generated_cohort() -> None:
    from bot.sandbox.cohort_gen import generate_cohort

    names = sorted({g.name for g in generate_cohort(3000, seed=5).graduates})
    index = NameIndex(names)
    rng = np.random.default_rng(3)
    allowed = rng.random(len(names)) < 0.7
    scope = [name for name, inside in zip(names, allowed.tolist(), strict=True) if inside]
    for trial in range(300):
        word = _edit(rng, names[int(rng.integers(0, len(names)))], "王李明芳伟x")
        if trial % 3 == 0:
            word = _edit(rng, word, "张华小")
        assert index.closest(word, allowed) == reference(word, scope, 1, NAME_CUTOFF), word
