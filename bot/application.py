"""The one place where the bot is wired: `build_application()` assembles PTB's Application.

All handlers live in group 0, where the first match wins, so order matters: commands and buttons,
then the /import file handler (before the generic file handler), then plain-text updates.
"""

from __future__ import annotations

import asyncio
import html
import logging
import traceback
from types import MappingProxyType

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, Defaults

from bot import texts
from bot.services import Services
from bot.settings import Settings
from bot.update_processor import ChatOrderedUpdateProcessor
from handlers import (
    admin,
    asking,
    channels,
    checks,
    confirm,
    digests,
    graduates,
    kpi,
    materials,
    outputs,
    registration,
    review,
    survey,
    updates,
)
from handlers.common import CONTEXT_TYPES, BotApplication, BotContext, language_for, reply
from handlers.menus import Menus
from jobs.channels.delivery import channel_deliverer
from jobs.channels.service import ChannelService
from jobs.delivery import DigestDeliverer, DigestService, Throttle

log = logging.getLogger(__name__)

# Enough for slow work (charts, imports) not to hold up other chats; more only adds contention in
# httpx's connection pool and the database on a small machine.
MAX_CONCURRENT_UPDATES = 16

def quiet_http_logs() -> None:
    """httpx logs every request URL at INFO, and the URL contains the bot token."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


async def _post_init(application: BotApplication) -> None:
    shared = application.bot_data
    if shared.menus is not None:  # every user's command menu, paced, in the background
        shared.menus.sync_task = asyncio.create_task(_sync_menus(shared.menus, shared.services))
    # Load the snapshot store in the background: the first question need not wait for it, and one
    # that comes meanwhile is answered from the same (thread-safe) store.
    application.bot_data.warming = asyncio.create_task(asyncio.to_thread(_warm, application.bot_data.services))


async def _sync_menus(menus: Menus, services: Services) -> None:
    try:
        await menus.sync_all(await asyncio.to_thread(services.access.active_actors))
    except Exception:  # menus are a convenience: the bot answers without them
        log.exception("setting the command menus failed")


async def _post_shutdown(application: BotApplication) -> None:
    if application.bot_data.menus is not None:
        await application.bot_data.menus.close()


def _warm(services: Services) -> None:
    try:
        services.warm()
    except Exception:  # a cold store still answers, only slower
        log.exception("warming the snapshot store failed")


def schedule_digests(application: BotApplication) -> None:
    """One repeating tick asks the database what is due: schedules and delivery state live there,
    so a restart catches up on a missed digest (the first tick runs at once) and never repeats one."""
    shared = application.bot_data
    deliverer = DigestDeliverer(application.bot, shared.digests, shared.throttle)
    shared.deliverer = deliverer
    robots = channel_deliverer(shared.channels, shared.digests)

    async def tick(context: BotContext) -> None:
        if deliverer.busy.locked():  # the previous round is still sending
            return
        try:
            await deliverer.run()
        except Exception:
            log.exception("digest tick failed")
        if not robots.busy.locked():
            try:
                await robots.run()  # group robots of the same slot (product.md §6)
            except Exception:
                log.exception("group robot digest tick failed")

    assert application.job_queue is not None
    application.job_queue.run_repeating(
        tick,
        interval=shared.services.settings.digest_tick_seconds,
        first=0.5,
        name="digest-tick",
        job_kwargs={"misfire_grace_time": 60, "coalesce": True, "max_instances": 2, "id": "digest-tick", "replace_existing": True},
    )


async def on_error(update: object, context: BotContext) -> None:
    """Log the traceback; tell the user once that something went wrong."""
    error = context.error
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__)) if error else ""
    log.error("unhandled error while processing an update\n%s", trace)
    if isinstance(update, Update) and update.effective_chat is not None:
        lang = language_for(update, None, context.services.settings.bot_language)
        if update.callback_query is not None:
            try:
                await update.callback_query.answer()
            except Exception:  # it may have been answered already
                log.debug("callback query already answered")
        try:
            await reply(update, texts.t(lang, "error"))
        except Exception:  # the error may be Telegram itself being unreachable
            log.warning("could not tell the user about the error: %s", html.escape(repr(error)))


def build_application(settings: Settings, services: Services, *, rate_limit: bool = True) -> BotApplication:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    quiet_http_logs()
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .defaults(Defaults(tzinfo=settings.tz))
        .concurrent_updates(ChatOrderedUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .connection_pool_size(MAX_CONCURRENT_UPDATES + 4)
        .get_updates_connection_pool_size(2)
        .context_types(CONTEXT_TYPES)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application: BotApplication = builder.build()  # type: ignore[assignment]
    shared = application.bot_data
    shared.services = services
    shared.digests = DigestService(services)
    shared.channels = ChannelService(services)
    shared.menus = Menus(application.bot, settings.bot_language)
    shared.throttle = Throttle()  # one sending budget for digests and broadcasts
    shared.answerers = MappingProxyType({**asking.ANSWERERS, "chart": outputs.answer_chart, "check": checks.answer_check})

    application.add_handler(kpi.confirm_handler(), group=0)  # before asking's catch-all button handler
    # §10: staff's graduate commands and buttons come before asking's catch-all button handler
    for handler in (
        *survey.handlers(),  # its `sv:` buttons before the catch-all button handler of asking
        *registration.handlers(), *updates.button_handlers(), *graduates.handlers(), *review.handlers(),
        *confirm.handlers(), *materials.handlers(), *checks.handlers(), *asking.handlers(), *outputs.handlers(),
        *digests.handlers(), *kpi.handlers(),
        *admin.handlers(), *channels.handlers(),
    ):
        application.add_handler(handler, group=0)
    for handler in (review.reply_handler(), *updates.handlers(), materials.file_handler(), updates.file_handler()):
        application.add_handler(handler, group=0)
    application.add_handler(registration.unknown_command_handler(), group=0)  # last: a command nobody took
    application.add_handler(updates.edited_command_handler(), group=-1)  # before any command handler
    application.add_handler(graduates.router(), group=-2)  # a bound graduate's updates never reach staff handlers
    application.add_error_handler(on_error)
    if settings.digests_enabled:
        schedule_digests(application)  # jobs start with application.start(), however the bot is run
    return application
