"""The survey service: invitations claimed once, a graduate's walk bound to the presser, stale and
forged presses, questionnaires replaced or refused, figures with `<5`, privacy, purge, digests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import survey_texts
from bot.services import SYSTEM, ServiceError, Services
from bot.services.retention import purge_cohort
from bot.survey import QuestionnaireError, Screen, default_questionnaire
from storage import repo
from storage import survey as store
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings
from tests.survey_helpers import ADMIN, HEAD, LI, NOW, WANG, bind_all, build_school

Q = default_questionnaire()


@pytest.fixture
def school(db_url: str) -> Iterator[tuple[Services, dict[str, int]]]:
    upgrade_database(db_url)
    service = Services.build(Database.connect(db_url), make_settings(db_url), clock=lambda: NOW)
    ids = build_school(service)
    yield service, ids
    service.db.dispose()


def actor(service: Services, telegram_id: int):  # type: ignore[no-untyped-def]
    found = service.access.actor(telegram_id)
    assert found is not None
    return found


def refusal(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    return caught.value.key


def walk(service: Services, telegram_id: int, picks: dict[str, list[int]]) -> Screen:
    """Answer the open survey as `telegram_id` would, pressing the current screen's buttons."""
    screen = service.survey.press(telegram_id, 0, 0, "g")
    while not screen.final:
        if screen.at_end:
            screen = service.survey.press(telegram_id, screen.survey_id, screen.version, "s")
            continue
        question = screen.question
        assert question is not None
        chosen = picks.get(question.id, [0])
        for option in chosen:
            screen = service.survey.press(telegram_id, screen.survey_id, screen.version, "o", option)
        if question.kind == "many":
            screen = service.survey.press(telegram_id, screen.survey_id, screen.version, "d")
    return screen


def test_open_invites_bound_graduates_in_scope_once_and_remind_those_not_done(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, {sid: g for sid, g in ids.items() if sid != "2026000012"})  # 12 is not bound
    invitation = service.survey.open(actor(service, ADMIN), [])
    assert sorted(i.chat_id for i in invitation.invitees) == sorted(telegram.values())
    assert (invitation.in_scope, invitation.unbound, invitation.completed, invitation.skipped) == (
        12,
        1,
        0,
        0,
    )
    again = service.survey.open(actor(service, ADMIN), [])
    assert again.invitees == [] and again.skipped == 11  # opened twice: no second invitation
    walk(service, telegram["2026000001"], {})
    reminders = service.survey.remind(actor(service, ADMIN), [])
    assert sorted(i.chat_id for i in reminders.invitees) == sorted(
        t for s, t in telegram.items() if s != "2026000001"
    )
    assert reminders.completed == 1


def test_a_counsellor_invites_only_their_scope_and_cannot_close(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    bind_all(service, ids)
    li = actor(service, LI)
    invitation = service.survey.open(li, [])
    assert len(invitation.invitees) == 4 and invitation.in_scope == 4  # 软件2601班 only
    assert refusal(service.survey.open, li, ["护理学院"]) == "scope_forbidden"
    assert refusal(service.survey.close, li) == "not_allowed"
    assert service.survey.close(actor(service, HEAD)) == 2026


def test_remind_and_figures_need_a_survey(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    bind_all(service, ids)
    assert refusal(service.survey.remind, actor(service, ADMIN), []) == "survey_not_open"
    assert refusal(service.survey.figures, actor(service, ADMIN), []) == "survey_none"
    assert refusal(service.survey.close, actor(service, ADMIN)) == "survey_not_open"


def test_an_employed_graduate_is_asked_the_employed_questions_and_a_student_is_not(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    seen: list[str] = []
    screen = service.survey.press(telegram["2026000001"], 0, 0, "g")
    while screen.question is not None:
        seen.append(screen.question.id)
        option = 3 if screen.question.id == "related" else 0  # 不太对口 → unrelated_why
        screen = service.survey.press(telegram["2026000001"], screen.survey_id, screen.version, "o", option)
        if screen.question is not None and screen.question.kind == "many" and screen.chosen:
            screen = service.survey.press(telegram["2026000001"], screen.survey_id, screen.version, "d")
    assert seen == [q.id for q in Q.questions]
    student: list[str] = []
    screen = service.survey.press(telegram["2026000008"], 0, 0, "g")
    while screen.question is not None:
        student.append(screen.question.id)
        screen = service.survey.press(telegram["2026000008"], screen.survey_id, screen.version, "o", 0)
        if screen.question is not None and screen.chosen:
            screen = service.survey.press(telegram["2026000008"], screen.survey_id, screen.version, "d")
    assert student == ["factors", "school"]
    seeking = service.survey.press(telegram["2026000007"], 0, 0, "g")
    assert seeking.question is not None and seeking.question.id == "opportunity"


def test_a_stale_or_repeated_press_records_nothing_twice(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    me = telegram["2026000001"]
    first = service.survey.press(me, 0, 0, "g")
    second = service.survey.press(me, first.survey_id, first.version, "o", 1)
    assert second.question is not None and second.question.id == "offers"
    repeated = service.survey.press(me, first.survey_id, first.version, "o", 4)  # the old screen's button
    assert repeated.notice == "stale" and repeated.question is not None and repeated.question.id == "offers"
    with service.db.read() as session:
        row = store.response(session, first.survey_id, ids["2026000001"])
        assert row is not None and store.decode_answers(row.answers) == {"opportunity": (1,)}
    # a many question: a double press of one toggle ticks once
    third = service.survey.press(me, second.survey_id, second.version, "o", 0)
    ticked = service.survey.press(me, third.survey_id, third.version, "o", 2)
    again = service.survey.press(me, third.survey_id, third.version, "o", 2)
    assert ticked.chosen == (2,) and again.notice == "stale" and again.chosen == (2,)
    done = service.survey.press(me, ticked.survey_id, ticked.version, "d")
    assert done.question is not None and done.question.id == "related"


def test_many_enforces_its_maximum_and_done_needs_a_choice(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    me = telegram["2026000008"]  # in further study: factors comes first
    screen = service.survey.press(me, 0, 0, "g")
    assert screen.question is not None and screen.question.id == "factors"
    assert service.survey.press(me, screen.survey_id, screen.version, "d").notice == "none_chosen"
    for option in (0, 1, 2):
        screen = service.survey.press(me, screen.survey_id, screen.version, "o", option)
    fourth = service.survey.press(me, screen.survey_id, screen.version, "o", 3)
    assert fourth.notice == "too_many" and fourth.chosen == (0, 1, 2)
    text, rows = survey_texts.screen("zh", fourth)
    assert text.startswith("最多只能选 3 项。")
    assert [label for label, _ in (r[0] for r in rows[:8])][:4] == [
        "✓ 薪资待遇",
        "✓ 个人发展空间",
        "✓ 工作地点",
        "工作稳定性",
    ]


def test_back_changes_an_answer_until_submit_and_the_walk_resumes(school, db_url: str) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    me = telegram["2026000008"]
    s = service.survey.press(me, 0, 0, "g")
    s = service.survey.press(me, s.survey_id, s.version, "o", 0)
    s = service.survey.press(me, s.survey_id, s.version, "d")
    assert s.question is not None and s.question.id == "school"
    # a restart: a new service over the same database resumes where the graduate left off
    other = Services.build(Database.connect(db_url), make_settings(db_url), clock=lambda: NOW)
    resumed = other.survey.press(me, 0, 0, "g")
    assert resumed.question is not None and resumed.question.id == "school" and resumed.version == s.version
    s = other.survey.press(me, s.survey_id, s.version, "b")
    assert s.question is not None and s.question.id == "factors" and s.chosen == (0,)
    s = other.survey.press(me, s.survey_id, s.version, "o", 0)  # untick
    s = other.survey.press(me, s.survey_id, s.version, "o", 6)
    s = other.survey.press(me, s.survey_id, s.version, "d")
    s = other.survey.press(me, s.survey_id, s.version, "o", 4)
    assert s.at_end and [(q.id, c) for q, c in s.answered] == [("factors", (6,)), ("school", (4,))]
    done = other.survey.press(me, s.survey_id, s.version, "s")
    assert done.notice == "submitted" and done.final
    assert other.survey.press(me, s.survey_id, s.version, "b").notice == "already_submitted"
    with other.db.read() as session:
        assert store.completed_answers(session, s.survey_id) == [
            (ids["2026000008"], {"factors": [6], "school": [4]})
        ]
    other.db.dispose()


def test_strangers_staff_and_other_graduates_record_nothing(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    mine = service.survey.press(telegram["2026000001"], 0, 0, "g")
    for presser in (ADMIN, WANG, 777_777):  # staff and a stranger press the graduate's button
        assert (
            refusal(service.survey.press, presser, mine.survey_id, mine.version, "o", 0)
            == "survey_graduates_only"
        )
    # another graduate presses a copy of graduate 1's button: it acts on their own record only
    copied = service.survey.press(telegram["2026000002"], mine.survey_id, mine.version, "o", 0)
    assert copied.notice == "not_started"
    started = service.survey.press(telegram["2026000003"], 0, 0, "g")
    assert (
        service.survey.press(telegram["2026000003"], mine.survey_id, mine.version + 5, "o", 0).notice
        == "stale"
    )
    assert started.question is not None
    with service.db.read() as session:
        row = store.response(session, mine.survey_id, ids["2026000001"])
        assert row is not None and store.decode_answers(row.answers) == {}
    assert (
        refusal(service.survey.press, telegram["2026000001"], mine.survey_id + 99, 1, "o", 0)
        == "button_expired"
    )
    assert (
        refusal(service.survey.press, telegram["2026000001"], mine.survey_id, 1, "x", 0) == "button_expired"
    )


def test_closed_survey_takes_no_answers(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    s = service.survey.press(telegram["2026000001"], 0, 0, "g")
    service.survey.close(actor(service, ADMIN))
    closed = service.survey.press(telegram["2026000001"], s.survey_id, s.version, "o", 0)
    assert closed.notice == "closed" and closed.final
    assert service.survey.open_survey_for(telegram["2026000001"]) is None


def test_a_malformed_questionnaire_changes_nothing_and_a_started_one_is_kept(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    good = '[[question]]\nid = "only"\ntext = "唯一的题"\nkind = "one"\noptions = ["是", "否"]\n'
    assert [q.id for q in service.survey.set_questionnaire(SYSTEM, good, 2026).questions] == ["only"]
    with pytest.raises(QuestionnaireError, match="unknown kind"):
        service.survey.set_questionnaire(SYSTEM, good.replace('"one"', '"two"'), 2026)
    assert refusal(service.survey.set_questionnaire, actor(service, HEAD), good, 2026) == "not_allowed"
    service.survey.open(actor(service, ADMIN), [])
    s = service.survey.press(telegram["2026000001"], 0, 0, "g")
    assert s.question is not None and s.question.id == "only"
    assert (
        refusal(service.survey.set_questionnaire, SYSTEM, good.replace("唯一", "另一"), 2026)
        == "survey_has_answers"
    )
    with service.db.read() as session:
        survey = store.get_survey(session, s.survey_id and repo.get_cohort(session, 2026).id)  # type: ignore[union-attr]
        assert survey is not None and "唯一的题" in survey.questionnaire


def test_figures_count_only_submitted_answers_in_scope_with_less_than_five(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    for sid in ("2026000001", "2026000002", "2026000003", "2026000004", "2026000005", "2026000006"):
        walk(service, telegram[sid], {"school": [0 if sid < "2026000004" else 1]})
    service.survey.press(telegram["2026000009"], 0, 0, "g")  # started, not submitted
    f = service.survey.figures(actor(service, ADMIN), [])
    assert (f.total.invited, f.total.started, f.total.completed) == (12, 7, 6)
    assert f.total.rate == "50.00%"
    school_q = next(q for q in f.questions if q.question.id == "school")
    assert school_q.n == 6 and school_q.counts == (3, 3, 0, 0, 0) and school_q.mean == "4.50"
    text = survey_texts.render_figures("zh", f)
    assert "共发出调查问卷 12 份，回收 6 份，回收率 50.00%" in text
    assert "很满意 <5 (<5)" in text  # 3 respondents: a figure about fewer than five
    # a counsellor sees their own classes only: 李老师's graduates have not submitted
    li = service.survey.figures(actor(service, LI), [])
    assert (li.total.invited, li.total.completed, li.total.rate) == (
        4,
        0,
        "<5",
    )  # a rate over 4 invited is hidden too
    assert all(q.n == 0 for q in li.questions)
    # the head's department has 6 respondents; the gender split is shown, 1–4 as <5
    head = service.survey.figures(actor(service, HEAD), [])
    assert head.respondents == 6 and ("女", 4, "<5") in head.gender


def test_the_evaluation_rows_are_the_core_function_over_stored_answers(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    for sid in sorted(telegram)[:6]:
        walk(service, telegram[sid], {"school": [2]})
    with service.db.read() as session:
        cohort = repo.get_cohort(session, 2026)
        states = service.snapshots.states(session, cohort.id, NOW.date())  # type: ignore[union-attr]
        rows = service.survey.evaluation(session, cohort.id, states)  # type: ignore[union-attr]
    assert rows is not None
    school_rows = {(r.unit, r.item): (r.count, r.share) for r in rows if r.question_id == "school"}
    assert school_rows[("全校", "基本满意")] == (6, "100.00%")
    assert school_rows[("全校", "满意度（前三项）")] == (6, "100.00%")
    assert school_rows[("全校", "均值（1–5，首项为5）")] == ("", "3.00")
    assert school_rows[("护理学院", "有效回答（N）")] == (6, "")


def test_no_one_reads_one_graduates_answers(school) -> None:  # type: ignore[no-untyped-def]
    """/student, exports and the figures carry no individual answer, for admins too."""
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    walk(service, telegram["2026000001"], {"income": [4], "school": [4]})
    admin = actor(service, ADMIN)
    student = service.questions.student(admin, "2026000001")
    from bot import texts

    record = texts.render_student("zh", student, texts.Privacy("full"))  # type: ignore[arg-type]
    assert "10000元及以上" not in record and "很不满意" not in record
    export = service.outputs.export(admin, [], "zh")
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.data))  # type: ignore[union-attr]
    cells = {
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    }
    assert not {"10000元及以上", "很不满意", "income", "school"} & cells
    # one respondent: every figure about them is <5
    f = service.survey.figures(admin, [])
    assert all(q.n in (0, 1) for q in f.questions)
    text = survey_texts.render_figures("zh", f)
    assert "10000元及以上" not in text and "N=<5" in text


def test_purge_deletes_the_cohort_with_its_answers(school) -> None:  # type: ignore[no-untyped-def]
    service, ids = school
    telegram = bind_all(service, ids)
    service.survey.open(actor(service, ADMIN), [])
    walk(service, telegram["2026000001"], {})
    assert refusal(purge_cohort, service.db, service.snapshots, actor(service, HEAD), 2026) == "not_allowed"
    counts = purge_cohort(service.db, service.snapshots, SYSTEM, 2026)
    assert counts == {"graduates": 12, "entries": 12, "survey_responses": 12}
    assert service.access.actor(telegram["2026000001"]) is None  # the graduate's account is no longer active
    with service.db.read() as session:
        assert repo.get_cohort(session, 2026) is None
        assert session.exec(store.select(store.SurveyResponse)).all() == []  # type: ignore[attr-defined]
    assert refusal(purge_cohort, service.db, service.snapshots, SYSTEM, 2026) == "unknown_cohort"


def test_counsellors_digest_carries_their_classes_response_rate(school) -> None:  # type: ignore[no-untyped-def]
    from jobs.delivery import DigestService

    service, ids = school
    telegram = bind_all(service, ids)
    digests = DigestService(service)
    wang = actor(service, WANG)
    assert not any("跟踪调查" in part for part in digests.build(wang, "zh")[0].parts)
    service.survey.open(actor(service, ADMIN), [])
    for sid in ("2026000001", "2026000002", "2026000003", "2026000004", "2026000005"):
        walk(service, telegram[sid], {})
    text = "\n".join(digests.build(wang, "zh")[0].parts)
    assert "跟踪调查（进行中）：你的班级发出 8 份，回收 5 份，回收率 62.50%。" in text
    service.survey.close(actor(service, ADMIN))
    assert "跟踪调查" not in "\n".join(digests.build(wang, "zh")[0].parts)


def test_nobody_bound_gets_nothing_and_the_unbound_are_counted(school) -> None:  # type: ignore[no-untyped-def]
    service, _ = school
    invitation = service.survey.open(actor(service, ADMIN), [])
    assert invitation.invitees == [] and (invitation.in_scope, invitation.unbound) == (12, 12)
    assert service.survey.open_survey_for(777) is None
    service.survey.bindings = None  # a service wired without the graduates' binding sends nothing
    assert refusal(service.survey.open, actor(service, ADMIN), []) == "survey_no_bindings"


def test_two_openings_at_once_invite_each_graduate_once(school) -> None:  # type: ignore[no-untyped-def]
    import threading

    service, ids = school
    bind_all(service, ids)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def open_it(telegram_id: int) -> None:
        barrier.wait()
        results.append(len(service.survey.open(actor(service, telegram_id), []).invitees))

    threads = [threading.Thread(target=open_it, args=(who,)) for who in (ADMIN, HEAD)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the head's scope (8) lies inside the admin's (12): whoever claims first, nobody is invited twice
    assert sum(results) == 12 and sorted(results) in ([0, 12], [4, 8])
    with service.db.read() as session:
        survey_id = store.get_survey(session, repo.get_cohort(session, 2026).id).id  # type: ignore[union-attr]
        rows = store.status_rows(session, survey_id)  # type: ignore[arg-type]
    assert len(rows) == 12 and all(invited for _g, invited, *_ in rows)
