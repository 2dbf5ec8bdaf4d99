"""The follow-up survey (跟踪调查, product.md §11): the questionnaire, who is asked what, and every figure.

Pure module: no Telegram, no database. A questionnaire is data (a TOML file of `[[question]]`
tables, the default in docs/survey-default.toml), validated here with errors naming the line and
the reason. A graduate's walk through it is a `Progress` value (the questions reached, in order,
and the answers so far); `advance`, `back` and `submit` return the next value. Figures come from
plain `Respondent` values: integer counts, percentages through `bot.metrics.format_percent`, and
`<5` for any figure about fewer than five respondents (`bot.disclosure.HIDDEN`), in every chat —
no one sees one graduate's answers.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.disclosure import HIDDEN, MIN_GROUP_FIGURE
from bot.metrics import UNREPORTED_CODE, format_percent, hundredths_of_percent
from bot.taxonomy import DESTINATIONS, EMPLOYED_CODES, PLACED_CODES, STUDY_CODES, UNPLACED_CODES

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "docs" / "survey-default.toml"
KINDS = ("one", "many", "scale")
MAX_QUESTIONS = 100
MAX_OPTIONS = 20
MAX_FILE_BYTES = 256 * 1024
MAX_TEXT = 200  # characters of a question's wording
MAX_LABEL = 40  # characters of an option label (a button)
SCALE_POINTS = 5  # a scale has five options, scored 5 (first) … 1 (last)
SATISFIED = 3  # a scale's first three options are the "satisfied" side
END = "."  # the position after the last question: the summary with 提交
SCHOOL = "全校"

# The destination groups a question may be asked of: the taxonomy's own code sets, never redefined here.
DESTINATION_GROUPS: Mapping[str, frozenset[int]] = {
    "就业": EMPLOYED_CODES,
    "employed": EMPLOYED_CODES,
    "升学": STUDY_CODES,
    "study": STUDY_CODES,
    "落实": PLACED_CODES,
    "placed": PLACED_CODES,
    "未落实": UNPLACED_CODES | {UNREPORTED_CODE},
    "unplaced": UNPLACED_CODES | {UNREPORTED_CODE},
    "未上报": frozenset({UNREPORTED_CODE}),
}
_KNOWN_CODES = frozenset(d.code for d in DESTINATIONS)
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
_QUESTION_HEADER = re.compile(r"^\s*\[\[\s*question\s*\]\]")
_KEYS = frozenset(
    {"id", "text", "text_en", "kind", "options", "options_en", "max", "destination", "answered"}
)


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used: `line` (1-based, 0 when unknown) and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class AnswerCondition:
    """Asked only of those who chose one of `options` (indices) at the earlier question `question`."""

    question: str
    options: frozenset[int]


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str  # one | many | scale
    options: tuple[str, ...]
    text_en: str = ""
    options_en: tuple[str, ...] = ()
    max_choices: int | None = None  # `many`: at most this many
    destination: frozenset[int] | None = None  # asked of these codes only; None: everyone
    answered: AnswerCondition | None = None

    def wording(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text

    def labels(self, lang: str) -> tuple[str, ...]:
        return self.options_en if lang == "en" and self.options_en else self.options

    def applies(self, code: int, answers: Mapping[str, Sequence[int]]) -> bool:
        """Is this question asked of a graduate whose current destination is `code`, given their answers?"""
        if self.destination is not None and code not in self.destination:
            return False
        if self.answered is not None:
            chosen = answers.get(self.answered.question, ())
            return any(i in self.answered.options for i in chosen)
        return True


@dataclass(frozen=True)
class Questionnaire:
    questions: tuple[Question, ...]
    source: str = ""  # the TOML text it was read from (stored with the cohort's survey)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {q.id: i for i, q in enumerate(self.questions)})

    def position(self, question_id: str) -> int:
        return self._index[question_id]  # type: ignore[attr-defined]

    def get(self, question_id: str) -> Question | None:
        index = self._index.get(question_id)  # type: ignore[attr-defined]
        return None if index is None else self.questions[index]


# ------------------------------------------------------------------ reading and validating


def default_questionnaire() -> Questionnaire:
    return parse_questionnaire(DEFAULT_PATH.read_text(encoding="utf-8"))


def parse_questionnaire(text: str) -> Questionnaire:
    """A questionnaire from TOML text, or `QuestionnaireError` naming the line and the reason."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise QuestionnaireError(0, f"the file is larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", 0) or _line_in_message(str(error))
        raise QuestionnaireError(line, f"not valid TOML ({getattr(error, 'msg', error)})") from None
    lines = text.splitlines()
    headers = [i + 1 for i, line in enumerate(lines) if _QUESTION_HEADER.match(line)]
    unknown_top = sorted(set(data) - {"question"})
    if unknown_top:
        raise QuestionnaireError(
            _key_line(lines, 1, len(lines), unknown_top[0]), f"unknown key {unknown_top[0]!r}"
        )
    raw = data.get("question")
    if not isinstance(raw, list) or not raw:
        raise QuestionnaireError(0, "no [[question]] tables")
    if len(raw) > MAX_QUESTIONS:
        raise QuestionnaireError(
            headers[MAX_QUESTIONS] if len(headers) > MAX_QUESTIONS else 0,
            f"more than {MAX_QUESTIONS} questions",
        )
    questions: list[Question] = []
    seen: dict[str, Question] = {}
    for number, table in enumerate(raw):
        start = headers[number] if number < len(headers) else 0
        end = headers[number + 1] - 1 if number + 1 < len(headers) else len(lines)
        question = _question(
            table, number + 1, seen, lambda key, s=start, e=end: _key_line(lines, s, e, key) or s
        )
        seen[question.id] = question
        questions.append(question)
    return Questionnaire(tuple(questions), text)


def _line_in_message(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 0


def _key_line(lines: Sequence[str], start: int, end: int, key: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(max(1, start), min(len(lines), end) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return 0


def _question(table: object, number: int, seen: Mapping[str, Question], line_of) -> Question:  # type: ignore[no-untyped-def]
    def fail(key: str, reason: str) -> QuestionnaireError:
        return QuestionnaireError(line_of(key), f"question {number}{label}: {reason}")

    label = ""
    if not isinstance(table, dict):
        raise QuestionnaireError(0, f"question {number}: not a table")
    qid = table.get("id")
    if not isinstance(qid, str) or not _ID.match(qid):
        raise fail("id", "id must be letters, digits and _ (starting with a letter, at most 32)")
    label = f" ({qid})"
    if qid in seen:
        raise fail("id", "duplicate id")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r}")
    kind = table.get("kind")
    if kind not in KINDS:
        raise fail("kind", f"unknown kind {kind!r} (one, many or scale)")
    text = _text(table.get("text"), MAX_TEXT)
    if text is None:
        raise fail("text", f"text must be 1–{MAX_TEXT} characters")
    text_en = _text(table.get("text_en", text), MAX_TEXT)
    if text_en is None:
        raise fail("text_en", f"text_en must be 1–{MAX_TEXT} characters")
    options = _labels(table.get("options"))
    if not options:
        raise fail("options", "options must be a non-empty list of labels")
    if len(options) > MAX_OPTIONS:
        raise fail("options", f"more than {MAX_OPTIONS} options")
    if any(len(o) > MAX_LABEL for o in options):
        raise fail("options", f"an option label is longer than {MAX_LABEL} characters")
    if len(set(options)) != len(options):
        raise fail("options", "duplicate option labels")
    if kind == "scale" and len(options) != SCALE_POINTS:
        raise fail("options", f"a scale has exactly {SCALE_POINTS} options (first = 5 … last = 1)")
    options_en = _labels(table.get("options_en", list(options)))
    if options_en is None or len(options_en) != len(options) or any(len(o) > MAX_LABEL for o in options_en):
        raise fail("options_en", "options_en must list as many labels as options")
    max_choices = table.get("max")
    if max_choices is not None:
        if kind != "many":
            raise fail("max", "max is for `many` questions only")
        if (
            isinstance(max_choices, bool)
            or not isinstance(max_choices, int)
            or not 1 <= max_choices <= len(options)
        ):
            raise fail("max", f"max must be a whole number from 1 to {len(options)}")
    destination = None
    if "destination" in table:
        destination = _destination(table["destination"])
        if isinstance(destination, str):
            raise fail("destination", destination)
    answered = None
    if "answered" in table:
        answered = _answered(table["answered"], seen)
        if isinstance(answered, str):
            raise fail("answered", answered)
    return Question(qid, text, kind, options, text_en, options_en, max_choices, destination, answered)


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value if 0 < len(value) <= limit and value.isprintable() else None


def _labels(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    out = [_text(v, MAX_LABEL * 4) for v in value]
    return None if any(v is None for v in out) else tuple(v for v in out if v is not None)


def _destination(value: object) -> frozenset[int] | str:
    items = value if isinstance(value, list) else [value]
    if not items:
        return "destination must name at least one group or code"
    codes: set[int] = set()
    for item in items:
        word = str(item).strip()
        if word.lower() in DESTINATION_GROUPS:
            codes |= DESTINATION_GROUPS[word.lower()]
        elif word in DESTINATION_GROUPS:
            codes |= DESTINATION_GROUPS[word]
        elif word.isascii() and word.isdigit() and int(word) in _KNOWN_CODES:
            codes.add(int(word))
        else:
            groups = " ".join(k for k in DESTINATION_GROUPS if not k.isascii())
            return f"unknown destination {word!r} (a group — {groups} — or an MoE code)"
    return frozenset(codes)


def _answered(value: object, seen: Mapping[str, Question]) -> AnswerCondition | str:
    if not isinstance(value, dict) or set(value) != {"question", "options"}:
        return 'answered must be { question = "id", options = ["…"] }'
    earlier = seen.get(str(value["question"]))
    if earlier is None:
        return f"answered names unknown question {value['question']!r} (it must come earlier)"
    labels = _labels(value["options"])
    if not labels:
        return "answered must list at least one option"
    indices: set[int] = set()
    for name in labels:
        if name not in earlier.options:
            return f"answered names unknown option {name!r} of question {earlier.id!r}"
        indices.add(earlier.options.index(name))
    return AnswerCondition(earlier.id, frozenset(indices))


# ------------------------------------------------------------------ one graduate's walk


@dataclass(frozen=True)
class Progress:
    """Where a graduate is: the questions reached in order (the last is on screen, `END` is the
    summary) and every answer given so far (option indices). `version` counts changes: a button
    carries the version it was drawn for, so an old or repeated press changes nothing."""

    path: tuple[str, ...] = ()
    answers: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    version: int = 0

    @property
    def current(self) -> str | None:
        return self.path[-1] if self.path else None

    @property
    def at_end(self) -> bool:
        return self.current == END


def next_question(
    q: Questionnaire, after: str | None, code: int, answers: Mapping[str, Sequence[int]]
) -> str:
    """The id of the first question after `after` (None: from the start) asked of this graduate, or END."""
    start = 0 if after is None else q.position(after) + 1
    for question in q.questions[start:]:
        if question.applies(code, answers):
            return question.id
    return END


def start(q: Questionnaire, code: int) -> Progress:
    return Progress(path=(next_question(q, None, code, {}),), answers={}, version=1)


def choose(q: Questionnaire, progress: Progress, option: int, code: int) -> Progress:
    """Pick `option` at the current `one`/`scale` question and move on; toggle it for `many`."""
    question = _current(q, progress)
    if not 0 <= option < len(question.options):
        raise ValueError("no such option")
    answers = dict(progress.answers)
    if question.kind != "many":
        answers[question.id] = (option,)
        return _forward(q, replace(progress, answers=answers), question.id, code)
    chosen = set(answers.get(question.id, ()))
    if option in chosen:
        chosen.discard(option)
    elif question.max_choices is not None and len(chosen) >= question.max_choices:
        raise ValueError("too many")
    else:
        chosen.add(option)
    answers[question.id] = tuple(sorted(chosen))
    return replace(progress, answers=answers, version=progress.version + 1)


def done(q: Questionnaire, progress: Progress, code: int) -> Progress:
    """`完成` on a `many` question: at least one option must be ticked."""
    question = _current(q, progress)
    if question.kind != "many" or not progress.answers.get(question.id):
        raise ValueError("nothing chosen")
    return _forward(q, progress, question.id, code)


def back(progress: Progress) -> Progress:
    if len(progress.path) <= 1:
        raise ValueError("at the first question")
    return replace(progress, path=progress.path[:-1], version=progress.version + 1)


def final_answers(progress: Progress) -> dict[str, tuple[int, ...]]:
    """What a submission records: the answers to the questions on the path, nothing left behind by 上一题."""
    if not progress.at_end:
        raise ValueError("not at the end")
    return {qid: progress.answers[qid] for qid in progress.path if qid in progress.answers}


def _current(q: Questionnaire, progress: Progress) -> Question:
    current = progress.current
    question = q.get(current) if current else None
    if question is None:
        raise ValueError("no question on screen")
    return question


def _forward(q: Questionnaire, progress: Progress, question_id: str, code: int) -> Progress:
    following = next_question(q, question_id, code, progress.answers)
    return replace(progress, path=(*progress.path, following), version=progress.version + 1)


# ------------------------------------------------------------------ figures


@dataclass(frozen=True)
class Respondent:
    """One completed questionnaire as the figures see it: no name, no 学号."""

    department: str
    gender: str | None
    answers: Mapping[str, Sequence[int]]


def hidden(count: int) -> bool:
    """A figure about 1–4 respondents is shown as `<5`, in every chat (product.md §11)."""
    return 0 < count < MIN_GROUP_FIGURE


def count_text(count: int) -> str:
    return HIDDEN if hidden(count) else str(count)


def share_text(count: int, total: int) -> str:
    """count/total in percent (two decimals, half up, `bot.metrics`), or `<5` when either is about 1–4."""
    if hidden(count) or hidden(total):
        return HIDDEN
    return format_percent(count, total)


def mean_text(points: int, n: int) -> str:
    """points/n to two decimals, half up, from integers: hundredths_of_percent(p, 100·n) = round(100·p/n)."""
    if hidden(n):
        return HIDDEN
    if n <= 0:
        return "—"
    value = hundredths_of_percent(points, 100 * n)
    return f"{value // 100}.{value % 100:02d}"


@dataclass(frozen=True)
class QuestionFigures:
    question: Question
    n: int  # those asked who answered
    counts: tuple[int, ...]  # per option

    @property
    def satisfied(self) -> int | None:
        return sum(self.counts[:SATISFIED]) if self.question.kind == "scale" else None

    @property
    def points(self) -> int | None:
        if self.question.kind != "scale":
            return None
        return sum(count * (SCALE_POINTS - i) for i, count in enumerate(self.counts))

    @property
    def mean(self) -> str | None:
        points = self.points
        return None if points is None else mean_text(points, self.n)


def figures(q: Questionnaire, respondents: Iterable[Respondent]) -> list[QuestionFigures]:
    """N and each option's count per question, over completed questionnaires."""
    return figures_by_department(q, respondents)[0]


def figures_by_department(
    q: Questionnaire, respondents: Iterable[Respondent]
) -> tuple[list[QuestionFigures], dict[str, list[QuestionFigures]]]:
    """The school's figures and each department's, counted in one pass (the school's are the sums)."""
    index = q._index  # type: ignore[attr-defined]
    widths = [len(question.options) for question in q.questions]
    tallies: dict[str, tuple[list[int], list[list[int]]]] = {}
    for respondent in respondents:
        tally = tallies.get(respondent.department)
        if tally is None:
            tally = tallies[respondent.department] = ([0] * len(widths), [[0] * w for w in widths])
        n, counts = tally
        for qid, chosen in respondent.answers.items():
            i = index.get(qid)
            if i is None:
                continue
            n[i] += 1
            row = counts[i]
            for option in chosen:
                if 0 <= option < widths[i]:
                    row[option] += 1

    def built(n: Sequence[int], counts: Sequence[Sequence[int]]) -> list[QuestionFigures]:
        return [QuestionFigures(question, n[i], tuple(counts[i])) for i, question in enumerate(q.questions)]

    school_n = [sum(t[0][i] for t in tallies.values()) for i in range(len(widths))]
    school_counts = [[sum(t[1][i][o] for t in tallies.values()) for o in range(w)] for i, w in enumerate(widths)]
    return built(school_n, school_counts), {d: built(*t) for d, t in sorted(tallies.items())}


@dataclass(frozen=True)
class EvaluationRow:
    """One row of the 自主评价 table (the workbook sheet and the report draft's chapter 五 alike)."""

    unit: str  # 全校 or a department
    question_id: str
    question: str
    item: str  # 有效回答 / an option label / 满意度（前三项） / 均值（1–5）
    count: int | str  # an integer, `<5`, or "" where the row has no count
    share: str  # "12.34%", `<5`, or ""


N_ITEM = {"zh": "有效回答（N）", "en": "Answered (N)"}
SATISFIED_ITEM = {"zh": "满意度（前三项）", "en": "Satisfied (first three)"}
MEAN_ITEM = {"zh": "均值（1–5，首项为5）", "en": "Mean (1–5, first option = 5)"}


def evaluation_rows(
    q: Questionnaire, respondents: Sequence[Respondent], *, lang: str = "zh", school: str = SCHOOL
) -> list[EvaluationRow]:
    """The 自主评价 table: per question N, every option's count and share, for scales the satisfied
    share and the mean — for the school, then for each department with N ≥ 5 on that question
    (a department under 5 shows `<5`). Pure: plain answers in, rows out."""
    school_figures, departments = figures_by_department(q, respondents)
    rows: list[EvaluationRow] = []
    for unit, unit_figures in [(school, school_figures), *departments.items()]:
        for fig in unit_figures:
            rows.extend(question_rows(unit, fig, lang))
    return rows


def question_rows(unit: str, fig: QuestionFigures, lang: str = "zh") -> list[EvaluationRow]:
    question = fig.question
    text = question.wording(lang)

    def row(item: str, count: int | str, share: str) -> EvaluationRow:
        return EvaluationRow(unit, question.id, text, item, count, share)

    n_cell: int | str = HIDDEN if hidden(fig.n) else fig.n
    rows = [row(N_ITEM.get(lang, N_ITEM["zh"]), n_cell, "")]
    if hidden(fig.n):
        return rows
    for label, count in zip(question.labels(lang), fig.counts, strict=True):
        rows.append(row(label, HIDDEN if hidden(count) else count, share_text(count, fig.n)))
    if question.kind == "scale":
        satisfied = fig.satisfied or 0
        rows.append(
            row(
                SATISFIED_ITEM.get(lang, SATISFIED_ITEM["zh"]),
                HIDDEN if hidden(satisfied) else satisfied,
                share_text(satisfied, fig.n),
            )
        )
        rows.append(row(MEAN_ITEM.get(lang, MEAN_ITEM["zh"]), "", fig.mean or ""))
    return rows


@dataclass(frozen=True)
class Tally:
    """Invited, started and completed, for one unit (a department or the whole scope)."""

    unit: str
    invited: int
    started: int
    completed: int

    @property
    def rate(self) -> str:
        """回收率 = completed / invited."""
        return share_text(self.completed, self.invited)


def structure(
    respondents: Sequence[Respondent], attribute: str, missing: str = "未填写"
) -> list[tuple[str, int, str]]:
    """样本结构: respondents by `attribute` (gender, department): label, count, share of all respondents."""
    counts: dict[str, int] = {}
    for respondent in respondents:
        key = getattr(respondent, attribute) or missing
        counts[key] = counts.get(key, 0) + 1
    total = len(respondents)
    return [
        (label, n, share_text(n, total))
        for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


# ------------------------------------------------------------------ what is shown


@dataclass(frozen=True)
class Screen:
    """What a graduate sees now: a question (with their ticks), the summary before 提交, or a notice."""

    survey_id: int
    version: int
    question: Question | None = None  # None: the summary (at_end) or a final notice
    chosen: tuple[int, ...] = ()
    number: int = 0  # 1-based position on the graduate's own path
    can_back: bool = False
    at_end: bool = False
    answered: tuple[tuple[Question, tuple[int, ...]], ...] = ()  # the summary's lines
    notice: str | None = None  # a key of bot.survey_texts: stale, too_many, none_chosen, submitted …
    final: bool = False  # nothing more to press (submitted, closed)


@dataclass
class SurveyFigures:
    cohort: int
    scope_label: str
    status: str
    total: Tally
    departments: list[Tally]
    not_started: int  # invitations Telegram refused: the graduate never pressed Start
    gender: list[tuple[str, int, str]]
    department_structure: list[tuple[str, int, str]]
    respondents: int
    questions: list[QuestionFigures] = field(default_factory=list)
