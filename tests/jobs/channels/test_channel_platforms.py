"""Signatures (checked against a second implementation), payload shapes against the platforms'
documented examples, size limits, URL masking, answers, and per-robot rate limits."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.parse

import pytest

from jobs.channels import platforms
from jobs.channels.platforms import LIMITS, read_answer
from jobs.channels.sender import RateLimiter
from tests.jobs.fake_robots import expected_dingtalk_sign, expected_feishu_sign, hmac_sha256

# ---------------------------------------------------------------- documented examples (fixtures)

# 企业微信 群机器人 markdown example, as the official page (developer.work.weixin.qq.com/document/path/99110,
# "群机器人配置说明") gives it; reproduced at https://blog.csdn.net/LIFENG0402/article/details/111051239.
WECOM_MARKDOWN_EXAMPLE = {
    "msgtype": "markdown",
    "markdown": {
        "content": "实时新增用户反馈<font color=\"warning\">132例</font>，请相关同事注意。\n"
        ">类型:<font color=\"comment\">用户反馈</font>\n>普通用户反馈:<font color=\"comment\">117例</font>"
    },
}
# 企业微信 image message: "base64: 图片内容的base64编码; md5: 图片内容（base64编码前）的md5值;
# 图片（base64编码前）最大不能超过2M" — https://hexdocs.pm/wechat_sdk/WeChat.Work.ChatRobot.html and
# https://cnblogs.com/saplh/p/17575443.html (both quoting the official page).
WECOM_IMAGE_EXAMPLE = {"msgtype": "image", "image": {"base64": "DATA", "md5": "MD5"}}
WECOM_MARKDOWN_MAX_BYTES = 4096  # "markdown内容，最长不超过4096个字节，必须是utf8编码"
WECOM_IMAGE_MAX_BYTES = 2 * 1024 * 1024

# 钉钉 自定义机器人 markdown example (open.dingtalk.com/document/robots/custom-robot-access; quoted at
# https://cnblogs.com/howardzhangdqs/p/dingtalk_robot_instruction_2.html and
# http://developer.aliyun.com/ask/594427).
DINGTALK_MARKDOWN_EXAMPLE = {
    "msgtype": "markdown",
    "markdown": {"title": "系统告警通知", "text": "### 告警详情\n- **资源名称**: 示例资源\n- **告警时间**: 2023-10-01 12:00:00"},
}
# 飞书 自定义机器人 富文本 (post) example from the official guide
# (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, "发送富文本消息"); the search corpus had
# only the text and card forms (e.g. https://zealot.ews.im/zh-Hans/docs/4.x/user-guide/webhooks/feishu),
# so the post example is reproduced from the official page's request example.
FEISHU_POST_EXAMPLE = {
    "msg_type": "post",
    "content": {
        "post": {
            "zh_cn": {
                "title": "项目更新通知",
                "content": [[{"tag": "text", "text": "项目有更新: "}, {"tag": "a", "text": "请查看", "href": "http://www.example.com/"}]],
            }
        }
    },
}
FEISHU_BODY_MAX_BYTES = 20 * 1024  # "请求体大小不能超过 20 K"


def skeleton(value: object) -> object:
    """The JSON value's structure: keys and types, list items merged."""
    if isinstance(value, dict):
        return {key: skeleton(item) for key, item in value.items()}
    if isinstance(value, list):
        return [skeleton(value[0])] if value else []
    return type(value).__name__


def test_wecom_payloads_match_the_documented_examples() -> None:
    assert skeleton(platforms.wecom_markdown("### 标题\n> 行")) == skeleton(WECOM_MARKDOWN_EXAMPLE)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    image = platforms.wecom_image(png)
    assert skeleton(image) == skeleton(WECOM_IMAGE_EXAMPLE)
    assert base64.b64decode(image["image"]["base64"]) == png  # type: ignore[index]
    assert image["image"]["md5"] == hashlib.md5(png).hexdigest()  # type: ignore[index]  # of the raw PNG
    with pytest.raises(ValueError):
        platforms.wecom_markdown("字" * (WECOM_MARKDOWN_MAX_BYTES // 3 + 1))
    with pytest.raises(ValueError):
        platforms.wecom_image(b"x" * (WECOM_IMAGE_MAX_BYTES + 1))
    platforms.wecom_image(b"x" * WECOM_IMAGE_MAX_BYTES)  # exactly 2 MB is allowed


def test_dingtalk_and_feishu_payloads_match_the_documented_examples() -> None:
    assert skeleton(platforms.dingtalk_markdown("周报", "### 周报\n\n- 行")) == skeleton(DINGTALK_MARKDOWN_EXAMPLE)
    ours = platforms.feishu_post("周报", ["第一行", "第二行"])
    documented = skeleton(FEISHU_POST_EXAMPLE)
    assert skeleton(ours)["content"]["post"]["zh_cn"]["title"] == documented["content"]["post"]["zh_cn"]["title"]  # type: ignore[index]
    assert set(skeleton(ours)) == set(documented)  # type: ignore[arg-type]
    ours_element = ours["content"]["post"]["zh_cn"]["content"][0][0]  # type: ignore[index]
    documented_element = FEISHU_POST_EXAMPLE["content"]["post"]["zh_cn"]["content"][0][0]  # type: ignore[index]
    assert ours_element.keys() == documented_element.keys() and ours_element["tag"] == documented_element["tag"]


def test_dingtalk_signature_matches_an_independent_implementation() -> None:
    secret = "SEC" + "0123456789abcdef" * 4
    for timestamp in (1_577_000_000_000, 1_764_554_400_123):
        ours = platforms.dingtalk_sign(secret, timestamp)
        assert urllib.parse.unquote_plus(ours) == expected_dingtalk_sign(secret, str(timestamp))
        assert "+" not in ours and "/" not in ours  # URL-encoded, safe in a query
    request = platforms.request_for("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", secret, {"a": 1}, 1_764_554_400.5)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(request.url).query))
    assert query["access_token"] == "T" and query["timestamp"] == "1764554400500"
    assert query["sign"] == expected_dingtalk_sign(secret, "1764554400500")
    assert request.body == {"a": 1}


def test_feishu_signature_matches_an_independent_implementation() -> None:
    secret = "demo-secret-飞书"
    assert platforms.feishu_sign(secret, 1_764_554_400) == expected_feishu_sign(secret, "1764554400")
    request = platforms.request_for("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc", secret, {"msg_type": "text"}, 1_764_554_400.9)
    assert request.url.endswith("/hook/abc")
    assert request.body["timestamp"] == "1764554400"  # seconds, as a string like the official examples
    assert request.body["sign"] == expected_feishu_sign(secret, "1764554400")
    assert request.body["msg_type"] == "text"
    unsigned = platforms.request_for("feishu", "https://x/hook/abc", None, {"msg_type": "text"}, 0)
    assert unsigned.body == {"msg_type": "text"}


def test_the_second_hmac_agrees_with_rfc4231_case_2() -> None:
    # RFC 4231 test case 2 pins the fake's hand-written HMAC to the standard.
    assert hmac_sha256(b"Jefe", b"what do ya want for nothing?").hex() == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_split_bytes_keeps_every_line_and_the_limit() -> None:
    lines = [f"{i}. 护理学院某专业 {i}% ————" for i in range(600)]
    text = "\n".join(lines)
    parts = platforms.split_bytes(text)
    assert len(parts) > 1 and all(len(p.encode()) <= 4096 for p in parts)
    assert "\n".join(parts) == text  # split only at line boundaries: nothing lost, nothing added
    long_line = "字" * 3000  # 9,000 bytes on one line: cut between characters
    parts = platforms.split_bytes(long_line)
    assert "".join(parts) == long_line and all(len(p.encode()) <= 4096 for p in parts)


def test_urls_are_checked_and_masked() -> None:
    for bad in ("ftp://x/y", "javascript:alert(1)", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "https:///nohost", "https://a b/"):
        with pytest.raises(platforms.ChannelUrlError):
            platforms.check_url(bad)
    key = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    masked = platforms.mask_url(f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}")
    assert key not in masked and masked.endswith("key=****5aaa")
    hook = "2f3e4d5c-aaaa-bbbb-cccc-1234567890ab"
    assert hook not in platforms.mask_url(f"https://open.feishu.cn/open-apis/bot/v2/hook/{hook}")
    token = "a" * 64
    assert token not in platforms.mask_url(f"https://oapi.dingtalk.com/robot/send?access_token={token}")
    assert "pw" not in platforms.mask_url("https://user:pw@example.com/x?k=verysecretvalue")
    scrubbed = platforms.scrub(f"failed for https://h/p?key={key}", f"https://h/p?key={key}", "SECxyz")
    assert key not in scrubbed


@pytest.mark.parametrize(
    ("kind", "status", "body", "ok", "retryable"),
    [
        ("wecom", 200, {"errcode": 0, "errmsg": "ok"}, True, False),
        ("wecom", 200, {"errcode": 93000, "errmsg": "invalid webhook url"}, False, False),
        ("wecom", 200, {"errcode": 45009, "errmsg": "api freq out of limit"}, False, True),
        ("dingtalk", 200, {"errcode": 310000, "errmsg": "sign not match"}, False, False),
        ("dingtalk", 200, {"errcode": 130101, "errmsg": "send too fast"}, False, True),
        ("feishu", 200, {"code": 0, "msg": "success", "data": {}}, True, False),
        ("feishu", 200, {"StatusCode": 0, "StatusMessage": "success"}, True, False),
        ("feishu", 200, {"code": 19021, "msg": "sign match fail"}, False, False),
        ("feishu", 200, {"code": 11232, "msg": "frequency limited"}, False, True),
        ("wecom", 502, None, False, True),
        ("dingtalk", 429, None, False, True),
        ("feishu", 404, None, False, False),
    ],
)
def test_answers_are_classified(kind: str, status: int, body: object, ok: bool, retryable: bool) -> None:
    outcome = read_answer(kind, status, json.loads(json.dumps(body)))
    assert (outcome.ok, outcome.retryable) == (ok, retryable), outcome


async def test_rate_limiter_keeps_twenty_a_minute_and_five_a_second() -> None:
    now = [1000.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(clock=lambda: now[0], sleep=sleep)
    stamps = []
    for _ in range(41):
        await limiter.wait(1, LIMITS["wecom"])
        stamps.append(now[0])
        now[0] += 0.1
    for i in range(len(stamps)):  # any 60-second window holds at most 20 sends
        assert sum(1 for s in stamps if stamps[i] <= s < stamps[i] + 60) <= 20
    assert stamps[20] - stamps[0] >= 60 and waits
    stamps = []
    for _ in range(12):
        await limiter.wait(2, LIMITS["feishu"])
        stamps.append(now[0])
    for i in range(len(stamps)):
        assert sum(1 for s in stamps if stamps[i] <= s < stamps[i] + 1) <= 5


@pytest.mark.parametrize(
    "host",
    ["127\u30020\u30020\u30021", "10\uff0e0\uff0e0\uff0e1", "169\uff61254\uff61169\uff61254", "\uff11\uff12\uff17.0.0.1", "例子.中国"],
)
def test_non_ascii_hosts_are_refused_even_where_private_hosts_are_allowed(host: str) -> None:
    """httpx dials the IDNA form of the host (`127。0。0。1` → 127.0.0.1); robot hosts are ASCII."""
    with pytest.raises(platforms.ChannelUrlError):
        platforms.check_url(f"http://{host}:8080/x?key=k", allow_private=True)


@pytest.mark.parametrize("host", ["127.0.0.1.", "LOCALHOST.", "[::ffff:127.0.0.1]", "0x7f.1", "0"])
def test_the_dialled_host_is_checked_in_every_spelling(host: str) -> None:
    with pytest.raises(platforms.ChannelUrlPrivate):
        platforms.check_url(f"http://{host}:8080/x")
    assert platforms.check_url(f"http://{host}:8080/x", allow_private=True)
