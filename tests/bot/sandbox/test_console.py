"""`placement-bot console` (bot.sandbox.console): lines typed as a demo user reach the real bot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sandbox.console import run_console


def test_console_sends_typed_lines_and_prints_replies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed: Iterator[str] = iter(["/rate", ""])  # an empty line quits
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr("builtins.input", fake_input)
    assert run_console("head", size=300) == 0
    out = capsys.readouterr().out
    assert "You are " in out and "(head)" in out
    assert "bot ◀ " in out and "毕业去向落实率" in out  # the /rate answer, printed
    assert len(prompts) == 2 and all(p.endswith(" ▶ ") for p in prompts)


def test_console_quits_on_end_of_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def eof(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", eof)
    assert run_console("counsellor", size=300) == 0
    assert "bot ◀" not in capsys.readouterr().out
