"""bot.services.access over a real database: invites that die with their makers, cancelled and
expired invites, the open-invite list, one winner per raced invite (PostgreSQL too), and refusals
the services make whatever the entry point (#8 items 4 and 5)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.services import SYSTEM, ServiceError, Services
from storage.models import Invite

ADMIN, ADMIN2, HEAD, WANG = 1001, 1002, 2001, 3001

ROSTER_2022 = """学号,姓名,院系,专业,班级,学历,辅导员
2022020101,杨磊,信息工程学院,软件技术,软件2201班,专科,李老师
2022010101,张伟,护理学院,护理,护理2201班,专科,王老师
"""
ROSTER_2023 = """学号,姓名,院系,专业,班级,学历,辅导员
2023010101,张伟,护理学院,护理,护理2301班,专科,王老师
2023020101,赵敏,信息工程学院,软件技术,软件2301班,专科,李老师
"""


def school(service: Services) -> None:
    for year, csv in ((2022, ROSTER_2022), (2023, ROSTER_2023)):
        result = service.roster.import_roster(csv.encode(), "roster.csv", actor=SYSTEM, cohort=year)
        assert result.ok, result.problems
    service.access.grant(ADMIN, "admin", name="就业中心")
    service.access.grant(ADMIN2, "admin", name="副主任")
    service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
    service.access.grant(WANG, "counsellor", name="王老师")


def heads_invite(service: Services) -> str:
    """The school, and the head's invite of a counsellor for one of their classes."""
    school(service)
    head = service.access.actor(HEAD)
    assert head is not None
    return service.access.create_invite("counsellor", name="赵老师", scopes=["班级:护理2301班"], inviter=head)


def refusal(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.key


def test_revoked_admin_cannot_redeem_their_own_earlier_invite(service: Services) -> None:
    school(service)
    admin2 = service.access.actor(ADMIN2)
    assert admin2 is not None
    token = service.access.create_invite("admin", name="后门", inviter=admin2)
    assert service.access.revoke(ADMIN2)
    assert refusal(service.access.redeem_invite, token, ADMIN2, None, "zh") == "invite_invalid"
    assert service.access.actor(ADMIN2) is None  # still revoked


def test_revoked_heads_counsellor_invite_is_dead(service: Services) -> None:
    token = heads_invite(service)
    admin = service.access.actor(ADMIN)
    assert admin is not None
    assert [i.name for i in service.access.open_invites(admin)] == ["赵老师"]
    service.access.revoke(HEAD, actor=admin)
    assert service.access.open_invites(admin) == []  # revoking cancelled it
    assert refusal(service.access.redeem_invite, token, 4001, None, "zh") == "invite_invalid"
    assert service.access.actor(4001) is None


def test_invite_of_a_user_no_longer_allowed_to_invite_is_dead(service: Services) -> None:
    token = heads_invite(service)
    service.access.grant(HEAD, "counsellor", name="护理主任")  # demoted: counsellors invite no one
    assert refusal(service.access.redeem_invite, token, 4001, None, "zh") == "invite_invalid"


def test_cancelled_invite_is_refused_and_listed_no_more(service: Services) -> None:
    school(service)
    admin = service.access.actor(ADMIN)
    assert admin is not None
    token = service.access.create_invite("head", name="药学主任", scopes=["院系:护理学院"], inviter=admin)
    listed = service.access.open_invites(admin)
    assert len(listed) == 1
    invite = listed[0]
    assert (invite.role, invite.name, invite.made_by, invite.scopes) == ("head", "药学主任", "就业中心", ["department:护理学院"])
    assert timedelta(days=6, hours=23) < invite.expires_at - datetime.now(UTC) <= timedelta(days=7)
    assert token not in repr(invite)
    service.access.cancel_invite(invite.id, admin)
    assert refusal(service.access.cancel_invite, invite.id, admin) == "invite_not_open"
    assert refusal(service.access.redeem_invite, token, 5001, None, "zh") == "invite_invalid"
    assert service.access.open_invites(admin) == []


def test_expired_invite_is_refused(service: Services) -> None:
    school(service)
    token = service.access.create_invite("counsellor", name="赵老师")
    with service.db.write() as session:
        invite = session.exec(select(Invite)).one()
        invite.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(invite)
    assert refusal(service.access.redeem_invite, token, 4001, None, "zh") == "invite_expired"
    assert service.access.open_invites() == []


def test_heads_list_and_cancel_only_their_own_invites(service: Services) -> None:
    school(service)
    counsellor = service.access.actor(WANG)
    assert refusal(service.access.open_invites, counsellor) == "not_allowed"
    assert refusal(service.access.cancel_invite, 1, counsellor) == "not_allowed"
    head = service.access.actor(HEAD)
    assert head is not None
    service.access.create_invite("head", name="别人的")  # the operator's, at the command line
    service.access.create_invite("counsellor", name="新老师", scopes=["班级:护理2201班"], inviter=head)
    assert [i.name for i in service.access.open_invites(head)] == ["新老师"]
    theirs = next(i.id for i in service.access.open_invites() if i.name == "别人的")
    assert refusal(service.access.cancel_invite, theirs, head) == "invite_not_open"
    assert len(service.access.open_invites()) == 2


def test_head_cannot_widen_a_scope_through_a_past_cohort(service: Services) -> None:
    school(service)
    head = service.access.actor(HEAD)
    assert head is not None
    # 软件2201班 is a class of 信息工程学院 that exists only in the 2022 cohort
    assert refusal(service.access.create_invite, "counsellor", name="新老师", scopes=["班级:软件2201班"], inviter=head) == (
        "out_of_scope_invite"
    )
    assert refusal(service.access.create_invite, "counsellor", name="李老师", inviter=head) == "out_of_scope_invite"
    service.access.create_invite("counsellor", name="新老师", scopes=["班级:护理2201班"], inviter=head)  # their own


def test_services_refuse_what_handlers_used_to_check(service: Services) -> None:
    from jobs.delivery import DigestService

    school(service)
    head, wang = service.access.actor(HEAD), service.access.actor(WANG)
    for actor in (head, wang):
        assert refusal(service.roster.import_roster, ROSTER_2023.encode(), "r.csv", actor=actor, cohort=2023) == "not_allowed"
        assert refusal(DigestService(service).set_schedule, "tue 09:00", actor) == "not_allowed"
        assert refusal(service.targets.set_targets, "checkpoint,degree,target\n08-15,本科,90\n".encode(), None, actor) == "not_allowed"
        assert refusal(service.questions.add_alias, actor, "nursing", "护理") == "not_allowed"
    assert refusal(service.access.users, wang) == "not_allowed"
    assert DigestService(service).schedule()[0].text() == "mon 08:30"  # unchanged


def test_an_invite_is_redeemed_once_when_two_accounts_race(service: Services, db_url: str) -> None:
    """40 races of two threads for one invite: exactly one account wins each time (on PostgreSQL,
    the conditional UPDATE makes the second transaction see the row already taken)."""
    school(service)
    for race in range(40):
        token = service.access.create_invite("counsellor", name=f"老师{race}", scopes=["班级:护理2301班"])
        barrier = threading.Barrier(2)
        outcomes: dict[int, str] = {}
        accounts = (10_000 + 2 * race, 10_001 + 2 * race)
        threads = [
            threading.Thread(target=_redeem, args=(service, token, account, barrier, outcomes)) for account in accounts
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["invite_used", "won"], (race, outcomes)
        registered = [a for a in accounts if service.access.actor(a) is not None]
        assert len(registered) == 1 and outcomes[registered[0]] == "won"


def _redeem(service: Services, token: str, telegram_id: int, barrier: threading.Barrier, outcomes: dict[int, str]) -> None:
    barrier.wait()
    try:
        service.access.redeem_invite(token, telegram_id, None, "zh")
        outcomes[telegram_id] = "won"
    except ServiceError as refused:
        outcomes[telegram_id] = refused.key


# ---------------------------------------------------------------- §2: a head's invitee, in later cohorts

FUTURE_2024 = """学号,姓名,院系,专业,专业大类,班级,学历,辅导员
2024010101,孙丽,护理学院,护理,医药卫生大类,护理2401班,专科,新老师
2024020101,钱军,信息工程学院,软件技术,电子信息大类,软件2401班,专科,新老师
2024020102,吴涛,信息工程学院,软件技术,电子信息大类,软件2401班,专科,新老师
"""


def test_head_invited_counsellor_never_reads_another_department_in_a_later_cohort(service: Services) -> None:
    """§2: a head invites counsellors only for classes lying wholly inside the head's departments —
    in every cohort, past *and future*. A class (or counsellor name) that exists nowhere yet passes
    the check, and the next roster puts it in another department."""
    from tests.e2e.test_core_loop import ROSTER_CSV

    s = service
    s.roster.import_roster(ROSTER_CSV.encode(), "r.csv", cohort=2023, actor=SYSTEM)
    s.access.grant(10, "head", name="护理主任", scopes=["护理学院"])
    token = s.access.create_invite("counsellor", name="新老师", scopes=["班级:软件2401班"], inviter=s.access.actor(10))
    s.access.redeem_invite(token, 77, "x", "zh")
    nxt = ROSTER_CSV.replace("2023", "2024").replace("2301班", "2401班")
    s.roster.import_roster(nxt.encode(), "r.csv", cohort=2024, actor=SYSTEM)
    counsellor = s.access.actor(77)
    assert counsellor is not None
    try:
        answer = s.questions.unplaced(counsellor, [], "zh")
    except ServiceError:
        return
    departments = {g.department for g in answer.graduates}  # type: ignore[union-attr]
    assert departments <= {"护理学院"}, [(g.student_id, g.name, g.department) for g in answer.graduates]  # type: ignore[union-attr]


@pytest.mark.parametrize("scopes", [[], ["大类:电子信息大类"], ["班级:软件2401班", "班级:护理2401班"]])
def test_a_heads_invitee_is_bound_to_the_heads_departments_at_read_time(service: Services, scopes: list[str]) -> None:
    """A counsellor name, a category or a class that no roster knows yet: the invite passes, and a
    later roster that puts them in another department shows the invitee only the head's part."""
    school(service)
    head = service.access.actor(HEAD)
    assert head is not None
    token = service.access.create_invite("counsellor", name="新老师", scopes=scopes, inviter=head)
    invitee = service.access.redeem_invite(token, 4001, None, "zh")
    assert invitee.scope.within == frozenset({"护理学院"})
    assert service.roster.import_roster(FUTURE_2024.encode(), "r.csv", actor=SYSTEM, cohort=2024).ok
    invitee = service.access.actor(4001)
    assert invitee is not None
    answer = service.questions.unplaced(invitee, [], "zh")
    seen = {g.student_id for g in answer.graduates}  # type: ignore[union-attr]
    # 新老师 counsels all three; only the 护理学院 graduate is the head's to give
    assert seen == {"2024010101"}, seen
    admin = service.access.actor(ADMIN)
    assert admin is not None
    assert "within:护理学院" in next(u for u in service.access.users(admin) if u.telegram_id == 4001).scopes


def test_an_admins_invitee_is_not_bound(service: Services) -> None:
    school(service)
    admin = service.access.actor(ADMIN)
    assert admin is not None
    token = service.access.create_invite("counsellor", name="新老师", scopes=["班级:软件2401班"], inviter=admin)
    assert service.access.redeem_invite(token, 4001, None, "zh").scope.within is None
    assert service.roster.import_roster(FUTURE_2024.encode(), "r.csv", actor=SYSTEM, cohort=2024).ok
    invitee = service.access.actor(4001)
    answer = service.questions.unplaced(invitee, [], "zh")  # type: ignore[arg-type]
    assert {g.department for g in answer.graduates} == {"护理学院", "信息工程学院"}  # type: ignore[union-attr]


def test_a_head_cannot_invite_for_a_cohort_or_grant_an_unbound_counsellor(service: Services) -> None:
    school(service)
    head = service.access.actor(HEAD)
    assert head is not None
    assert refusal(service.access.create_invite, "counsellor", name="新老师", scopes=["届:2023"], inviter=head) == "out_of_scope_invite"
    assert refusal(service.access.grant, 4002, "counsellor", name="新老师", scopes=["届:2024"], actor=head) == "out_of_scope_invite"
    service.access.grant(4002, "counsellor", name="新老师", scopes=["班级:软件2401班"], actor=head)
    assert service.access.actor(4002).scope.within == frozenset({"护理学院"})  # type: ignore[union-attr]


def test_an_invite_made_before_the_bound_is_bound_to_its_makers_departments_when_redeemed(service: Services) -> None:
    """An open invite stored without 'within' rows (made before the fix) takes the head's departments."""
    school(service)
    head = service.access.actor(HEAD)
    token = service.access.create_invite("counsellor", name="新老师", scopes=["班级:软件2401班"], inviter=head)  # type: ignore[arg-type]
    with service.db.write() as session:
        invite = session.exec(select(Invite)).one()
        invite.scopes = "class_name:软件2401班"
        session.add(invite)
    assert service.access.redeem_invite(token, 4001, None, "zh").scope.within == frozenset({"护理学院"})


def test_an_invite_whose_maker_lost_the_department_binds_to_nothing(service: Services) -> None:
    school(service)
    head = service.access.actor(HEAD)
    token = service.access.create_invite("counsellor", name="王老师", inviter=head)  # type: ignore[arg-type]
    service.access.grant(HEAD, "head", name="护理主任", scopes=["信息工程学院"])  # moved to another department
    invitee = service.access.redeem_invite(token, 4001, None, "zh")
    assert invitee.scope.within == frozenset({""})
    answer = service.questions.unplaced(invitee, [], "zh")  # 王老师 counsels 护理学院 graduates: not now
    assert answer.graduates == []  # type: ignore[union-attr]


@pytest.mark.parametrize("again", ["grant", "invite"])
def test_a_revoked_user_taken_back_is_registered_anew(db_url: str, again: str) -> None:
    """Registration time decides which digest slots are someone's (product.md §6). A user revoked
    and later taken back (granted again, or by a new invite) counts from the second registration:
    the slot that fell due while they were revoked is not theirs."""
    from storage.db import Database
    from storage.schema import upgrade_database
    from tests.conftest import make_settings

    upgrade_database(db_url)
    first, slot, second = (datetime(2026, 3, d, 10, tzinfo=UTC) for d in (2, 9, 16))
    now = [first]
    service = Services.build(Database.connect(db_url), make_settings(db_url), clock=lambda: now[0])
    try:
        school(service)
        assert WANG in [a.telegram_id for a in service.access.digest_recipients(slot=slot)]
        assert service.access.revoke(WANG)
        now[0] = second
        if again == "grant":
            service.access.grant(WANG, "counsellor", name="王老师")
        else:
            admin = service.access.actor(ADMIN)
            assert admin is not None
            token = service.access.create_invite("counsellor", name="王老师", inviter=admin)
            service.access.redeem_invite(token, WANG, None, "zh")
        assert WANG not in [a.telegram_id for a in service.access.digest_recipients(slot=slot)]
        assert WANG in [a.telegram_id for a in service.access.digest_recipients(slot=second)]
    finally:
        service.db.dispose()
