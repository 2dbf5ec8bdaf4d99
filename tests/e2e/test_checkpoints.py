"""#9 item 4 end to end: with targets ending at 8-15, on 9-01 there is no next checkpoint — not in
/rate, /rates, the digest, nor the rates and trend charts' inputs (no built-in 12-15 leaks in)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import charts
from tests.e2e.conftest import BotHarness, start_bot, stop_bot
from tests.e2e.test_core_loop import ADMIN, HEAD, setup_school

TZ = ZoneInfo("Asia/Shanghai")
TARGETS = "/targets replace\ncheckpoint,degree,target\n06-15,专科,80\n08-15,专科,90\n06-15,本科,80\n08-15,本科,90"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
async def school_on_8_10(db_url: str) -> AsyncIterator[tuple[BotHarness, Clock]]:
    clock = Clock(datetime(2023, 8, 10, 10, 0, tzinfo=TZ))
    emu, service, application = await start_bot(db_url, clock=clock)
    h = BotHarness(emu, service, application)
    try:
        await setup_school(h)
        ask = (await h.ask(ADMIN, TARGETS))[-1]  # the whole table replaced: only after the button
        since = h.emu.mark(ADMIN)
        h.emu.press_button(ADMIN, ask, ask.button_data("确认全部替换"))
        saved = (await h.emu.wait_for(ADMIN, 1, since=since))[-1].text or ""
        assert "已保存 2023届 的 4 条目标" in saved, saved
        await h.say(ADMIN, "2023010101 合同 甲医院\n2023010102 升学 聊城大学")
        yield h, clock
    finally:
        await stop_bot(emu, service, application)


async def test_after_the_last_checkpoint_there_is_no_next_one(
    school_on_8_10: tuple[BotHarness, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    h, clock = school_on_8_10
    before = await h.say(HEAD, "/rate")
    assert "下一节点 8-15（目标 90%）：还差 4 人" in before, before  # 护理学院: 6 graduates, 2 placed

    clock.moment = datetime(2023, 9, 1, 10, 0, tzinfo=TZ)
    rate = await h.say(HEAD, "/rate")
    assert "毕业去向落实率" in rate and "下一节点" not in rate and "12-15" not in rate, rate
    english = await h.say(HEAD, "/rate", language_code="en")
    assert "Placement rate" in english and "Next checkpoint" not in english, english
    rates = await h.say(ADMIN, "/rates 专业")
    assert "护理" in rates and "⚠" not in rates and "节点" not in rates and "12-15" not in rates, rates
    digest = "\n".join(m.text or "" for m in await h.ask(HEAD, "/digest", count=2))
    assert "每周汇总" in digest and "下一节点" not in digest and "12-15" not in digest, digest

    drawn: dict[str, dict] = {}
    real_rates, real_trend = charts.render_rates, charts.render_trend

    def rates_chart(*args: object, **kwargs: object) -> bytes:
        drawn["rates"] = kwargs
        return real_rates(*args, **kwargs)  # type: ignore[arg-type]

    def trend_chart(*args: object, **kwargs: object) -> bytes:
        drawn["trend"] = kwargs
        return real_trend(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(charts, "render_rates", rates_chart)
    monkeypatch.setattr(charts, "render_trend", trend_chart)
    for kind in ("rates", "trend"):
        sent = await h.ask(ADMIN, f"/chart {kind}")
        assert sent[-1].method == "sendPhoto" and (sent[-1].file_bytes or b"").startswith(b"\x89PNG"), sent[-1]
    assert drawn["rates"]["target_percent"] is None and drawn["rates"]["target_label"] is None, drawn["rates"]
    days = [day for day, _ in drawn["trend"]["checkpoints"]]
    assert days == [date(2023, 6, 15), date(2023, 8, 15)], days  # the cohort's own checkpoints only
