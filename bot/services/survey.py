"""The follow-up survey as a use case (product.md §11): questionnaires, invitations, a graduate's
walk through the questions, and the staff's figures.

Staff actions go through the policy (`SURVEY_*`). A graduate is known only by the Telegram
account that presses: `Bindings.graduate_of(telegram_id)` — never by anything a button carries —
so a stranger, a staff member or another graduate pressing a copied button records nothing.
Nothing here returns one graduate's answers to anyone but that graduate.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from sqlmodel import Session

from bot import survey as core
from bot import survey_texts
from bot.metrics import GraduateState, format_percent, hundredths_of_percent
from bot.scopes import WHOLE_SCHOOL
from bot.services import policy
from bot.services.base import Clock, ServiceError
from bot.services.policy import Action, Actor
from bot.services.questions import Ambiguous, Scoping, scope_label
from bot.services.snapshots import SnapshotStore
from bot.survey import Screen, SurveyFigures
from storage import graduates as graduates_store
from storage import repo
from storage import survey as store
from storage.db import Database
from storage.models import Graduate, Survey

if TYPE_CHECKING:
    from bot.charts import SurveyBar
    from bot.services.outputs import Picture


class Bindings(Protocol):
    """Which Telegram account is which graduate (product.md §10, the graduates' binding)."""

    def graduate_of(self, session: Session, telegram_id: int) -> int | None:
        """The graduate bound to this account and active, or None (staff, strangers, unbound)."""

    def bound(self, session: Session, graduate_ids: Sequence[int]) -> Mapping[int, tuple[int, str | None]]:
        """Of these graduates, those bound and active: graduate id → (Telegram chat id, language)."""


class StoredBindings:
    """The graduates' binding as storage keeps it (storage/graduates.py): an active account of role
    graduate bound to one graduate."""

    def graduate_of(self, session: Session, telegram_id: int) -> int | None:
        found = graduates_store.graduate_user(session, telegram_id)
        return None if found is None else found[1].id

    def bound(self, session: Session, graduate_ids: Sequence[int]) -> Mapping[int, tuple[int, str | None]]:
        accounts = graduates_store.bound_accounts(session, graduate_ids)
        return {g: (user.telegram_id, user.language) for g, user in accounts.items() if user.telegram_id is not None}


@dataclass(frozen=True)
class Invitee:
    graduate_id: int
    chat_id: int
    language: str | None


@dataclass
class Invitation:
    """What /survey open or remind is about to send, claimed in the database before sending."""

    survey_id: int
    cohort: int
    scope_label: str
    invitees: list[Invitee]
    in_scope: int  # graduates in the asked scope
    unbound: int  # of them, not bound to the bot (no one to send to)
    completed: int  # of them, already completed
    skipped: int  # bound, not completed, already invited (open) — nothing sent twice
    reopened: bool = False


PRESS_ACTIONS = frozenset({"g", "o", "d", "b", "s"})  # go (start/resume), option, done, back, submit


class SurveyService:
    def __init__(
        self,
        db: Database,
        snapshots: SnapshotStore,
        scoping: Scoping,
        clock: Clock,
        bindings: Bindings | None = None,
    ) -> None:
        self.db = db
        self.snapshots = snapshots
        self.scoping = scoping
        self.clock = clock
        self.bindings = bindings

    def _bindings(self) -> Bindings:
        if self.bindings is None:
            raise ServiceError("survey_no_bindings")
        return self.bindings

    # ------------------------------------------------------------ questionnaires

    @staticmethod
    def questionnaire_of(survey: Survey | None) -> core.Questionnaire:
        if survey is None:
            return core.default_questionnaire()
        return _parsed(survey.questionnaire)

    def set_questionnaire(self, actor: Actor, text: str, year: int | None = None) -> core.Questionnaire:
        """Replace a cohort's questionnaire. A malformed file raises `QuestionnaireError` and
        changes nothing; once a graduate has started, the questionnaire stays as it is."""
        policy.require(actor, Action.SURVEY_QUESTIONS)
        questionnaire = core.parse_questionnaire(text)
        with self.db.write() as session:
            cohort_id, _ = self.snapshots.cohort(session, year)
            existing = store.get_survey(session, cohort_id, lock=True)
            if existing is not None and existing.id is not None and store.any_started(session, existing.id):
                raise ServiceError("survey_has_answers")
            store.put_survey(session, cohort_id, text, actor.user_id or None, self.clock.now())
            repo.audit(
                session,
                actor.user_id or None,
                "survey_questions",
                f"cohort {cohort_id}: {len(questionnaire.questions)} questions",
            )
        return questionnaire

    # ------------------------------------------------------------ running it (staff)

    def open(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> Invitation | Ambiguous:
        return self._invite(actor, args, lang, remind=False)

    def remind(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> Invitation | Ambiguous:
        return self._invite(actor, args, lang, remind=True)

    def _invite(
        self, actor: Actor, args: Sequence[str], lang: str, *, remind: bool
    ) -> Invitation | Ambiguous:
        policy.require(actor, Action.SURVEY_RUN)
        bindings = self._bindings()
        with self.db.write() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            states, _ = self.scoping.visible(session, actor, asked.cohort_id, self.clock.today(), asked.scope)
            now = self.clock.now()
            survey = store.get_survey(session, asked.cohort_id, lock=True)
            if survey is None:
                survey = store.put_survey(
                    session, asked.cohort_id, core.default_questionnaire().source, actor.user_id or None, now
                )
            self.questionnaire_of(survey)  # a stored questionnaire that no longer parses is a bug, not a send
            reopened = survey.status == "closed"
            if remind and survey.status != "open":
                raise ServiceError("survey_not_open")
            if survey.status != "open":
                store.set_status(session, survey, "open", actor.user_id or None, now)
                repo.audit(session, actor.user_id or None, "survey_open", f"cohort {asked.year}")
            assert survey.id is not None
            ids = [s.graduate_id for s in states]
            bound = bindings.bound(session, ids)
            done = {g for g, _inv, _st, completed, _ in store.status_rows(session, survey.id) if completed}
            targets = [g for g in ids if g in bound and g not in done]
            claimed = store.claim_invitations(session, survey.id, targets, now, remind=remind)
        invitees = [Invitee(g, bound[g][0], bound[g][1]) for g in claimed]
        return Invitation(
            survey_id=survey.id,
            cohort=asked.year,
            scope_label=scope_label(actor, asked.scope, lang),
            invitees=invitees,
            in_scope=len(ids),
            unbound=len(ids) - len(bound),
            completed=sum(1 for g in ids if g in done),
            skipped=len(targets) - len(claimed),
            reopened=reopened,
        )

    def record_invitations(self, survey_id: int, outcomes: Mapping[int, str]) -> None:
        """Each invitation's outcome after sending: sent | not_started | blocked | failed."""
        with self.db.write() as session:
            store.finish_invitations(session, survey_id, outcomes, self.clock.now())

    def close(self, actor: Actor, args: Sequence[str] = ()) -> int:
        """End the cohort's survey (answers are then final); returns the cohort year."""
        policy.require(actor, Action.SURVEY_CLOSE)
        with self.db.write() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous) or asked.scope != WHOLE_SCHOOL:
                raise ServiceError("survey_close_whole")
            survey = store.get_survey(session, asked.cohort_id, lock=True)
            if survey is None or survey.status != "open":
                raise ServiceError("survey_not_open")
            store.set_status(session, survey, "closed", actor.user_id or None, self.clock.now())
            repo.audit(session, actor.user_id or None, "survey_close", f"cohort {asked.year}")
            return asked.year

    # ------------------------------------------------------------ figures (staff)

    def figures(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> SurveyFigures | Ambiguous:
        policy.require(actor, Action.SURVEY_FIGURES)
        with self.db.read() as session:
            asked = self.scoping.ask(session, actor, args)
            if isinstance(asked, Ambiguous):
                return asked
            states, _ = self.scoping.visible(session, actor, asked.cohort_id, self.clock.today(), asked.scope)
            survey = store.get_survey(session, asked.cohort_id)
            if survey is None or survey.id is None:
                raise ServiceError("survey_none", cohort=asked.year)
            questionnaire = self.questionnaire_of(survey)
            rows = store.status_rows(session, survey.id)
            answers = store.completed_answers(session, survey.id)
        return self._figures(
            asked.year,
            scope_label(actor, asked.scope, lang),
            survey.status,
            questionnaire,
            states,
            rows,
            answers,
        )

    @staticmethod
    def _figures(
        year: int,
        label: str,
        status: str,
        questionnaire: core.Questionnaire,
        states: Sequence[GraduateState],
        rows: Iterable[tuple[int, bool, bool, bool, str]],
        answers: Iterable[tuple[int, Mapping[str, Sequence[int]]]],
    ) -> SurveyFigures:
        by_id = {s.graduate_id: s for s in states}
        invited: Counter[str] = Counter()
        started: Counter[str] = Counter()
        completed: Counter[str] = Counter()
        not_started = 0
        for graduate_id, was_invited, was_started, was_completed, invite_status in rows:
            state = by_id.get(graduate_id)
            if state is None:
                continue
            invited[state.department] += was_invited
            started[state.department] += was_started
            completed[state.department] += was_completed
            not_started += invite_status == "not_started"
        departments = sorted(set(invited) | set(started) | set(completed))
        tallies = [core.Tally(d, invited[d], started[d], completed[d]) for d in departments]
        total = core.Tally("", sum(invited.values()), sum(started.values()), sum(completed.values()))
        respondents = respondents_of(by_id, answers)
        return SurveyFigures(
            cohort=year,
            scope_label=label,
            status=status,
            total=total,
            departments=tallies,
            not_started=not_started,
            gender=core.structure(respondents, "gender"),
            department_structure=core.structure(respondents, "department"),
            respondents=len(respondents),
            questions=core.figures(questionnaire, respondents),
        )

    def evaluation(
        self, session: Session, cohort_id: int, states: Sequence[GraduateState], lang: str = "zh"
    ) -> list[core.EvaluationRow] | None:
        return evaluation(session, cohort_id, states, lang)

    def chart(self, actor: Actor, args: Sequence[str], lang: str = "zh") -> Picture | Ambiguous:
        """`/chart survey [question] [scope]`: one question's options (share of N), or without a
        question every scale's satisfied share. A figure about 1–4 respondents is drawn as `<5`."""
        from bot import charts  # matplotlib: imported when a chart is drawn, not at start-up
        from bot.services.outputs import Picture

        question_id = None
        rest = list(args)
        if rest and rest[0].isascii() and rest[0][:1].isalpha():
            question_id, rest = rest[0], rest[1:]
        f = self.figures(actor, rest, lang)
        if isinstance(f, Ambiguous):
            return f
        by_id = {fig.question.id: fig for fig in f.questions}
        if question_id is not None and question_id not in by_id:
            raise ServiceError("survey_unknown_question", question=question_id, ids=" ".join(by_id))
        title = survey_texts.say(lang, "chart_title", cohort=f.cohort, scope=f.scope_label)
        if question_id is None:
            scales = [fig for fig in f.questions if fig.question.kind == "scale"]
            bars = [
                _bar(fig.question.wording(lang), fig.satisfied or 0, fig.n, f" · {survey_texts.say(lang, 'mean')} {fig.mean}")
                for fig in scales
                if fig.n
            ]
            title = f"{title} · {survey_texts.say(lang, 'chart_scales')}"
            xlabel = survey_texts.say(lang, "chart_scales")
        else:
            fig = by_id[question_id]
            title = f"{title} · {fig.question.wording(lang)}（N={core.count_text(fig.n)}）"
            shown = not core.hidden(fig.n)
            bars = (
                [
                    _bar(label, c, fig.n)
                    for label, c in zip(fig.question.labels(lang), fig.counts, strict=True)
                ]
                if shown and fig.n
                else []
            )
            xlabel = "N = " + core.count_text(fig.n)
        png = charts.render_survey(title, bars, xlabel=xlabel, lang=lang)
        caption = survey_texts.say(
            lang, "chart_caption", title=title, completed=core.count_text(f.total.completed)
        )[:1024]
        return Picture(png, caption, f"chart-survey-{question_id or 'scales'}.png")

    def digest_line(self, actor: Actor) -> core.Tally | None:
        """A counsellor's classes' response so far, while the survey is open (None otherwise)."""
        with self.db.read() as session:
            cohort_id, _ = self.snapshots.cohort(session)
            survey = store.get_survey(session, cohort_id)
            if survey is None or survey.id is None or survey.status != "open":
                return None
            snap = self.snapshots.snapshot(session, cohort_id, self.clock.today())
            members = {s.graduate_id for s in self.snapshots.members(snap, actor.scope)}
            rows = [r for r in store.status_rows(session, survey.id) if r[0] in members]
        return core.Tally("", sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows))

    # ------------------------------------------------------------ the graduate's side

    def open_survey_for(self, telegram_id: int) -> int | None:
        """The id of the open survey this account's graduate may answer and has not submitted (for
        the `填写问卷` button of /me), else None."""
        if self.bindings is None:
            return None
        with self.db.read() as session:
            graduate = self._graduate(session, telegram_id)
            if graduate is None:
                return None
            survey = store.get_survey(session, graduate.cohort_id)
            if survey is None or survey.id is None or survey.status != "open":
                return None
            row = store.response(session, survey.id, graduate.id)  # type: ignore[arg-type]
            return None if row is not None and row.completed_at is not None else survey.id

    def _graduate(self, session: Session, telegram_id: int) -> Graduate | None:
        graduate_id = self._bindings().graduate_of(session, telegram_id)
        return session.get(Graduate, graduate_id) if graduate_id is not None else None

    def press(self, telegram_id: int, survey_id: int, version: int, action: str, argument: int = 0) -> Screen:
        """One button press by the account `telegram_id`. `survey_id` 0 means the cohort's open survey
        (the /me button). Records at most one change, and only for the presser's own graduate."""
        if action not in PRESS_ACTIONS:
            raise ServiceError("button_expired")
        # Everything is read first, in a read transaction; the one write is a short compare-and-set
        # on the version read, so presses of many graduates do not queue behind each other's reads.
        with self.db.read() as session:
            graduate = self._graduate(session, telegram_id)
            if graduate is None or graduate.id is None:
                raise ServiceError("survey_graduates_only")
            survey = store.get_survey(session, graduate.cohort_id)
            if survey is None or survey.id is None or (survey_id and survey.id != survey_id):
                raise ServiceError("button_expired")  # a survey of another cohort: not theirs
            row = store.response(session, survey.id, graduate.id)
            code = self._code(session, graduate.id)
        questionnaire = self.questionnaire_of(survey)
        if row is not None and row.completed_at is not None:
            return Screen(survey.id, row.version, notice="already_submitted", final=True)
        if survey.status != "open":
            return Screen(survey.id, row.version if row else 0, notice="closed", final=True)
        seen = row.version if row is not None else 0
        progress = core.Progress(
            store.decode_path(row.path) if row else (), store.decode_answers(row.answers) if row else {}, seen
        )
        if action == "g":
            if progress.path:
                return self._screen(survey.id, questionnaire, progress)
            begun = core.start(questionnaire, code)
            following = core.Progress(begun.path, begun.answers, seen + 1)
        else:
            if not progress.path:  # a button of someone else's walk, pressed before starting one's own
                return Screen(survey.id, seen, notice="not_started", final=True)
            if version != seen:
                return self._screen(survey.id, questionnaire, progress, notice="stale")
            try:
                if action == "o":
                    following = core.choose(questionnaire, progress, argument, code)
                elif action == "d":
                    following = core.done(questionnaire, progress, code)
                elif action == "b":
                    following = core.back(progress)
                else:
                    answers = core.final_answers(progress)
                    following = core.Progress(progress.path, answers, progress.version + 1)
            except ValueError as error:
                notice = {"too many": "too_many", "nothing chosen": "none_chosen"}.get(str(error), "stale")
                return self._screen(survey.id, questionnaire, progress, notice=notice)
        submitted = action == "s"
        now = self.clock.now()
        with self.db.write() as session:
            target = row if row is not None else store.ensure_response(session, survey.id, graduate.id, now)
            assert target.id is not None
            saved = store.save_progress(
                session, target.id, seen, following.path, following.answers, following.version, now, completed=submitted
            )
        if not saved:  # someone (this graduate, another press) wrote since it was read
            return self.press(telegram_id, survey.id, -1, "g") if action == "g" else self._stale(telegram_id, survey.id)
        if submitted:
            return Screen(survey.id, following.version, notice="submitted", final=True)
        return self._screen(survey.id, questionnaire, following)

    def _stale(self, telegram_id: int, survey_id: int) -> Screen:
        """The presser's current screen, marked stale: their press lost the race and recorded nothing."""
        current = self.press(telegram_id, survey_id, -1, "g")
        return current if current.final else replace(current, notice="stale")

    @staticmethod
    def _code(session: Session, graduate_id: int) -> int:
        entry = repo.latest_entries(session, [graduate_id]).get(graduate_id)
        return int(entry["code"]) if entry else 0  # type: ignore[call-overload]

    @staticmethod
    def _screen(
        survey_id: int, q: core.Questionnaire, progress: core.Progress, notice: str | None = None
    ) -> Screen:
        current = progress.current
        if current == core.END:
            answered = tuple(
                (question, progress.answers[qid])
                for qid in progress.path
                if (question := q.get(qid)) is not None and qid in progress.answers
            )
            return Screen(
                survey_id,
                progress.version,
                at_end=True,
                can_back=len(progress.path) > 1,
                answered=answered,
                notice=notice,
            )
        question = q.get(current or "")
        if question is None:  # a path that no longer fits the questionnaire: start again
            return Screen(survey_id, progress.version, notice="restart", final=True)
        return Screen(
            survey_id,
            progress.version,
            question=question,
            chosen=progress.answers.get(question.id, ()),
            number=len(progress.path),
            can_back=len(progress.path) > 1,
            notice=notice,
        )


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> core.Questionnaire:
    """A stored questionnaire, parsed once per process (the values are immutable)."""
    return core.parse_questionnaire(text)


def evaluation(
    session: Session, cohort_id: int, states: Sequence[GraduateState], lang: str = "zh"
) -> list[core.EvaluationRow] | None:
    """The 自主评价 rows for these graduates — the report workbook's sheet and the draft's chapter 五
    read the same rows; None when the cohort has no survey. Counts submitted questionnaires only."""
    survey = store.get_survey(session, cohort_id)
    if survey is None or survey.id is None:
        return None
    by_id = {s.graduate_id: s for s in states}
    respondents = respondents_of(by_id, store.completed_answers(session, survey.id))
    return core.evaluation_rows(SurveyService.questionnaire_of(survey), respondents, lang=lang)


def _bar(label: str, count: int, n: int, suffix: str = "") -> SurveyBar:
    """A bar of `count` of `n` respondents: hidden (no length, `<5`) when it is about 1–4."""
    from bot.charts import SurveyBar

    if core.hidden(count) or core.hidden(n):
        return SurveyBar(label, 0, core.HIDDEN)
    return SurveyBar(label, hundredths_of_percent(count, n), f"{count} ({format_percent(count, n)}){suffix}")


def respondents_of(
    by_id: Mapping[int, GraduateState], answers: Iterable[tuple[int, Mapping[str, Sequence[int]]]]
) -> list[core.Respondent]:
    """Completed questionnaires of the graduates in `by_id`, with only what figures need."""
    out = []
    for graduate_id, given in answers:
        state = by_id.get(graduate_id)
        if state is not None:
            out.append(core.Respondent(state.department, state.gender, given))
    return out


__all__ = ["Bindings", "Invitation", "Invitee", "Screen", "StoredBindings", "SurveyFigures", "SurveyService", "respondents_of"]
