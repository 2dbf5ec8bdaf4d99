"""Questions: /rate, /rates, /unplaced (paginated), /student, and the scope-choice buttons."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.sanitize import ascii_int
from bot.services import Actor, Ambiguous, StudentAnswer
from handlers import materials
from handlers.common import Answerer, BotContext, args_of, off_loop, privacy_of, registered, reply

MAX_STORED_CHOICES = 50
MAX_LISTED_STUDENTS = 30  # graduates listed for a partial name; more → type more of it
MAX_PAGE_ARGUMENT = 999  # `/unplaced 2` is page 2; a longer number is not a page


def _remember(context: BotContext, payload: tuple) -> int:
    """Keep what a button means in the user's own data; the callback data carries only a number,
    counted per user (no state shared between users or module-level)."""
    user_data = context.user_data
    assert user_data is not None
    store: dict[int, tuple] = user_data.setdefault("choices", {})
    key = user_data["choice_seq"] = user_data.get("choice_seq", 0) + 1
    store[key] = payload
    while len(store) > MAX_STORED_CHOICES:
        store.pop(next(iter(store)))
    return key


async def offer_choices(update: Update, context: BotContext, lang: str, command: str, amb: Ambiguous, rest: list[str]) -> None:
    buttons = []
    for scope in amb.candidates:
        key = _remember(context, (command, [scope.token, *rest]))
        label = f"{texts.dimension_label(lang, scope.dimension)}: {scope.value}"
        buttons.append([InlineKeyboardButton(label, callback_data=f"pick:{key}")])
    await reply(update, texts.t(lang, "choose_scope", text=amb.text), reply_markup=InlineKeyboardMarkup(buttons))


def _date_words(args: list[str]) -> list[str]:
    return [a for a in args if any(ch.isdigit() for ch in a)]


async def answer_rate(update: Update, context: BotContext, actor: Actor, lang: str, args: list[str]) -> None:
    answer = await off_loop(context.services.questions.rate, actor, args, lang)
    if isinstance(answer, Ambiguous):
        await offer_choices(update, context, lang, "rate", answer, _date_words(args))
        return
    await reply(update, texts.render_rate(lang, answer))


async def answer_rates(update: Update, context: BotContext, actor: Actor, lang: str, args: list[str]) -> None:
    if not args:
        await reply(update, texts.t(lang, "rates_usage"))
        return
    answer = await off_loop(context.services.questions.rates, actor, args[0], args[1:], lang)
    if isinstance(answer, Ambiguous):
        await offer_choices(update, context, lang, "rates", answer, [args[0], *_date_words(args[1:])])
        return
    await reply(update, texts.render_rates(lang, answer))


async def answer_unplaced(
    update: Update, context: BotContext, actor: Actor, lang: str, args: list[str], page: int = 0
) -> None:
    services = context.services
    answer = await off_loop(services.questions.unplaced, actor, args, lang)
    if isinstance(answer, Ambiguous):
        await offer_choices(update, context, lang, "unplaced", answer, _date_words(args))
        return
    text, pages = texts.render_unplaced_page(lang, answer, privacy_of(context), services.today(), page)
    markup = None
    if pages > 1:
        key = _remember(context, ("unplaced", args))
        row = []
        if page > 0:
            row.append(InlineKeyboardButton("◀", callback_data=f"page:{key}:{page - 1}"))
        if page < pages - 1:
            row.append(InlineKeyboardButton("▶", callback_data=f"page:{key}:{page + 1}"))
        markup = InlineKeyboardMarkup([row])
    query = update.callback_query
    if query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as error:  # the same page pressed twice: nothing to change
            if "not modified" not in error.message.lower():
                raise
    else:
        await reply(update, text, reply_markup=markup)


ANSWERERS: Mapping[str, Answerer] = MappingProxyType({"rate": answer_rate, "rates": answer_rates, "unplaced": answer_unplaced})
"""This module's answerers for scope-choice buttons; the application adds other families' (e.g. /chart)
into its own table in `BotData.answerers`."""


@registered
async def rate(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    await answer_rate(update, context, actor, lang, args_of(context))


@registered
async def rates(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    await answer_rates(update, context, actor, lang, args_of(context))


@registered
async def unplaced(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    args, page = page_argument(args_of(context))
    await answer_unplaced(update, context, actor, lang, args, page)


def page_argument(args: list[str]) -> tuple[list[str], int]:
    """`/unplaced 2` or `/unplaced 护理 2`: a bare small number last is a page (1-based), not a scope."""
    if args and args[-1].isascii() and args[-1].isdigit() and 1 <= int(args[-1]) <= MAX_PAGE_ARGUMENT:
        return args[:-1], int(args[-1]) - 1
    return args, 0


@registered
async def student(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    answer = await off_loop(context.services.questions.student, actor, " ".join(args_of(context)))
    privacy = privacy_of(context)
    if isinstance(answer, StudentAnswer):
        extra, markup = await materials.student_extra(context, actor, lang, answer)  # §10: 材料 ✓ / 查看材料
        await reply(update, texts.render_student(lang, answer, privacy) + extra, reply_markup=markup)
        return
    who = " ".join(args_of(context)).strip()
    lines = [texts.t(lang, "student_matches", who=privacy.who(who), count=len(answer))]
    lines += [f"{privacy.name(s.name)} {privacy.sid(s.student_id)} · {s.class_name or s.major}" for s in answer[:MAX_LISTED_STUDENTS]]
    if len(answer) > MAX_LISTED_STUDENTS:
        lines.append(texts.t(lang, "student_more", count=len(answer) - MAX_LISTED_STUDENTS))
    await reply(update, "\n".join(lines))


@registered
async def button(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """Scope choices (`pick:N`) and list pages (`page:N:P`); anything else is a stale button."""
    query = update.callback_query
    assert query is not None
    data = query.data if isinstance(query.data, str) else ""
    store: dict[int, tuple] = (context.user_data or {}).get("choices", {})
    kind, _, rest = data.partition(":")
    key_text, _, page_text = rest.partition(":")
    key = ascii_int(key_text)
    payload = store.get(key) if key is not None else None
    if payload is None or kind not in ("pick", "page") or (kind == "page" and ascii_int(page_text) is None):
        await query.answer(texts.t(lang, "button_expired"), show_alert=False)
        return
    command, args = payload
    if kind == "pick" and command not in context.bot_data.answerers:
        await query.answer(texts.t(lang, "button_expired"), show_alert=False)
        return
    await query.answer()
    if kind == "page":
        await answer_unplaced(update, context, actor, lang, args, int(page_text or 0))
        return
    await context.bot_data.answerers[command](update, context, actor, lang, list(args))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("rate", rate),
        CommandHandler("rates", rates),
        CommandHandler("unplaced", unplaced),
        CommandHandler("student", student),
        CallbackQueryHandler(button),
    ]
