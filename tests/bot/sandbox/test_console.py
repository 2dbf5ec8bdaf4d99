"""`placement-bot console` (bot.sandbox.console): lines typed as a demo user reach the real bot;
buttons are pressable by number, the block form is typable, blank lines do not quit."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.cli import main
from bot.sandbox.console import run_console


def typing(monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> list[str]:
    """Feed `lines` to the console as if typed; end of input after the last. Returns the prompts."""
    typed: Iterator[str] = iter(lines)
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    return prompts


def test_console_sends_typed_lines_presses_buttons_and_takes_the_block_form(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = typing(
        monkeypatch,
        [
            "/rate",
            "",  # a blank line does not quit
            "/unplaced",
            "[1]",  # the ▶ under the list: page 2, by editing the message
            "!99",  # no such button
            "<<<",  # the block form: blank lines inside one message
            "学号：0000000001",
            "去向：求职中",
            "",
            "学号：0000000002",
            "去向：升学",
            "学校：聊城大学",
            ">>>",
            "/quit",
            "/rate",  # never sent: /quit ended the session
        ],
    )
    assert run_console("admin", size=300) == 0
    out = capsys.readouterr().out
    assert "(admin)" in out or "（admin）" in out
    assert out.count("毕业去向落实率：") == 1, out  # /rate answered once: not after /quit
    first_page = re.search(r"第 1/(\d+) 页", out)
    assert first_page and int(first_page.group(1)) >= 2, out
    assert "[1] ▶" in out, out
    assert "（已更新）全校 · 未落实" in out and "第 2/" in out, out  # the press edited the list
    assert "（没有这个按钮）" in out
    # both blocks reached the bot as one message of two blocks (unknown 学号 here: two rejections)
    assert "未通过 2 条" in out, out
    assert prompts.count("… ") == 7  # the block's lines were read as one message
    assert len([p for p in prompts if p.endswith(" ▶ ")]) == 7  # and nothing after /quit


def test_console_in_english(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    typing(monkeypatch, ["/rate", "/rate 护", "[1]"])  # a scope choice, answered by pressing its button
    assert run_console("head", size=300, lang="en") == 0
    out = capsys.readouterr().out
    assert "Type messages" in out and "[1] department: 护理学院" in out, out
    assert out.count("Placement rate (毕业去向落实率):") == 2, out
    assert "已落实" not in out


def test_console_quits_on_end_of_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    typing(monkeypatch, [])
    assert run_console("counsellor", size=300) == 0
    assert "bot ◀" not in capsys.readouterr().out


def test_console_refuses_db_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["console", "--db", "sqlite:///elsewhere.db", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: console runs on its own temporary demo database and does not take --db"), err
