"""Which claimants count as dead at start, and the webhook settings check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.intake import Webhook, dead_claimants, validate_webhook, worker_name
from tests.conftest import make_settings


def test_dead_claimants_are_gone_processes_on_this_host() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    gone, me, parent = worker_name(child.pid), worker_name(), worker_name(os.getppid())
    assert dead_claimants([gone, me, parent, "other-host:1234", "garbage"]) == [gone, me]


@pytest.mark.parametrize(
    ("secret", "url", "problem"),
    [
        (None, "https://x.org/hook", "WEBHOOK_SECRET is not set"),
        ("has space", "https://x.org/hook", "WEBHOOK_SECRET must be"),
        ("x" * 257, "https://x.org/hook", "WEBHOOK_SECRET must be"),
        ("good_Secret-1", "x.org/hook", "--webhook-url must be"),
    ],
)
def test_webhook_settings_are_checked(secret: str | None, url: str, problem: str) -> None:
    settings = make_settings("sqlite://", webhook_secret=secret)
    with pytest.raises(ValueError, match=problem):
        validate_webhook(Webhook(url, "127.0.0.1", 8443), settings)


def test_webhook_path_is_the_urls_path() -> None:
    assert Webhook("https://bot.example.edu/tg/hook", "127.0.0.1", 1).path == "/tg/hook"
    assert Webhook("https://bot.example.edu", "127.0.0.1", 1).path == "/"
    assert validate_webhook(Webhook("https://a.b/c", "::1", 1), make_settings("sqlite://", webhook_secret="ok_1")) == "ok_1"


async def test_an_update_that_killed_the_worker_three_times_is_parked_and_its_sender_told() -> None:
    """A poisoned update (say, a file that crashes the process) must not take the bot down at
    every start: the 4th claim parks it instead of feeding it to the bot, and tells the chat once."""
    import json

    from bot.intake import MAX_ATTEMPTS, POISONED_REPLY, Dispatcher
    from storage import inbox

    class FakeBot:
        def __init__(self) -> None:
            self.sent: list[tuple[int, str]] = []

        async def send_message(self, chat_id: int, text: str) -> None:
            self.sent.append((chat_id, text))

    class FakeApplication:
        def __init__(self) -> None:
            self.bot = FakeBot()
            self.processed: list[int] = []

        async def process_update(self, update: object) -> None:
            self.processed.append(update.update_id)  # type: ignore[attr-defined]

    payload = json.dumps({"update_id": 7, "message": {"message_id": 1, "date": 0, "chat": {"id": 3001, "type": "private"},
                                                       "from": {"id": 3001, "is_bot": False, "first_name": "王"}, "text": "hi"}})
    app = FakeApplication()
    dispatcher = Dispatcher(app, None, make_settings("sqlite://"))  # type: ignore[arg-type]
    await dispatcher._process(inbox.Claimed(id=1, update_id=7, chat_key=3001, payload=payload, attempts=MAX_ATTEMPTS))
    assert app.processed == [7] and app.bot.sent == []  # the last allowed attempt still runs
    await dispatcher._process(inbox.Claimed(id=2, update_id=7, chat_key=3001, payload=payload, attempts=MAX_ATTEMPTS + 1))
    assert app.processed == [7] and app.bot.sent == [(3001, POISONED_REPLY)]
    assert dispatcher._finished == [1, 2]  # both marked done with the next claim
