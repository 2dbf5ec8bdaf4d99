"""/chart (a PNG photo), /export (.xlsx) and /report (.docx draft and .xlsx). Rendering runs off the event loop."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatAction
from telegram.ext import BaseHandler, CommandHandler

from bot import texts
from bot.services import Actor, Ambiguous
from bot.services.outputs import ReportFiles
from handlers import survey
from handlers.asking import offer_choices
from handlers.common import BotContext, args_of, off_loop_long, registered, reply

SURVEY_WORDS = frozenset({"survey", "问卷", "调查"})  # /chart survey [question]: handlers/survey.py


async def answer_chart(update: Update, context: BotContext, actor: Actor, lang: str, args: list[str]) -> None:
    if not args:
        await reply(update, texts.t(lang, "chart_usage"))
        return
    if args[0].lower() in SURVEY_WORDS:
        await survey.answer_chart(update, context, actor, lang, args[1:])
        return
    chat = update.effective_chat
    assert chat is not None
    await chat.send_action(ChatAction.UPLOAD_PHOTO)
    picture = await off_loop_long(context.services.outputs.chart, actor, args[0], args[1:], lang)
    if isinstance(picture, Ambiguous):
        await offer_choices(update, context, lang, "chart", picture, [args[0], *[a for a in args[1:] if any(c.isdigit() for c in a)]])
        return
    await chat.send_photo(picture.png, caption=picture.caption, filename=picture.file_name)


@registered
async def chart(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    await answer_chart(update, context, actor, lang, args_of(context))


async def _send_workbook(update: Update, context: BotContext, actor: Actor, lang: str, kind: str) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_action(ChatAction.UPLOAD_DOCUMENT)
    outputs = context.services.outputs
    if kind == "export":
        built = await off_loop_long(outputs.export, actor, args_of(context), lang)
    else:
        built = await off_loop_long(outputs.report_files, actor, args_of(context), lang)
    if isinstance(built, Ambiguous):
        await reply(update, texts.t(lang, "unknown_scope", scope=built.text))
        return
    # /report: the Word draft, then the workbook of its tables (the last file, as before the draft)
    for document in (built.draft, built.workbook) if isinstance(built, ReportFiles) else (built,):
        await chat.send_document(document.data, filename=document.file_name, caption=document.caption[:1024])


@registered
async def export(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    await _send_workbook(update, context, actor, lang, "export")


@registered
async def report(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    await _send_workbook(update, context, actor, lang, "report")


def handlers() -> list[BaseHandler]:
    return [CommandHandler("chart", chart), CommandHandler("export", export), CommandHandler("report", report)]


__all__ = ["answer_chart", "handlers"]
