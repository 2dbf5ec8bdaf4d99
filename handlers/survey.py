"""/survey for staff (open, remind, close, figures) and the graduates' survey buttons (`sv:…`)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import survey_texts, texts
from bot.services import Actor, Ambiguous, ServiceError, Services
from bot.services.graduates import GraduateIdentity
from bot.services.survey import Invitation
from handlers import graduates
from handlers.common import BotContext, args_of, language_for, off_loop, off_loop_long, registered, reply
from jobs.delivery import Throttle
from jobs.survey import keyboard, send_invitations

log = logging.getLogger(__name__)

VERBS = {
    "open": "open",
    "开启": "open",
    "remind": "remind",
    "提醒": "remind",
    "close": "close",
    "结束": "close",
}


@registered
async def survey(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    args = args_of(context)
    verb = VERBS.get(args[0].lower()) if args else None
    services = context.services
    if verb == "close":
        year = await off_loop(services.survey.close, actor, args[1:])
        await reply(update, survey_texts.say(lang, "closed_staff", cohort=year))
        return
    if verb in ("open", "remind"):
        run = services.survey.remind if verb == "remind" else services.survey.open
        invitation = await off_loop(run, actor, args[1:], lang)
        if isinstance(invitation, Ambiguous):
            await reply(update, texts.t(lang, "unknown_scope", scope=invitation.text))
            return
        await _send(update, context, invitation, lang, remind=verb == "remind")
        return
    figures = await off_loop_long(services.survey.figures, actor, args, lang)
    if isinstance(figures, Ambiguous):
        await reply(update, texts.t(lang, "unknown_scope", scope=figures.text))
        return
    await reply(update, survey_texts.render_figures(lang, figures))


async def _send(
    update: Update, context: BotContext, invitation: Invitation, lang: str, *, remind: bool
) -> None:
    common = {"unbound": invitation.unbound, "completed": invitation.completed, "skipped": invitation.skipped}
    if not invitation.invitees:
        await reply(
            update,
            survey_texts.say(
                lang, "nobody", scope=invitation.scope_label, in_scope=invitation.in_scope, **common
            ),
        )
        return
    what = survey_texts.say(lang, "what_remind" if remind else "what_invite")
    await reply(
        update,
        survey_texts.say(
            lang, "sending", n=len(invitation.invitees), what=what, scope=invitation.scope_label
        ),
    )
    shared = context.bot_data
    if shared.survey_throttle is None:  # one throttle for every survey send, beside the digests' own
        shared.survey_throttle = Throttle(per_second=28)  # under PTB's AIORateLimiter (30/s overall for every send)
    bot = context.bot
    settings = context.services.settings

    async def run() -> None:
        try:
            report = await send_invitations(
                bot, context.services.survey, invitation, remind=remind, default_language=settings.bot_language,
                throttle=shared.survey_throttle,
            )  # fmt: skip
            await reply(
                update, survey_texts.invitation_report(lang, dict(report.outcomes), remind=remind, **common)
            )
        except Exception:
            log.exception("sending survey invitations failed")
            await reply(update, texts.t(lang, "error"))

    # Thousands of invitations take minutes at Telegram's ceiling: the sender answers other updates meanwhile.
    context.application.create_task(
        run(), update=update, name=f"survey-{invitation.survey_id}-{'remind' if remind else 'open'}"
    )


async def press(update: Update, context: BotContext) -> None:
    """A survey button. Who pressed decides whose answers change: the service looks up the
    presser's binding; the button's data only says which screen it was drawn for."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    services = context.services
    lang = language_for(update, None, services.settings.bot_language)
    parsed = survey_texts.parse_data(query.data if isinstance(query.data, str) else "")
    if parsed is None:
        await query.answer(texts.t(lang, "button_expired"))
        return
    survey_id, version, action, option = parsed
    try:
        screen = await off_loop(services.survey.press, user.id, survey_id, version, action, option)
    except ServiceError as refusal:
        await query.answer(texts.t(lang, refusal.key, **refusal.params), show_alert=True)
        return
    text, rows = survey_texts.screen(lang, screen)
    markup = keyboard(rows)
    message = query.message
    if action == "g":  # 开始 / 填写问卷: the questions in a message of their own, in the presser's own chat
        await query.answer()
        await context.bot.send_message(user.id, text, reply_markup=markup)
        return
    if message is None or message.chat.id != user.id:  # a button from someone else's chat: touch nothing there
        await query.answer(text[:200], show_alert=True)
        return
    limit = screen.question.max_choices if screen.question is not None else None
    await query.answer(survey_texts.say(lang, screen.notice, max=limit or "") if screen.notice and not screen.final else None)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:  # the same screen again (a repeated press): nothing to change
        if "not modified" not in error.message.lower():
            raise


async def _chart_action(update: Update) -> None:
    chat = update.effective_chat
    if chat is not None:
        await chat.send_action(ChatAction.UPLOAD_PHOTO)


async def answer_chart(update: Update, context: BotContext, actor: Actor, lang: str, args: list[str]) -> None:
    """`/chart survey [question] [scope]`: the answers to one question, or every scale's satisfied share."""
    await _chart_action(update)
    picture = await off_loop_long(context.services.survey.chart, actor, args, lang)
    if isinstance(picture, Ambiguous):
        await reply(update, texts.t(lang, "unknown_scope", scope=picture.text))
        return
    chat = update.effective_chat
    assert chat is not None
    await chat.send_photo(picture.png, caption=picture.caption, filename=picture.file_name)


def card_button(services: Services, identity: GraduateIdentity, lang: str) -> list[tuple[str, str]]:
    """`填写问卷` on a graduate's /me card while their cohort's survey is open and not yet submitted."""
    if services.survey.open_survey_for(identity.telegram_id) is None:
        return []
    return [(survey_texts.say(lang, "fill"), survey_texts.START_DATA)]


def handlers() -> list[BaseHandler]:
    # A bound graduate's updates are served by handlers.graduates' router; it leaves `sv:` buttons to
    # `press` (which checks the presser's binding itself) and shows `填写问卷` through its card hook.
    graduates.PASS_THROUGH_PREFIXES.add("sv:")
    if card_button not in graduates.CARD_BUTTONS:
        graduates.CARD_BUTTONS.append(card_button)
    # The button handler must come before the catch-all scope-choice handler of handlers.asking.
    return [CommandHandler("survey", survey), CallbackQueryHandler(press, pattern=r"^sv:")]


__all__ = ["answer_chart", "handlers"]
