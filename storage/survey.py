"""Named queries of the follow-up survey (product.md §11): surveys, invitations, progress, answers.

The only SQL about the survey. One graduate's answers are read by `response` (for that graduate's
own walk, the service checks who asks) and by `completed_answers` (for counting); nothing here
joins answers to names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from storage.models import Cohort, Survey, SurveyResponse

CHUNK = 500


def get_survey(session: Session, cohort_id: int, *, lock: bool = False) -> Survey | None:
    """The cohort's survey; `lock` holds its row until the transaction ends (claims on PostgreSQL;
    SQLite writers already run one at a time under BEGIN IMMEDIATE)."""
    query = select(Survey).where(Survey.cohort_id == cohort_id)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def survey_by_id(session: Session, survey_id: int) -> Survey | None:
    return session.get(Survey, survey_id)


def put_survey(
    session: Session, cohort_id: int, questionnaire: str, user_id: int | None, now: datetime
) -> Survey:
    """Create the cohort's survey, or replace its questionnaire."""
    survey = get_survey(session, cohort_id, lock=True)
    if survey is None:  # two first openings at once: the cohort's row lock lets one create it
        session.exec(select(Cohort.id).where(Cohort.id == cohort_id).with_for_update()).one()
        survey = get_survey(session, cohort_id, lock=True)
    if survey is None:
        survey = Survey(
            cohort_id=cohort_id,
            questionnaire=questionnaire,
            status="draft",
            updated_by=user_id,
            updated_at=now,
        )
        session.add(survey)
    else:
        survey.questionnaire = questionnaire
        survey.updated_by = user_id
        survey.updated_at = now
    session.flush()
    return survey


def set_status(session: Session, survey: Survey, status: str, user_id: int | None, now: datetime) -> None:
    survey.status = status
    survey.updated_by = user_id
    survey.updated_at = now
    if status == "open":
        survey.opened_at = survey.opened_at or now
        survey.closed_at = None
    elif status == "closed":
        survey.closed_at = now
    session.add(survey)
    session.flush()


def any_started(session: Session, survey_id: int) -> bool:
    found = session.exec(
        select(SurveyResponse.id)
        .where(SurveyResponse.survey_id == survey_id, col(SurveyResponse.started_at).is_not(None))
        .limit(1)
    ).first()
    return found is not None


def claim_invitations(
    session: Session, survey_id: int, graduate_ids: Sequence[int], now: datetime, *, remind: bool
) -> list[int]:
    """Claim the invitations to send, under the survey's row lock: `remind` False — those in
    `graduate_ids` never invited; True — those who have not completed. Returns the claimed ids."""
    get_survey_row = select(Survey).where(Survey.id == survey_id).with_for_update()
    session.exec(get_survey_row).first()
    existing: dict[int, SurveyResponse] = {}
    for start in range(0, len(graduate_ids), CHUNK):
        chunk = list(graduate_ids[start : start + CHUNK])
        rows = session.exec(
            select(SurveyResponse).where(
                SurveyResponse.survey_id == survey_id, col(SurveyResponse.graduate_id).in_(chunk)
            )
        ).all()
        existing.update((row.graduate_id, row) for row in rows)
    claimed: list[int] = []
    fresh: list[dict[str, object]] = []
    for graduate_id in graduate_ids:
        row = existing.get(graduate_id)
        if row is None:
            fresh.append({"survey_id": survey_id, "graduate_id": graduate_id, "invited_at": now, "invite_status": "claimed",
                          "version": 0, "path": "", "answers": "{}", "updated_at": now})  # fmt: skip
            claimed.append(graduate_id)
        elif row.completed_at is None and (remind or row.invited_at is None):
            if remind and row.invited_at is not None:
                row.reminded_at = now
            else:
                row.invited_at = now
            row.invite_status = "claimed"
            row.updated_at = now
            session.add(row)
            claimed.append(graduate_id)
    if fresh:
        session.bulk_insert_mappings(SurveyResponse, fresh)  # type: ignore[arg-type]
    session.flush()
    return claimed


def finish_invitations(session: Session, survey_id: int, outcomes: Mapping[int, str], now: datetime) -> None:
    """Record each invitation's outcome: sent | not_started | blocked | failed."""
    by_status: dict[str, list[int]] = {}
    for graduate_id, status in outcomes.items():
        by_status.setdefault(status, []).append(graduate_id)
    for status, ids in by_status.items():
        for start in range(0, len(ids), CHUNK):
            session.exec(  # type: ignore[call-overload]
                update(SurveyResponse)
                .where(
                    col(SurveyResponse.survey_id) == survey_id,
                    col(SurveyResponse.graduate_id).in_(ids[start : start + CHUNK]),
                )
                .values(invite_status=status, updated_at=now)
            )


def response(session: Session, survey_id: int, graduate_id: int) -> SurveyResponse | None:
    return session.exec(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey_id, SurveyResponse.graduate_id == graduate_id
        )
    ).first()


def ensure_response(session: Session, survey_id: int, graduate_id: int, now: datetime) -> SurveyResponse:
    """The graduate's row, created when they start without an invitation (from /me)."""
    row = response(session, survey_id, graduate_id)
    if row is None:
        row = SurveyResponse(survey_id=survey_id, graduate_id=graduate_id, updated_at=now)
        session.add(row)
        session.flush()
    return row


def save_progress(
    session: Session,
    row_id: int,
    expected_version: int,
    path: Sequence[str],
    answers: Mapping[str, Sequence[int]],
    version: int,
    now: datetime,
    *,
    completed: bool = False,
) -> bool:
    """Compare-and-set: write the new progress only if nobody wrote since `expected_version` was
    read (a repeated or stale press then changes nothing). False when it was not written."""
    values: dict[str, object] = {
        "path": "\n".join(path),
        "answers": json.dumps({k: list(v) for k, v in answers.items()}, separators=(",", ":")),
        "version": version,
        "updated_at": now,
    }
    if completed:
        values["completed_at"] = now
    result = session.exec(  # type: ignore[call-overload]
        update(SurveyResponse)
        .where(
            col(SurveyResponse.id) == row_id,
            col(SurveyResponse.version) == expected_version,
            col(SurveyResponse.completed_at).is_(None),
        )
        .values(**values)
    )
    if result.rowcount != 1:
        return False
    session.exec(  # type: ignore[call-overload]
        update(SurveyResponse)
        .where(col(SurveyResponse.id) == row_id, col(SurveyResponse.started_at).is_(None))
        .values(started_at=now)
    )
    return True


def decode_answers(text: str) -> dict[str, tuple[int, ...]]:
    raw = json.loads(text or "{}")
    return {str(k): tuple(int(i) for i in v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def decode_path(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def status_rows(session: Session, survey_id: int) -> list[tuple[int, bool, bool, bool, str]]:
    """(graduate_id, invited, started, completed, invite_status) for every row of the survey."""
    rows = session.execute(
        select(
            SurveyResponse.graduate_id,
            col(SurveyResponse.invited_at).is_not(None),
            col(SurveyResponse.started_at).is_not(None),
            col(SurveyResponse.completed_at).is_not(None),
            SurveyResponse.invite_status,
        ).where(SurveyResponse.survey_id == survey_id)
    ).all()
    return [(g, bool(i), bool(st), bool(c), status) for g, i, st, c, status in rows]


def completed_answers(session: Session, survey_id: int) -> list[tuple[int, dict[str, list[int]]]]:
    """Every completed questionnaire's answers (question id → chosen options), for counting only.
    Parsed as one JSON array: 20,000 questionnaires in one pass of the C decoder."""
    rows = session.execute(
        select(SurveyResponse.graduate_id, SurveyResponse.answers).where(
            SurveyResponse.survey_id == survey_id, col(SurveyResponse.completed_at).is_not(None)
        )
    ).all()
    if not rows:
        return []
    parsed = json.loads("[" + ",".join(text or "{}" for _, text in rows) + "]")
    return [(graduate_id, answers if isinstance(answers, dict) else {}) for (graduate_id, _), answers in zip(rows, parsed, strict=True)]


def delete_surveys(session: Session, cohort_ids: Iterable[int]) -> int:
    """Delete the cohorts' surveys with every invitation, progress and answer; returns how many answers went."""
    ids = list(session.exec(select(Survey.id).where(col(Survey.cohort_id).in_(list(cohort_ids)))).all())
    if not ids:
        return 0
    gone = len(session.exec(select(SurveyResponse.id).where(col(SurveyResponse.survey_id).in_(ids))).all())
    session.exec(delete(SurveyResponse).where(col(SurveyResponse.survey_id).in_(ids)))  # type: ignore[call-overload]
    session.exec(delete(Survey).where(col(Survey.id).in_(ids)))  # type: ignore[call-overload]
    return gone
