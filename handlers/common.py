"""Shared plumbing for the Telegram adapters: who is asking, in which language, replying in parts.

Handlers stay thin: they read arguments, call a service off the event loop, and send what
`bot.texts` renders. They reach the services through the typed `BotContext` (PTB's
`ContextTypes(context=…)`), never through string keys; permissions are the services' (policy's).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot import texts
from bot.disclosure import Audience
from bot.long_work import long_work
from bot.services import Actor, ServiceError, Services
from bot.services.policy import in_chat, is_graduate

if TYPE_CHECKING:
    from handlers.menus import Menus
    from jobs.channels.service import ChannelService
    from jobs.delivery import DigestDeliverer, DigestService, Throttle

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")



class BotData:
    """What all handlers share, set once by `bot.application.build_application`."""

    services: Services
    digests: DigestService
    channels: ChannelService  # group robots (jobs/channels)
    answerers: Mapping[str, Answerer]  # scope-choice buttons: command → the function that answers it
    deliverer: DigestDeliverer | None = None
    menus: Menus | None = None  # the per-user command menus (handlers.menus)
    throttle: Throttle | None = None  # the sending budget broadcasts share with digests (§10's /confirm)
    warming: asyncio.Task[None] | None = None  # the snapshot store loading at start-up
    survey_throttle: Throttle | None = None  # survey invitations (handlers/survey.py)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """PTB's context with the services as attributes."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def digests(self) -> DigestService:
        return self.bot_data.digests


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
BotApplication = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]

Handler = Callable[[Update, BotContext], Awaitable[None]]
ActorHandler = Callable[[Update, BotContext, Actor, str], Awaitable[None]]
Answerer = Callable[[Update, BotContext, Actor, str, list[str]], Awaitable[None]]


async def off_loop(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run quick blocking work (a database question, an update message) in a worker thread."""
    return await asyncio.to_thread(func, *args, **kwargs)


async def off_loop_long(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run long work (charts, workbooks, digests, file imports, KPI) on the bounded long-work pool
    (bot/long_work.py), so that it never takes the threads quick answers need."""
    return await long_work(func, *args, **kwargs)


def language_for(update: Update, actor: Actor | None, default: str) -> str:
    if actor is not None and actor.language in ("zh", "en"):
        return actor.language
    user = update.effective_user
    if user is not None and user.language_code:
        return "en" if user.language_code.lower().startswith("en") else "zh"
    return default


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def audience_of(update: Update) -> Audience:
    """A private chat, or a group (any other chat: group, supergroup, channel) reading along."""
    return Audience.PRIVATE if is_private(update) else Audience.GROUP


def privacy_of(context: BotContext) -> texts.Privacy:
    return texts.Privacy(context.services.settings.pii_in_chat)


async def reply(update: Update, text: str, *, reply_markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Send `text`, split at Telegram's 4,096-character limit; buttons go on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = texts.split_message(text)
    sent: Message | None = None
    for i, part in enumerate(parts):
        sent = await chat.send_message(part, reply_markup=reply_markup if i == len(parts) - 1 else None)
    return sent


def registered(handler: ActorHandler) -> Handler:
    """Look the sender up; refuse strangers politely; turn ServiceError into a reply in their language."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: BotContext) -> None:
        services = context.services
        user = update.effective_user
        if user is None:
            return
        actor = await off_loop(services.access.actor, user.id)
        lang = language_for(update, actor, services.settings.bot_language)
        if actor is None:
            if update.callback_query is not None:
                await update.callback_query.answer()
            if is_private(update):
                await reply(update, texts.t(lang, "stranger"))
            return
        if context.bot_data.menus is not None:
            context.bot_data.menus.ensure(actor)  # a new role or language: their menu follows, in the background
        if is_graduate(actor):  # graduates are served by handlers.graduates; a staff command is not theirs
            if update.callback_query is not None:
                await update.callback_query.answer()
            await reply(update, texts.t(lang, "staff_only"))
            return
        actor = in_chat(actor, audience_of(update))  # the policy decides what this chat may see
        try:
            await handler(update, context, actor, lang)
        except ServiceError as refusal:
            await reply(update, texts.t(lang, refusal.key, **privacy_of(context).params(refusal.params)))

    return wrapper


def args_of(context: BotContext) -> list[str]:
    return list(context.args or [])
