"""The fake Bot API server, driven by a real PTB Bot / Application over loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageEntityType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes

from tests.support.fake_bot_api import (
    BOT_FIRST_NAME,
    BOT_USERNAME,
    FakeBotAPI,
    callback_query,
    private_message,
)

TOKEN = "123456:TEST-token"
USER = 4242
# Constructing RetryAfter reads its deprecated int `retry_after` (PTB 22.2+, unless PTB_TIMEDELTA=1).
ignore_ptb_timedelta = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


async def test_get_me(bot: Bot, api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (123456, True, BOT_FIRST_NAME, BOT_USERNAME)
    assert me.can_join_groups and not me.can_read_all_group_messages
    assert api.calls_to("getMe") and api.calls_to("getMe")[-1].ok


async def test_send_message_is_recorded_and_echoed(bot: Bot, api: FakeBotAPI) -> None:
    mark = api.mark()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("收到", callback_data="ack:1")]])
    first = await bot.send_message(USER, "<b>请于周五前报送</b>材料", parse_mode="HTML", reply_markup=keyboard)
    second = await bot.send_message(USER, "第二条")

    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == USER and first.chat.type == "private"
    assert first.from_user.id == 123456
    assert first.text == "请于周五前报送材料"  # Telegram echoes the parsed text
    assert first.reply_markup == keyboard
    call = api.calls_to("sendMessage", after=mark)[0]
    assert (call.chat_id, call.text) == (USER, "<b>请于周五前报送</b>材料")
    assert call.reply_markup == keyboard.to_dict()
    assert [c.text for c in api.sent_messages(USER)] == [call.text, "第二条"]
    assert api.delivered[USER] == 2


async def test_send_document_upload_and_download(bot: Bot, api: FakeBotAPI) -> None:
    data = "第一周工作简报".encode() * 10
    message = await bot.send_document(USER, data, filename="周报.docx", caption="本周简报")

    call = api.calls_to("sendDocument")[-1]
    upload = call.files["document"]
    assert (upload.filename, upload.size, upload.data) == ("周报.docx", len(data), data)
    assert call.text == "本周简报"
    assert message.document.file_name == "周报.docx" and message.document.file_size == len(data)
    telegram_file = await bot.get_file(message.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == data


async def test_registered_file_download(bot: Bot, api: FakeBotAPI) -> None:
    api.add_file("doc-1", b"%PDF-1.7 fake", file_name="通知.pdf")
    telegram_file = await bot.get_file("doc-1")
    assert telegram_file.file_path.endswith("/documents/doc-1")
    assert bytes(await telegram_file.download_as_bytearray()) == b"%PDF-1.7 fake"
    with pytest.raises(BadRequest):
        await bot.get_file("unknown")


async def test_wrong_token_is_invalid(api: FakeBotAPI) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=api.base_url):
            pass
    assert api.unauthorized == 1 and api.calls == []


@ignore_ptb_timedelta
async def test_injected_failures_map_to_ptb_errors(bot: Bot, api: FakeBotAPI) -> None:
    api.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter, match="3"):
        await bot.send_message(USER, "a")

    api.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway") as caught:
        await bot.send_message(USER, "b")
    assert type(caught.value) is NetworkError

    api.fail_next("sendMessage", status=400)
    with pytest.raises(BadRequest, match="(?i)chat not found"):  # PTB strips "Bad Request: "
        await bot.send_message(USER, "c")

    await bot.send_message(USER, "d")  # failures are used up
    assert [c.status for c in api.calls_to("sendMessage")] == [429, 502, 400, 200]
    assert api.delivered[USER] == 1 and len(api.sent_messages(USER)) == 1


async def test_blocked_chat_is_forbidden(bot: Bot, api: FakeBotAPI) -> None:
    api.block_chat(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    await bot.send_message(USER + 1, "hi")
    assert api.delivered == {USER + 1: 1}


async def test_get_updates_returns_pushed_update(bot: Bot, api: FakeBotAPI) -> None:
    update_id = api.push_update(private_message(None, USER, "/ping now", username="zhangsan"))

    updates = await bot.get_updates(offset=0, timeout=1)

    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert isinstance(updates[0], Update) and message.text == "/ping now"
    assert message.from_user.first_name == "张三" and message.from_user.username == "zhangsan"
    (entity,) = message.entities
    assert (entity.type, entity.offset, entity.length) == (MessageEntityType.BOT_COMMAND, 0, 5)
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert api.pending_updates == []


async def test_get_updates_long_polls(bot: Bot, api: FakeBotAPI) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 1.8

    poll = asyncio.create_task(bot.get_updates(timeout=1))
    await api.wait_for(lambda call: call.method == "getUpdates" and not call.ok, after=api.mark())
    started = time.monotonic()
    api.push_update(private_message(None, USER, "你好"))
    updates = await poll
    assert time.monotonic() - started < 0.5
    assert updates[0].message.text == "你好"


@ignore_ptb_timedelta
async def test_enforced_limits_answer_429() -> None:
    async with (
        FakeBotAPI(token=TOKEN, enforce_limits=True) as api,
        Bot(TOKEN, base_url=api.base_url) as bot,
    ):
        await bot.send_message(USER, "一")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "二")
        await bot.send_message(USER + 1, "三")  # another chat is not affected
        assert api.too_many_requests == 1
        assert api.delivered == {USER: 1, USER + 1: 1}
        assert api.calls_to("sendMessage")[1].response["parameters"] == {"retry_after": 1}


async def test_json_and_form_bodies_are_parsed_alike(api: FakeBotAPI) -> None:
    markup = {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}
    url = f"{api.base_url}{TOKEN}/sendMessage"
    async with httpx.AsyncClient() as client:
        as_json = await client.post(url, json={"chat_id": -100, "text": "群通知", "reply_markup": markup})
        as_query = await client.get(url, params={"chat_id": "-100", "text": "群通知"})
    assert as_json.json()["result"]["chat"] == {"id": -100, "type": "group", "title": "测试群100"}
    assert as_query.json()["result"]["message_id"] == 2
    json_call, query_call = api.calls
    assert json_call.raw["chat_id"] == query_call.raw["chat_id"] == "-100"
    assert json_call.chat_id == -100 and json_call.reply_markup == markup


async def test_commands_edits_and_callbacks(bot: Bot, api: FakeBotAPI) -> None:
    scope = BotCommandScopeChat(USER)
    await bot.set_my_commands([BotCommand("report", "报送材料")], scope=scope, language_code="zh")
    assert api.commands_for(scope.to_dict(), "zh") == [{"command": "report", "description": "报送材料"}]
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="zh")] == ["report"]
    assert await bot.get_my_commands() == ()

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="ok")]])
    sent = await bot.send_message(USER, "待确认", reply_markup=keyboard)
    edited = await bot.edit_message_text("已确认", chat_id=USER, message_id=sent.message_id)
    assert edited.text == "已确认" and edited.reply_markup is None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("已确认", chat_id=USER, message_id=sent.message_id)

    sent_call = api.calls_to("sendMessage")[-1]
    api.push_update(callback_query(None, USER, "ok", sent_call.result))
    (update,) = await bot.get_updates(timeout=0)
    assert update.callback_query.data == "ok" and update.callback_query.message.text == "待确认"


async def test_wait_for_times_out_with_recent_calls(bot: Bot, api: FakeBotAPI) -> None:
    await bot.send_message(USER, "只有这一条")
    with pytest.raises(AssertionError, match="只有这一条"):
        await api.wait_for_message(contains="不存在", timeout=0.2)


async def _pong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("pong")


@pytest.mark.e2e
async def test_application_answers_ping(api: FakeBotAPI) -> None:
    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder().token(TOKEN).base_url(api.base_url).base_file_url(api.base_file_url).build()
    )
    app.add_handler(CommandHandler("ping", _pong))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        mark = api.mark()
        api.push_update(private_message(None, USER, "/ping"))
        reply = await api.wait_for_message(chat_id=USER, contains="pong", after=mark)
        assert reply.text == "pong" and reply.result["chat"]["id"] == USER
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert api.pending_updates == []


async def test_delay_times_out_client_but_message_lands(bot: Bot, api: FakeBotAPI) -> None:
    api.delay("sendMessage", 0.5, times=1)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "慢", read_timeout=0.1)
    call = await api.wait_for(lambda c: c.method == "sendMessage" and c.ok, timeout=2)
    assert call.text == "慢" and api.delivered[USER] == 1
    assert (await bot.send_message(USER, "快")).message_id == 2  # delay used up


async def test_stop_cuts_long_delays_short() -> None:
    """stop() must not wait out an injected delay (or a long poll)."""
    api = FakeBotAPI(token=TOKEN)
    await api.start()
    api.delay("sendMessage", 30)
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        sending = asyncio.create_task(bot.send_message(USER, "x"))
        await api.wait_for("sendMessage")
        started = time.monotonic()
        await api.stop()
        assert time.monotonic() - started < 1
        assert (await sending).text == "x"  # in-flight calls are answered before stop() returns
