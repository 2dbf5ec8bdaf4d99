"""/verify, /sample (with phone-check buttons) and /check (§10)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import graduate_texts, texts
from bot.sanitize import ascii_int
from bot.services import Actor, Ambiguous, ServiceError
from bot.verification import Outcome
from handlers.asking import offer_choices
from handlers.common import BotContext, args_of, is_private, off_loop, privacy_of, registered, reply

MAX_BUTTON_ROWS = 30  # members with phone-check buttons under one sample's list


@registered
async def verify(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """/verify <学号> <电话|实地|其他> <属实|不属实|联系不上> [备注]"""
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    args = args_of(context)
    if len(args) < 3:
        await reply(update, texts.t(lang, "verify_usage"))
        return
    done = await off_loop(
        context.services.checks.verify, actor, args[0], args[1], args[2], " ".join(args[3:])
    )
    privacy = privacy_of(context)
    who = f"{privacy.name(done.name)} {privacy.sid(done.student_id)}"
    await reply(
        update, texts.t(lang, "verified", who=who, outcome=graduate_texts.outcome_text(lang, done.outcome))
    )


async def _show_sample(update: Update, context: BotContext, lang: str, sample) -> None:  # type: ignore[no-untyped-def]
    privacy = privacy_of(context)
    rows = []
    for m in sample.members[:MAX_BUTTON_ROWS]:
        if m.outcome is None:
            rows.append([
                InlineKeyboardButton(f"{privacy.sid(m.student_id)} {graduate_texts.outcome_text(lang, o)}", callback_data=f"sm:{sample.sample_id}:{m.graduate_id}:{o.value}")
                for o in Outcome
            ])  # fmt: skip
    markup = InlineKeyboardMarkup(rows) if rows else None
    await reply(update, graduate_texts.render_sample(lang, sample, privacy), reply_markup=markup)


@registered
async def sample(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """/sample <N|N%> [scope] draws; /sample alone lists the samples and their outcomes."""
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    args = args_of(context)
    checks = context.services.checks
    if not args:
        samples = await off_loop(checks.samples, actor)
        if not samples:
            await reply(update, texts.t(lang, "samples_none"))
        for one in samples:
            await _show_sample(update, context, lang, one)
        return
    drawn = await off_loop(checks.draw_sample, actor, args[0], args[1:])
    await _show_sample(update, context, lang, drawn)


@registered
async def sample_button(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """sm:<sample>:<graduate>:<outcome>: a phone check of a sampled graduate."""
    query = update.callback_query
    assert query is not None
    parts = (query.data if isinstance(query.data, str) else "").split(":")
    ids = [ascii_int(p) for p in parts[1:3]] if len(parts) == 4 else [None]
    if None in ids or not is_private(update):
        await query.answer(texts.t(lang, "button_expired"))
        return
    try:
        done = await off_loop(context.services.checks.verify_member, actor, ids[0], ids[1], parts[3])
    except ServiceError as refusal:
        await query.answer(texts.t(lang, refusal.key))
        return
    await query.answer()
    privacy = privacy_of(context)
    who = f"{privacy.name(done.name)} {privacy.sid(done.student_id)}"
    await reply(
        update, texts.t(lang, "verified", who=who, outcome=graduate_texts.outcome_text(lang, done.outcome))
    )


async def answer_check(update: Update, context: BotContext, actor: Actor, lang: str, args: list[str]) -> None:
    table = await off_loop(context.services.checks.table, actor, args)
    if isinstance(table, Ambiguous):
        await offer_choices(
            update, context, lang, "check", table, [a for a in args if any(ch.isdigit() for ch in a)]
        )
        return
    await reply(update, graduate_texts.render_check(lang, table, actor.audience))


@registered
async def check(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    await answer_check(update, context, actor, lang, args_of(context))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("verify", verify),
        CommandHandler("sample", sample),
        CommandHandler("check", check),
        CallbackQueryHandler(sample_button, pattern=r"^sm:"),
    ]
