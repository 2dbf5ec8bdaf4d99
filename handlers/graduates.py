"""Graduates in the chat (§10): every update from a bound graduate is routed here first, so that no
staff handler ever serves one; /invite graduates and /unbind for staff.

`route` runs in a handler group before all others. For a bound graduate it answers the update and
stops; for anyone else it does nothing and the staff handlers run as before. Another feature may
add buttons to the graduate's card (`CARD_BUTTONS`) and claim callback prefixes
(`PASS_THROUGH_PREFIXES`) that its own handler serves — that handler checks the graduate itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CommandHandler, TypeHandler

from bot import graduate_texts, texts
from bot.graduate_sheets import links_workbook
from bot.services import Actor, ServiceError
from bot.services.graduates import GraduateIdentity
from handlers.common import (
    BotContext,
    args_of,
    is_private,
    language_for,
    off_loop,
    off_loop_long,
    privacy_of,
    registered,
    reply,
)

log = logging.getLogger(__name__)

# Extra buttons on a graduate's card: each gets the services and the graduate, returns (label, data)
# pairs (run off the event loop). The survey adds 填写问卷 here while a survey is open.
CARD_BUTTONS: list[Callable[[Any, GraduateIdentity, str], list[tuple[str, str]]]] = []
# Callback data prefixes that `route` leaves to later handlers (which must check the graduate).
PASS_THROUGH_PREFIXES: set[str] = set()
# Graduate actions by callback word: "g:<word>[:<arg>]". Filled by the modules that serve them.
GraduateAction = Callable[[Update, BotContext, GraduateIdentity, Actor, str, str], Awaitable[None]]
ACTIONS: dict[str, GraduateAction] = {}
# What a graduate's plain text, photo or document does (set by the review and materials handlers).
TEXT_HANDLER: list[GraduateAction] = []
FILE_HANDLER: list[GraduateAction] = []


def _button_labels(lang: str) -> dict[str, str]:
    en = lang == "en"
    return {
        "ok": "Correct ✓" if en else "确认无误",
        "upd": "Update my destination" if en else "更新去向",
        "mat": "Upload a document" if en else "上传材料",
    }


async def show_me(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str
) -> None:
    services = context.services
    record = await off_loop(services.graduates.me, actor, identity)
    labels = _button_labels(lang)
    rows: list[list[InlineKeyboardButton]] = []
    if record.destination is not None and not record.flags.confirmed:
        rows.append([InlineKeyboardButton(labels["ok"], callback_data=f"g:ok:{record.destination.entry_id}")])
    rows.append(
        [
            InlineKeyboardButton(labels["upd"], callback_data="g:upd"),
            InlineKeyboardButton(labels["mat"], callback_data="g:mat"),
        ]
    )
    for hook in CARD_BUTTONS:
        try:
            extra = await off_loop(hook, services, identity, lang)
        except Exception:  # a feature's button must never take the card down
            log.exception("a card button hook failed")
            continue
        rows.extend([InlineKeyboardButton(label, callback_data=data)] for label, data in extra)
    await reply(
        update,
        graduate_texts.render_me(lang, record, privacy_of(context)),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def route(update: Update, context: BotContext) -> None:
    """Serve a bound graduate's update and stop; leave everyone else's to the staff handlers."""
    user = update.effective_user
    if user is None or update.inline_query is not None:
        return
    services = context.services
    identity = await off_loop(services.graduates.whois, user.id)
    if identity is None:
        return
    actor = identity.actor()
    lang = language_for(update, actor, services.settings.bot_language)
    query = update.callback_query
    if query is not None:
        data = query.data if isinstance(query.data, str) else ""
        if any(data.startswith(prefix) for prefix in PASS_THROUGH_PREFIXES):
            return  # e.g. the survey's buttons: its handler serves them
        await _button(update, context, identity, actor, lang, data)
        raise ApplicationHandlerStop
    message = update.effective_message
    if message is None:
        raise ApplicationHandlerStop
    text = message.text or ""
    try:
        if text.startswith("/"):
            await _command(update, context, identity, actor, lang, text)
        elif not is_private(update):
            pass  # group chatter is not for the bot
        elif update.edited_message is None and (message.photo or message.document):
            for handle in FILE_HANDLER:
                await handle(update, context, identity, actor, lang, "")
        elif text:
            for handle in TEXT_HANDLER:
                await handle(update, context, identity, actor, lang, text)
            if not TEXT_HANDLER:
                await reply(update, texts.t(lang, "graduate_hint"))
        elif update.edited_message is None:  # a sticker, a location, a voice note …
            await reply(update, texts.t(lang, "graduate_hint"))
    except ServiceError as refusal:
        await reply(update, texts.t(lang, refusal.key, **privacy_of(context).params(refusal.params)))
    raise ApplicationHandlerStop


async def _command(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, text: str
) -> None:
    command = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
    if update.edited_message is not None:
        await reply(update, texts.t(lang, "edited_command"))
        return
    if not is_private(update):
        await reply(update, texts.t(lang, "staff_only"))
        return
    if command == "start" and len(text.split()) > 1:  # another link or a staff invite: nothing is redeemed
        await reply(update, texts.t(lang, "account_bound"))
    if command in ("start", "me"):
        await show_me(update, context, identity, actor, lang)
    elif command == "help":
        await reply(update, texts.t(lang, "graduate_help", name=privacy_of(context).name(identity.name)))
    elif command == "cancel":
        await reply(update, texts.t(lang, "cancelled"))
    else:
        await reply(update, texts.t(lang, "staff_only"))


async def _button(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, data: str
) -> None:
    query = update.callback_query
    assert query is not None
    kind, word, rest = data.partition(":")[0], *data.partition(":")[2].partition(":")[::2]
    handle = ACTIONS.get(word) if kind == "g" else None
    if handle is None or not is_private(update):
        await query.answer(
            texts.t(lang, "button_not_yours" if kind in ("rv", "mv", "sm") else "button_expired")
        )
        return
    try:
        await handle(update, context, identity, actor, lang, rest)
    except ServiceError as refusal:
        await query.answer()
        await reply(update, texts.t(lang, refusal.key, **privacy_of(context).params(refusal.params)))


async def _prompt_update(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, rest: str
) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await reply(update, texts.t(lang, "update_prompt"))


async def _prompt_material(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, rest: str
) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await reply(update, texts.t(lang, "material_prompt"))


async def _show_card(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, rest: str
) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await show_me(update, context, identity, actor, lang)


ACTIONS.update({"upd": _prompt_update, "mat": _prompt_material, "me": _show_card})


# ---------------------------------------------------------------- staff: links and unbinding


async def invite_graduates(
    update: Update, context: BotContext, actor: Actor, lang: str, args: list[str]
) -> None:
    """/invite graduates [scope]: the workbook of personal links and QR codes (private chats only)."""
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    services = context.services
    username = context.bot.username
    book = await off_loop(services.graduates.issue_links, actor, args, username)
    prefix = f"https://t.me/{username}?start="
    rows = [(r.student_id, r.name, r.class_name, r.link) for r in book.rows]
    data = await off_loop_long(links_workbook, rows, prefix, lang)  # 5,000 QR images: the long-work pool
    chat = update.effective_chat
    assert chat is not None
    caption = texts.t(
        lang,
        "links_ready",
        scope=book.scope_label,
        issued=book.issued,
        days=services.settings.graduate_link_days,
        bound=book.bound,
    )
    await chat.send_document(
        data,
        filename=("graduate-links.xlsx" if lang == "en" else "毕业生个人链接.xlsx"),
        caption=caption[:1024],
    )


@registered
async def unbind(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    args = args_of(context)
    if len(args) != 1:
        await reply(update, texts.t(lang, "unbind_usage"))
        return
    name = await off_loop(context.services.graduates.unbind, actor, args[0])
    await reply(update, texts.t(lang, "unbound", name=privacy_of(context).name(name)))


@registered
async def me_staff(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """/me from staff: their role and scope (a graduate's /me never gets here)."""
    await reply(update, texts.render_help(lang, actor.role, actor.scope.label(lang), ()))


def router() -> BaseHandler:
    """Registered in a group before every other: a graduate's updates never reach staff handlers."""
    return TypeHandler(Update, route)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("unbind", unbind), CommandHandler("me", me_staff)]


async def welcome_bound(update: Update, context: BotContext, identity: GraduateIdentity) -> None:
    """After /start <token> bound this account: the greeting and the card."""
    lang = language_for(update, identity.actor(), context.services.settings.bot_language)
    await reply(update, texts.t(lang, "bound_welcome"))
    await show_me(update, context, identity, identity.actor(), lang)
