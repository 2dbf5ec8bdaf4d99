"""The survey's domain core: the default questionnaire, validation, who is asked what, figures."""

from __future__ import annotations

import pytest

from bot import survey
from bot.survey import (
    END,
    QuestionnaireError,
    Respondent,
    back,
    choose,
    default_questionnaire,
    done,
    evaluation_rows,
    figures,
    final_answers,
    parse_questionnaire,
    start,
)
from bot.taxonomy import EMPLOYED_CODES

# §11's table, verbatim: id, question, options in order.
CONTRACT = [
    ("opportunity", "你觉得当前的就业机会多吗？", "one", "非常多 / 较多 / 一般 / 较少 / 非常少"),
    ("offers", "从开始求职至今，你累计获得过几个录用通知？", "one", "0个 / 1个 / 2个 / 3个 / 4个及以上"),
    ("factors", "影响你求职择业的主要因素（可多选，最多 3 项）", "many",
     "薪资待遇 / 个人发展空间 / 工作地点 / 工作稳定性 / 专业对口 / 单位性质和规模 / 家庭因素 / 其他"),
    ("related", "你当前的工作与所学专业对口吗？", "scale", "很对口 / 较对口 / 基本对口 / 不太对口 / 很不对口"),
    ("unrelated_why", "你选择与专业不相关工作的原因（可多选）", "many",
     "个人兴趣 / 薪资待遇 / 专业相关岗位少 / 工作地点 / 家庭因素 / 其他"),
    ("adapt", "你对当前工作岗位的适应情况", "scale", "很适应 / 较适应 / 基本适应 / 不太适应 / 很不适应"),
    ("ability", "你的职业能力对当前工作的满足情况", "scale", "很满足 / 较满足 / 基本满足 / 不太满足 / 很不满足"),
    ("expectation", "当前工作与你的职业期待吻合吗？", "scale", "很吻合 / 较吻合 / 基本吻合 / 不太吻合 / 很不吻合"),
    ("satisfaction", "你对当前就业情况的总体满意度", "scale", "很满意 / 较满意 / 基本满意 / 不太满意 / 很不满意"),
    ("income", "你目前的税前月收入", "one", "3000元以下 / 3000–4999元 / 5000–6999元 / 7000–9999元 / 10000元及以上"),
    ("school", "你对母校的总体满意度", "scale", "很满意 / 较满意 / 基本满意 / 不太满意 / 很不满意"),
]  # fmt: skip

Q = default_questionnaire()


def test_default_is_the_contract_table() -> None:
    got = [(q.id, q.text, q.kind, " / ".join(q.options)) for q in Q.questions]
    assert got == CONTRACT
    assert Q.get("factors").max_choices == 3  # type: ignore[union-attr]
    assert all(len(q.options_en) == len(q.options) and q.text_en for q in Q.questions)


def test_who_is_asked_what_by_destination() -> None:
    applies = {q.id: q for q in Q.questions}
    assert applies["opportunity"].applies(11, {}) and applies["opportunity"].applies(70, {})
    assert not applies["opportunity"].applies(80, {}) and not applies["opportunity"].applies(71, {})
    assert all(applies["related"].applies(code, {}) for code in EMPLOYED_CODES)
    assert not applies["related"].applies(70, {}) and not applies["related"].applies(0, {})
    assert applies["school"].applies(0, {}) and applies["factors"].applies(85, {})
    assert applies["unrelated_why"].applies(11, {"related": (3,)})
    assert not applies["unrelated_why"].applies(11, {"related": (2,)})


def test_walk_of_an_employed_graduate_with_back_and_toggles() -> None:
    p = start(Q, 11)
    assert p.current == "opportunity"
    p = choose(Q, p, 1, 11)
    p = choose(Q, p, 2, 11)
    assert p.current == "factors"
    p = choose(Q, p, 0, 11)
    p = choose(Q, p, 4, 11)
    p = choose(Q, p, 0, 11)  # untick
    p = choose(Q, p, 1, 11)
    p = choose(Q, p, 2, 11)
    with pytest.raises(ValueError, match="too many"):
        choose(Q, p, 3, 11)  # at most 3
    assert p.answers["factors"] == (1, 2, 4)
    p = done(Q, p, 11)
    p = choose(Q, p, 4, 11)  # related: 很不对口 → unrelated_why is asked
    assert p.current == "unrelated_why"
    p = back(p)
    p = choose(Q, p, 0, 11)  # changed to 很对口: unrelated_why is skipped
    assert p.current == "adapt"
    for _ in range(5):
        p = choose(Q, p, 1, 11)
    assert p.current == "school"
    p = choose(Q, p, 0, 11)
    assert p.at_end
    answers = final_answers(p)
    assert list(answers) == ["opportunity", "offers", "factors", "related", "adapt", "ability",
                             "expectation", "satisfaction", "income", "school"]  # fmt: skip
    assert answers["related"] == (0,)


def test_walk_of_a_graduate_in_further_study_and_of_the_unreported() -> None:
    p = start(Q, 80)
    assert p.current == "factors"
    p = done(Q, choose(Q, p, 7, 80), 80)
    assert p.current == "school"
    assert start(Q, 0).current == "factors"


def test_guards_on_a_walk() -> None:
    p = start(Q, 11)
    with pytest.raises(ValueError):
        back(p)
    with pytest.raises(ValueError):
        choose(Q, p, 5, 11)  # no sixth option
    with pytest.raises(ValueError):
        done(Q, p, 11)  # not a many question
    p = choose(Q, choose(Q, p, 0, 11), 0, 11)
    with pytest.raises(ValueError, match="nothing chosen"):
        done(Q, p, 11)
    with pytest.raises(ValueError):
        final_answers(p)


def test_every_version_changes() -> None:
    p = start(Q, 11)
    versions = [p.version]
    for step in (
        lambda x: choose(Q, x, 0, 11),
        lambda x: choose(Q, x, 0, 11),
        lambda x: choose(Q, x, 1, 11),
        back,
    ):
        p = step(p)
        versions.append(p.version)
    assert versions == sorted(set(versions))


def _respondents(spec: list[tuple[str, int]]) -> list[Respondent]:
    """`spec`: (department, school answer) pairs."""
    return [Respondent(dept, "女", {"school": (option,)}) for dept, option in spec]


def test_figures_counts_shares_satisfied_and_mean() -> None:
    people = _respondents(
        [("护理学院", 0)] * 3 + [("护理学院", 1)] * 5 + [("护理学院", 2)] * 2 + [("护理学院", 3)] * 5
    )
    fig = {f.question.id: f for f in figures(Q, people)}["school"]
    assert fig.n == 15 and fig.counts == (3, 5, 2, 5, 0)
    assert fig.satisfied == 10
    # (3·5 + 5·4 + 2·3 + 5·2) / 15 = 51/15 = 3.40
    assert fig.mean == "3.40"
    rows = [r for r in evaluation_rows(Q, people) if r.question_id == "school" and r.unit == "全校"]
    assert [(r.item, r.count, r.share) for r in rows] == [
        ("有效回答（N）", 15, ""),
        ("很满意", "<5", "<5"),
        ("较满意", 5, "33.33%"),
        ("基本满意", "<5", "<5"),
        ("不太满意", 5, "33.33%"),
        ("很不满意", 0, "0.00%"),
        ("满意度（前三项）", 10, "66.67%"),
        ("均值（1–5，首项为5）", "", "3.40"),
    ]


def test_mean_rounds_half_up_from_integers() -> None:
    # 8 answers: points 5+5+5+4+4+4+4+4 = 35 → 4.375 → 4.38 (half up, not banker's)
    people = _respondents([("A", 0)] * 3 + [("A", 1)] * 5)
    fig = {f.question.id: f for f in figures(Q, people)}["school"]
    assert fig.mean == "4.38"


def test_many_shares_are_of_n_and_may_sum_over_100() -> None:
    people = [Respondent("A", "男", {"factors": (0, 1)}) for _ in range(6)] + [
        Respondent("A", "男", {"factors": (0,)})
    ] * 4
    fig = {f.question.id: f for f in figures(Q, people)}["factors"]
    assert fig.n == 10 and fig.counts[:2] == (10, 6)
    rows = [r for r in evaluation_rows(Q, people) if r.question_id == "factors" and r.unit == "全校"]
    assert (rows[1].share, rows[2].share) == ("100.00%", "60.00%")


def test_a_department_under_five_shows_only_less_than_five() -> None:
    people = _respondents([("护理学院", 0)] * 6 + [("药学院", 1)] * 3)
    rows = evaluation_rows(Q, people)
    pharmacy = [r for r in rows if r.unit == "药学院" and r.question_id == "school"]
    assert [(r.item, r.count) for r in pharmacy] == [("有效回答（N）", "<5")]
    nursing = [r for r in rows if r.unit == "护理学院" and r.question_id == "school"]
    assert nursing[1].count == 6 and nursing[-1].share == "5.00"
    assert [r.unit for r in rows if r.question_id == "school" and r.item.startswith("有效")] == [
        "全校",
        "护理学院",
        "药学院",
    ]


def test_response_rate_and_structure() -> None:
    assert survey.Tally("A", 5089, 4300, 4144).rate == "81.43%"
    assert survey.Tally("A", 10, 4, 3).rate == "<5"
    people = _respondents([("A", 0)] * 7) + [Respondent("B", "男", {})] * 5
    assert survey.structure(people, "gender") == [("女", 7, "58.33%"), ("男", 5, "41.67%")]


GOOD = """
[[question]]
id = "a"
text = "Q1"
kind = "scale"
options = ["1", "2", "3", "4", "5"]

[[question]]
id = "b"
text = "Q2"
kind = "many"
max = 2
destination = ["就业", "70"]
answered = { question = "a", options = ["4", "5"] }
options = ["x", "y", "z"]
"""


def test_a_replacement_questionnaire_parses() -> None:
    q = parse_questionnaire(GOOD)
    assert [x.id for x in q.questions] == ["a", "b"]
    b = q.get("b")
    assert b is not None and b.answered is not None and b.answered.options == frozenset({3, 4})
    assert b.destination == EMPLOYED_CODES | {70}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (GOOD.replace('kind = "many"', 'kind = "several"'), 11, "unknown kind 'several'"),
        (GOOD.replace('options = ["x", "y", "z"]', "options = []"), 15, "options must be a non-empty list"),
        (GOOD.replace('question = "a"', 'question = "zz"'), 14, "unknown question 'zz'"),
        (GOOD.replace('options = ["4", "5"]', 'options = ["4", "9"]'), 14, "unknown option '9'"),
        (GOOD.replace('id = "b"', 'id = "a"'), 9, "duplicate id"),
        (GOOD.replace('"70"', '"99"'), 13, "unknown destination '99'"),
        (GOOD.replace("max = 2", "max = 7"), 12, "max must be"),
        (
            GOOD.replace('kind = "scale"', 'kind = "one"').replace('"4", "5"]\n\n', '"4"]\n\n'),
            14,
            "unknown option '5'",
        ),
        (GOOD.replace('options = ["1", "2", "3", "4", "5"]', 'options = ["1", "2"]'), 6, "exactly 5 options"),
        (GOOD.replace('text = "Q2"', 'txt = "Q2"'), 10, "unknown key 'txt'"),
        (GOOD.replace('text = "Q2"\n', ""), 8, "text must be"),
        (GOOD + 'colour = "red"\n', 16, "unknown key 'colour'"),
        (GOOD.replace('kind = "many"', 'kind = "many'), 11, "not valid TOML"),
    ],
)
def test_a_bad_questionnaire_names_the_line_and_the_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_too_many_questions_and_options() -> None:
    block = '[[question]]\nid = "q{i}"\ntext = "T"\nkind = "one"\noptions = ["a"]\n'
    with pytest.raises(QuestionnaireError, match="more than 100 questions") as caught:
        parse_questionnaire("".join(block.format(i=i) for i in range(101)))
    assert caught.value.line == 501
    many = ", ".join(f'"o{i}"' for i in range(21))
    with pytest.raises(QuestionnaireError, match="more than 20 options"):
        parse_questionnaire(f'[[question]]\nid = "a"\ntext = "T"\nkind = "one"\noptions = [{many}]\n')
    with pytest.raises(QuestionnaireError, match="no \\[\\[question\\]\\]"):
        parse_questionnaire("")


def test_a_condition_on_a_later_question_is_refused() -> None:
    text = GOOD.replace('id = "a"', 'id = "c"').replace(
        'answered = { question = "a"', 'answered = { question = "b"'
    )
    with pytest.raises(QuestionnaireError, match="unknown question 'b'"):
        parse_questionnaire(text)


def test_end_marker_is_not_an_id() -> None:
    assert not survey._ID.match(END)


def test_english_clients_get_english_wording_and_chinese_the_contract_labels() -> None:
    from bot import survey_texts
    from bot.survey import Screen

    question = Q.get("school")
    assert question is not None
    screen = Screen(7, 3, question=question, chosen=(1,), number=11, can_back=True)
    zh_text, zh_rows = survey_texts.screen("zh", screen)
    en_text, en_rows = survey_texts.screen("en", screen)
    assert zh_text == "第 11 题 · 你对母校的总体满意度"
    assert [label for row in zh_rows for label, _ in row] == ["很满意", "✓ 较满意", "基本满意", "不太满意", "很不满意", "上一题"]
    assert en_text == "Question 11 · Overall, how satisfied are you with your college?"
    assert [label for row in en_rows for label, _ in row][:2] == ["Very satisfied", "✓ Satisfied"]
    assert [data for row in zh_rows for _, data in row] == [f"sv:7:3:o:{i}" for i in range(5)] + ["sv:7:3:b:0"]


@pytest.mark.parametrize(
    "data", ["sv:1:2:o", "sv:1:2:oo:1", "sv:x:2:o:1", "sv:1:2:o:1:9", "pick:1", "sv:-1:2:o:1", "sv:1:2:o:１", "sv:" + "9" * 13 + ":1:o:1"]
)
def test_forged_button_data_is_not_parsed(data: str) -> None:
    from bot import survey_texts

    assert survey_texts.parse_data(data) is None


def test_button_data_round_trips_and_fits_telegrams_64_bytes() -> None:
    from bot import survey_texts

    data = survey_texts.data(999_999_999, 999_999, "o", 19)
    assert survey_texts.parse_data(data) == (999_999_999, 999_999, "o", 19) and len(data.encode()) <= 64
