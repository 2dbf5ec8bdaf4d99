"""/targets (show; admins replace them with a CSV in the message) and /kpi [scope]."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.kpi import TargetFileError, targets_to_csv
from bot.sanitize import ascii_int
from bot.services import Actor, Ambiguous
from handlers.common import BotContext, args_of, off_loop, off_loop_long, registered, reply

REPLACE_WORDS = frozenset({"replace", "替换", "全部替换"})
REPLACE_PREFIX = "targets"
MAX_PENDING_REPLACEMENTS = 5  # per user; older confirmations expire


@registered
async def targets(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """`/targets` shows the table; `/targets` + newline + CSV lines (checkpoint,degree,target[,department]) sets it."""
    message = update.effective_message
    assert message is not None
    first, _, body = (message.text or "").partition("\n")
    body = body.strip()
    replace = any(word.lower() in REPLACE_WORDS for word in first.split()[1:])
    service = context.services.targets
    if body:
        try:
            if replace:  # a full replacement deletes what is not sent: only after a button press
                year, sent, current = await off_loop_long(service.replacement_preview, body.encode("utf-8"), None, actor)
            else:  # only the rows sent change (same checkpoint, degree and department)
                year, merged = await off_loop_long(service.merge_targets, body.encode("utf-8"), None, actor)
        except TargetFileError as problem:
            lines = [texts.t(lang, "targets_invalid")] + [f"{row}: {text}" for row, text in problem.problems]
            await reply(update, "\n".join(lines))
            return
        if replace:
            await _ask_replacement(update, context, lang, body, year, sent, current)
            return
        saved = texts.t(
            lang,
            "targets_merged",
            cohort=year,
            added=merged.added,
            changed=merged.changed,
            unchanged=merged.unchanged,
            kept=merged.kept,
        )
        await reply(update, f"{saved}\n{targets_to_csv(merged.targets)}")
        return
    year, rows, stored = await off_loop(service.targets_for_cohort, None, actor)
    head = texts.t(lang, "targets_head" if stored else "targets_default", cohort=year)
    usage = f"{texts.t(lang, 'targets_usage')}\n{texts.t(lang, 'targets_usage_replace')}"
    await reply(update, f"{head}\n{targets_to_csv(rows)}\n{usage}")


async def _ask_replacement(
    update: Update, context: BotContext, lang: str, body: str, year: int, sent: int, current: int
) -> None:
    """Keep the CSV in the sender's own data; the button carries only a number."""
    user_data = context.user_data
    assert user_data is not None
    pending: dict[int, str] = user_data.setdefault("target_replacements", {})
    key = user_data["target_replacement_seq"] = user_data.get("target_replacement_seq", 0) + 1
    pending[key] = body
    while len(pending) > MAX_PENDING_REPLACEMENTS:
        pending.pop(next(iter(pending)))
    button = InlineKeyboardButton(
        texts.t(lang, "targets_replace_button"), callback_data=f"{REPLACE_PREFIX}:{key}"
    )
    text = texts.t(lang, "targets_replace_ask", sent=sent, cohort=year, current=current)
    await reply(update, text, reply_markup=InlineKeyboardMarkup([[button]]))


@registered
async def confirm_replacement(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """The button under a full replacement: applies it once; a second press or another user's finds nothing."""
    query = update.callback_query
    assert query is not None
    data = query.data if isinstance(query.data, str) else ""
    key = ascii_int(data.partition(":")[2])
    pending: dict[int, str] = (context.user_data or {}).get("target_replacements", {})
    body = pending.pop(key, None) if key is not None else None
    if body is None:
        await query.answer(texts.t(lang, "button_expired"), show_alert=False)
        return
    await query.answer()
    try:
        year, rows = await off_loop_long(context.services.targets.set_targets, body.encode("utf-8"), None, actor)
    except TargetFileError as problem:
        lines = [texts.t(lang, "targets_invalid")] + [f"{row}: {text}" for row, text in problem.problems]
        await reply(update, "\n".join(lines))
        return
    await query.edit_message_text(texts.t(lang, "targets_saved", cohort=year, count=len(rows)))


@registered
async def kpi(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    answer = await off_loop_long(context.services.targets.kpi, actor, args_of(context), None, lang)
    if isinstance(answer, Ambiguous):
        await reply(update, texts.t(lang, "unknown_scope", scope=answer.text))
        return
    await reply(update, texts.render_kpi(lang, answer))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("targets", targets), CommandHandler("kpi", kpi)]


def confirm_handler() -> BaseHandler:
    """The full-replacement button; registered before the scope-choice buttons' catch-all."""
    return CallbackQueryHandler(confirm_replacement, pattern=rf"^{REPLACE_PREFIX}:")
