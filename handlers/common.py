"""Shared plumbing for the Telegram adapters: who is asking, in which language, replying in parts.

Handlers stay thin: they read arguments, call a `PlacementService` method off the event loop,
and send what `bot.texts` renders.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot import texts
from bot.services import Actor, PlacementService, ServiceError

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
ActorHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, Actor, str], Awaitable[None]]


def service_of(context: ContextTypes.DEFAULT_TYPE) -> PlacementService:
    return context.application.bot_data["service"]


async def off_loop(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run blocking work (database, pandas, matplotlib, Excel) in a worker thread."""
    return await asyncio.to_thread(func, *args, **kwargs)


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


def privacy_of(context: ContextTypes.DEFAULT_TYPE) -> texts.Privacy:
    return texts.Privacy(service_of(context).settings.pii_in_chat)


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
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        service = service_of(context)
        user = update.effective_user
        if user is None:
            return
        actor = await off_loop(service.actor, user.id)
        lang = language_for(update, actor, service.settings.bot_language)
        if actor is None:
            if update.callback_query is not None:
                await update.callback_query.answer()
            if is_private(update):
                await reply(update, texts.t(lang, "stranger"))
            return
        try:
            await handler(update, context, actor, lang)
        except ServiceError as refusal:
            await reply(update, texts.t(lang, refusal.key, **refusal.params))

    return wrapper


def args_of(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return list(context.args or [])
