"""/digest: the weekly digest the user would receive, now (does not count as the weekly delivery)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import texts
from bot.services import Actor
from handlers.common import BotContext, is_private, off_loop, registered, reply


@registered
async def digest(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    built, chart = await off_loop(context.digests.build, actor, lang)
    for part in built.parts:
        await reply(update, part)
    chat = update.effective_chat
    if chart is not None and chat is not None:
        await chat.send_photo(chart.png, caption=chart.caption, filename=chart.file_name)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("digest", digest)]
