"""`/channels`: admins list, add, remove and test group robots, in a private chat only."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.sanitize import ascii_int
from bot.services import Action, Actor, policy
from handlers.common import BotContext, args_of, off_loop, registered, reply
from jobs.channels.delivery import channel_deliverer
from jobs.channels.platforms import KINDS
from jobs.channels.service import ChannelError, ChannelService
from jobs.channels.texts import render_list, t

log = logging.getLogger(__name__)


@registered
async def channels(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    args = args_of(context)
    if args and args[0].lower() == "add":
        # Whatever comes next — a refusal in a group, a bad URL, success — the URL and secret must
        # not stay in the chat's history.
        await _delete_credentials(update)
    policy.require(actor, Action.CHANNELS)  # admins, in a private chat
    try:
        verb = args[0].lower() if args else "list"
        service = context.bot_data.channels
        if verb == "list":
            await reply(update, render_list(lang, await off_loop(service.list, actor, lang)))
        elif verb == "add" and len(args) >= 4:
            await _add(update, context, service, actor, lang, args[1:])
        elif verb in ("remove", "test") and len(args) == 2 and (channel_id := ascii_int(args[1].lstrip("#"))) is not None:
            if verb == "remove":
                await off_loop(service.remove, actor, channel_id)
                await reply(update, t(lang, "removed", id=channel_id))
            else:
                due = await off_loop(service.robot, actor, channel_id)
                outcome = await channel_deliverer(service, context.digests).test(due, lang)
                key = "test_ok" if outcome.ok else "test_failed"
                await reply(update, t(lang, key, id=channel_id, outcome=outcome.text))
        else:
            await reply(update, t(lang, "usage"))
    except ChannelError as refusal:
        await reply(update, refusal.message(lang))


async def _add(
    update: Update, context: BotContext, service: ChannelService, actor: Actor, lang: str, words: list[str]
) -> None:
    """`SCOPE… KIND URL [SECRET]`: the scope may be several words; KIND marks where it ends."""
    positions = [i for i, word in enumerate(words) if word.lower() in KINDS]
    if not positions or positions[0] == 0 or len(words) - positions[0] not in (2, 3):
        await reply(update, t(lang, "usage"))
        return
    i = positions[0]
    scope, kind, url = " ".join(words[:i]), words[i], words[i + 1]
    secret = words[i + 2] if len(words) > i + 2 else None
    view = await off_loop(service.add, actor, scope, kind, url, secret)
    text = t(lang, "added", id=view.id, scope=view.scope_label, kind=view.kind, url=view.masked_url)
    await reply(update, text + "\n" + t(lang, "url_message_deleted"))


async def _delete_credentials(update: Update) -> None:
    message = update.effective_message
    if message is None:
        return
    try:
        await message.delete()
    except Exception:
        log.warning("could not delete a /channels add message: its URL stays in that chat")


def handlers() -> list[BaseHandler]:
    return [CommandHandler("channels", channels)]
