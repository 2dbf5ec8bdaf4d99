"""Suggestions ("did you mean") for an unknown 学号 or name, through an index instead of a scan per line.

The answer is defined as difflib's: ``difflib.get_close_matches(word, scope, n, cutoff)`` — the
candidates whose ``SequenceMatcher`` ratio reaches the cutoff, best first, ties to the larger string.
The indexes below only decide which strings are worth scoring; they never change the answer:

* difflib's ratio is ``2·M/T`` (T: both lengths) with M ≤ the longest common subsequence, and
  M ≤ the characters the two share as multisets (difflib's own ``quick_ratio``). Those two bounds
  are what the indexes search by.
* 学号 (`IdIndex`): every 学号 and its one-character deletions, hashed into one sorted array. A
  word's own deletions looked up there find every 学号 that shares a subsequence with it at most
  one character shorter than the longer of the two: one substitution, transposition, insertion or
  deletion away (and a character moved). Scoring those gives the best so far; a 学号 of any other
  length or shape is searched only if its subsequence bound could still tie or beat it — by more
  deletions of the word, or, rarely (nothing near, a much shorter word), by a vectorised
  bit-parallel LCS over the 学号 of one length.
* names (`NameIndex`): an inverted index by character; a name's bound is the characters it shares
  with the word, and names are scored best bound first until no bound can tie the n-th best.

Pinyin is not part of the index: difflib compares the characters as written, and so does this.
The indexes are immutable once built and safe to share between threads.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from heapq import nlargest
from math import comb

import numpy as np

#: Cut-offs of the two questions (difflib's ratio): a 学号 must be close, a name may be looser.
STUDENT_ID_CUTOFF = 0.8
NAME_CUTOFF = 0.5

_MASK = (1 << 64) - 1
_BASE = 0x100000001B3  # odd: a polynomial hash modulo 2**64 (collisions only add candidates)
_MAX_VARIANTS = 2_000  # deletions of a word enumerated before the bit-parallel scan is cheaper
_LCS_BITS = 63  # words up to this long fit the bit-parallel LCS in one uint64


def ranked(word: str, candidates: Iterable[str], n: int, cutoff: float) -> list[tuple[float, str]]:
    """difflib.get_close_matches's (score, candidate) pairs for these candidates, best first."""
    result = []
    s = difflib.SequenceMatcher()
    s.set_seq2(word)
    for x in candidates:
        s.set_seq1(x)
        if s.real_quick_ratio() >= cutoff and s.quick_ratio() >= cutoff and s.ratio() >= cutoff:
            result.append((s.ratio(), x))
    return nlargest(n, result)


class _Ranking:
    """difflib.get_close_matches's top n, built from candidates offered with an upper bound of their
    ratio: scored best bound first (ties: the larger string, as difflib breaks them), and not at all
    once a bound cannot beat the n-th best."""

    def __init__(
        self, word: str, n: int, cutoff: float, matcher: difflib.SequenceMatcher | None = None
    ) -> None:
        self.n, self.cutoff = n, cutoff
        self.best: list[tuple[float, str]] = []
        self.matcher = matcher or difflib.SequenceMatcher()  # one per caller's thread, reused
        self.matcher.set_seq2(word)

    def beaten(self, bound: float, candidate: str) -> bool:
        """Whether a candidate with this bound can no longer enter the top n."""
        return bound < self.cutoff or (len(self.best) >= self.n and (bound, candidate) < self.best[-1])

    def score(self, candidate: str) -> None:
        # get_close_matches also asks real_quick_ratio and quick_ratio, upper bounds of ratio: a
        # ratio at the cutoff passes them, so they change nothing here but the time
        self.matcher.set_seq1(candidate)
        if (r := self.matcher.ratio()) >= self.cutoff:
            self.best = nlargest(self.n, [*self.best, (r, candidate)])

    def offer(self, bounded: Iterable[tuple[float, str]]) -> None:
        for bound, candidate in sorted(bounded, reverse=True):
            if self.beaten(bound, candidate):
                break
            self.score(candidate)

    def threshold(self) -> float:
        """The score a further candidate must reach to enter the top n (reaching it may win a tie)."""
        return self.best[-1][0] if len(self.best) >= self.n else self.cutoff

    def result(self) -> list[str]:
        return [x for _, x in self.best]


def _bound(word: str, candidate: str, shared: int | None = None) -> float:
    """An upper bound of difflib's ratio: its matches are a common subsequence, so at most the
    shorter length (one less between two different strings of one length) and at most the
    characters shared as multisets (`shared`, when known)."""
    total = len(word) + len(candidate)
    if not total:
        return 1.0
    common = min(len(word), len(candidate)) - (len(word) == len(candidate) and word != candidate)
    if shared is not None:
        common = min(common, shared)
    return 2.0 * common / total


def _least_common(total: int, shorter: int, threshold: float) -> int | None:
    """The fewest common characters whose ratio 2·L/total reaches `threshold` (None: impossible)."""
    if not total:
        return 0  # two empty strings: difflib's ratio is 1.0
    for common in range(shorter + 1):
        if 2.0 * common / total >= threshold:
            return common
    return None


def _hash(text: str) -> int:
    h = 0
    for ch in text:
        h = (h * _BASE + ord(ch) + 1) & _MASK
    return h


def _codes(texts: Sequence[str], length: int) -> np.ndarray:
    """Strings of one length as a matrix of character codes (code point + 1, so never 0)."""
    if not texts or not length:
        return np.zeros((len(texts), length), dtype=np.uint64)
    flat = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return flat.reshape(len(texts), length).astype(np.uint64) + np.uint64(1)


def _near_hash_matrix(codes: np.ndarray) -> np.ndarray:
    """Per row: the hash of the string (column 0) and of each of its one-character deletions, the
    same as `_hash` of those strings (arithmetic modulo 2**64 wraps in uint64)."""
    rows, length = codes.shape
    base = np.uint64(_BASE)
    prefix = np.zeros((rows, length + 1), dtype=np.uint64)  # prefix[:, i]: hash of s[:i]
    suffix = np.zeros((rows, length + 1), dtype=np.uint64)  # suffix[:, i]: s[i:], weighted to the end
    for i in range(length):
        prefix[:, i + 1] = prefix[:, i] * base + codes[:, i]
    for i in range(length - 1, -1, -1):
        suffix[:, i] = suffix[:, i + 1] + codes[:, i] * np.uint64(pow(_BASE, length - 1 - i, 1 << 64))
    out = np.empty((rows, length + 1), dtype=np.uint64)
    out[:, 0] = prefix[:, length]
    for i in range(length):  # the deletion of character i
        out[:, i + 1] = prefix[:, i] * np.uint64(pow(_BASE, length - 1 - i, 1 << 64)) + suffix[:, i + 1]
    return out


def _deletions(text: str, count: int) -> set[str]:
    """Every string `count` deletions away from `text`."""
    found = {text}
    for _ in range(count):
        found = {v[:i] + v[i + 1 :] for v in found for i in range(len(v))}
    return found


class IdIndex:
    """The 学号 of a roster (in roster order), for "did you mean" within any scope of it."""

    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        self.lengths = np.fromiter((len(s) for s in self.ids), dtype=np.int64, count=len(self.ids))
        self.groups: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # length → (positions, letters)
        self.full = np.zeros(len(self.ids), dtype=np.uint64)  # each 学号's own hash
        hashes: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        for length in sorted(set(self.lengths.tolist())):
            positions = np.flatnonzero(self.lengths == length)
            codes = _codes([self.ids[p] for p in positions.tolist()], length)
            self.groups[length] = (positions, codes)  # letters below, once the alphabet is known
            variants = _near_hash_matrix(codes)
            self.full[positions] = variants[:, 0]
            hashes.append(variants.ravel())
            owners.append(np.repeat(positions, variants.shape[1]))
        keys = np.concatenate(hashes) if hashes else np.empty(0, dtype=np.uint64)
        pos = np.concatenate(owners) if owners else np.empty(0, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.owners = pos[order].astype(np.int32)
        # place in sorted order (difflib breaks ties by the larger string); numpy orders code points
        # as Python does, except that it ignores trailing NULs
        # the 学号's characters as indexes into their alphabet, one row per column (the LCS pass)
        every = np.sort(
            np.concatenate([codes.ravel() for _, codes in self.groups.values()] or [np.empty(0, np.uint64)])
        )
        self.alphabet = every[np.concatenate((every[:1] == every[:1], every[1:] != every[:-1]))]
        nul = any(bool((codes == 1).any()) for _, codes in self.groups.values())
        self.groups = {
            length: (
                positions,
                np.ascontiguousarray(np.searchsorted(self.alphabet, codes).T.astype(np.int32)),
            )
            for length, (positions, codes) in self.groups.items()
        }
        if nul:
            order = np.array(sorted(range(len(self.ids)), key=self.ids.__getitem__), dtype=np.int64)
        else:
            order = np.argsort(np.array(self.ids, dtype=str), kind="stable")
        self.rank = np.empty(len(self.ids), dtype=np.int64)
        self.rank[order] = np.arange(len(self.ids))

    def _lookup(self, variants: Iterable[str]) -> np.ndarray:
        """Positions of the 学号 that equal a variant, or do after one deletion."""
        return self._find({_hash(v) for v in variants})

    def _find(self, hashes: set[int]) -> np.ndarray:
        wanted = np.array(sorted(hashes), dtype=np.uint64)
        if not wanted.size or not self.keys.size:
            return np.empty(0, dtype=np.int32)
        left = np.searchsorted(self.keys, wanted, side="left")
        right = np.searchsorted(self.keys, wanted, side="right")
        hits = [self.owners[a:b] for a, b in zip(left.tolist(), right.tolist(), strict=True) if b > a]
        return (
            np.array(sorted(set(np.concatenate(hits).tolist())), dtype=np.int64)
            if hits
            else np.empty(0, dtype=np.int64)
        )

    def closest(
        self, word: str, allowed: np.ndarray, n: int = 1, cutoff: float = STUDENT_ID_CUTOFF
    ) -> list[str]:
        """difflib.get_close_matches(word, [the 学号 at the `allowed` positions], n, cutoff)."""
        return self.closest_many([word], allowed, n, cutoff)[0]

    def closest_many(
        self, words: Sequence[str], allowed: np.ndarray, n: int = 1, cutoff: float = STUDENT_ID_CUTOFF
    ) -> list[list[str]]:
        """`closest` of each word; the near 学号 of all of them are looked up in one pass."""
        hopeful = [
            any(
                _least_common(length + len(w), min(length, len(w)), cutoff) is not None
                for length in self.groups
            )
            for w in words
        ]  # a pasted paragraph is of no length a 学号 could be close to
        near = self._near_many([w if ok else "" for w, ok in zip(words, hopeful, strict=True)], allowed)
        matcher = difflib.SequenceMatcher()
        return [
            self._closest(word, found, allowed, n, cutoff, matcher) if ok else []
            for word, found, ok in zip(words, near, hopeful, strict=True)
        ]

    def _near_many(self, words: Sequence[str], allowed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per word, the allowed 学号 that equal it or one of its deletions, or do after one deletion
        (one subsequence at most one shorter than the longer of the two), with their ratio bounds,
        in the order they are to be scored: best bound first, then the larger 学号."""
        word_lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
        word_full = np.zeros(len(words), dtype=np.uint64)
        hash_parts: list[np.ndarray] = []
        owner_parts: list[np.ndarray] = []
        for length in sorted(set(word_lengths.tolist())):
            ks = np.flatnonzero(word_lengths == length)
            variants = _near_hash_matrix(_codes([words[k] for k in ks.tolist()], length))
            word_full[ks] = variants[:, 0]
            hash_parts.append(variants.ravel())
            owner_parts.append(np.repeat(ks, variants.shape[1]))
        hashes = np.concatenate(hash_parts) if hash_parts else np.empty(0, dtype=np.uint64)
        owners = np.concatenate(owner_parts) if owner_parts else np.empty(0, dtype=np.int64)
        none = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
        if not hashes.size or not self.keys.size:
            return [none for _ in words]
        wanted = hashes
        left = np.searchsorted(self.keys, wanted, side="left")
        counts = np.searchsorted(self.keys, wanted, side="right") - left
        total = int(counts.sum())
        starts = np.repeat(left - (np.cumsum(counts) - counts), counts) + np.arange(total)
        size = len(self.ids)
        pairs = np.sort(np.repeat(owners, counts) * size + self.owners[starts])
        pairs = pairs[np.concatenate((pairs[:1] == pairs[:1], pairs[1:] != pairs[:-1]))]  # unique, sorted
        word_of, position = np.divmod(pairs, size)
        inside = allowed[position]
        word_of, position = word_of[inside], position[inside]
        # _bound, vectorised: 1.0 for a 学号 that may be the word itself (its hash)
        lb = word_lengths[word_of]
        lx = self.lengths[position]
        itself = (lx == lb) & (self.full[position] == word_full[word_of])
        common = np.minimum(lx, lb) - (lx == lb)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = np.where((lx + lb > 0) & ~itself, 2.0 * common / np.maximum(lx + lb, 1), 1.0)
        order = np.lexsort((-self.rank[position], -bound, word_of))
        word_of, position, bound = word_of[order], position[order], bound[order]
        edges = np.searchsorted(word_of, np.arange(len(words) + 1))
        return [
            (position[edges[k] : edges[k + 1]], bound[edges[k] : edges[k + 1]]) for k in range(len(words))
        ]

    def _closest(
        self,
        word: str,
        near: tuple[np.ndarray, np.ndarray],
        allowed: np.ndarray,
        n: int,
        cutoff: float,
        matcher: difflib.SequenceMatcher,
    ) -> list[str]:
        lb = len(word)
        seen: set[int] = set()
        ranking = _Ranking(word, n, cutoff, matcher)
        bounds: dict[int, float] = {}  # by length: every candidate of one length has the same bound

        def offer(positions: np.ndarray) -> None:
            fresh = [p for p in positions[allowed[positions]].tolist() if p not in seen]
            seen.update(fresh)
            offered = []
            for x in (self.ids[p] for p in fresh):
                bound = bounds.get(len(x)) if x != word else 1.0
                if bound is None:
                    bound = bounds[len(x)] = _bound(word, x)
                offered.append((bound, x))
            ranking.offer(offered)

        # 1. everything sharing a subsequence one shorter than the longer of the two, in order
        for p, bound in zip(near[0].tolist(), near[1].tolist(), strict=True):
            if p in seen:
                continue
            seen.add(p)
            if ranking.beaten(bound, self.ids[p]):
                seen.update(near[0].tolist())  # nor can the rest: not offered again below
                break
            ranking.score(self.ids[p])
        # 2. every other length whose subsequence bound may still reach the n-th best
        for length, (positions, letters) in self.groups.items():
            common = _least_common(length + lb, min(length, lb), ranking.threshold())
            if common is None:
                continue
            more_of_id, more_of_word = length - common, lb - common
            if more_of_id <= 1 and more_of_word <= 1:
                continue  # found in step 1
            if more_of_id <= 1 and comb(lb, more_of_word) <= _MAX_VARIANTS:
                found = self._lookup(_deletions(word, more_of_word))
                found = found[self.lengths[found] == length]
            else:
                inside = allowed[positions]
                if not inside.all():  # a scope: only its 学号 (the whole school: no copy)
                    positions, letters = positions[inside], letters[:, inside]
                found = self._scan(word, positions, letters, common)
            offer(found)
        return ranking.result()

    def _scan(self, word: str, positions: np.ndarray, letters: np.ndarray, common: int) -> np.ndarray:
        """The positions whose longest common subsequence with `word` is at least `common` long
        (Hyyrö's bit-parallel LCS, one uint64 per 学号, one pass per character column)."""
        if not word:
            return positions if common <= 0 else positions[:0]
        if len(word) > _LCS_BITS:
            return positions  # too long for one word of bits: difflib scores them all
        peq = [0] * self.alphabet.size  # per letter: the bits of the word's positions holding it
        for i, ch in enumerate(word):
            k = int(np.searchsorted(self.alphabet, ord(ch) + 1))
            if k < self.alphabet.size and int(self.alphabet[k]) == ord(ch) + 1:
                peq[k] |= 1 << i
        table = np.array(peq, dtype=np.uint64)
        v = np.full(positions.size, _MASK, dtype=np.uint64)
        for column in letters:
            u = table.take(column)
            np.bitwise_and(u, v, out=u)
            added = v + u
            np.subtract(v, u, out=v)
            np.bitwise_or(added, v, out=v)
        lcs = np.bitwise_count(~v & np.uint64((1 << len(word)) - 1))
        return positions[lcs >= common]


class NameIndex:
    """The distinct names of a roster, indexed by character, for "did you mean" within a scope."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.lengths = np.fromiter((len(s) for s in self.names), dtype=np.int64, count=len(self.names))
        # postings: (character, name, how often the name has it), sorted by character then name
        chars = (
            _codes(["".join(self.names)], int(self.lengths.sum()))[0]
            if self.names
            else np.empty(0, np.uint64)
        )
        owners = np.repeat(np.arange(len(self.names), dtype=np.int64), self.lengths)
        keys = np.sort(chars.astype(np.int64) * max(len(self.names), 1) + owners)
        first = np.concatenate((keys[:1] == keys[:1], keys[1:] != keys[:-1]))
        starts = np.flatnonzero(first)
        self.counts = np.diff(np.append(starts, keys.size))
        self.chars, self.owners = np.divmod(keys[starts], max(len(self.names), 1))
        self.empty = np.flatnonzero(self.lengths == 0)
        self.rank = np.empty(len(self.names), dtype=np.int64)  # position in sorted order
        self.rank[sorted(range(len(self.names)), key=self.names.__getitem__)] = np.arange(len(self.names))

    def closest(self, word: str, allowed: np.ndarray, n: int = 1, cutoff: float = NAME_CUTOFF) -> list[str]:
        """difflib.get_close_matches(word, [the names at the `allowed` indexes], n, cutoff)."""
        if cutoff <= 0:  # every name qualifies, sharing a character or not
            return [
                x
                for _, x in ranked(word, (self.names[i] for i in np.flatnonzero(allowed).tolist()), n, cutoff)
            ]
        bound = np.zeros(len(self.names), dtype=np.int64)  # characters shared, as multisets
        for ch, count in Counter(word).items():
            code = ord(ch) + 1
            left, right = np.searchsorted(self.chars, [code, code + 1])
            bound[self.owners[left:right]] += np.minimum(self.counts[left:right], count)
        unique = np.sort(np.concatenate((np.flatnonzero(bound), self.empty)))  # empty names share nothing
        bound = bound[unique]
        totals = self.lengths[unique] + len(word)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio_bound = np.where(totals > 0, 2.0 * bound / np.maximum(totals, 1), 1.0)
        keep = allowed[unique] & (ratio_bound >= cutoff)
        unique, shared, ratio_bound = unique[keep], bound[keep], ratio_bound[keep]
        order = np.lexsort((-self.rank[unique], -ratio_bound))  # best bound first, then the larger name
        ranking = _Ranking(word, n, cutoff)
        for i, common, loose in zip(
            unique[order].tolist(), shared[order].tolist(), ratio_bound[order].tolist(), strict=True
        ):
            name = self.names[i]
            if ranking.beaten(loose, name):
                break  # nor can any later name
            if not ranking.beaten(_bound(word, name, int(common)), name):
                ranking.score(name)
        return ranking.result()
