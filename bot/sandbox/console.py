"""`placement-bot console`: type as a demo user and read the real bot's replies (offline, emulator).

Each line typed is one message. Inline buttons under a reply are printed numbered (`[1] ▶`);
typing `[1]` or `!1` presses one (a callback query through the emulator, as Telegram would send
it). A message of several lines — the block form, blank lines included — goes between a line
`<<<` and a line `>>>`; `\\n` inside a line is a line break too. Blank lines are ignored; `/quit` or
end of input (Ctrl-D) quits.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.sandbox.demo import DemoWorld, demo_world
from bot.sandbox.emulator import SentMessage

QUIT = "/quit"
BLOCK, BLOCK_END = "<<<", ">>>"
PRESS = re.compile(r"^\s*(?:\[(\d+)\]|!(\d+))\s*$")
CLIENT_LANGUAGE = {"zh": "zh-hans", "en": "en"}
REPLY_TIMEOUT = 30.0
SETTLE_SECONDS = 0.3  # a reply may come in several parts


class Console:
    """One typing session: what was printed, and which number presses which button."""

    def __init__(self, world: DemoWorld, role: str, lang: str, read: Callable[[str], str]) -> None:
        self.world = world
        self.user_id, self.name = world.users[role]
        self.language_code = CLIENT_LANGUAGE[lang]
        self.lang = lang
        self.read = read
        self.buttons: dict[int, tuple[SentMessage, str]] = {}

    def banner(self) -> str:
        if self.lang == "en":
            return (
                f"You are {self.name} ({self.role_word()}). Type messages or commands; [N] or !N presses button N; "
                f"{BLOCK} … {BLOCK_END} sends a message of several lines; {QUIT} or Ctrl-D quits."
            )
        return (
            f"您是 {self.name}（{self.role_word()}）。输入消息或命令；[N] 或 !N 按下第 N 个按钮；"
            f"{BLOCK} … {BLOCK_END} 之间是一条多行消息；{QUIT} 或 Ctrl-D 退出。"
        )

    def role_word(self) -> str:
        return next(role for role, (uid, _) in self.world.users.items() if uid == self.user_id)

    async def ask(self, prompt: str) -> str | None:
        try:
            return await asyncio.to_thread(self.read, prompt)
        except EOFError:
            return None

    async def run(self) -> None:
        print(self.banner())
        prompt = f"{self.name} ▶ "
        while True:
            line = await self.ask(prompt)
            if line is None or line.strip() == QUIT:
                break
            if not line.strip():
                continue  # a blank line is not the end: the block form has them
            if line.strip() == BLOCK:
                text = await self.block()
                if text is None:
                    break
                if text.strip():
                    await self.send(text)
                continue
            pressed = PRESS.match(line)
            if pressed:
                await self.press(int(pressed.group(1) or pressed.group(2)))
                continue
            await self.send(line.replace("\\n", "\n"))

    async def block(self) -> str | None:
        """Lines up to the closing `>>>`, blank ones included; None at end of input."""
        lines: list[str] = []
        while True:
            line = await self.ask("… ")
            if line is None:
                return None
            if line.strip() == BLOCK_END:
                return "\n".join(lines)
            lines.append(line)

    async def send(self, text: str) -> None:
        emu = self.world.emu
        since, answered = emu.mark(self.user_id), len(emu.callback_answers)
        emu.send_text(self.user_id, text, first_name=self.name, language_code=self.language_code)
        await self.show(since, answered)

    async def press(self, number: int) -> None:
        if number not in self.buttons:
            print("(no such button)" if self.lang == "en" else "（没有这个按钮）")
            return
        message, data = self.buttons[number]
        emu = self.world.emu
        since, answered = emu.mark(self.user_id), len(emu.callback_answers)
        emu.press_button(self.user_id, message, data, language_code=self.language_code, first_name=self.name)
        await self.show(since, answered)

    async def show(self, since: int, answered: int) -> None:
        """Print what the bot sent, edited or answered (a button's notice) since the input."""
        emu = self.world.emu
        waited = 0.0
        while waited < REPLY_TIMEOUT and len(emu.messages_to(self.user_id)) <= since and len(emu.callback_answers) <= answered:
            await asyncio.sleep(0.05)
            waited += 0.05
        await asyncio.sleep(SETTLE_SECONDS)
        for notice in emu.callback_answers[answered:]:
            if notice.get("text"):
                print("bot ◀ (" + str(notice["text"]) + ")")
        for answer in emu.messages_to(self.user_id)[since:]:
            print(self.render(answer))

    def render(self, answer: SentMessage) -> str:
        text = answer.text or ""
        if answer.method not in ("sendMessage", "editMessageText"):
            text = f"[{answer.method}{' ' + answer.file_name if answer.file_name else ''}] {text}".rstrip()
        elif answer.method == "editMessageText":
            text = ("(edited) " if self.lang == "en" else "（已更新）") + text
        labels = []
        for label, data in answer.buttons:
            if data is None:
                continue
            number = len(self.buttons) + 1
            self.buttons[number] = (answer, data)
            labels.append(f"[{number}] {label}")
        if labels:
            text += "\n" + "   ".join(labels)
        return "bot ◀ " + text.replace("\n", "\n      ")


def run_console(role: str, size: int = 3000, lang: str = "zh", read: Callable[[str], str] | None = None) -> int:
    """Type as a demo user; each message is sent to the bot and its replies are printed."""
    logging.getLogger().setLevel(logging.WARNING)
    reader = read or input
    with tempfile.TemporaryDirectory(prefix="placement-console-") as tmp:

        async def main() -> None:
            async with demo_world(Path(tmp), size) as world:
                await Console(world, role, lang, reader).run()

        asyncio.run(main())
    sys.stdout.flush()
    return 0
