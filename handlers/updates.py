"""Destination updates: plain-text lines, uploaded tables, `/undo`, and the hint for other text."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import texts
from bot.grammar import looks_like_update
from bot.roster import RosterError
from bot.sanitize import ascii_int
from bot.services import Actor, ServiceError
from bot.services.updates import CONFIRM_UNDO_ABOVE, UndoPending
from bot.uploads import TELEGRAM_MAX_BYTES
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


@registered
async def undo(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """/undo names the message it reverts; more than CONFIRM_UNDO_ABOVE graduates asks first."""
    message = update.effective_message
    assert message is not None
    services = context.services
    result = await off_loop(
        services.updates.undo, actor, chat_id=message.chat_id, message_id=message.message_id, confirm_above=CONFIRM_UNDO_ABOVE
    )
    tz = services.settings.tz
    if isinstance(result, UndoPending):
        button = InlineKeyboardButton(texts.t(lang, "undo_confirm_button"), callback_data=f"undo:{result.batch_id}")
        text = texts.render_undo_pending(lang, result, tz, privacy_of(context))
        await reply(update, text, reply_markup=InlineKeyboardMarkup([[button]]))
        return
    await reply(update, texts.render_undo(lang, result, tz, privacy_of(context)))


@registered
async def undo_button(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """`undo:<batch>`: the confirmation of a large /undo — once, by its sender, while still current."""
    query = update.callback_query
    assert query is not None
    _, _, batch_text = (query.data if isinstance(query.data, str) else "").partition(":")
    batch_id = ascii_int(batch_text)
    message = query.message
    if batch_id is None or message is None or not is_private(update):
        await query.answer(texts.t(lang, "button_expired"))
        return
    try:
        result = await off_loop(
            context.services.updates.undo_confirmed, actor, batch_id, chat_id=message.chat.id, message_id=message.message_id
        )
    except ServiceError as refusal:  # stale, pressed twice, someone else's, or out of the window
        await query.answer(texts.t(lang, refusal.key, **refusal.params))
        return
    await query.answer()
    await query.edit_message_text(texts.render_undo(lang, result, context.services.settings.tz, privacy_of(context)))


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


def button_handlers() -> list[BaseHandler]:
    """Registered before the generic button handler (handlers.asking), which calls others stale."""
    return [CallbackQueryHandler(undo_button, pattern=r"^undo:")]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("undo", undo),
        # an edited update message is a correction, applied like a new one
        MessageHandler(filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, update_text),
    ]


def file_handler() -> BaseHandler:
    """Registered after /import's handler, so that a caption of /import wins."""
    return MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL & ~filters.CaptionRegex(r"^/import"), update_file)
