"""§10 item 5 end to end: photos and PDFs up to 10 MB attached to the current destination by the
graduate or staff (材料 <学号>); other types and sizes refused before any download; /student shows
材料 ✓ and 查看材料 re-sends the file by its id to staff in scope, in private chats only."""

from __future__ import annotations

from functools import partial

from tests.e2e.test_core_loop import LI, WANG
from tests.e2e.test_graduate_links import GRAD, GRAD2, School, school  # noqa: F401  (fixture)
from tests.e2e.test_graduate_review import wait_callback_answer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8 + b"\x00\x00\x00\x10\x00\x00\x00\x10" + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def answer_to(s: School, user: int, send) -> str:  # type: ignore[no-untyped-def]
    since = s.h.emu.mark(user)
    send()
    return (await s.h.emu.wait_for(user, 1, since=since))[-1].text or ""


def downloads(s: School) -> int:
    return sum(1 for _, method, _ in s.h.emu.request_log if method.lower() in ("getfile", "downloadfile"))


async def test_graduate_uploads_a_photo_and_staff_see_it(school: School) -> None:  # noqa: F811
    s = school
    fetched = downloads(s)  # the roster upload of the set-up
    await s.bind(GRAD, "2023010101")
    photo = partial(s.h.emu.send_photo, GRAD, PNG, date=s.stamp())
    assert await answer_to(s, GRAD, photo) == "还没有登记的去向，请先上报去向。"
    await s.say(WANG, "2023010101 签劳动合同 甲医院")
    card = (await s.ask(GRAD, "/me"))[-1]
    prompt = await answer_to(s, GRAD, lambda: s.h.emu.press_button(GRAD, card, card.button_data("上传材料")))
    assert prompt.startswith("请发送就业协议、劳动合同或录取通知的照片或 PDF")
    assert await answer_to(s, GRAD, photo) == "材料已保存，附在当前去向上。"
    assert "核查状态：有材料" in await s.say(GRAD, "/me")
    student = (await s.ask(WANG, "/student 2023010101"))[-1]
    assert (student.text or "").endswith("材料 ✓ (1)") and [b for b, _ in student.buttons] == ["查看材料"]
    since = s.h.emu.mark(WANG)
    s.h.emu.press_button(WANG, student, student.button_data("查看材料"))
    resent = (await s.h.emu.wait_for(WANG, 1, since=since))[-1]
    assert resent.method == "sendPhoto" and resent.file_bytes == PNG
    assert downloads(s) == fetched  # the bot kept the file id; it never fetched the file
    assert "核查：本人确认 0 · 材料 1 · 核实 0 · 未核查 0" in await s.say(WANG, "/rate")


async def test_other_types_and_sizes_are_refused_before_download(school: School) -> None:  # noqa: F811
    s = school
    fetched = downloads(s)
    await s.bind(GRAD, "2023010101")
    await s.say(WANG, "2023010101 签劳动合同 甲医院")
    docx = partial(s.h.emu.send_document, GRAD, "合同.docx", b"PK\x03\x04", date=s.stamp())
    assert await answer_to(s, GRAD, docx) == "只接受照片或 PDF 文件。"
    fake_pdf = partial(
        s.h.emu.send_document, GRAD, "合同.pdf", PDF, mime_type="application/zip", date=s.stamp()
    )
    assert await answer_to(s, GRAD, fake_pdf) == "只接受照片或 PDF 文件。"
    big = partial(
        s.h.emu.send_document, GRAD, "合同.pdf", PDF, date=s.stamp(), declared_size=10 * 1024 * 1024 + 1
    )
    assert await answer_to(s, GRAD, big) == "文件超过 10 MB，请压缩后再发送。"
    big_photo = partial(s.h.emu.send_photo, GRAD, PNG, date=s.stamp(), declared_size=11 * 1024 * 1024)
    assert await answer_to(s, GRAD, big_photo) == "文件超过 10 MB，请压缩后再发送。"
    assert downloads(s) == fetched
    assert "核查状态：未核查" in await s.say(GRAD, "/me")


async def test_staff_attach_by_caption_within_scope_and_views_are_private(school: School) -> None:  # noqa: F811
    s = school
    await s.say(WANG, "2023010102 升学 聊城大学")
    await s.say(LI, "2023020101 签劳动合同 乙公司")
    ok = partial(s.h.emu.send_document, WANG, "录取通知.pdf", PDF, caption="材料 2023010102", date=s.stamp())
    assert await answer_to(s, WANG, ok) == "材料已保存：李娜 2023010102"
    other = partial(s.h.emu.send_document, LI, "录取通知.pdf", PDF, caption="材料 2023010102", date=s.stamp())
    assert await answer_to(s, LI, other) == "在您的范围内找不到学号或姓名“2023010102”。"
    student = (await s.ask(WANG, "/student 2023010102"))[-1]
    data = student.button_data("查看材料")
    li_message = s.h.emu.messages_to(LI)[-1]
    answers = len(s.h.emu.callback_answers)
    s.h.emu.press_button(LI, li_message, data)  # forged into LI's own chat: out of scope
    assert await wait_callback_answer(s, answers) == "这个按钮已失效，请重新发送命令。"
    assert all(m.method == "sendMessage" for m in s.h.emu.messages_to(LI))  # no file reached LI
    await s.bind(GRAD2, "2023010102")
    g2_message = s.h.emu.messages_to(GRAD2)[-1]
    answers = len(s.h.emu.callback_answers)
    s.h.emu.press_button(GRAD2, g2_message, data)
    assert await wait_callback_answer(s, answers) == "这个按钮不是给您的。"
    group = s.h.emu.send_text(WANG, "/rate", chat_type="group", chat_id=-555)
    await s.h.emu.wait_for(-555, 1, since=0)
    group_message = s.h.emu.messages_to(-555)[-1]
    answers = len(s.h.emu.callback_answers)
    s.h.emu.press_button(WANG, group_message, data)
    assert "私聊" in await wait_callback_answer(s, answers)
    assert group is not None and all(m.method == "sendMessage" for m in s.h.emu.messages_to(-555))
