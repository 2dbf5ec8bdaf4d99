"""/start (with invite tokens), /help, /invite, /invites, /users, /settings, /cancel, unknown commands."""

from __future__ import annotations

import difflib
from dataclasses import replace

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.sanitize import ascii_int
from bot.services import Action, Actor, ServiceError, policy
from handlers import graduates
from handlers.common import (
    BotContext,
    args_of,
    is_private,
    language_for,
    off_loop,
    privacy_of,
    registered,
    reply,
)
from jobs.schedule import ScheduleError


async def start(update: Update, context: BotContext) -> None:
    services = context.services
    access = services.access
    user = update.effective_user
    if user is None or not is_private(update):
        return
    args = args_of(context)
    if args:
        lang = language_for(update, None, services.settings.bot_language)
        try:
            identity = await off_loop(services.graduates.redeem, args[0], user.id, lang)
            if identity is not None:  # a graduate's personal link (§10)
                await graduates.welcome_bound(update, context, identity)
                return
            actor = await off_loop(access.redeem_invite, args[0], user.id, user.full_name, lang)
        except ServiceError as refusal:
            await reply(update, texts.t(lang, refusal.key, **refusal.params))
            return
        await _welcome(update, context, actor, language_for(update, actor, services.settings.bot_language))
        return
    actor = await off_loop(access.actor, user.id)
    lang = language_for(update, actor, services.settings.bot_language)
    if actor is None:
        await reply(update, texts.t(lang, "stranger"))
        return
    await _welcome(update, context, actor, lang)


async def _welcome(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    user = update.effective_user
    name = actor.name or (user.full_name if user else "")
    head = texts.t(lang, "welcome", name=name, role=texts.role_name(lang, actor.role), scope=actor.scope.label(lang))
    if context.bot_data.menus is not None:
        context.bot_data.menus.ensure(actor)  # registered just now: their menu follows their role
    await reply(update, head + "\n\n" + await _help_text(context, actor, lang, with_role=False))


async def _help_text(context: BotContext, actor: Actor, lang: str, *, with_role: bool = True) -> str:
    """The role's usage: the commands the policy offers it here, examples with its own cohort's 学号."""
    examples = await off_loop(context.services.questions.example_ids, actor)
    privacy = privacy_of(context)
    return texts.render_help(
        lang,
        actor.role if with_role else None,
        actor.scope.label(lang),
        policy.command_forms_for(actor.role, actor.audience),
        examples=[privacy.sid(e) for e in examples],
    )


@registered
async def help_command(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    await reply(update, await _help_text(context, actor, lang))


@registered
async def unknown_command(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """A command no handler took: one line pointing to /help (and the nearest command offered)."""
    message = update.effective_message
    word = (message.text or "").split(maxsplit=1)[0][1:] if message is not None and message.text else ""
    command = word.partition("@")[0]
    if not command:
        return
    near = difflib.get_close_matches(command.lower(), policy.commands_for(actor.role, actor.audience), n=1, cutoff=0.6)
    if near:
        await reply(update, texts.t(lang, "unknown_command_near", command=command[:32], near=near[0]))
    else:
        await reply(update, texts.t(lang, "unknown_command", command=command[:32]))


def _for_another_bot(update: Update, context: BotContext) -> bool:
    """`/foo@otherbot`: addressed to another bot in the chat, not ours to answer."""
    message = update.effective_message
    word = (message.text or "").split(maxsplit=1)[0] if message is not None and message.text else ""
    _, at, addressee = word.partition("@")
    return bool(at) and addressee.lower() != (context.bot.username or "").lower()


async def unknown_command_entry(update: Update, context: BotContext) -> None:
    if _for_another_bot(update, context):
        return
    await unknown_command(update, context)


@registered
async def invite(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """/invite head|counsellor [name] [scope]…  — a word with ':' is a scope, the first other word a name."""
    args = args_of(context)
    if args and args[0].lower() in ("graduates", "graduate", "毕业生"):  # personal links (§10): any staff, own scope
        await graduates.invite_graduates(update, context, actor, lang, args[1:])
        return
    if not policy.allows(actor, Action.INVITE):
        await reply(update, texts.t(lang, "not_allowed"))
        return
    if not args or not is_private(update):
        await reply(update, texts.t(lang, "invite_usage"))
        return
    role, rest = args[0].lower(), args[1:]
    scopes = [a for a in rest if ":" in a or "：" in a]
    others = [a for a in rest if a not in scopes]
    name = others[0] if others else None
    scopes += others[1:]  # further bare words are scopes (a department for heads, a class for counsellors)
    token = await off_loop(context.services.access.create_invite, role, name=name, scopes=scopes, inviter=actor)
    link = f"https://t.me/{context.bot.username}?start={token}"
    await reply(update, texts.t(lang, "invite_link", link=link))


@registered
async def invites(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """/invites lists open invitations (admins); /invites cancel ID cancels one."""
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    access = context.services.access
    args = args_of(context)
    if not args:
        listing = await off_loop(access.open_invites, actor)
        await reply(update, texts.render_invites(lang, listing, context.services.settings.tz))
        return
    invite_id = ascii_int(args[1]) if len(args) == 2 and args[0].lower() in ("cancel", "取消", "作废") else None
    if invite_id is not None:
        await off_loop(access.cancel_invite, invite_id, actor)
        await reply(update, texts.t(lang, "invite_cancelled", id=invite_id))
        return
    await reply(update, texts.t(lang, "invites_usage"))


@registered
async def users(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    listing = await off_loop(context.services.access.users, actor)
    await reply(update, texts.render_users(lang, listing))


@registered
async def settings(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    access = context.services.access
    args = [a.lower() for a in args_of(context)]
    if len(args) >= 2 and args[0] in ("lang", "language", "语言") and args[1] in ("zh", "en"):
        await off_loop(access.set_language, actor, args[1])
        if context.bot_data.menus is not None:
            context.bot_data.menus.ensure(replace(actor, language=args[1]))  # the menu in the new language
        await reply(update, texts.t(args[1], "settings_saved"))
        return
    if len(args) >= 2 and args[0] in ("digest", "汇总") and args[1] in ("on", "off", "开", "关"):
        await off_loop(access.set_digest_opt_out, actor, args[1] in ("off", "关"))
        await reply(update, texts.t(lang, "settings_saved"))
        return
    if args and args[0] in ("schedule", "时间", "时间表"):
        try:
            slots = await off_loop(context.digests.set_schedule, " ".join(args_of(context)[1:]), actor)
        except ScheduleError as problem:
            await reply(update, texts.t(lang, "bad_schedule", detail=str(problem)))
            return
        await reply(update, texts.t(lang, "schedule_saved", schedule="; ".join(s.text() for s in slots)))
        return
    digest = texts.t(lang, "off" if actor.digest_opt_out else "on")
    await reply(update, texts.t(lang, "settings", language=lang, digest=digest))


@registered
async def cancel(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    if context.user_data is not None:
        context.user_data.pop("choices", None)
    await reply(update, texts.t(lang, "cancelled"))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler("invite", invite),
        CommandHandler("invites", invites),
        CommandHandler("users", users),
        CommandHandler("settings", settings),
        CommandHandler("cancel", cancel),
    ]


def unknown_command_handler() -> BaseHandler:
    """Registered after every other handler: a command none of them took."""
    return MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command_entry)
