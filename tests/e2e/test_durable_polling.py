"""A crash loses nothing in polling mode: `placement-bot run` (as installed) is SIGKILLed mid-burst
and restarted; every update message is applied exactly once and answered (product.md §9)."""

from __future__ import annotations

import time
from pathlib import Path

from bot.sandbox.emulator import BotApiEmulator
from tests.e2e.workers import (
    LI,
    PER_COUNSELLOR,
    TOKEN,
    WANG,
    bot_env,
    counts,
    refused_once,
    seed,
    start_bot,
    student,
    wait_until,
)

APPLIED = "已更新 1 条"
DUPLICATE = "已经处理过"


def answers(emu: BotApiEmulator, chat: int) -> list[str]:
    return [m.text or "" for m in emu.messages_to(chat)]


def test_sigkill_mid_burst_loses_and_doubles_nothing(db_url: str, tmp_path: Path) -> None:
    seed(db_url)
    with BotApiEmulator(token=TOKEN) as emu:
        # A lease far longer than the test: the restarted process must replay the killed one's
        # claims at start (SQLite: all of them; PostgreSQL: a dead process on this host), not wait.
        env = bot_env(db_url, emu, INBOX_LEASE_SECONDS="600")
        bot = start_bot(env, tmp_path)
        wait_until(lambda: emu.my_commands() != [], 60, "the bot to start", bot.output)
        # The answer to WANG's first message is refused with "retry after 600 s": the bot sleeps on
        # it, holding WANG's chat — so the kill lands mid-burst however fast or slow the machine is.
        emu.fail_next(WANG, status=429, retry_after=600)
        for i in range(PER_COUNSELLOR):  # interleaved, as two people typing at once
            for counsellor in (WANG, LI):
                emu.send_text(counsellor, f"{student(counsellor, i)} 签劳动合同 单位{i}")
        wait_until(lambda: refused_once(emu, WANG), 300, "the answer to WANG's first message to be refused", bot.output)
        bot.kill()
        before = counts(db_url)
        answered_before = len(answers(emu, WANG)) + len(answers(emu, LI))
        assert answers(emu, WANG) == [] and before.batches < 2 * PER_COUNSELLOR  # killed mid-burst

        restarted = start_bot(env, tmp_path)
        try:
            wait_until(
                lambda: counts(db_url).batches == 2 * PER_COUNSELLOR
                and all(sum(APPLIED in a or DUPLICATE in a for a in answers(emu, c)) >= PER_COUNSELLOR for c in (WANG, LI)),
                300,
                "every message applied and answered after the restart",
                lambda: f"{counts(db_url)}\n{restarted.output()[-3000:]}",
            )
        finally:
            restarted.stop()
        after = counts(db_url)
        assert after.entries == 2 * PER_COUNSELLOR  # one history entry per message: nothing lost, nothing doubled
        assert len(set(after.batch_keys)) == len(after.batch_keys) == 2 * PER_COUNSELLOR
        assert after.inbox == {"done": 2 * PER_COUNSELLOR}
        for counsellor in (WANG, LI):
            replies = answers(emu, counsellor)
            applied = sum(APPLIED in a for a in replies)
            duplicates = sum(DUPLICATE in a for a in replies)
            # Each message got its own answer; a message whose answer was cut off by the kill is
            # answered on replay ("already processed, nothing recorded twice").
            assert applied + duplicates >= PER_COUNSELLOR, replies
            assert applied <= PER_COUNSELLOR
            assert applied + duplicates == len(replies), replies  # every answer is one of these two
        wang = answers(emu, WANG)  # its first message was applied before the kill, answered on replay
        assert (sum(APPLIED in a for a in wang), sum(DUPLICATE in a for a in wang)) == (PER_COUNSELLOR - 1, 1), wang
        assert "Traceback" not in restarted.output()
        print(f"before the kill: {before.batches} applied, {answered_before} answered; "
              f"replayed on restart: {2 * PER_COUNSELLOR - before.batches}")


def test_receiver_and_processor_roles_split_the_work(db_url: str, tmp_path: Path) -> None:
    """WORKER_ROLE=receiver only stores updates; WORKER_ROLE=processor only processes and answers."""
    seed(db_url)
    with BotApiEmulator(token=TOKEN) as emu:
        receiver = start_bot(bot_env(db_url, emu, WORKER_ROLE="receiver"), tmp_path, name="receiver")
        processor = None
        try:
            for i in range(10):
                emu.send_text(WANG, f"{student(WANG, i)} 签劳动合同 单位{i}")
            wait_until(lambda: counts(db_url).inbox.get("pending") == 10, 60, "the receiver to store", receiver.output)
            time.sleep(1.0)
            assert answers(emu, WANG) == [] and counts(db_url).batches == 0  # stored, not processed
            assert emu.pending_updates == 0  # confirmed to Telegram: they are safe in the inbox
            processor = start_bot(bot_env(db_url, emu, WORKER_ROLE="processor"), tmp_path, name="processor")
            wait_until(lambda: counts(db_url).inbox == {"done": 10}, 60, "the processor", processor.output)
            assert sum(APPLIED in a for a in answers(emu, WANG)) == 10
        finally:
            receiver.stop()
            if processor is not None:
                processor.stop()
        assert "worker" in receiver.output() and "running as receiver" in receiver.output()
        assert "running as processor" in processor.output()  # type: ignore[union-attr]
