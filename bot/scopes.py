"""Scopes: which graduates a question or a user covers, and resolving what people type into one.

Resolution order (product.md §5): a prefixed form (`专业:护理`, `major:护理`); an exact name in any
dimension; an alias (English names from the roster, `/alias`, the built-in English table, pinyin);
a unique prefix. Several matches are returned for the caller to offer as buttons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.metrics import GraduateState
from bot.taxonomy import PRIORITY_GROUP_ALIASES, normalize_text, similarity

# dimension → (Chinese label, English label, accepted prefixes)
DIMENSIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "department": ("院系", "department", ("院系", "学院", "系", "dept", "department", "college")),
    "major": ("专业", "major", ("专业", "major")),
    "category": ("专业大类", "category", ("大类", "专业大类", "category")),
    "class_name": ("班级", "class", ("班级", "班", "class")),
    "degree": ("学历", "degree", ("学历", "degree")),
    "gender": ("性别", "gender", ("性别", "gender")),
    "group": ("重点群体", "group", ("群体", "重点群体", "group")),
    "counsellor": ("辅导员", "counsellor", ("辅导员", "counsellor", "counselor")),
    "origin": ("生源地", "origin", ("生源地", "origin")),
    "cohort": ("届别", "cohort", ("届", "届别", "cohort")),
}
# Dimensions searched for an unprefixed name, in order of preference.
SEARCH_ORDER = ("department", "major", "category", "class_name", "degree", "group", "counsellor", "gender")

_PREFIX_TO_DIMENSION = {
    prefix.casefold(): dim for dim, (_, _, prefixes) in DIMENSIONS.items() for prefix in (*prefixes, dim)
}
# Matched against stripped text: no lazy ``(.+?)\s*$`` (quadratic on long runs of spaces).
_PREFIX_RE = re.compile(r"^([^:：=＝\s]+)\s*[:：=＝]\s*(.+)$", re.DOTALL)


norm = normalize_text  # one comparison form for every lookup


def dimension_from_word(word: str) -> str | None:
    """'专业' / 'majors' / 'dept' → the dimension key."""
    key = norm(word)
    return _PREFIX_TO_DIMENSION.get(key) or _PREFIX_TO_DIMENSION.get(key.rstrip("s"))


@dataclass(frozen=True, order=True)
class Scope:
    """One dimension value, e.g. Scope("major", "护理"). Scope("all", "") is the whole cohort."""

    dimension: str
    value: str

    def matches(self, state: GraduateState) -> bool:
        if self.dimension == "all":
            return True
        if self.dimension == "group":
            return self.value in state.groups
        return getattr(state, self.dimension, None) == self.value

    @property
    def token(self) -> str:
        """Stable text form, e.g. 'major:护理' (used in callback data and invites)."""
        return f"{self.dimension}:{self.value}"

    @classmethod
    def from_token(cls, token: str) -> Scope:
        dimension, _, value = token.partition(":")
        if dimension not in DIMENSIONS and dimension != "all":
            raise ValueError(token)
        return cls(dimension, value)

    def label(self, lang: str) -> str:
        if self.dimension == "all":
            return "全校" if lang == "zh" else "whole school"
        return self.value


WHOLE_SCHOOL = Scope("all", "")
# What people call the whole school: every reply names it 全校, so 全校 is a scope (product.md §5).
WHOLE_SCHOOL_WORDS = frozenset({"全校", "学校", "全部", "school", "all", "whole school", "wholeschool", "everyone"})
SUGGEST_LIMIT = 3
SUGGEST_MAX_CHARS = 32  # nothing longer is a mistyped scope name (and difflib's cost grows with length)
# A stored scope row of this kind is not a grant but a bound: the departments the user's grants
# are read inside (set for a counsellor a head invited — product.md §2, "in every cohort, past and
# future": a class or counsellor name that exists nowhere yet cannot be checked at invite time).
WITHIN = "within"


@dataclass(frozen=True)
class UserScope:
    """What a user may see: everything (admin), or the union of their grants — inside `within`
    (department names) when it is set, whatever a later roster puts under those grants."""

    everything: bool
    grants: tuple[Scope, ...] = ()
    within: frozenset[str] | None = None

    def covers(self, state: GraduateState) -> bool:
        if self.everything:
            return True
        if self.within is not None and state.department not in self.within:
            return False
        return any(grant.matches(state) for grant in self.grants)

    def label(self, lang: str) -> str:
        if self.everything:
            return WHOLE_SCHOOL.label(lang)
        return "、".join(grant.label(lang) for grant in self.grants) or ("（无）" if lang == "zh" else "(none)")


def attributes_read(scope: Scope | UserScope) -> tuple[str, ...]:
    """The graduate attributes `Scope.matches` / `UserScope.covers` read: graduates alike in these
    are inside the scope or outside it together (the snapshot store tests one of each)."""
    if isinstance(scope, UserScope):
        read = {attribute for grant in scope.grants for attribute in attributes_read(grant)}
        if scope.within is not None:
            read.add("department")
        return tuple(sorted(read))
    if scope.dimension == "all":
        return ()
    return ("groups",) if scope.dimension == "group" else (scope.dimension,)


@dataclass
class ScopeCatalog:
    """The names a cohort knows, per dimension, and the aliases that point at them."""

    values: dict[str, set[str]] = field(default_factory=dict)
    aliases: dict[str, set[Scope]] = field(default_factory=dict)  # normalized alias → scopes
    pinyin: Callable[[str], str] | None = None  # the pinyin key the aliases were built with

    def add_alias(self, alias: str, scope: Scope) -> None:
        key = norm(alias)
        if key:
            self.aliases.setdefault(key, set()).add(scope)

    @classmethod
    def build(
        cls,
        states: Iterable[GraduateState],
        *,
        english_names: Mapping[str, tuple[str, str]] = {},
        user_aliases: Mapping[str, tuple[str, str]] = {},
        builtin_major_en: Mapping[str, str] = {},
        builtin_group_synonyms: Mapping[str, str] = PRIORITY_GROUP_ALIASES,
        pinyin: object = None,
    ) -> ScopeCatalog:
        catalog = cls({dim: set() for dim in SEARCH_ORDER})
        for state in states:
            catalog.values["department"].add(state.department)
            catalog.values["major"].add(state.major)
            for dim in ("category", "class_name", "degree", "gender", "counsellor"):
                value = getattr(state, dim)
                if value:
                    catalog.values[dim].add(value)
            catalog.values["group"].update(state.groups)
        for alias, (dim, value) in english_names.items():
            if value in catalog.values.get(dim, ()):
                catalog.add_alias(alias, Scope(dim, value))
        for english, major in builtin_major_en.items():
            if major in catalog.values["major"]:
                catalog.add_alias(english, Scope("major", major))
        # A built-in synonym finds the roster's own group label (low-income → 特困家庭) and never
        # renames it; where the roster has two labels of one family, the synonym asks which.
        synonyms_of: dict[str, list[str]] = {}
        for synonym, family in builtin_group_synonyms.items():
            synonyms_of.setdefault(family, []).append(synonym)
        for label in catalog.values["group"]:
            family = builtin_group_synonyms.get(norm(label))
            for synonym in synonyms_of.get(family or "", ()):
                if norm(synonym) != norm(label):
                    catalog.add_alias(synonym, Scope("group", label))
        if callable(pinyin):
            catalog.pinyin = pinyin  # type: ignore[assignment]
            for dim in ("department", "major", "category"):
                for value in catalog.values[dim]:
                    catalog.add_alias(pinyin(value), Scope(dim, value))
        for alias, (dim, value) in user_aliases.items():  # user aliases win over built-in ones
            catalog.aliases[norm(alias)] = {Scope(dim, value)}
        return catalog

    def resolve(self, text: str) -> list[Scope]:
        """Every scope `text` may mean, best first; [] when nothing matches."""
        text = text.strip()
        if not text:
            return [WHOLE_SCHOOL]
        prefixed = _PREFIX_RE.match(text)
        if prefixed and (dimension := _PREFIX_TO_DIMENSION.get(norm(prefixed.group(1)))):
            return self._resolve_in(dimension, prefixed.group(2))
        key = norm(text)
        exact = [Scope(dim, v) for dim in SEARCH_ORDER for v in self.values.get(dim, ()) if norm(v) == key]
        if exact:
            return _dedupe(exact)
        if key in WHOLE_SCHOOL_WORDS:
            return [WHOLE_SCHOOL]
        if key in self.aliases:
            return sorted(self.aliases[key])
        compact = key.replace(" ", "")
        if compact in self.aliases:
            return sorted(self.aliases[compact])
        prefixed_names = [
            Scope(dim, v) for dim in SEARCH_ORDER for v in sorted(self.values.get(dim, ())) if norm(v).startswith(key)
        ]
        prefixed_aliases = sorted({s for alias, scopes in self.aliases.items() if alias.startswith(key) for s in scopes})
        return _dedupe(prefixed_names + prefixed_aliases)

    def suggest(self, text: str, limit: int = SUGGEST_LIMIT) -> list[Scope]:
        """"Did you mean": names nearest to what matched nothing — the same pinyin first (助铲 →
        助产), then the closest spelling of a name or alias (`bot.taxonomy.similarity`)."""
        key = norm(text)
        if not key or len(key) > SUGGEST_MAX_CHARS:
            return []
        found: dict[Scope, float] = {}
        if self.pinyin is not None:
            sound = norm(self.pinyin(text))
            for scope in self.aliases.get(sound, ()) if sound else ():
                found[scope] = 2.0
        for dim in SEARCH_ORDER:
            if dim in ("gender", "degree"):
                continue
            for value in self.values.get(dim, ()):
                score = similarity(key, norm(value))
                if score >= 0.5:
                    found[Scope(dim, value)] = max(found.get(Scope(dim, value), 0.0), score)
        for alias, scopes in self.aliases.items():
            score = similarity(key, alias)
            if score >= 0.75:
                for scope in scopes:
                    found[scope] = max(found.get(scope, 0.0), score)
        ranked = sorted(found.items(), key=lambda item: (-item[1], SEARCH_ORDER.index(item[0].dimension), item[0].value))
        return [scope for scope, _ in ranked[:limit]]

    def _resolve_in(self, dimension: str, value: str) -> list[Scope]:
        if dimension == "cohort":
            return [Scope("cohort", value.strip().rstrip("届"))]
        key = norm(value)
        names = self.values.get(dimension, set())
        if dimension == "gender":
            key = {"m": "男", "male": "男", "f": "女", "female": "女"}.get(key, key)
        exact = [Scope(dimension, v) for v in names if norm(v) == key]
        if exact:
            return exact
        aliased = sorted(s for s in self.aliases.get(key, ()) if s.dimension == dimension)
        if aliased:
            return aliased
        return [Scope(dimension, v) for v in sorted(names) if norm(v).startswith(key)]


def _dedupe(scopes: list[Scope]) -> list[Scope]:
    seen: dict[Scope, None] = {}
    for scope in scopes:
        seen.setdefault(scope, None)
    return list(seen)


@dataclass(frozen=True)
class Query:
    """The arguments of /rate, /rates, /chart …: scope words, an as-of date and a cohort."""

    scope_text: str
    as_of: date | None
    cohort: int | None


# ASCII digits only: "١٢٣٤届" is not a cohort (\d alone would read it as 1234).
_COHORT_RE = re.compile(r"^(?:届|cohort)[:：]?([0-9]{4})届?$|^([0-9]{4})届$", re.IGNORECASE)


def split_query(args: Iterable[str], parse_date: object, today: date) -> Query:
    """Separate a date (anywhere), a cohort (`2023届`, `届:2023`) and the scope words."""
    words: list[str] = []
    as_of: date | None = None
    cohort: int | None = None
    for arg in args:
        cohort_match = _COHORT_RE.match(arg.strip())
        if cohort_match:
            cohort = int(cohort_match.group(1) or cohort_match.group(2))
            continue
        if as_of is None and callable(parse_date) and re.search(r"\d", arg):
            parsed = parse_date(arg, today)
            if parsed is not None:
                as_of = parsed
                continue
        words.append(arg)
    return Query(" ".join(words), as_of, cohort)
