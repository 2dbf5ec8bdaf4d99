"""/digest: the weekly digest the user would receive, now (does not count as the weekly delivery)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.services import Actor
from handlers.common import BotContext, off_loop_long, registered, reply


@registered
async def digest(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    built, chart = await off_loop_long(context.digests.build, actor, lang)
    for part in built.parts:
        await reply(update, part)
    chat = update.effective_chat
    if chart is not None and chat is not None:
        await chat.send_photo(chart.png, caption=chart.caption, filename=chart.file_name)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("digest", digest)]
