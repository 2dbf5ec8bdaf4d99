"""The Bot API emulator, driven by a real python-telegram-bot ``Application`` over real HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import struct
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox.emulator import BotApiEmulator, SentMessage

logging.getLogger("httpx").setLevel(logging.WARNING)

TOKEN = "123:ABC"
ALICE = 1001
BOB = 1002


def _png(width: int, height: int) -> bytes:
    """A tiny valid PNG (one grey pixel row per line)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PNG = _png(3, 2)


@dataclass
class Seen:
    """What the test bot's handlers observed."""

    args: list[list[str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    documents: list[tuple[str, bytes, str | None]] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def build_app(emu: BotApiEmulator, seen: Seen) -> Application:
    app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url).build()

    async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        seen.args.append(list(context.args or []))
        await update.effective_message.reply_text(f"rate for {' '.join(context.args or [])}: 71.11%")

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("下一页", callback_data="page:2"),
                    InlineKeyboardButton("关闭", callback_data="close"),
                ]
            ]
        )
        await update.effective_message.reply_text("第 1 页", reply_markup=keyboard)

    async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_photo(PNG, caption="护理 趋势", filename="trend.png")

    async def markup(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        try:
            await update.effective_message.reply_text("<b>A</b> 公司", parse_mode=ParseMode.HTML)
        except BadRequest as exc:
            seen.errors.append(exc)
            await update.effective_message.reply_text("plain: A<B 公司")

    async def send_to(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # /send <chat_id>: one message to another chat; errors are kept for the test to look at
        try:
            await context.bot.send_message(int((context.args or ["0"])[0]), "digest")
        except (RetryAfter, Forbidden) as exc:
            seen.errors.append(exc)

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        seen.texts.append(update.effective_message.text)
        seen.message_ids.append(update.effective_message.message_id)
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.document is not None
        data = await (await message.document.get_file()).download_as_bytearray()
        seen.documents.append((message.document.file_name or "", bytes(data), message.caption))
        await message.reply_document(bytes(data), filename="back-" + (message.document.file_name or "x"))

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        seen.callbacks.append(query.data)
        await query.answer("ok")
        if query.data == "close":
            await query.edit_message_reply_markup(None)
        else:
            await query.edit_message_text(
                f"第 {query.data.split(':')[1]} 页", reply_markup=query.message.reply_markup
            )  # type: ignore[union-attr]

    app.add_handler(CommandHandler("rate", rate))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("chart", chart))
    app.add_handler(CommandHandler("markup", markup))
    app.add_handler(CommandHandler("send", send_to))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
async def app(emu: BotApiEmulator, seen: Seen) -> AsyncIterator[Application]:
    application = build_app(emu, seen)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def _post(
    emu: BotApiEmulator, method: str, params: dict[str, object], token: str = TOKEN, timeout: float = 60.0
) -> tuple[int, dict]:
    body = json.dumps(params).encode()
    request = urllib.request.Request(
        f"{emu.base_url}{token}/{method}", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


async def test_command_with_args_reaches_command_handler(
    app: Application, emu: BotApiEmulator, seen: Seen
) -> None:
    update = emu.send_text(ALICE, "/rate 护理 2023-09-01", first_name="Alice")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]

    [reply] = await emu.wait_for(ALICE)

    assert seen.args == [["护理", "2023-09-01"]]
    assert reply.method == "sendMessage"
    assert reply.text == "rate for 护理 2023-09-01: 71.11%"
    assert reply.message is not None
    assert reply.message["text"] == reply.text and "entities" not in reply.message
    assert reply.message["from"]["id"] == emu.bot_user["id"] == 123


async def test_command_addressed_to_bot_in_group(app: Application, emu: BotApiEmulator, seen: Seen) -> None:
    emu.send_text(ALICE, "/rate@placement_demo_bot 药学", chat_id=-500, chat_type="group")
    [reply] = await emu.wait_for(-500)
    assert seen.args == [["药学"]]
    assert reply.chat_id == -500
    assert reply.message is not None and reply.message["chat"]["type"] == "group"


async def test_plain_text_reaches_message_handler(app: Application, emu: BotApiEmulator, seen: Seen) -> None:
    emu.send_text(BOB, "2023010101 签劳动合同 聊城市人民医院")
    [reply] = await emu.wait_for(BOB)
    assert seen.texts == ["2023010101 签劳动合同 聊城市人民医院"]
    assert reply.text == "echo: 2023010101 签劳动合同 聊城市人民医院"
    assert emu.messages_to(ALICE) == []


async def test_document_download_is_byte_identical(app: Application, emu: BotApiEmulator, seen: Seen) -> None:
    content = bytes(range(256)) * 40 + "学号,姓名\n2023010101,张三\n".encode()
    update = emu.send_document(ALICE, "2023届 名单.csv", content, caption="/import")
    assert update["message"]["caption_entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    assert update["message"]["document"]["mime_type"] == "text/csv"

    [reply] = await emu.wait_for(ALICE)

    assert seen.documents == [("2023届 名单.csv", content, "/import")]
    assert reply.method == "sendDocument"
    assert reply.file_name == "back-2023届 名单.csv"
    assert reply.file_bytes == content


async def test_photo_sent_by_bot_is_recorded_with_bytes(app: Application, emu: BotApiEmulator) -> None:
    emu.send_text(ALICE, "/chart trend")
    [photo] = await emu.wait_for(ALICE)
    assert photo.method == "sendPhoto"
    assert photo.file_bytes == PNG
    assert photo.file_name == "trend.png"
    assert photo.text == "护理 趋势"
    assert photo.message is not None
    [size] = photo.message["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (3, 2, len(PNG))


async def test_button_press_reaches_callback_handler_and_edit_is_recorded(
    app: Application, emu: BotApiEmulator, seen: Seen
) -> None:
    emu.send_text(ALICE, "/menu")
    [menu] = await emu.wait_for(ALICE)
    assert menu.buttons == [("下一页", "page:2"), ("关闭", "close")]

    emu.press_button(ALICE, menu, menu.button_data("下一页"))
    [edit] = await emu.wait_for(ALICE, since=1)

    assert seen.callbacks == ["page:2"]
    assert edit.method == "editMessageText"
    assert edit.message_id == menu.message_id
    assert edit.text == "第 2 页"
    assert edit.reply_markup == menu.reply_markup
    [answer] = emu.callback_answers
    assert answer["text"] == "ok"

    # the second press sees the edited message; removing the keyboard is an editMessageReplyMarkup
    update = emu.press_button(ALICE, menu, "close")
    assert update["callback_query"]["message"]["text"] == "第 2 页"
    [removed] = await emu.wait_for(ALICE, since=2)
    assert removed.method == "editMessageReplyMarkup"
    assert removed.reply_markup is None
    assert removed.text == "第 2 页"


async def test_parse_mode_is_refused_because_the_bot_sends_plain_text(
    app: Application, emu: BotApiEmulator, seen: Seen
) -> None:
    emu.send_text(ALICE, "/markup")
    [reply] = await emu.wait_for(ALICE)
    [error] = seen.errors
    assert isinstance(error, BadRequest)
    assert "parse_mode 'html' is not rendered by the emulator" in error.message.lower()
    assert reply.text == "plain: A<B 公司"  # text is delivered exactly as sent
    assert emu.errors[-1][1:4] == ("sendMessage", ALICE, 400)
    with pytest.raises(BadRequest, match="not rendered"):
        await app.bot.send_photo(ALICE, PNG, caption="<b>x</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="not rendered"):
        await app.bot.edit_message_text(
            "*x*", chat_id=ALICE, message_id=reply.message_id, parse_mode=ParseMode.MARKDOWN_V2
        )


# PTB 22.8 itself reads the deprecated int form of RetryAfter.retry_after while building the error
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_429_raises_retry_after_in_ptb(
    app: Application, emu: BotApiEmulator, seen: Seen
) -> None:
    emu.fail_next(BOB, status=429, retry_after=7)
    emu.send_text(ALICE, f"/send {BOB}")
    await _until(lambda: bool(seen.errors))
    [error] = seen.errors
    assert isinstance(error, RetryAfter)
    assert error.message == "Flood control exceeded. Retry in 7 seconds"
    assert emu.messages_to(BOB) == []

    # the fault was used up: the next send goes through
    emu.send_text(ALICE, f"/send {BOB}")
    [delivered] = await emu.wait_for(BOB)
    assert delivered.text == "digest"


async def test_fail_next_403_raises_forbidden(app: Application, emu: BotApiEmulator, seen: Seen) -> None:
    emu.fail_next(BOB, status=403, description="Forbidden: bot was blocked by the user")
    emu.send_text(ALICE, f"/send {BOB}")
    await _until(lambda: bool(seen.errors))
    assert isinstance(seen.errors[0], Forbidden)
    assert "blocked" in seen.errors[0].message


def test_raw_http_answers(emu: BotApiEmulator) -> None:
    emu.fail_next(42, status=429, description="Too Many Requests: retry after 5", retry_after=5, times=2)
    for _ in range(2):
        status, body = _post(emu, "sendMessage", {"chat_id": 42, "text": "hi"})
        assert status == 429
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 5",
            "parameters": {"retry_after": 5},
        }
    status, body = _post(emu, "sendMessage", {"chat_id": 42, "text": "hi"})
    assert status == 200 and body["result"]["text"] == "hi"

    assert _post(emu, "noSuchMethod", {}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert _post(emu, "getMe", {}, token="999:WRONG")[0] == 401
    assert _post(emu, "sendMessage", {"chat_id": 42, "text": "x" * 4097})[1]["description"] == (
        "Bad Request: message is too long"
    )
    assert [method for _, method, _ in emu.request_log].count("sendMessage") == 4


def test_form_encoded_get_and_query_string(emu: BotApiEmulator) -> None:
    url = f"{emu.base_url}{TOKEN}/sendMessage?chat_id=7&text=123&reply_markup=" + urllib.request.quote(
        json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "1"}]]})
    )
    with urllib.request.urlopen(url, timeout=5) as response:
        result = json.loads(response.read())["result"]
    assert result["text"] == "123"  # a numeric text stays a string
    assert result["chat"] == {"id": 7, "type": "private", "first_name": "User"}
    assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1"


async def test_redeliver_queues_the_same_message_again(
    app: Application, emu: BotApiEmulator, seen: Seen
) -> None:
    first = emu.send_text(BOB, "2023010102 升学 聊城大学")
    await emu.wait_for(BOB)
    again = emu.redeliver(first)
    await emu.wait_for(BOB, count=2)

    assert again["update_id"] > first["update_id"]
    assert again["message"] == first["message"]
    assert seen.texts == ["2023010102 升学 聊城大学"] * 2
    assert seen.message_ids == [first["message"]["message_id"]] * 2


def test_long_poll_returns_promptly_on_injection(emu: BotApiEmulator) -> None:
    """A waiting getUpdates (timeout 120 s) is answered by the update injected meanwhile, not at the
    end of its timeout: an event, with two minutes of margin rather than a latency threshold."""
    answer: list[tuple[int, dict]] = []
    poll = threading.Thread(target=lambda: answer.append(_post(emu, "getUpdates", {"timeout": 120}, timeout=180)))
    poll.start()
    deadline = time.monotonic() + 60
    while not any(method == "getUpdates" for _, method, _ in emu.request_log):
        assert time.monotonic() < deadline, "the long poll never reached the emulator"
        time.sleep(0.005)
    time.sleep(0.2)  # a head start to be waiting; on a slow machine the check only gets weaker, never red
    sent = emu.send_text(ALICE, "ping")
    poll.join(60)
    assert not poll.is_alive(), "the long poll was not woken by the injected update"
    status, body = answer[0]
    assert status == 200 and [u["update_id"] for u in body["result"]] == [sent["update_id"]]


def test_long_poll_waits_and_confirms_with_offset(emu: BotApiEmulator) -> None:
    started = time.monotonic()
    status, body = _post(emu, "getUpdates", {"timeout": 0.5})
    assert status == 200 and body["result"] == []
    assert time.monotonic() - started >= 0.45  # it waited out its timeout (and then answered: no upper bound needed)

    first = emu.send_text(ALICE, "a")
    emu.send_text(ALICE, "b")
    result = _post(emu, "getUpdates", {"timeout": 1, "limit": 1})[1]["result"]
    assert [u["update_id"] for u in result] == [first["update_id"]]
    result = _post(emu, "getUpdates", {"offset": first["update_id"] + 1})[1]["result"]
    assert [u["message"]["text"] for u in result] == ["b"]
    assert emu.pending_updates == 1


async def test_wait_for_timeout_lists_what_was_sent(emu: BotApiEmulator) -> None:
    _post(emu, "sendMessage", {"chat_id": BOB, "text": "to bob"})
    with pytest.raises(TimeoutError) as info:
        await emu.wait_for(ALICE, timeout=0.05)
    assert "chat 1002 sendMessage: to bob" in str(info.value)
    with pytest.raises(TimeoutError):
        emu.wait_for_sync(ALICE, timeout=0.05)
    assert [m.text for m in emu.wait_for_sync(BOB)] == ["to bob"]


async def test_commands_menu_and_edit_not_modified(app: Application, emu: BotApiEmulator) -> None:
    await app.bot.set_my_commands([("rate", "落实率"), ("help", "帮助")])
    assert [c["command"] for c in emu.my_commands()] == ["rate", "help"]
    assert [c.command for c in await app.bot.get_my_commands()] == ["rate", "help"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await app.bot.set_my_commands([("Rate", "upper case is refused")])

    message = await app.bot.send_message(ALICE, "same")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await app.bot.edit_message_text("same", chat_id=ALICE, message_id=message.message_id)
    assert await app.bot.delete_message(ALICE, message.message_id)
    assert emu.deleted == [(ALICE, message.message_id)]


def test_sent_message_helpers() -> None:
    sent = SentMessage(
        "sendMessage",
        1,
        2,
        "t",
        {"inline_keyboard": [[{"text": "下一页 ›", "callback_data": "p:2"}]]},
        None,
        None,
        0.0,
        {},
    )
    assert sent.button_data("下一页") == "p:2"
    with pytest.raises(KeyError):
        sent.button_data("关闭")


async def _until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.005)


async def test_menu_resolves_scope_and_language_as_telegram_does(app: Application, emu: BotApiEmulator) -> None:
    from telegram import BotCommandScopeAllGroupChats, BotCommandScopeChat

    await app.bot.set_my_commands([("start", "开始")])
    await app.bot.set_my_commands([("start", "start"), ("help", "help")], language_code="en")
    await app.bot.set_my_commands([("rate", "落实率")], scope=BotCommandScopeChat(ALICE))
    await app.bot.set_my_commands([("rates", "分组")], scope=BotCommandScopeAllGroupChats())
    assert emu.menu_for(ALICE) == ["rate"]  # the chat's own menu first, in any language
    assert emu.menu_for(ALICE, "en-GB") == ["rate"]
    assert emu.menu_for(BOB) == ["start"] and emu.menu_for(BOB, "en") == ["start", "help"]  # the default
    assert emu.menu_for(-100, "en", chat_type="group") == ["rates"]
    await app.bot.set_my_commands([("rate", "rate")], scope=BotCommandScopeChat(ALICE), language_code="en")
    assert [c["description"] for c in emu.my_commands({"type": "chat", "chat_id": ALICE}, "en")] == ["rate"]
    assert emu.menu_for(ALICE, "zh-hans") == ["rate"] and emu.menu_for(ALICE, "en") == ["rate"]
