"""``placement-bot run`` with Telegram's rate limiter off: the bot's own cost, not Telegram's ceiling.

    python -m bench.bot_unlimited [run arguments...]

Everything else is the real CLI's ``run`` (settings from the environment, same wiring): only the
``rate_limit`` default of ``build_application`` is switched off before the CLI builds the bot.
"""

from __future__ import annotations

import functools
import sys

import bot.application
from bot import cli


def main() -> int:
    bot.application.build_application = functools.partial(  # type: ignore[assignment]
        bot.application.build_application, rate_limit=False
    )
    return cli.main(["run", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
