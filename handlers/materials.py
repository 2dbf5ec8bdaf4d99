"""Materials (材料, §10): a graduate's photo or PDF, staff's file captioned 材料 <学号>, and the
查看材料 button under /student. Type and size are judged from the update; nothing is downloaded."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.sanitize import ascii_int
from bot.services import Actor, ServiceError, StudentAnswer
from bot.services.graduates import GraduateIdentity
from bot.services.materials import Upload
from handlers import graduates
from handlers.common import BotContext, is_private, off_loop, privacy_of, registered, reply

log = logging.getLogger(__name__)

CAPTION = r"^\s*(材料|material)\b"


def upload_of(message: Message) -> Upload | None:
    if message.photo:
        largest = message.photo[-1]
        return Upload(largest.file_id, largest.file_unique_id, True, "image/jpeg", None, largest.file_size)
    document = message.document
    if document is not None:
        return Upload(
            document.file_id,
            document.file_unique_id,
            False,
            document.mime_type,
            document.file_name,
            document.file_size,
        )
    return None


async def graduate_file(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, rest: str
) -> None:
    message = update.effective_message
    upload = upload_of(message) if message is not None else None
    if upload is None:
        return
    await off_loop(context.services.materials.attach_own, actor, identity, upload)
    await reply(update, texts.t(lang, "material_saved"))


graduates.FILE_HANDLER.append(graduate_file)


@registered
async def staff_file(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """A photo or PDF captioned 材料 <学号> (private chats)."""
    message = update.effective_message
    if message is None or not is_private(update):
        return
    words = (message.caption or "").split()
    upload = upload_of(message)
    if len(words) != 2 or upload is None:
        await reply(update, texts.t(lang, "material_usage"))
        return
    name = await off_loop(context.services.materials.attach, actor, words[1], upload)
    privacy = privacy_of(context)
    await reply(
        update, texts.t(lang, "material_saved_staff", who=f"{privacy.name(name)} {privacy.sid(words[1])}")
    )


async def student_extra(
    context: BotContext, actor: Actor, lang: str, answer: StudentAnswer
) -> tuple[str, InlineKeyboardMarkup | None]:
    """/student's line 材料 ✓ and its 查看材料 button, when the current destination has materials."""
    found = await off_loop(context.services.materials.current, actor, answer.state.graduate_id)
    if not found:
        return "", None
    line = f"\n{'Documents' if lang == 'en' else '材料'} ✓ ({len(found)})"
    button = InlineKeyboardButton(
        "View documents" if lang == "en" else "查看材料", callback_data=f"mv:{answer.state.graduate_id}"
    )
    return line, InlineKeyboardMarkup([[button]])


@registered
async def view(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """mv:<graduate>: send the materials again, to staff in scope, in a private chat only."""
    query = update.callback_query
    assert query is not None
    graduate_id = ascii_int((query.data if isinstance(query.data, str) else "").partition(":")[2])
    if graduate_id is None or not is_private(update):
        await query.answer(texts.t(lang, "button_expired" if graduate_id is None else "private_only"))
        return
    try:
        found = await off_loop(context.services.materials.current, actor, graduate_id)
    except ServiceError as refusal:
        await query.answer(texts.t(lang, refusal.key))
        return
    await query.answer()
    chat = update.effective_chat
    assert chat is not None
    if not found:
        await reply(update, texts.t(lang, "material_none"))
    for material in found:
        if material.kind == "photo":
            await chat.send_photo(material.file_id)
        else:
            await chat.send_document(material.file_id)


def handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(view, pattern=r"^mv:")]


def file_handler() -> BaseHandler:
    """Before the table-upload handler: a caption 材料 <学号> makes a file a material."""
    return MessageHandler(
        filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL) & filters.CaptionRegex(CAPTION),
        staff_file,
    )
