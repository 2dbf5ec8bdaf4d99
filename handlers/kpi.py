"""/targets (show; admins replace them with a CSV in the message) and /kpi [scope]."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import texts
from bot.kpi import TargetFileError, targets_to_csv
from bot.services import Actor, Ambiguous
from handlers.common import BotContext, args_of, off_loop, off_loop_long, registered, reply


@registered
async def targets(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """`/targets` shows the table; `/targets` + newline + CSV lines (checkpoint,degree,target[,department]) sets it."""
    message = update.effective_message
    assert message is not None
    body = (message.text or "").partition("\n")[2].strip()
    service = context.services.targets
    if body:
        try:
            year, rows = await off_loop_long(service.set_targets, body.encode("utf-8"), None, actor)
        except TargetFileError as problem:
            lines = [texts.t(lang, "targets_invalid")] + [f"{row}: {text}" for row, text in problem.problems]
            await reply(update, "\n".join(lines))
            return
        await reply(update, texts.t(lang, "targets_saved", cohort=year, count=len(rows)))
        return
    year, rows, stored = await off_loop(service.targets_for_cohort, None, actor)
    head = texts.t(lang, "targets_head" if stored else "targets_default", cohort=year)
    await reply(update, f"{head}\n{targets_to_csv(rows)}\n{texts.t(lang, 'targets_usage')}")


@registered
async def kpi(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    answer = await off_loop_long(context.services.targets.kpi, actor, args_of(context), None, lang)
    if isinstance(answer, Ambiguous):
        await reply(update, texts.t(lang, "unknown_scope", scope=answer.text))
        return
    await reply(update, texts.render_kpi(lang, answer))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("targets", targets), CommandHandler("kpi", kpi)]
