"""`placement-bot channel add|list|remove|test`: IDs printed, keys masked, bad input refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.services import Services
from storage.db import Database
from storage.schema import upgrade_database
from tests.conftest import make_settings
from tests.e2e.test_digests import setup_school_directly
from tests.jobs.fake_robots import FakeRobots

KEY = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
HOOK = "feishu-hook-0123456789abcdef"
SECRET = "feishu-secret-for-the-cli"


def test_channel_verbs(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROBOT_PRIVATE_HOSTS", "true")  # the fake robots listen on loopback
    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade_database(url)
    service = Services.build(Database.connect(url), make_settings(url))
    setup_school_directly(service)
    service.db.dispose()
    fake = FakeRobots(secrets={KEY: None, HOOK: SECRET}).start()
    try:
        assert main(["channel", "--db", url, "add", "护理学院", "wecom", fake.wecom_url(KEY)]) == 0
        out, err = capsys.readouterr()
        assert out.strip() == "1" and KEY not in out + err
        assert main(["channel", "--db", url, "add", "信息工程学院", "feishu", fake.feishu_url(HOOK), "--secret", SECRET]) == 0
        assert capsys.readouterr().out.strip() == "2"
        assert main(["channel", "--db", url, "list"]) == 0
        listing = capsys.readouterr().out
        assert "#1 护理学院 · 企业微信" in listing and "#2 信息工程学院 · 飞书 · 加签" in listing
        assert KEY not in listing and HOOK not in listing and SECRET not in listing and "****" in listing
        assert main(["channel", "--db", url, "test", "2"]) == 0
        assert "测试消息已送达" in capsys.readouterr().out
        assert fake.to(HOOK)[-1].body["msg_type"] == "text"  # signed, accepted by the fake's check
        fake.secrets[HOOK] = "rotated"
        assert main(["channel", "--db", url, "test", "2"]) == 1
        assert "19021" in capsys.readouterr().out
        assert main(["channel", "--db", url, "list"]) == 0
        assert "发送失败" in capsys.readouterr().out
        for bad, message in (
            (["add", "护理学院", "wecom", "file:///etc/passwd"], "只接受 http"),
            (["add", "护理学院", "wecom", "http://[::1"], "只接受 http"),
            (["add", "护理学院", "wecom", "https://qyapi.weixin.qq.com:99999/cgi-bin/webhook/send?key=x"], "只接受 http"),
            (["add", "护理学院", "wecom", fake.wecom_url(KEY), "--secret", "x"], "没有加签密钥"),
            (["add", "火星学院", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=x"], "没有“火星学院”"),
            (["remove", "9"], "没有编号为 9"),
        ):
            assert main(["channel", "--db", url, *bad]) == 2
            assert message in capsys.readouterr().err
        assert main(["channel", "--db", url, "remove", "1"]) == 0
        capsys.readouterr()
        assert main(["channel", "--db", url, "list"]) == 0
        assert "#1" not in capsys.readouterr().out
    finally:
        fake.stop()


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1:8443", "localhost", "169.254.169.254", "10.0.0.5", "192.168.1.1", "[::1]", "0x7f000001", "2130706433", "127.1"],
)
def test_robot_urls_on_this_machine_or_a_private_network_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str
) -> None:
    """An admin account must not turn the bot into a probe of its own network (SSRF)."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade_database(url)
    service = Services.build(Database.connect(url), make_settings(url))
    setup_school_directly(service)
    service.db.dispose()
    assert main(["channel", "--db", url, "add", "护理学院", "wecom", f"http://{address}/cgi-bin/webhook/send?key=k"]) == 2
    assert "内网" in capsys.readouterr().err


DOTS = ("\u3002", "\uff0e", "\uff61")  # 。 ideographic full stop, ． full-width full stop, ｡ half-width ideographic
PRIVATE_ADDRESSES = ("127.0.0.1", "10.0.0.1", "169.254.169.254")


@pytest.mark.parametrize("dot", DOTS, ids=("U+3002", "U+FF0E", "U+FF61"))
@pytest.mark.parametrize("address", PRIVATE_ADDRESSES)
def test_private_addresses_spelled_with_non_ascii_dots_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], address: str, dot: str
) -> None:
    """httpx dials the IDNA-normalised host: `127。0。0。1` is 127.0.0.1. The check must see that host
    (here: any non-ASCII host is refused), and nothing is stored."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    upgrade_database(url)
    service = Services.build(Database.connect(url), make_settings(url))
    setup_school_directly(service)
    service.db.dispose()
    spelled = address.replace(".", dot)
    assert main(["channel", "--db", url, "add", "护理学院", "wecom", f"http://{spelled}:8080/cgi-bin/webhook/send?key=k"]) == 2
    assert "ASCII" in capsys.readouterr().err
    assert main(["channel", "--db", url, "list"]) == 0
    assert "#1" not in capsys.readouterr().out
