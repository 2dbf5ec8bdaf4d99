"""Administration: roster `/import` (a file with that caption) and `/alias`."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import texts
from bot.roster import MAX_BYTES, RosterError
from bot.sanitize import caption_year
from bot.services import Action, Actor, policy
from handlers.common import (
    BotContext,
    args_of,
    is_private,
    off_loop,
    off_loop_long,
    privacy_of,
    registered,
    reply,
)


@registered
async def import_roster(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """`/import` as the caption of a .csv/.xlsx (admin, private chat). Flags: --dry-run --prune, a year."""
    message = update.effective_message
    if message is None:
        return
    if not policy.allows(actor, Action.IMPORT_ROSTER):  # before downloading anything
        await reply(update, texts.t(lang, "import_admin_only"))
        return
    document = message.document
    if document is None or not is_private(update):
        await reply(update, texts.t(lang, "import_usage"))
        return
    name = document.file_name or ""
    if not name.lower().endswith((".csv", ".xlsx")):
        await reply(update, texts.t(lang, "file_type"))
        return
    if (document.file_size or 0) > MAX_BYTES:
        await reply(update, texts.t(lang, "file_too_large"))
        return
    words = (message.caption or "").split()[1:]
    if any(any(ch.isdigit() for ch in w) and caption_year(w) is None for w in words):  # "²⁰²³", "١٢"
        await reply(update, texts.t(lang, "import_usage"))
        return
    cohort = next((y for w in words if (y := caption_year(w)) is not None), None)
    data = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        result = await off_loop_long(
            context.services.roster.import_roster,
            data,
            name,
            cohort=cohort,
            dry_run="--dry-run" in words,
            prune="--prune" in words,
            actor=actor,
        )
    except RosterError as problem:  # too large, or not a readable .csv/.xlsx: it says which
        await reply(update, problem.message(lang))
        return
    await reply(update, texts.render_import(lang, result, privacy_of(context)))


@registered
async def import_command(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    key = "import_usage" if policy.allows(actor, Action.IMPORT_ROSTER) else "import_admin_only"
    await reply(update, texts.t(lang, key))


@registered
async def alias(update: Update, context: BotContext, actor: Actor, lang: str) -> None:
    """`/alias` lists aliases; `/alias nursing = 护理` sets one (admin)."""
    questions = context.services.questions
    text = " ".join(args_of(context))
    if not text:
        known = await off_loop(questions.aliases)
        if not known:
            await reply(update, texts.t(lang, "no_aliases"))
            return
        lines = [texts.t(lang, "alias_list")] + [f"{a} → {v}" for a, (_, v) in sorted(known.items())]
        await reply(update, "\n".join(lines))
        return
    for sep in ("=", "＝", "→"):
        name, found, target = text.partition(sep)
        if found:
            break
    else:
        await reply(update, texts.t(lang, "alias_usage"))
        return
    if not name.strip() or not target.strip():
        await reply(update, texts.t(lang, "alias_usage"))
        return
    scope = await off_loop(questions.add_alias, actor, name.strip(), target.strip())
    await reply(update, texts.t(lang, "alias_set", alias=name.strip(), target=scope.value))


def handlers() -> list[BaseHandler]:
    return [
        MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/import(@\w+)?(\s|$)"), import_roster),
        CommandHandler("import", import_command),
        CommandHandler("alias", alias),
    ]
