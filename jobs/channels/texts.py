"""Replies about channels, in Chinese and English (CLI and /channels). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jobs.channels.platforms import KIND_NAMES

MESSAGES: dict[str, tuple[str, str]] = {
    "admin_only": ("只有管理员可以管理群机器人。", "Only admins manage group robots."),
    "private_only": ("请在与机器人的私聊中管理群机器人（地址和密钥是凭据）。", "Manage group robots in a private chat with the bot (URLs and secrets are credentials)."),
    "bad_kind": ("类型须为 wecom（企业微信）、dingtalk（钉钉）或 feishu（飞书）。", "KIND must be wecom, dingtalk or feishu."),
    "private_url": (
        "机器人地址指向本机或内网，已拒绝（如确需经内网转发，请设置 ROBOT_PRIVATE_HOSTS=true）。",
        "The robot URL points at this machine or a private network; refused (set ROBOT_PRIVATE_HOSTS=true for an intranet relay).",
    ),
    "ascii_url": (
        "机器人地址的主机名只能用 ASCII 字符（全角句点“。”“．”不行；中文域名请写成 xn-- 形式）。",
        "Robot URL hosts must be ASCII (no full-width dots; write an internationalised domain as xn--…).",
    ),
    "bad_url": ("只接受 http:// 或 https:// 开头的机器人地址。", "Only http:// and https:// robot URLs are accepted."),
    "bad_secret": ("密钥过长或含空白字符。", "The secret is too long or contains spaces."),
    "secret_not_used": ("企业微信机器人没有加签密钥；请去掉 --secret。", "WeCom robots have no signing secret; drop --secret."),
    "unknown_scope": ("最新一届中没有“{scope}”。", "No “{scope}” in the latest cohort."),
    "ambiguous_scope": ("“{scope}”有多个匹配：{choices}。请写得更具体，如 院系:护理学院。", "“{scope}” matches several: {choices}. Be more specific, e.g. department:Nursing."),
    "group_scope": ("群消息不涉及重点群体，不能按群体添加机器人。", "Group messages never cover priority groups; a robot cannot be attached to one."),
    "no_cohort": ("还没有导入名单。", "No roster has been imported yet."),
    "no_channel": ("没有编号为 {id} 的群机器人。", "No group robot with ID {id}."),
    "added": ("已添加群机器人 #{id}：{scope} · {kind} · {url}", "Added group robot #{id}: {scope} · {kind} · {url}"),
    "removed": ("已删除群机器人 #{id}。", "Removed group robot #{id}."),
    "test_ok": ("群机器人 #{id} 测试消息已送达。", "Test message to group robot #{id} delivered."),
    "test_failed": ("群机器人 #{id} 测试失败：{outcome}", "Test to group robot #{id} failed: {outcome}"),
    "test_text": ("【毕业去向落实机器人】测试消息：本群将收到 {scope} 的每周汇总。", "[Placement bot] Test message: this group will receive the weekly digest of {scope}."),
    "none": ("还没有群机器人。用法：/channels add 范围 类型 地址 [密钥]", "No group robots yet. Usage: /channels add SCOPE KIND URL [SECRET]"),
    "usage": (
        "用法：/channels（列表）· /channels add 范围 wecom|dingtalk|feishu 地址 [密钥] · /channels remove 编号 · /channels test 编号",
        "Usage: /channels (list) · /channels add SCOPE wecom|dingtalk|feishu URL [SECRET] · /channels remove ID · /channels test ID",
    ),
    "url_message_deleted": ("（含地址的消息已从聊天中删除。）", "(The message with the URL was deleted from the chat.)"),
}


def t(lang: str, key: str, **params: object) -> str:
    zh, en = MESSAGES[key]
    return (en if lang == "en" else zh).format(**params)


@dataclass(frozen=True)
class ChannelView:
    """A channel as shown to people: the URL already masked, the secret only as a flag."""

    id: int
    scope_label: str
    kind: str
    masked_url: str
    signed: bool
    status: str  # "" | ok | failing
    outcome: str
    last_at: datetime | None


def status_text(lang: str, view: ChannelView) -> str:
    en = lang == "en"
    if not view.status:
        return "not used yet" if en else "尚未发送"
    when = view.last_at.strftime("%Y-%m-%d %H:%M") if view.last_at else ""
    if view.status == "ok":
        return f"ok {when}".strip() if en else f"正常 {when}".strip()
    return (f"FAILING {when}: {view.outcome}" if en else f"⚠ 发送失败 {when}：{view.outcome}").strip()


def render_list(lang: str, views: Sequence[ChannelView]) -> str:
    if not views:
        return t(lang, "none")
    en = lang == "en"
    lines = ["Group robots:" if en else "群机器人："]
    for v in views:
        kind = v.kind if en else KIND_NAMES.get(v.kind, v.kind)
        signed = (" · signed" if en else " · 加签") if v.signed else ""
        lines.append(f"#{v.id} {v.scope_label} · {kind}{signed} · {v.masked_url} · {status_text(lang, v)}")
    return "\n".join(lines)


def failing_line(lang: str, views: Sequence[ChannelView]) -> str | None:
    """The admins' digest line about robots that failed, or None."""
    failing = [v for v in views if v.status == "failing"]
    if not failing:
        return None
    items = ", ".join(f"#{v.id} {v.scope_label} ({v.kind}: {v.outcome})" for v in failing)
    if lang == "en":
        return f"⚠ Group robots failing ({len(failing)}): {items}"
    return f"⚠ 群机器人发送失败（{len(failing)} 个）：{items}"
