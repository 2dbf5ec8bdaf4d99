"""The first hour (issue 20): unknown commands point to /help; help and command menus follow the
role and the language (one table in the policy); heads list their own invites and see their
departments' counsellors."""

from __future__ import annotations

import asyncio
import re

from bot.services.policy import Role, commands_for
from tests.e2e.conftest import BotHarness, eventually
from tests.e2e.test_core_loop import ADMIN, HEAD, LI, STRANGER, WANG

ROSTER_2026 = """学号,姓名,院系,专业,班级,学历,性别,辅导员
2026010101,张伟,护理学院,护理,护理2601班,专科,女,王老师
2026010102,李娜,护理学院,护理,护理2601班,专科,女,王老师
2026010103,王芳,护理学院,护理,护理2601班,专科,女,王老师
2026020101,杨磊,信息工程学院,软件技术,软件2601班,本科,男,李老师
2026020102,赵敏,信息工程学院,软件技术,软件2601班,本科,女,李老师
"""
# /invite is offered to counsellors too, in its second form: their graduates' personal links (§10)
ADMIN_ONLY = ("/import", "/alias", "/invites", "/users")
COUNSELLOR_NEEDS = ("/chart", "/export", "/digest", "/kpi", "/report")


async def school_2026(h: BotHarness) -> None:
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    h.service.access.grant(HEAD, "head", name="护理主任", scopes=["护理学院"])
    h.service.access.grant(WANG, "counsellor", name="王老师")
    h.service.access.grant(LI, "counsellor", name="李老师")
    reply = await h.upload(ADMIN, "roster.csv", ROSTER_2026.encode("utf-8-sig"), caption="/import 2026")
    assert "新增 5" in reply, reply


def help_commands(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if line.startswith("/")]


# ---------------------------------------------------------------- item 6: unknown commands


async def test_unknown_command_points_to_help(harness: BotHarness) -> None:
    h = harness
    await school_2026(h)
    assert await h.say(WANG, "/foo") == "没有 /foo 这个命令。发送 /help 查看可用的命令。"
    assert (
        await h.say(WANG, "/foo", language_code="en")
        == "There is no /foo command. Send /help for the commands you can use."
    )
    assert await h.say(WANG, "/rat 护理") == "没有 /rat 这个命令，是否想用 /rate？发送 /help 查看可用的命令。"
    # a stranger still gets the polite refusal, nothing about commands
    assert (await h.say(STRANGER, "/foo")).startswith("您好，本机器人仅供本校就业工作人员使用")
    # addressed to this bot by name: answered
    assert "/help" in await h.say(WANG, f"/foo@{h.emu.bot_user['username']}")


async def test_commands_for_other_bots_in_groups_are_not_answered(harness: BotHarness) -> None:
    h = harness
    await school_2026(h)
    group = -500
    since = h.emu.mark(group)
    h.emu.send_text(WANG, "/foo@otherbot", chat_id=group, chat_type="group")
    h.emu.send_text(WANG, "/rate@otherbot", chat_id=group, chat_type="group")
    h.emu.send_text(STRANGER, "/foo", chat_id=group, chat_type="group")
    answered = await h.say(WANG, f"/foo@{h.emu.bot_user['username']}", chat_id=group, chat_type="group")
    assert "/help" in answered
    await asyncio.sleep(0.5)
    assert [m.text for m in h.emu.messages_to(group)[since:]] == [answered]


# ---------------------------------------------------------------- item 10: help and menus by role


async def test_counsellor_help_offers_what_a_counsellor_may_do(harness: BotHarness) -> None:
    h = harness
    await school_2026(h)
    text = await h.say(WANG, "/help")
    offered = help_commands(text)
    assert not set(ADMIN_ONLY) & set(offered), text
    assert set(COUNSELLOR_NEEDS) <= set(offered), text
    for command in ADMIN_ONLY:  # and each of them is indeed refused
        refusal = await h.say(WANG, command + (" x = 护理" if command == "/alias" else ""))
        assert "无权" in refusal or "只有管理员" in refusal, (command, refusal)
    # examples use the counsellor's own 2026 学号, not 2023 ones
    assert "2026010101 签劳动合同" in text and "2023" not in text, text
    english = await h.say(WANG, "/help", language_code="en")
    assert help_commands(english) == offered and "2026010101 contract" in english, english
    admin_help = await h.say(ADMIN, "/help")
    assert set(ADMIN_ONLY) <= set(help_commands(admin_help))
    # /invite: a counsellor is offered only the graduates' links, and may use them; an admin both forms
    assert "/invite graduates [范围] — 毕业生个人链接与二维码" in text and "head|counsellor" not in text, text
    assert "/invite head|counsellor" in admin_help and "/invite graduates [范围]" in admin_help, admin_help
    assert "无权" in await h.say(WANG, "/invite counsellor 赵老师 护理2601班")


async def test_staff_me_answers_with_role_and_scope(harness: BotHarness) -> None:
    """A staff member's /me (a graduate's own record is theirs alone) is who they are here."""
    h = harness
    await school_2026(h)
    assert await h.say(WANG, "/me") == "您是辅导员，范围：王老师。"
    assert await h.say(ADMIN, "/me", language_code="en") == "You are admin; scope: whole school."


async def test_menus_per_user_role_and_language(harness: BotHarness) -> None:
    h = harness
    await school_2026(h)
    await h.say(WANG, "/rate")
    await h.say(HEAD, "/rate")
    await h.say(ADMIN, "/rate")

    async def menu(user: int, code: str = "") -> list[str]:
        def set_for_the_user() -> bool:  # set in the background after the first command
            names = h.emu.menu_for(user, code)
            return bool(names) and names != commands_for(None)

        await eventually(set_for_the_user, f"the menu of {user}")
        return h.emu.menu_for(user, code)

    counsellor = await menu(WANG)
    assert counsellor == commands_for(Role.COUNSELLOR)
    assert not {c[1:] for c in ADMIN_ONLY} & set(counsellor) and {c[1:] for c in COUNSELLOR_NEEDS} <= set(
        counsellor
    )
    assert "invites" in await menu(HEAD) and "import" not in await menu(HEAD)
    assert {c[1:] for c in ADMIN_ONLY} <= set(await menu(ADMIN))
    # descriptions in the user's language: Chinese by default, English for an English client
    chat = {"type": "chat", "chat_id": WANG}
    zh = {c["command"]: c["description"] for c in h.emu.my_commands(chat)}
    en = {c["command"]: c["description"] for c in h.emu.my_commands(chat, "en")}
    assert zh["rate"] == "毕业去向落实率" and en["rate"] == "placement rate"
    # a counsellor's /invite is the graduates' links, an admin's the invitation of staff
    assert zh["invite"] == "毕业生个人链接与二维码" and en["invite"] == "graduates' personal links and QR codes"
    admin = {c["command"]: c["description"] for c in h.emu.my_commands({"type": "chat", "chat_id": ADMIN})}
    assert admin["invite"] == "邀请用户"
    # a chosen language wins over the client's
    await h.say(WANG, "/settings lang en")
    await eventually(lambda: {c["description"] for c in h.emu.my_commands(chat)} >= {"placement rate"}, "the English menu")
    assert {c["command"]: c["description"] for c in h.emu.my_commands(chat)}["rate"] == "placement rate"


async def test_a_new_user_gets_the_menu_of_the_role_they_registered_with(harness: BotHarness) -> None:
    h = harness
    await school_2026(h)
    link = await h.say(HEAD, "/invite counsellor 赵老师 护理2601班")
    newcomer = 4001
    assert h.emu.menu_for(newcomer) == []
    welcome = await h.say(newcomer, "/start " + link.rsplit("start=", 1)[1].strip(), language_code="en")
    assert "Welcome" in welcome and "/chart" in welcome, welcome
    # a counsellor invites no staff, but hands out their graduates' personal links
    assert "/invite graduates [scope] — graduates' personal links" in welcome and "head|counsellor" not in welcome
    chat = {"type": "chat", "chat_id": newcomer}
    # the menus are set in the background: wait for the English variant of the newcomer's own scope
    await eventually(lambda: bool(h.emu.my_commands(chat, "en")), "the newcomer's English menu")
    assert h.emu.menu_for(newcomer, "en") == commands_for(Role.COUNSELLOR)
    english = {c["command"]: c["description"] for c in h.emu.my_commands(chat, "en")}
    assert english["chart"] == "chart: rates trend mix flow sector"


async def test_menus_are_set_at_start_for_existing_users(db_url: str) -> None:
    from tests.e2e.conftest import start_bot, stop_bot

    emu, service, application = await start_bot(db_url)
    try:
        service.access.grant(WANG, "counsellor", name="王老师")
        service.access.grant(ADMIN, "admin", name="就业中心")
    finally:
        await stop_bot(emu, service, application, keep_emulator=True)
    emu.clear()
    emu, service, application = await start_bot(db_url, emu=emu)  # nobody has written anything yet
    try:
        await application.post_init(application)  # as `placement-bot run` does (bot.intake.run_worker)
        await eventually(
            lambda: emu.menu_for(WANG) == commands_for(Role.COUNSELLOR) and emu.menu_for(ADMIN) == commands_for(Role.ADMIN),
            "every existing user's menu",
        )
        assert emu.menu_for(WANG) == commands_for(Role.COUNSELLOR)
        assert emu.menu_for(ADMIN) == commands_for(Role.ADMIN)
        assert emu.menu_for(STRANGER) == ["start", "help"]
        assert emu.menu_for(-500, "en", chat_type="group") == [
            "rate",
            "rates",
            "chart",
            "targets",
            "check",  # 核查 figures: aggregates, `<5` in groups (§10)
            "survey",  # survey figures: aggregates only (§11)
            "settings",
            "help",
        ]
    finally:
        await application.post_shutdown(application)
        await stop_bot(emu, service, application)


async def test_head_lists_her_own_invites_and_sees_her_counsellors(harness: BotHarness) -> None:
    h = harness
    await school_2026(h)
    made = await h.say(HEAD, "/invite counsellor 赵老师 护理2601班")
    assert "start=" in made, made
    admin_made = await h.say(ADMIN, "/invite head 信息主任 信息工程学院")
    assert "start=" in admin_made
    listing = await h.say(HEAD, "/invites")
    assert "赵老师" in listing and "信息主任" not in listing, listing
    # a head cannot cancel the admin's invite (it is not hers)
    admin_invite = next(
        line.split()[0][1:] for line in (await h.say(ADMIN, "/invites")).splitlines() if "信息主任" in line
    )
    assert "没有编号" in await h.say(HEAD, f"/invites cancel {admin_invite}")
    assert "信息主任" in await h.say(ADMIN, "/invites")
    # 王老师 was granted by the admin, and her graduates are in 护理学院: the head sees her
    users = await h.say(HEAD, "/users")
    assert "王老师" in users and "李老师" not in users and "就业中心" not in users, users
    assert "无权" in await h.say(WANG, "/invites")


# ---------------------------------------------------------------- item 11: one language per reply

CHINESE_LABELS = (
    "未上报", "待就业", "不就业拟升学", "其他暂不就业", "求职中", "面试中", "签约中", "拟参加公招考试", "暂不就业",
    "专科", "本科", "硕士", "博士", "无记录", "届",
)  # fmt: skip
ENGLISH_KEYS = ("department:", "class_name:", "counsellor:", "within:", "major:")


async def test_english_replies_carry_no_chinese_labels(harness: BotHarness) -> None:
    from tests.e2e.test_core_loop import setup_school

    h = harness
    await setup_school(h)  # 2023 cohort, all 专科
    await h.say(WANG, "2023010101 求职中 备注=面试\n2023010102 面试中")
    unplaced = await h.say(WANG, "/unplaced", language_code="en")
    assert "【Job hunting】" in unplaced and "【Not reported】" in unplaced, unplaced
    assert not [w for w in CHINESE_LABELS if w in unplaced], unplaced
    student = await h.say(WANG, "/student 2023010101", language_code="en")
    assert "associate" in student and not [w for w in CHINESE_LABELS if w in student], student
    digest = "\n".join(m.text or "" for m in await h.ask(HEAD, "/digest", language_code="en", count=1))
    status = digest.split("Unplaced by status:", 1)[1].split("\n\n", 1)[0]
    assert "Not reported" in status and not [w for w in CHINESE_LABELS if w in status], digest
    counsellor_digest = "\n".join(m.text or "" for m in await h.ask(WANG, "/digest", language_code="en", count=1))
    assert "【Job hunting】" in counsellor_digest and "求职中" not in counsellor_digest, counsellor_digest


async def test_chinese_users_list_names_dimensions_in_chinese(harness: BotHarness) -> None:
    from tests.e2e.test_core_loop import setup_school

    h = harness
    await setup_school(h)
    await h.say(HEAD, "/invite counsellor 赵老师 班级:助产2301班")
    users = await h.say(ADMIN, "/users")
    assert "院系:护理学院" in users and not [k for k in ENGLISH_KEYS if k in users], users
    invites = await h.say(ADMIN, "/invites")
    assert "班级:助产2301班" in invites and "限于:护理学院" in invites, invites
    assert not [k for k in ENGLISH_KEYS if k in invites], invites
    english = await h.say(ADMIN, "/users", language_code="en")
    assert "department:护理学院" in english and "院系" not in english, english


# ---------------------------------------------------------------- item 9: /undo names what it reverts


BIG_CLASS = "学号,姓名,院系,专业,班级,辅导员\n" + "\n".join(
    f"20260301{i:02d},学生{i},护理学院,护理,护理2603班,王老师" for i in range(30)
)


def undone_count(h: BotHarness) -> int:
    from sqlmodel import select

    from storage.models import Batch

    with h.service.db.read() as session:
        return len([b for b in session.exec(select(Batch)) if b.undone_at is not None])


async def test_undo_names_the_message_and_confirms_a_large_one(harness: BotHarness) -> None:
    h = harness
    await school_2026(h)
    assert "新增 30" in await h.upload(ADMIN, "big.csv", BIG_CLASS.encode(), caption="/import 2026")
    await h.say(WANG, "2026010101 签劳动合同 聊城市人民医院\n2026010102 升学 聊城大学")
    big = "\n".join(f"20260301{i:02d} 求职中 备注=第{i}位" for i in range(25))
    assert "已更新 25 条" in await h.say(WANG, big)

    prompt = (await h.ask(WANG, "/undo"))[-1]
    text = prompt.text or ""
    assert re.fullmatch(
        r"将撤销 \d\d-\d\d \d\d:\d\d 的消息「2026030100 求职中 备注=第0位」：25 名毕业生的 25 条更新。确认请按下方按钮；按下之前不会撤销。", text
    ), text
    assert undone_count(h) == 0  # nothing undone before the button
    data = prompt.button_data("确认撤销")

    async def press(user: int, callback: str) -> str:
        before = len(h.emu.callback_answers)
        h.emu.press_button(user, prompt, callback)
        await eventually(lambda: len(h.emu.callback_answers) > before, "the button's answer")
        return h.emu.callback_answers[-1].get("text") or ""

    assert "失效" in await press(LI, data)  # another user's press
    assert "失效" in await press(WANG, "undo:999999")  # forged
    assert "失效" in await press(WANG, "undo:x")
    assert undone_count(h) == 0
    since = h.emu.mark(WANG)
    h.emu.press_button(WANG, prompt, data)
    edited = (await h.emu.wait_for(WANG, 1, since=since))[-1]
    assert edited.method == "editMessageText" and edited.buttons == []
    assert re.match(r"已撤销 \d\d-\d\d \d\d:\d\d 的消息「2026030100 求职中 备注=第0位」：25 名毕业生的 25 条更新", edited.text or "")
    assert undone_count(h) == 1
    assert "失效" in await press(WANG, data)  # works once
    assert undone_count(h) == 1

    # stale after another update: the old button does not undo the newer message
    assert "已更新 25 条" in await h.say(WANG, big.replace("求职中", "面试中"))
    stale = (await h.ask(WANG, "/undo"))[-1]
    assert "25 名毕业生" in (stale.text or "")
    await h.say(WANG, "2026010103 签劳动合同 某医院")
    before = len(h.emu.callback_answers)
    h.emu.press_button(WANG, stale, stale.button_data("确认撤销"))
    await eventually(lambda: len(h.emu.callback_answers) > before, "the stale button's answer")
    assert "失效" in (h.emu.callback_answers[-1].get("text") or "")
    assert undone_count(h) == 1
    small = await h.say(WANG, "/undo")  # a small one is undone at once, and named
    assert re.match(r"已撤销 \d\d-\d\d \d\d:\d\d 的消息「2026010103 签劳动合同 某医院」：1 名毕业生的 1 条更新", small), small
    english = await h.say(WANG, "/undo", language_code="en")
    assert "your message of" in english and "25 graduates" in english and "Press the button" in english, english


async def test_undo_names_the_message_masked_when_pii_is_masked(db_url: str) -> None:
    from tests.e2e.conftest import start_bot, stop_bot

    emu, service, application = await start_bot(db_url, pii_in_chat="masked")
    h = BotHarness(emu, service, application)
    try:
        await school_2026(h)
        await h.say(WANG, "张伟 签劳动合同 某医院\n2026010102 升学 聊城大学")
        undone = await h.say(WANG, "/undo")
        assert "「张* 签劳动合同 某医院」" in undone and "张伟" not in undone, undone
    finally:
        await stop_bot(emu, service, application)
