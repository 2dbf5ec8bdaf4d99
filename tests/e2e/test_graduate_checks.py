"""§10 items 6–7 end to end: /verify (不属实 flags until the destination changes), /sample (recorded,
reproducible, phone-check buttons, outcomes), /check per sub-unit, the 核查 line of /rate, digests."""

from __future__ import annotations

from sqlmodel import select

from bot.verification import draw
from storage.models import CheckSample, SampleMember
from tests.e2e.test_core_loop import ADMIN, HEAD, LI, WANG
from tests.e2e.test_graduate_links import School, school  # noqa: F401  (fixture)
from tests.e2e.test_graduate_review import wait_callback_answer


async def test_verify_flags_until_the_destination_changes(school: School) -> None:  # noqa: F811
    s = school
    await s.say(WANG, "2023010101 签劳动合同 甲医院\n2023010102 升学 聊城大学")
    assert (
        await s.say(WANG, "/verify 2023010101 电话 不属实 号码为空号")
        == "已记录核实：张伟 2023010101 · 不属实"
    )
    assert await s.say(WANG, "/verify 2023010102 实地 属实") == "已记录核实：李娜 2023010102 · 属实"
    assert (await s.say(WANG, "/verify 2023010101 飞鸽 属实")).startswith("用法：/verify")
    assert await s.say(LI, "/verify 2023010101 电话 属实") == "在您的范围内找不到学号或姓名“2023010101”。"
    assert await s.say(WANG, "/verify 2023010103 电话 属实") == "2023010103 还没有登记的去向，无需核实。"
    flagged = (await s.ask(WANG, "/review", count=2))[0].text
    assert flagged == "核实为不属实、请更正去向：张伟 2023010101"
    rate = await s.say(WANG, "/rate")
    assert "核查：本人确认 0 · 材料 0 · 核实 1 · 未核查 1" in rate, rate
    check = await s.say(WANG, "/check")
    assert "护理2301班: 2 | 0 · 0 · 1 · 1 | 0 · 1 · 0 (0.00%)" in check, check
    await s.say(WANG, "2023010101 签劳动合同 乙医院")  # corrected: the flag goes
    check = await s.say(WANG, "/check")
    assert "护理2301班: 2 | 0 · 0 · 1 · 1 | 0 · 0 · 0 (0.00%)" in check, check
    assert await s.say(WANG, "/review") == "王老师：没有待审核的上报。"


async def test_sample_is_recorded_reproducible_and_tracks_outcomes(school: School) -> None:  # noqa: F811
    s = school
    await s.say(
        ADMIN,
        "2023010101 合同 甲医院\n2023010102 升学 聊城大学\n2023010201 合同 乙医院\n2023020101 合同 丙公司",
    )
    refused = await s.say(WANG, "/sample 2")
    assert refused == "您无权执行此操作。"
    assert (await s.say(HEAD, "/sample 两个")).startswith("用法：/sample")
    listing = (await s.ask(HEAD, "/sample 50%"))[-1]
    text = listing.text or ""
    assert text.startswith("抽查 #1 · 护理学院 · 已落实 3 人中抽 50% · 种子 "), text
    with s.h.service.db.read() as session:
        sample = session.exec(select(CheckSample)).one()
        members = [m.graduate_id for m in session.exec(select(SampleMember))]
        states = s.h.service.snapshots.current(session)
    placed = [st.graduate_id for st in states if st.placed and st.department == "护理学院"]
    assert sorted(draw(placed, sample.seed, 2)) == sorted(members)  # the recorded seed redraws it
    assert len(listing.buttons) == 6 and text.endswith("属实 0 · 不属实 0 · 联系不上 0 · 未核实 2")
    since = s.h.emu.mark(HEAD)
    s.h.emu.press_button(HEAD, listing, listing.buttons[0][1] or "")
    confirm = await s.h.emu.wait_for(HEAD, 1, since=since)
    assert confirm[-1].text.startswith("已记录核实：") and confirm[-1].text.endswith(" · 属实")
    again = await s.say(HEAD, "/sample")
    assert again.endswith("属实 1 · 不属实 0 · 联系不上 0 · 未核实 1"), again
    li_message = (await s.ask(LI, "/rate"))[-1]
    answers = len(s.h.emu.callback_answers)
    s.h.emu.press_button(
        LI, li_message, listing.buttons[3][1] or ""
    )  # out of LI's scope (and LI may not sample)
    assert await wait_callback_answer(s, answers) == "这个按钮已失效，请重新发送命令。"


async def test_check_per_unit_in_a_group_hides_small_figures(school: School) -> None:  # noqa: F811
    s = school
    await s.say(ADMIN, "2023010101 合同 甲医院\n2023010102 升学 聊城大学")
    await s.say(ADMIN, "/verify 2023010101 电话 属实")
    private = await s.say(HEAD, "/check")
    assert private.split("\n")[2:] == [
        "助产: 0 | 0 · 0 · 0 · 0 | 0 · 0 · 0 (0.00%)",
        "护理: 2 | 0 · 0 · 1 · 1 | 0 · 0 · 0 (0.00%)",
        "合计: 2 | 0 · 0 · 1 · 1 | 0 · 0 · 0 (0.00%)",
    ], private
    group = await s.say(HEAD, "/check", chat_type="group", chat_id=-4242)
    assert group.split("\n")[2:] == [
        "助产: 0 | 0 · 0 · 0 · 0 | 0 · 0 · 0 (<5)",
        "护理: <5 | 0 · 0 · <5 · <5 | 0 · 0 · 0 (<5)",
        "合计: <5 | 0 · 0 · <5 · <5 | 0 · 0 · 0 (0.00%)",
    ], group


async def test_report_workbook_has_the_check_sheet(school: School) -> None:  # noqa: F811
    """The 核查 sheet of the workbook and chapter 六、就业信息核查 of the Word draft: absent while
    nothing is checked or bound, then the same figures in both files, cell by cell."""
    import io

    import docx
    import openpyxl

    from tests.bot.test_report_document import captioned_tables

    def files(sent: list) -> tuple[bytes, bytes]:  # type: ignore[type-arg]
        by_suffix = {(m.file_name or "").rsplit(".", 1)[-1]: m.file_bytes or b"" for m in sent if m.method == "sendDocument"}
        return by_suffix["docx"], by_suffix["xlsx"]

    s = school
    draft, book_bytes = files(await s.ask(ADMIN, "/report", count=2))
    assert "核查" not in openpyxl.load_workbook(io.BytesIO(book_bytes)).sheetnames  # nothing checked yet
    assert not any(caption.endswith("就业信息核查（按院系）") for caption, _ in captioned_tables(docx.Document(io.BytesIO(draft))))
    await s.say(ADMIN, "2023010101 合同 甲医院\n2023010102 升学 聊城大学\n2023020101 合同 丙公司")
    await s.say(ADMIN, "/verify 2023010101 电话 属实")
    await s.say(ADMIN, "/verify 2023020101 电话 不属实")
    await s.ask(ADMIN, "/sample 1 护理学院")
    draft, book_bytes = files(await s.ask(ADMIN, "/report", count=2))
    book = openpyxl.load_workbook(io.BytesIO(book_bytes))
    rows = [r for r in book["核查"].iter_rows(values_only=True) if r[0]]
    table = {r[0]: r[1:12] for r in rows[2:5]}
    assert table["护理学院"] == (6, 2, 0, 0, 1, 1, "50.00%", 0, 0, 0, "0.00%")
    assert table["信息工程学院"] == (4, 1, 0, 0, 0, 1, "0.00%", 0, 1, 0, "0.00%")
    assert table["合计"] == (10, 3, 0, 0, 1, 2, "33.33%", 0, 1, 0, "0.00%")
    document = docx.Document(io.BytesIO(draft))
    chapter = [cells for caption, cells in captioned_tables(document) if caption.endswith("就业信息核查（按院系）")]
    assert len(chapter) == 1
    sheet_rows = [[str(v) for v in r[:12]] for r in rows[1:5]]  # the header and the three rows above
    assert chapter[0] == sheet_rows
    text = "\n".join(p.text for p in document.paragraphs)
    assert "五、就业信息核查" in text  # no survey in this school: the 核查 chapter follows 四、升学
    assert "已落实的 3 名毕业生中，本人确认 0 人，有材料 0 人，核实属实 1 人，未核查 2 人" in text
    sample = next(r for r in rows if r[0] == "#1")
    assert sample[1:9] == ("护理学院", "1", 2, 1, *sample[5:9]) and sum(sample[5:9]) == 1
