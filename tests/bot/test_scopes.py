"""Scope resolution: prefixes, exact names, aliases, pinyin, unique prefixes, ambiguity."""

from __future__ import annotations

from datetime import date

from bot.grammar import parse_date
from bot.metrics import GraduateState
from bot.scopes import WHOLE_SCHOOL, Scope, ScopeCatalog, split_query
from bot.taxonomy import MAJOR_EN_TO_ZH, pinyin_key


def grad(i: int, department: str, major: str, class_name: str, category: str = "医药卫生大类") -> GraduateState:
    return GraduateState(
        graduate_id=i, student_id=str(i), name=f"n{i}", department=department, major=major, category=category,
        class_name=class_name, degree="专科", gender="女", origin="山东", groups=("困难家庭",), counsellor="王老师",
    )


CATALOG = ScopeCatalog.build(
    [
        grad(1, "护理学院", "护理", "护理2301班"),
        grad(2, "护理学院", "助产", "助产2301班"),
        grad(3, "信息工程学院", "软件技术", "软件2301班", "电子与信息大类"),
        grad(4, "信息工程学院", "计算机应用技术", "计应2301班", "电子与信息大类"),
    ],
    english_names={"Software Technology": ("major", "软件技术")},
    user_aliases={"IT": ("department", "信息工程学院")},
    builtin_major_en=MAJOR_EN_TO_ZH,
    pinyin=pinyin_key,
)


def test_exact_prefixed_and_whole_school() -> None:
    assert CATALOG.resolve("") == [WHOLE_SCHOOL]
    assert CATALOG.resolve("护理") == [Scope("major", "护理")]
    assert CATALOG.resolve("护理学院") == [Scope("department", "护理学院")]
    assert CATALOG.resolve("专业:助产") == [Scope("major", "助产")]
    assert CATALOG.resolve("class:软件2301班") == [Scope("class_name", "软件2301班")]
    assert CATALOG.resolve("性别:女") == [Scope("gender", "女")]
    assert CATALOG.resolve("群体:困难家庭") == [Scope("group", "困难家庭")]


def test_english_aliases_and_pinyin() -> None:
    assert CATALOG.resolve("nursing") == [Scope("major", "护理")]
    assert CATALOG.resolve("Midwifery") == [Scope("major", "助产")]
    assert CATALOG.resolve("software technology") == [Scope("major", "软件技术")]
    assert CATALOG.resolve("it") == [Scope("department", "信息工程学院")]
    assert CATALOG.resolve("huli") == [Scope("major", "护理")]


def test_prefix_unique_and_ambiguous() -> None:
    assert CATALOG.resolve("计算机") == [Scope("major", "计算机应用技术")]
    ambiguous = CATALOG.resolve("信息")
    assert Scope("department", "信息工程学院") in ambiguous
    assert CATALOG.resolve("火星") == []


def test_split_query_takes_date_anywhere() -> None:
    today = date(2023, 12, 1)
    q = split_query(["护理", "9-01"], parse_date, today)
    assert (q.scope_text, q.as_of) == ("护理", date(2023, 9, 1))
    q = split_query(["2023-08-31", "clinical", "medicine"], parse_date, today)
    assert (q.scope_text, q.as_of) == ("clinical medicine", date(2023, 8, 31))
    q = split_query(["2022届", "护理"], parse_date, today)
    assert (q.scope_text, q.cohort) == ("护理", 2022)


def test_a_bound_user_scope_covers_its_grants_only_inside_its_departments() -> None:
    from bot.scopes import UserScope

    def state(gid: int, department: str) -> GraduateState:
        return GraduateState(gid, str(gid), "a", department, "护理", None, "X班", None, None, None, (), "新老师")

    nursing, software = state(1, "护理学院"), state(2, "信息工程学院")
    grants = (Scope("class_name", "X班"),)
    assert UserScope(False, grants).covers(software)
    bound = UserScope(False, grants, within=frozenset({"护理学院"}))
    assert bound.covers(nursing) and not bound.covers(software)
    assert not UserScope(False, grants, within=frozenset()).covers(nursing)  # bound to nothing: nothing
    assert UserScope(True, (), within=frozenset()).covers(software)  # admins are never bound


def test_attributes_read_are_what_matches_and_covers_look_at() -> None:
    from bot.scopes import WHOLE_SCHOOL, Scope, UserScope, attributes_read

    assert attributes_read(WHOLE_SCHOOL) == ()
    assert attributes_read(Scope("group", "残疾")) == ("groups",)
    assert attributes_read(Scope("class_name", "护理2301班")) == ("class_name",)
    bound = UserScope(False, (Scope("counsellor", "王老师"), Scope("class_name", "护理2301班")), within=frozenset({"护理学院"}))
    assert attributes_read(bound) == ("class_name", "counsellor", "department")


def test_the_school_is_a_scope_by_its_own_name() -> None:
    for word in ("全校", "school", "ALL", "whole school"):
        assert CATALOG.resolve(word) == [WHOLE_SCHOOL], word


def test_suggestions_by_pinyin_and_spelling() -> None:
    assert CATALOG.suggest("助铲")[0] == Scope("major", "助产")  # the same pinyin: zhuchan
    assert Scope("department", "护理学院") in CATALOG.suggest("护里学院")
    assert CATALOG.suggest("softwear technology")[0] == Scope("major", "软件技术")
    assert CATALOG.suggest("星座") == []
    assert CATALOG.suggest("x" * 500) == []
