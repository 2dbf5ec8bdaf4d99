"""Destination updates: plain-text lines, uploaded tables, `/undo`, and the hint for other text."""

from __future__ import annotations

from dataclasses import dataclass

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
from bot.services import Actor, ApplyResult, ServiceError
from bot.services.updates import CONFIRM_UNDO_ABOVE, AskedLine, UndoPending
from bot.uploads import TELEGRAM_MAX_BYTES
from handlers import review
from handlers.common import (
    BotContext,
    is_private,
    language_for,
    off_loop,
    off_loop_long,
    privacy_of,
    registered,
    reply,
)

TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = TELEGRAM_MAX_BYTES
MAX_QUESTIONS = 10  # ambiguous lines asked about per message; more are left for the sender to rewrite
MAX_STORED_QUESTIONS = 100  # per user; the oldest open question is forgotten first (its button expires)
CHOICE_PREFIX = "dest"


@dataclass
class OpenQuestion:
    """What a question's buttons mean, kept in the asker's own user data (the callback data carries
    only a number): the line, the chat and the question's message, and the reading chosen, if any."""

    asked: AskedLine
    chat_id: int
    message_id: int = 0
    chosen: int | None = None


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
    await ask_about(update, context, lang, result)


async def ask_about(update: Update, context: BotContext, lang: str, result: ApplyResult) -> None:
    """One question with buttons per ambiguous line (考研 → 升学 80 / 不就业拟升学 71)."""
    chat = update.effective_chat
    if chat is None or not result.asked or context.user_data is None:
        return
    store: dict[int, OpenQuestion] = context.user_data.setdefault("questions", {})
    privacy = privacy_of(context)
    for asked in result.asked[:MAX_QUESTIONS]:
        key = context.user_data["question_seq"] = context.user_data.get("question_seq", 0) + 1
        store[key] = question = OpenQuestion(asked, chat.id)
        while len(store) > MAX_STORED_QUESTIONS:
            store.pop(next(iter(store)))
        buttons = [
            InlineKeyboardButton(texts.choice_label(lang, reading.destination), callback_data=f"{CHOICE_PREFIX}:{key}:{i}")
            for i, reading in enumerate(asked.readings)
        ]
        sent = await reply(update, texts.render_question(lang, asked, privacy), reply_markup=InlineKeyboardMarkup([buttons]))
        question.message_id = sent.message_id if sent is not None else 0
    if len(result.asked) > MAX_QUESTIONS:
        rest = result.asked[MAX_QUESTIONS:]
        await reply(update, texts.t(lang, "asked_more", count=len(rest), word=rest[0].word))


@registered
async def choose(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """A press on a question's button: applies the chosen reading once. A press by anyone but the
    asker, on another message, on an old or forgotten question, or a second press applies nothing."""
    query = update.callback_query
    assert query is not None
    data = query.data if isinstance(query.data, str) else ""
    _, _, rest = data.partition(":")
    key_text, _, choice_text = rest.partition(":")
    key, choice = ascii_int(key_text), ascii_int(choice_text)
    store: dict[int, OpenQuestion] = (context.user_data or {}).get("questions", {})
    question = store.get(key) if key is not None else None
    message = query.message
    if (
        question is None
        or choice is None
        or message is None
        or message.chat.id != question.chat_id
        or message.message_id != question.message_id
        or not 0 <= choice < len(question.asked.readings)
    ):
        await query.answer(texts.t(lang, "button_expired"), show_alert=False)
        return
    if question.chosen is not None:
        await query.answer(texts.t(lang, "choice_done"), show_alert=False)
        return
    question.chosen = choice  # before the await: a second press in the meantime finds it answered
    await query.answer()
    try:
        result = await off_loop(
            context.services.updates.apply_choice,
            actor,
            question.asked,
            choice,
            chat_id=question.chat_id,
            message_id=question.message_id,
        )
    except Exception:
        question.chosen = None  # nothing was recorded: the question stays open
        raise
    reading = question.asked.readings[choice]
    chosen = texts.t(lang, "chosen", choice=texts.choice_label(lang, reading.destination))
    head = texts.render_question(lang, question.asked, privacy_of(context))
    await query.edit_message_text(f"{head}\n→ {chosen}")
    if result.duplicate:
        await reply(update, texts.t(lang, "choice_done"))
    elif result.stale:
        await reply(update, texts.t(lang, "choice_stale"))
    else:
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
        result = await off_loop_long(context.services.updates.apply_table, actor, data, name, chat_id=message.chat_id, message_id=message.message_id)
    except RosterError as problem:  # too large, or not a readable .csv/.xlsx: it says which
        await reply(update, problem.message(lang))
        return
    await reply(update, texts.render_apply(lang, result, privacy_of(context)))
    await review.tell_superseded(context, result.superseded)


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
    """Buttons of this module: the questions about ambiguous lines (考研) and /undo's confirmation.
    Registered before the generic button handler (handlers.asking), which calls others stale."""
    return [CallbackQueryHandler(choose, pattern=rf"^{CHOICE_PREFIX}:"), CallbackQueryHandler(undo_button, pattern=r"^undo:")]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("undo", undo),
        # an edited update message is a correction, applied like a new one
        MessageHandler(filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, update_text),
    ]


def file_handler() -> BaseHandler:
    """Registered after /import's handler, so that a caption of /import wins."""
    return MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL & ~filters.CaptionRegex(r"^/import"), update_file)
