"""/digest: the weekly digest the user would receive, now (does not count as the weekly delivery)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot import texts
from bot.services import Actor
from handlers.common import is_private, off_loop, registered, reply
from jobs.delivery import DigestService


def digests_of(context: ContextTypes.DEFAULT_TYPE) -> DigestService:
    return context.application.bot_data["digests"]


@registered
async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE, actor: Actor, lang: str) -> None:
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    built, chart = await off_loop(digests_of(context).build, actor, lang)
    for part in built.parts:
        await reply(update, part)
    chat = update.effective_chat
    if chart is not None and chat is not None:
        await chat.send_photo(chart.png, caption=chart.caption, filename=chart.file_name)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("digest", digest)]
