"""Edits and redelivery through the emulator (product.md §4): an edited update message is a
correction applied once per edit; an edited command is never run again; a /undo delivered twice
undoes once."""

from __future__ import annotations

import time

from sqlmodel import select

from storage.models import Batch
from tests.e2e.conftest import BotHarness
from tests.e2e.test_core_loop import ADMIN, WANG, code_of, db_snapshot, setup_school


def school_of(h: BotHarness, student_id: str) -> str | None:
    with h.service.db.read() as session:
        return next(s for s in h.service.snapshots.current(session) if s.student_id == student_id).school


def undone_batches(h: BotHarness) -> list[int]:
    with h.service.db.read() as session:
        return [b.id for b in session.exec(select(Batch).where(Batch.undone_at.is_not(None))) if b.id]  # type: ignore[union-attr]


async def send(h: BotHarness, user: int, text: str) -> tuple[dict, str]:
    since = h.emu.mark(user)
    update = h.emu.send_text(user, text)
    replies = await h.emu.wait_for(user, 1, since=since, timeout=30)
    return update, replies[-1].text or ""


async def deliver(h: BotHarness, user: int, queue: object) -> str:
    """Queue an update with `queue()` and return the text of the bot's one reply."""
    since = h.emu.mark(user)
    queue()  # type: ignore[operator]
    replies = await h.emu.wait_for(user, 1, since=since, timeout=30)
    return replies[-1].text or ""


async def test_edited_update_message_is_a_correction_applied_once_per_edit(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    original, reply = await send(h, WANG, "2023010102 升学 聊城大学\n2023010103 求职中")
    assert "已更新 2 条" in reply, reply
    assert school_of(h, "2023010102") == "聊城大学"

    edit_date = int(time.time()) + 5
    edits: list[dict] = []
    reply = await deliver(
        h, WANG, lambda: edits.append(h.emu.edit_user_message(original, "2023010102 升学 山东大学\n2023010103 求职中", edit_date=edit_date))
    )
    edited = edits[0]
    assert "已按编辑后的消息更正" in reply, reply
    assert "已更新 1 条 · 未变化 1 条 · 未通过 0 条" in reply, reply
    assert school_of(h, "2023010102") == "山东大学"
    assert code_of(h, "2023010103") == (70, "求职中")

    before = db_snapshot(h)
    reply = await deliver(h, WANG, lambda: h.emu.redeliver(edited))  # the same edit delivered again
    assert "已经处理过" in reply, reply
    assert db_snapshot(h) == before

    # a second, distinct edit of the same message is a new correction
    reply = await deliver(
        h, WANG, lambda: h.emu.edit_user_message(original, "2023010102 升学 青岛大学\n2023010103 求职中", edit_date=edit_date + 60)
    )
    assert "已更新 1 条 · 未变化 1 条" in reply, reply
    assert school_of(h, "2023010102") == "青岛大学"

    # the original or an older edit arriving late (redelivered) never undoes a later correction
    for stale in (original, edited):
        reply = await deliver(h, WANG, lambda stale=stale: h.emu.redeliver(stale))
        assert "已经处理过" in reply, reply
    assert school_of(h, "2023010102") == "青岛大学"

    # an edit back to what is already recorded changes nothing and says so
    reply = await deliver(
        h, WANG, lambda: h.emu.edit_user_message(original, "2023010102 升学 青岛大学", edit_date=edit_date + 120)
    )
    assert "已更新 0 条 · 未变化 1 条" in reply, reply


async def test_edited_undo_and_export_are_not_run_again(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    await send(h, WANG, "2023010101 升学 聊城大学")
    await send(h, WANG, "2023010102 升学 山东大学")
    undo_message, reply = await send(h, WANG, "/undo")
    assert "已撤销" in reply, reply
    assert code_of(h, "2023010102") == (0, None) and code_of(h, "2023010101") == (80, None)

    before = db_snapshot(h)
    reply = await deliver(h, WANG, lambda: h.emu.edit_user_message(undo_message, "/undo ", edit_date=int(time.time()) + 5))
    assert "编辑过的命令不会再次执行" in reply, reply
    assert db_snapshot(h) == before
    assert code_of(h, "2023010101") == (80, None)  # the earlier batch still stands

    export_message, _ = await send(h, ADMIN, "/export")
    documents = [m for m in h.emu.messages_to(ADMIN) if m.method == "sendDocument"]
    assert len(documents) == 1
    reply = await deliver(h, ADMIN, lambda: h.emu.edit_user_message(export_message, "/export 护理", edit_date=int(time.time()) + 5))
    assert "编辑过的命令不会再次执行" in reply, reply
    assert [m for m in h.emu.messages_to(ADMIN) if m.method == "sendDocument"] == documents


async def test_undo_delivered_twice_undoes_once(harness: BotHarness) -> None:
    h = harness
    await setup_school(h)
    await send(h, WANG, "2023010101 升学 聊城大学")
    await send(h, WANG, "2023010102 升学 山东大学")
    undo_message, reply = await send(h, WANG, "/undo")
    assert "已撤销" in reply, reply
    assert len(undone_batches(h)) == 1

    reply = await deliver(h, WANG, lambda: h.emu.redeliver(undo_message))  # same chat and message id
    assert "已经执行过" in reply, reply
    assert len(undone_batches(h)) == 1
    assert code_of(h, "2023010101") == (80, None)

    # a new /undo message undoes the one before, as it should
    _, reply = await send(h, WANG, "/undo")
    assert "已撤销" in reply, reply
    assert code_of(h, "2023010101") == (0, None)
    assert len(undone_batches(h)) == 2
