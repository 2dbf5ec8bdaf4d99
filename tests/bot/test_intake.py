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
