"""What the inbox keeps once an update is processed (issue 19, item 2): nothing of its content.

`placement-bot run` (as installed, polling through the durable inbox) gets a stranger's message
(and its edit), a newcomer's `/start <invite token>` and an admin's `/channels add … URL SECRET`.
Once every update is done, every column of every table of the database is read: the stranger's
text and name and the invite token appear nowhere; the robot's key and secret only where the robot
is kept (`groupchannel.url`, `groupchannel.secret`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, select

from bot.sandbox.emulator import BotApiEmulator
from bot.services import Services
from storage.db import Database
from tests.conftest import make_settings
from tests.e2e.workers import ADMIN, TOKEN, bot_env, counts, seed, start_bot, wait_until

STRANGER, NEWCOMER = 4004, 4005
STRANGER_TEXT = "stranger-marker-Qx7 身份证 370102199001011234 请登记我"
STRANGER_EDIT = "stranger-edited-Zk4 身份证 370102199001011234"
STRANGER_NAME = "StrangerName-Wv9"
ROBOT_KEY = "dtkey-" + "9f8e7d6c5b4a" * 4
ROBOT_SECRET = "SECretention" + "0a1b2c3d" * 6
SECRET_HOMES = {("groupchannel", "url"), ("groupchannel", "secret")}


def every_value(db_url: str) -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-empty value in every table of the database."""
    database = Database.connect(db_url)
    try:
        meta = MetaData()
        with database.writer.connect() as connection:
            meta.reflect(bind=connection)
            found = []
            for table in meta.sorted_tables:
                for row in connection.execute(select(table)).mappings():
                    for column, value in row.items():
                        if value is not None:
                            found.append((table.name, column, str(value)))
        return found
    finally:
        database.dispose()


def test_processed_updates_keep_no_stranger_text_token_or_robot_secret(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    database = Database.connect(db_url)
    invite = Services.build(database, make_settings(db_url)).access.create_invite("counsellor", name="赵老师")
    database.dispose()
    with BotApiEmulator(token=TOKEN) as emu:
        bot = start_bot(bot_env(db_url, emu), tmp_path)
        try:
            wait_until(lambda: emu.my_commands() != [], 60, "the bot to start", bot.output)
            sent = emu.send_text(STRANGER, STRANGER_TEXT, first_name=STRANGER_NAME)
            emu.wait_for_sync(STRANGER, 1, timeout=30)
            emu.edit_user_message(sent, STRANGER_EDIT)
            emu.send_text(NEWCOMER, f"/start {invite}")
            assert "赵老师" in (emu.wait_for_sync(NEWCOMER, 1, timeout=30)[-1].text or "")  # redeemed
            robot_url = f"https://oapi.dingtalk.com/robot/send?access_token={ROBOT_KEY}"
            emu.send_text(ADMIN, f"/channels add 护理学院 dingtalk {robot_url} {ROBOT_SECRET}")
            assert "已添加群机器人" in (emu.wait_for_sync(ADMIN, 1, timeout=30)[-1].text or "")
            wait_until(lambda: set(counts(db_url).inbox) == {"done"}, 30, "every update done", bot.output)
            assert counts(db_url).inbox["done"] >= 4
        finally:
            bot.stop()
    values = every_value(db_url)
    assert {table for table, _, _ in values} >= {"inboxupdate", "botuser", "invite", "groupchannel", "auditlog"}
    for marker in ("stranger-marker-Qx7", "stranger-edited-Zk4", "370102199001011234", STRANGER_NAME, invite):
        assert [(t, c) for t, c, v in values if marker in v] == [], marker
    assert [(t, c) for t, c, v in values if v == str(STRANGER)] == []  # not even their chat id
    for credential in (ROBOT_KEY, ROBOT_SECRET):
        assert {(t, c) for t, c, v in values if credential in v} <= SECRET_HOMES, credential
    assert any(v == ROBOT_SECRET for t, c, v in values if (t, c) == ("groupchannel", "secret"))  # the robot itself is kept
