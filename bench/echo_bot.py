"""The floor as a process: a bare PTB echo bot, polling like the placement bot, no database.

    python -m bench.echo_bot [--rate-limit]

Reads ``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_BASE_URL`` and ``TELEGRAM_FILE_BASE_URL`` from the
environment (as ``placement-bot run`` does) and answers every text with itself, with the same update
concurrency and connection pools as the placement bot, so that its throughput, round trip, start-up
time and peak RSS are what PTB + HTTP + the emulator cost before the bot does any work.
"""

from __future__ import annotations

import argparse
import logging
import os

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

CONCURRENT_UPDATES = 16  # as bot.application.MAX_CONCURRENT_UPDATES


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text[:4000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate-limit", action="store_true", help="PTB's AIORateLimiter, as the bot uses")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .base_file_url(os.environ["TELEGRAM_FILE_BASE_URL"])
        .concurrent_updates(CONCURRENT_UPDATES)
        .connection_pool_size(CONCURRENT_UPDATES + 4)
        .get_updates_connection_pool_size(2)
    )
    if args.rate_limit:
        builder = builder.rate_limiter(AIORateLimiter())
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
