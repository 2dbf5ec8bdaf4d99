"""The Telegram command menus (`setMyCommands`): each registered user's private chat gets the
commands their role is offered (`bot.services.policy.commands_for`, the same table as /help), in
their language; strangers and group chats get the defaults, with an English variant.

Menus are set off the critical path: at start for every existing user in a paced background task,
and whenever a user is seen with a role or language their menu was not yet set for (registration,
a role changed at the command line, /settings lang).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.services import Actor
from bot.services.policy import command_forms_for, commands_for, group_commands

log = logging.getLogger(__name__)

# Telegram allows 30 requests a second overall; menus are background work and leave room for replies.
MENU_CALLS_PER_SECOND = 10


def menu(lang: str, forms: Sequence[str]) -> list[BotCommand]:
    """One menu entry per command name, described by the first form the user is offered
    (a counsellor's /invite is the graduates' links, an admin's the invitation of staff)."""
    first: dict[str, str] = {}
    for form in forms:
        first.setdefault(form.split()[0], form)
    return [BotCommand(name, texts.command_description(lang, form)) for name, form in first.items()]


def variants(language: str | None, default_language: str) -> list[tuple[str, str | None]]:
    """(language of the menu, Telegram `language_code` it is set for): a user who chose a language
    gets it whatever their client's; otherwise the bot's default, and English for English clients."""
    return [(language or default_language, None), (language or "en", "en")]


class Menus:
    """What was set for each private chat in this process, so that a user's menu is set only when
    their role or language changed."""

    def __init__(self, bot: ExtBot[None], default_language: str) -> None:
        self.bot = bot
        self.default_language = default_language
        self._set: dict[int, tuple[str, str | None]] = {}
        self._pending: set[asyncio.Task[None]] = set()
        self.sync_task: asyncio.Task[None] | None = None

    async def set_defaults(self) -> None:
        """Strangers see /start and /help; group chats the commands a group may use."""
        for lang, code in variants(None, self.default_language):
            await self.bot.set_my_commands(
                menu(lang, commands_for(None)), scope=BotCommandScopeDefault(), language_code=code
            )
            await self.bot.set_my_commands(
                menu(lang, group_commands()), scope=BotCommandScopeAllGroupChats(), language_code=code
            )

    async def set_for(self, actor: Actor) -> bool:
        """Set `actor`'s private-chat menu now (False: Telegram refused, e.g. they never pressed Start)."""
        if actor.telegram_id is None:
            return False
        key = (str(actor.role), actor.language)
        names = command_forms_for(actor.role)
        try:
            for lang, code in variants(actor.language, self.default_language):
                scope = BotCommandScopeChat(actor.telegram_id)
                await self.bot.set_my_commands(menu(lang, names), scope=scope, language_code=code)
        except TelegramError as problem:  # e.g. they never pressed Start: tried again when next seen
            log.info("menu for %s not set: %s", actor.telegram_id, problem)
            return False
        except RuntimeError:  # the bot is shutting down
            return False
        self._set[actor.telegram_id] = key
        return True

    def ensure(self, actor: Actor) -> None:
        """Set the actor's menu in the background if their role or language is new here."""
        if actor.telegram_id is None or self._set.get(actor.telegram_id) == (str(actor.role), actor.language):
            return
        self._set[actor.telegram_id] = (str(actor.role), actor.language)  # one task per change
        task = asyncio.create_task(self._set_or_forget(actor))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _set_or_forget(self, actor: Actor) -> None:
        if not await self.set_for(actor) and actor.telegram_id is not None:
            self._set.pop(actor.telegram_id, None)  # try again when they are next seen

    async def sync_all(self, actors: Sequence[Actor]) -> None:
        """At start: the defaults, then every existing user's menu, paced within Telegram's limits."""
        try:
            await self.set_defaults()
        except TelegramError:
            log.warning("the default command menus could not be set", exc_info=True)
        pause = len(variants(None, self.default_language)) / MENU_CALLS_PER_SECOND
        for actor in actors:
            if actor.telegram_id is None or self._set.get(actor.telegram_id) == (
                str(actor.role),
                actor.language,
            ):
                continue
            await self.set_for(actor)
            await asyncio.sleep(pause)

    async def close(self) -> None:
        tasks = [t for t in (self.sync_task, *self._pending) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
