"""Robot URLs whose host is spelled with non-ASCII dots (`127。0。0。1`, `10．0．0．1`,
`169｡254｡169｡254`) are dialled by httpx as the private address they normalise to: `/channels add`
refuses them, and `/channels test` of one already stored never reaches the listener (issue 19, item 1)."""

from __future__ import annotations

import pytest

from bot.services import Services
from storage import repo
from storage.db import Database
from storage.models import GroupChannel
from storage.schema import upgrade_database
from tests.bot.test_cli_channel import DOTS, PRIVATE_ADDRESSES
from tests.conftest import make_settings
from tests.e2e.conftest import BotHarness, start_bot, stop_bot
from tests.e2e.test_core_loop import ADMIN
from tests.e2e.test_digests import WEDNESDAY_10_00, Clock, setup_school_directly
from tests.jobs.fake_robots import FakeRobots

KEY = "wk-probe-0123456789abcdef"
SPELLINGS = [address.replace(".", dot) for address in PRIVATE_ADDRESSES for dot in DOTS]


async def _bot(db_url: str) -> BotHarness:
    upgrade_database(db_url)
    service = Services.build(Database.connect(db_url), make_settings(db_url))
    setup_school_directly(service)
    service.db.dispose()
    emu, service, application = await start_bot(db_url, clock=Clock(WEDNESDAY_10_00), robot_private_hosts=False)
    return BotHarness(emu, service, application)


async def test_channels_add_refuses_every_dotted_spelling_of_a_private_address(db_url: str) -> None:
    h = await _bot(db_url)
    try:
        for spelled in SPELLINGS:
            reply = await h.say(ADMIN, f"/channels add 护理学院 wecom http://{spelled}:18082/cgi-bin/webhook/send?key=k")
            assert "ASCII" in reply, (spelled, reply)
        assert "还没有群机器人" in await h.say(ADMIN, "/channels")
    finally:
        await stop_bot(h.emu, h.service, h.application)


@pytest.mark.parametrize("dot", DOTS, ids=("U+3002", "U+FF0E", "U+FF61"))
async def test_channels_test_never_reaches_a_loopback_listener(sqlite_url: str, dot: str) -> None:
    """A robot stored with such a URL (before the check, or by hand) is refused where it is dialled."""
    listener = FakeRobots(secrets={KEY: None}).start()
    h = await _bot(sqlite_url)
    try:
        url = listener.wecom_url(KEY).replace("127.0.0.1", "127.0.0.1".replace(".", dot))
        assert "127.0.0.1" not in url
        with h.service.db.write() as session:
            repo.add_channel(session, GroupChannel(kind="wecom", scope="department:护理学院", url=url, created_at=WEDNESDAY_10_00))
        reply = await h.say(ADMIN, "/channels test 1")
        assert "测试失败" in reply
        assert listener.received == [] and listener.rejected == []
    finally:
        await stop_bot(h.emu, h.service, h.application)
        listener.stop()
