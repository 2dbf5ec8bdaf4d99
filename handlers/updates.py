"""Destination updates: plain-text lines, uploaded tables, `/undo`, and the hint for other text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.grammar import looks_like_update
from bot.roster import RosterError
from bot.services import Actor
from bot.uploads import TELEGRAM_MAX_BYTES
from handlers import review
from handlers.common import BotContext, is_private, language_for, off_loop, privacy_of, registered, reply

TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = TELEGRAM_MAX_BYTES


@registered
async def update_text(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    if not is_private(update):
        return  # group chatter is not for the bot; updates go through private chats
    if not looks_like_update(message.text):
        await reply(update, texts.t(lang, "hint"))
        return
    result = await off_loop(
        context.services.updates.apply_message,
        actor,
        message.text,
        chat_id=message.chat_id,
        message_id=message.message_id,
        sent_at=message.date,
        edit_version=edit_version_of(update),
    )
    await reply(update, texts.render_apply(lang, result, privacy_of(context)))
    await review.tell_superseded(context, result.superseded)


@registered
async def update_file(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """A .csv/.xlsx without /import: a table of 学号 and 去向 applied like a message."""
    message = update.effective_message
    if message is None or message.document is None or not is_private(update):
        return
    document = message.document
    name = document.file_name or ""
    if not name.lower().endswith(TABLE_SUFFIXES):
        await reply(update, texts.t(lang, "file_type"))
        return
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await reply(update, texts.t(lang, "file_too_large"))
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        result = await off_loop(context.services.updates.apply_table, actor, data, name, chat_id=message.chat_id, message_id=message.message_id)
    except RosterError as problem:  # too large, or not a readable .csv/.xlsx: it says which
        await reply(update, problem.message(lang))
        return
    await reply(update, texts.render_apply(lang, result, privacy_of(context)))
    await review.tell_superseded(context, result.superseded)


@registered
async def undo(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    message = update.effective_message
    assert message is not None
    result = await off_loop(context.services.updates.undo, actor, chat_id=message.chat_id, message_id=message.message_id)
    await reply(update, texts.render_undo(lang, result))


def edit_version_of(update: Update) -> int:
    """0 for a new message; an edit's edit_date (seconds) otherwise, so each distinct edit is one version."""
    edited = update.edited_message
    if edited is None:
        return 0
    return int(edited.edit_date.timestamp()) if edited.edit_date else 1


async def edited_command(update: Update, context: BotContext) -> None:
    """An edited command is never run again (an edited /undo must not undo one more batch)."""
    if is_private(update):
        user = update.effective_user
        actor = await off_loop(context.services.access.actor, user.id) if user else None
        if actor is not None:  # strangers get nothing, as everywhere
            lang = language_for(update, actor, context.services.settings.bot_language)
            await reply(update, texts.t(lang, "edited_command"))
    raise ApplicationHandlerStop


def edited_command_handler() -> BaseHandler:
    """Registered in a group before every other handler: it stops edited commands there."""
    return MessageHandler(
        filters.UpdateType.EDITED_MESSAGE & (filters.COMMAND | filters.CaptionRegex(r"^/")), edited_command
    )


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("undo", undo),
        # an edited update message is a correction, applied like a new one
        MessageHandler(filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, update_text),
    ]


def file_handler() -> BaseHandler:
    """Registered after /import's handler, so that a caption of /import wins."""
    return MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL & ~filters.CaptionRegex(r"^/import"), update_file)
