"""The generated cohort (bot.sandbox.cohort_gen): realistic, deterministic, and readable by the bot."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import io

import pytest

from bot.grammar import ParsedLine, parse_message
from bot.roster import read_roster
from bot.sandbox.cohort_gen import MESSAGE_LIMIT, GenCohort, generate_cohort
from bot.taxonomy import lookup_destination


@pytest.fixture(scope="module")
def cohort() -> GenCohort:
    return generate_cohort(5000, seed=11)


def roster_fields(obj: object) -> tuple[object, ...]:
    names = (
        "student_id", "name", "department", "major", "category", "class_name", "degree", "gender", "origin",
        "ethnicity", "groups", "counsellor", "cohort", "major_en", "department_en",
    )  # fmt: skip
    return tuple(getattr(obj, n) for n in names)


def test_deterministic_by_seed() -> None:
    a = generate_cohort(800, seed=3)
    b = generate_cohort(800, seed=3)
    c = generate_cohort(800, seed=4)
    assert a.graduates == b.graduates and a.events == b.events and a.counsellors == b.counsellors
    assert [e.as_line() for e in a.events] == [e.as_line() for e in b.events]
    assert a.graduates != c.graduates


def test_counts_and_roster_shape(cohort: GenCohort) -> None:
    graduates = cohort.graduates
    assert len(graduates) == 5000
    ids = [g.student_id for g in graduates]
    assert len(set(ids)) == 5000
    assert all(len(i) == 10 and i.isdigit() and i.startswith("2023") for i in ids)
    assert len(cohort.departments) == 8 and len(set(cohort.departments)) == 8
    assert len(cohort.majors) == 36
    assert {g.department for g in graduates} == set(cohort.departments)
    assert {g.major for g in graduates} == set(cohort.majors)
    assert all(g.cohort == 2023 and g.degree == "专科" for g in graduates)
    assert all(g.major_en and g.category and g.class_name and g.class_name.endswith("班") for g in graduates)
    # classes of about 45, each in one major and department, each with one counsellor
    classes: dict[str, list] = collections.defaultdict(list)
    for g in graduates:
        classes[g.class_name].append(g)  # type: ignore[index]
    assert "护理2301班" in classes
    for members in classes.values():
        assert len(members) <= 45
        assert len({(m.major, m.department, m.counsellor) for m in members}) == 1
    # counsellors: Chinese names, about graduates_per_counsellor each, within one department
    load = collections.Counter(g.counsellor for g in graduates)
    assert set(load) == set(cohort.counsellors) and len(set(cohort.counsellors)) == len(cohort.counsellors)
    assert max(load.values()) <= 200 * 1.15 + 1
    assert all(len({g.department for g in graduates if g.counsellor == c}) == 1 for c in cohort.counsellors)
    # people: duplicates of full names exist; women dominate nursing; home province dominates origin
    names = collections.Counter(g.name for g in graduates)
    assert any(count > 1 for count in names.values())
    nursing = [g for g in graduates if g.major == "护理"]
    assert len(nursing) > 600 and sum(g.gender == "女" for g in nursing) / len(nursing) > 0.8
    assert sum(g.origin == "山东" for g in graduates) / 5000 > 0.7
    assert 0.005 < sum(g.ethnicity != "汉族" for g in graduates) / 5000 < 0.1
    in_groups = sum(bool(g.groups) for g in graduates) / 5000
    assert 0.1 < in_groups < 0.2
    assert {grp for g in graduates for grp in g.groups} <= {
        "困难家庭", "脱贫家庭", "残疾", "少数民族", "就业困难", "省级优秀毕业生",
    }  # fmt: skip


def test_event_history_shape(cohort: GenCohort) -> None:
    events = cohort.events
    dates = [e.effective_date for e in events]
    assert dates == sorted(dates)
    assert min(dates) >= dt.date(2022, 11, 1) and max(dates) <= dt.date(2023, 12, 15)
    per_graduate = collections.Counter(e.student_id for e in events)
    assert max(per_graduate.values()) == 3 and min(per_graduate.values()) == 1
    assert 0 < 5000 - len(per_graduate) < 500  # some never reported (未上报)
    by_id = cohort.by_id()
    assert all(
        e.counsellor == by_id[e.student_id].counsellor and e.name == by_id[e.student_id].name for e in events
    )
    # a graduate's own events are strictly ordered in time
    last: dict[str, dt.date] = {}
    for e in events:
        assert e.effective_date > last.get(e.student_id, dt.date.min)
        last[e.student_id] = e.effective_date
    # the final picture resembles the published table
    final = cohort.final_events()
    rate = cohort.placement_rate()
    assert 0.8 < rate < 0.9
    codes = collections.Counter(e.code for e in final.values())
    assert 0.3 < codes[11] / 5000 < 0.4 and 0.14 < codes[12] / 5000 < 0.22 and 0.1 < codes[75] / 5000 < 0.18
    assert codes[80] > 0 and codes[46] > 0 and codes[10] > 0
    substates = {e.substate for e in final.values() if e.code == 70}
    assert {"求职中", "面试中", "签约中"} <= substates
    # words vary: the same code is written in several ways
    words_11 = {e.word for e in events if e.code == 11}
    assert {"签劳动合同", "合同"} <= words_11
    # a path like 求职中 → 面试中 → 签劳动合同 exists
    paths = collections.defaultdict(list)
    for e in events:
        paths[e.student_id].append(e.key)
    assert any(p[:2] == ["70/求职中", "70/面试中"] and p[-1] in ("10", "11") for p in paths.values())
    # departments differ: 护理学院 lowest, 建筑工程学院 among the highest
    dept_rate = {}
    for dept in cohort.departments:
        members = [g for g in cohort.graduates if g.department == dept]
        placed = sum(
            1 for g in members if g.student_id in final and final[g.student_id].code not in (70, 71, 72)
        )
        dept_rate[dept] = placed / len(members)
    assert min(dept_rate, key=dept_rate.__getitem__) == "护理学院"
    assert dept_rate["建筑工程学院"] > 0.88


def test_every_event_parses_back(cohort: GenCohort) -> None:
    today = cohort.today
    assert today == dt.date(2023, 12, 20)
    results = parse_message("\n".join(e.as_line() for e in cohort.events), today)
    assert len(results) == len(cohort.events)
    for event, parsed in zip(cohort.events, results, strict=True):
        assert isinstance(parsed, ParsedLine), (event.as_line(), parsed)
        destination = lookup_destination(event.word)
        assert destination is not None and (destination.code, destination.substate) == (
            event.code,
            event.substate,
        )
        assert (parsed.who, parsed.destination.code, parsed.destination.substate) == (
            event.student_id, event.code, event.substate,
        )  # fmt: skip
        assert (parsed.effective_date, parsed.employer, parsed.school, parsed.province) == (
            event.effective_date, event.employer, event.school, event.province,
        )  # fmt: skip
        assert (parsed.unit_nature, parsed.industry, parsed.related, parsed.note) == (
            event.unit_nature, event.industry, event.related, event.note,
        )  # fmt: skip
    employed = [e for e in cohort.events if e.code in (10, 11, 12)]
    assert all(e.employer and e.province and e.unit_nature and e.industry for e in employed)


def test_today_cuts_the_history() -> None:
    full = generate_cohort(1000, seed=2)
    mid = generate_cohort(1000, seed=2, today=dt.date(2023, 6, 15))
    assert mid.graduates == full.graduates
    assert mid.events == [e for e in full.events if e.effective_date <= dt.date(2023, 6, 15)]
    assert 0 < len(mid.events) < len(full.events)
    assert mid.placement_rate() < full.placement_rate()


def test_messages_by_counsellor(cohort: GenCohort) -> None:
    messages = cohort.messages_by_counsellor(lines_per_message=60)
    assert set(messages) <= set(cohort.counsellors)
    by_id = cohort.by_id()
    for counsellor, texts in messages.items():
        assert all(len(t) < MESSAGE_LIMIT and len(t.split("\n")) <= 60 for t in texts)
        lines = [line for t in texts for line in t.split("\n")]
        assert lines == [e.as_line() for e in cohort.events if e.counsellor == counsellor]
        assert all(by_id[line.split(" ", 1)[0]].counsellor == counsellor for line in lines)
    # long lines and many lines per message still stay under Telegram's limit
    big = cohort.messages_by_counsellor(lines_per_message=1000)
    assert all(len(t) < MESSAGE_LIMIT for texts in big.values() for t in texts)
    early = cohort.messages_by_counsellor(up_to=dt.date(2023, 3, 1))
    early_lines = sum(len(t.split("\n")) for texts in early.values() for t in texts)
    assert early_lines == sum(1 for e in cohort.events if e.effective_date <= dt.date(2023, 3, 1))


@pytest.mark.parametrize("headers", ["zh", "en"])
def test_xlsx_round_trip_through_read_roster(cohort: GenCohort, headers: str) -> None:
    buffer = io.BytesIO()
    cohort.to_xlsx(buffer, headers=headers)  # type: ignore[arg-type]
    result = read_roster(buffer.getvalue(), "roster.xlsx", default_cohort=1999, today=dt.date(2024, 1, 1))
    assert result.problems == [] and result.unknown_columns == [] and not result.has_destinations
    assert [roster_fields(r) for r in result.rows] == [roster_fields(g) for g in cohort.graduates]


def test_csv_round_trip_through_read_roster(cohort: GenCohort, tmp_path) -> None:
    path = tmp_path / "roster.csv"
    cohort.to_csv(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = read_roster(path.read_bytes(), "roster.csv", default_cohort=1999, today=dt.date(2024, 1, 1))
    assert result.problems == []
    assert [roster_fields(r) for r in result.rows] == [roster_fields(g) for g in cohort.graduates]
    gbk = io.BytesIO()
    cohort.to_csv(gbk, encoding="gb18030")
    again = read_roster(gbk.getvalue(), "roster.csv", default_cohort=1999, today=dt.date(2024, 1, 1))
    assert [roster_fields(r) for r in again.rows] == [roster_fields(g) for g in cohort.graduates]


def test_university_degree_mix() -> None:
    uni = generate_cohort(2660, seed=9, degrees=("本科", "硕士", "博士"), departments=6, majors=20)
    degrees = collections.Counter(g.degree for g in uni.graduates)
    assert set(degrees) == {"本科", "硕士", "博士"} and degrees["本科"] > degrees["硕士"] > degrees["博士"]
    assert "护理学" in uni.majors and "护理" not in uni.majors
    study = sum(1 for e in uni.final_events().values() if e.code in (80, 85))
    assert study / 2660 > 0.08
    mixed = generate_cohort(500, seed=9, degrees=("专科", "本科"))
    assert len({g.class_name for g in mixed.graduates}) == len(
        {(g.class_name, g.degree) for g in mixed.graduates}
    )
    with pytest.raises(ValueError):
        generate_cohort(10, degrees=("中专",))


def test_large_cohorts_keep_unique_ids() -> None:
    big = generate_cohort(20_000, seed=1)  # > 99 classes in 护理学院: IDs switch to major + class
    ids = [g.student_id for g in big.graduates]
    assert len(set(ids)) == len(ids) and all(len(i) == 10 for i in ids)
    huge = generate_cohort(30_000, seed=1, departments=3, majors=5)  # > 99 classes in 护理: IDs widen
    ids = [g.student_id for g in huge.graduates]
    assert len(set(ids)) == len(ids) and len({len(i) for i in ids}) == 1


def test_twenty_thousand_graduates() -> None:
    big = generate_cohort(20_000, seed=1)  # how fast: bench/, never a timed test
    assert len(big.graduates) == 20_000


def test_event_dataclass_fields() -> None:
    fields = {f.name for f in dataclasses.fields(generate_cohort(50).events[0])}
    assert {
        "student_id", "name", "word", "code", "substate", "employer", "school", "province", "city", "unit_nature",
        "industry", "related", "effective_date", "counsellor",
    } <= fields  # fmt: skip
