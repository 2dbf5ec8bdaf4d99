"""Imports that follow modules while they move: the emulator and the cohort generator are on their
way from ``bot/`` to ``bot/sandbox/``; the benches work with either layout."""

from __future__ import annotations

try:
    from bot.sandbox.emulator import BotApiEmulator, SentMessage
except ImportError:  # before the move
    from bot.emulator import BotApiEmulator, SentMessage  # type: ignore[no-redef]

try:
    from bot.sandbox.cohort_gen import GenCohort, GenEvent, generate_cohort
except ImportError:  # before the move
    from bot.cohort_gen import GenCohort, GenEvent, generate_cohort  # type: ignore[no-redef]

__all__ = ["BotApiEmulator", "GenCohort", "GenEvent", "SentMessage", "generate_cohort"]
