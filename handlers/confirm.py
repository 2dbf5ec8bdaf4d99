"""/confirm (§10): ask bound graduates in scope to confirm staff-recorded destinations; their
正确 / 确认无误 (g:ok:<entry>) and 有误，我来更新 (g:upd) buttons."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CommandHandler

from bot import graduate_texts, texts
from bot.sanitize import ascii_int
from bot.services import Actor
from bot.services.confirmation import ConfirmRequest
from bot.services.graduates import GraduateIdentity
from handlers import graduates
from handlers.common import BotContext, args_of, is_private, off_loop, registered, reply
from jobs.broadcast import Outgoing, broadcast
from jobs.delivery import Throttle

log = logging.getLogger(__name__)


def question(request: ConfirmRequest, default_language: str) -> Outgoing:
    lang = request.language or default_language
    en = lang == "en"
    d = request.destination
    text = texts.t(
        lang,
        "confirm_question",
        destination=f"{graduate_texts.destination_text(lang, d)}（{d.effective_date.isoformat()}）",
    )
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton("Correct" if en else "正确", callback_data=f"g:ok:{d.entry_id}"),
        InlineKeyboardButton("Wrong, I'll update it" if en else "有误，我来更新", callback_data="g:upd"),
    ]])  # fmt: skip
    return Outgoing(request.telegram_id, text, buttons)


@registered
async def confirm(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """/confirm [scope]: the questions go out in the background at the throttle's pace; the sender
    gets the count now and the outcome when it is done."""
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    services = context.services
    round_ = await off_loop(services.confirmation.requests, actor, args_of(context))
    outgoing = [question(r, services.settings.bot_language) for r in round_.requests]
    shared = context.bot_data
    if shared.throttle is None:
        shared.throttle = Throttle()
    throttle = shared.throttle
    chat = update.effective_chat
    assert chat is not None

    async def send_all() -> None:
        report = await broadcast(context.bot, throttle, outgoing)
        failed = len(report.unreachable) + len(report.failed)
        await chat.send_message(
            texts.t(lang, "confirm_sent", sent=report.sent, skipped=round_.skipped, failed=failed)
        )

    context.application.create_task(send_all(), update=update, name=f"confirm-{actor.user_id}")


async def confirmed(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, rest: str
) -> None:
    """g:ok:<entry id>: the graduate confirms that destination, if it is still their current one."""
    query = update.callback_query
    assert query is not None
    entry_id = ascii_int(rest)
    if entry_id is None:
        await query.answer(texts.t(lang, "button_expired"))
        return
    await off_loop(context.services.confirmation.confirm, actor, identity, entry_id)
    await query.answer(texts.t(lang, "confirmed"))
    await reply(update, texts.t(lang, "confirmed"))


graduates.ACTIONS["ok"] = confirmed


def handlers() -> list[BaseHandler]:
    return [CommandHandler("confirm", confirm)]
