"""Crafted files and hostile text through Telegram (product.md §3, §4, §9; issue 8 items 2, 8, 11).

Each crafted upload goes through the emulator like a real document, as a roster (`/import`) and as
an update table (no caption). Each must get a clear refusal, import nothing, and leave the bot
answering the next `/rate`. Refusal times are printed (run with -s); nothing asserts on them.
"""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from storage.models import DestinationEntry
from tests import crafted
from tests.e2e.conftest import BotHarness
from tests.e2e.test_core_loop import ADMIN, WANG, db_snapshot, setup_school

CASES = {
    "far-cell-XFD199000": ("roster.xlsx", crafted.far_cell_xlsx("XFD199000"), "使用区域太大"),
    "far-cell-no-dimension": ("roster.xlsx", crafted.far_cell_xlsx("XFD199000", dimension=None), "使用区域太大"),
    "backslash-sheet-name": ("roster.xlsx", crafted.backslash_sheet_xlsx("XFD199000"), "无法打开 Excel 文件"),
    "zip-bomb": ("roster.xlsx", crafted.zip_bomb_xlsx(), "压缩炸弹"),
    "corrupt-zip": ("roster.xlsx", crafted.corrupt_zip(), "无法打开 Excel 文件"),
    "unknown-compression": ("roster.xlsx", crafted.unknown_compression_xlsx(), "无法打开 Excel 文件"),
    "png-as-xlsx": ("roster.xlsx", crafted.png_bytes(), "PNG"),
    "csv-as-xlsx": ("roster.xlsx", crafted.roster_csv(), "请改名为 .csv"),
    "huge-cell-csv": ("roster.csv", crafted.huge_cell_csv(30_000), "过长"),
    "junk-10MB-csv": ("roster.csv", crafted.junk_csv(10 * 1024 * 1024), "行数太多"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_crafted_file_is_refused_and_the_bot_keeps_answering(harness: BotHarness, case: str) -> None:
    h = harness
    await setup_school(h)
    name, data, says = CASES[case]
    baseline = db_snapshot(h)
    timings = []
    for user, caption in ((ADMIN, "/import"), (WANG, None)):
        started = time.perf_counter()
        reply = await h.upload(user, name, data, caption=caption, timeout=120)
        timings.append(time.perf_counter() - started)
        if caption is not None or case != "huge-cell-csv":
            assert says in reply, (case, reply)
        else:  # as an update table it has no 去向 column: the rows are refused, nothing applied
            assert reply.startswith("已更新 0 条") and "表头缺少必填列「去向」" in reply, reply
        assert db_snapshot(h) == baseline, case
        rate = await h.say(ADMIN, "/rate")
        assert "毕业去向落实率" in rate, rate
    print(f"\n{case}: {len(data):,} bytes, refused in " + " / ".join(f"{t * 1000:.0f} ms" for t in timings))


async def test_over_telegrams_limit_is_refused_before_download(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    baseline = db_snapshot(h)
    big = crafted.roster_csv() + b"#" * (20 * 1024 * 1024)
    reply = await h.upload(ADMIN, "roster.csv", big, caption="/import")
    assert "20 MB" in reply, reply
    reply = await h.upload(WANG, "updates.csv", big)
    assert "20 MB" in reply, reply
    assert db_snapshot(h) == baseline
    assert "毕业去向落实率" in await h.say(ADMIN, "/rate")


async def test_over_long_employer_rejects_that_line_and_applies_the_others(harness: BotHarness) -> None:
    """The same on SQLite and PostgreSQL (no StringDataRightTruncation, no NUL error)."""
    h = harness
    await setup_school(h)
    text = (
        "2023010101 签劳动合同 " + "医" * 300 + "\n"
        "2023010102 升学 聊城\x00大学\u200b\n"
        "2023010103 求职中 备注=\u202e下周面试\n"
        "2023010104 签劳动合同 某医院 城市=" + "聊" * 65 + "\n"
        "2023010201 签劳动合同 聊城市人民医院 备注=" + "x" * 513 + "\n"
    )
    reply = await h.say(WANG, text)
    assert "已更新 2 条" in reply and "未通过 3 条" in reply, reply
    assert reply.count("内容过长") == 3, reply
    with h.service.db.read() as session:
        entries = session.exec(select(DestinationEntry)).all()
    stored = {(e.school, e.note) for e in entries}
    assert stored == {("聊城大学", None), (None, "下周面试")}, stored
    assert "毕业去向落实率" in await h.say(ADMIN, "/rate")


async def test_non_ascii_digits_in_callback_data_and_captions_are_refused(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    baseline = db_snapshot(h)
    message = (await h.ask(ADMIN, "/help"))[-1]
    for data in ("pick:²", "page:1:²", "page:١:1", "pick:𐩀"):
        h.emu.press_button(ADMIN, message, data)
    assert "毕业去向落实率" in await h.say(ADMIN, "/rate")
    answers = h.emu.callback_answers[-4:]
    assert len(answers) == 4 and all("失效" in (a.get("text") or "") for a in answers), answers
    for caption in ("/import ²⁰²³", "/import ١٢٣٤届"):
        reply = await h.upload(ADMIN, "roster.csv", crafted.roster_csv(), caption=caption)
        assert "/import" in reply, reply  # the usage, not a traceback and not an import
    assert db_snapshot(h) == baseline
    reply = await h.upload(ADMIN, "roster.csv", crafted.roster_csv(), caption="/import ２０２３届")  # full-width: a year
    assert "2023届" in reply and "新增 2" in reply, reply
