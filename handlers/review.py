"""Self-reports and review (§10): a graduate's destination line becomes a pending report; staff
/review it with 通过 / 退回 (a reason from buttons, or a one-line reply to the prompt)."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import graduate_texts, texts
from bot.sanitize import ascii_int
from bot.services import Actor, ServiceError
from bot.services.graduates import GraduateIdentity
from bot.services.review import REASONS, Decision
from handlers import graduates
from handlers.common import BotContext, args_of, is_private, off_loop, privacy_of, registered, reply

log = logging.getLogger(__name__)

MAX_LISTED = 10  # reports sent as cards with buttons per /review; the rest are counted
_PROMPT = re.compile(r"#(\d{1,12})\s*$")  # the report number at the end of a reason prompt


async def graduate_text(
    update: Update, context: BotContext, identity: GraduateIdentity, actor: Actor, lang: str, text: str
) -> None:
    message = update.effective_message
    assert message is not None
    result = await off_loop(context.services.review.report, actor, identity, text, message.date)
    if result.error is not None:
        error = result.error
        template = texts.LINE_REASONS.get(str(error.code), ("{value}", "{value}"))[texts.lang_index(lang)]
        reason = template.format(
            value=error.value or "", suggestion=error.suggestion or "", key=error.key or ""
        )
        if error.suggestion and str(error.code) == "unknown_destination":
            reason += (
                f"，是否想写“{error.suggestion}”？"
                if lang != "en"
                else f"; did you mean '{error.suggestion}'?"
            )
        await reply(
            update, texts.t(lang, "report_rejected", reason=reason) + "\n\n" + texts.t(lang, "graduate_hint")
        )
        return
    assert result.line is not None
    await reply(
        update, texts.t(lang, "report_pending", destination=graduate_texts.line_text(lang, result.line))
    )


graduates.TEXT_HANDLER.append(graduate_text)


@registered
async def review(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    if not is_private(update):
        await reply(update, texts.t(lang, "private_only"))
        return
    services = context.services
    listing = await off_loop(services.review.pending, actor, args_of(context))
    privacy, today = privacy_of(context), services.today()
    if listing.flagged:
        names = "、".join(f"{privacy.name(name)} {privacy.sid(sid)}" for sid, name in listing.flagged)
        await reply(update, texts.t(lang, "review_flagged", names=names))
    if not listing.items:
        await reply(update, texts.t(lang, "review_empty", scope=listing.scope_label))
        return
    await reply(update, texts.t(lang, "review_head", scope=listing.scope_label, n=len(listing.items)))
    for item in listing.items[:MAX_LISTED]:
        buttons = InlineKeyboardMarkup([[
            InlineKeyboardButton("通过" if lang != "en" else "Approve", callback_data=f"rv:ok:{item.report_id}"),
            InlineKeyboardButton("退回" if lang != "en" else "Return", callback_data=f"rv:no:{item.report_id}"),
        ]])  # fmt: skip
        await reply(update, graduate_texts.report_card(lang, item, privacy, today), reply_markup=buttons)
    if len(listing.items) > MAX_LISTED:
        more = len(listing.items) - MAX_LISTED
        await reply(
            update,
            f"… {more} more: /review again after these"
            if lang == "en"
            else f"…… 另有 {more} 条，处理完这些后再发 /review",
        )


@registered
async def review_button(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """rv:ok:N approve · rv:no:N ask a reason · rv:why:N:CODE return with that reason."""
    query = update.callback_query
    assert query is not None
    parts = (query.data if isinstance(query.data, str) else "").split(":")
    report_id = ascii_int(parts[2]) if len(parts) >= 3 else None
    if report_id is None or parts[1] not in ("ok", "no", "why") or not is_private(update):
        await query.answer(texts.t(lang, "button_expired"))
        return
    services = context.services
    try:
        if parts[1] == "ok":
            decision = await off_loop(services.review.approve, actor, report_id)
        elif parts[1] == "no":
            await off_loop(services.review.check_reviewable, actor, report_id)
            await query.answer()
            await _ask_reason(update, lang, report_id)
            return
        else:
            code = parts[3] if len(parts) == 4 and parts[3] in REASONS else "other"
            decision = await off_loop(
                services.review.give_back, actor, report_id, graduate_texts.reason_text("zh", code)
            )
    except ServiceError as refusal:
        await query.answer(texts.t(lang, refusal.key), show_alert=refusal.key == "review_closed")
        return
    await query.answer()
    await _settled(
        update,
        context,
        lang,
        decision,
        query.message if isinstance(query.message, Message) else None,
        code if parts[1] == "why" else None,
    )


async def _ask_reason(update: Update, lang: str, report_id: int) -> None:
    buttons = InlineKeyboardMarkup([[
        InlineKeyboardButton(graduate_texts.reason_text(lang, code), callback_data=f"rv:why:{report_id}:{code}") for code in REASONS
    ]])  # fmt: skip
    await reply(update, texts.t(lang, "review_ask_reason") + f" #{report_id}", reply_markup=buttons)


async def _settled(
    update: Update, context: BotContext, lang: str, decision: Decision, card: Message | None, code: str | None
) -> None:
    """Tell the reviewer (on the card) and the graduate (in their chat)."""
    privacy = privacy_of(context)
    who = f"{privacy.name(decision.name)} {privacy.sid(decision.student_id)}"
    if decision.approved:
        note = texts.t(lang, "review_done", who=who)
    else:
        note = texts.t(
            lang,
            "review_returned",
            who=who,
            reason=graduate_texts.reason_text(lang, code) if code else decision.reason,
        )
    edited = False
    if (
        card is not None and card.text and not _PROMPT.search(card.text)
    ):  # the report's card: note the decision on it
        try:
            await card.edit_text(card.text + "\n" + note)
            edited = True
        except TelegramError:
            log.debug("could not edit the review card")
    if not edited:
        await reply(update, note)
    if decision.graduate_chat is None:
        return
    glang = decision.graduate_language or context.services.settings.bot_language
    if decision.approved:
        text = texts.t(glang, "report_approved", destination=decision.raw)
    else:
        reason = graduate_texts.reason_text(glang, code) if code else (decision.reason or "")
        text = texts.t(glang, "report_returned", reason=reason)
    try:
        await context.bot.send_message(decision.graduate_chat, text)
    except TelegramError as problem:  # blocked, or never pressed Start: the decision stands
        log.info("could not tell graduate of report %s: %s", decision.report_id, problem)


class _ReasonReply(filters.MessageFilter):
    """A reply to the bot's "reason?" prompt: its last words are the report number."""

    def filter(self, message: Message) -> bool:
        prompt = message.reply_to_message
        return bool(
            prompt
            and prompt.from_user
            and prompt.from_user.is_bot
            and prompt.text
            and _PROMPT.search(prompt.text)
        )


@registered
async def reason_reply(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    found = _PROMPT.search(message.reply_to_message.text or "")
    report_id = ascii_int(found.group(1)) if found else None
    if report_id is None or not is_private(update):
        return
    decision = await off_loop(context.services.review.give_back, actor, report_id, message.text or "")
    await _settled(update, context, lang, decision, None, None)


async def tell_superseded(context: BotContext, chats: list[tuple[int, str | None]]) -> None:
    """Graduates whose pending report a staff update closed."""
    for chat, language in chats:
        try:
            await context.bot.send_message(
                chat, texts.t(language or context.services.settings.bot_language, "report_superseded")
            )
        except TelegramError as problem:
            log.info("could not tell graduate %s their report was superseded: %s", chat, problem)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("review", review),
        CallbackQueryHandler(review_button, pattern=r"^rv:"),
    ]


def reply_handler() -> BaseHandler:
    """Before the plain-text update handler: a reply to a reason prompt is a reason, not an update."""
    return MessageHandler(
        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & filters.REPLY & _ReasonReply(),
        reason_reply,
    )
