"""The fake Bot API server, driven by a real PTB Bot / Application over loopback."""

from __future__ import annotations

import base64

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp, Update,
                      WebAppInfo)
from telegram.constants import MessageEntityType
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.support.fake_bot_api import (
    BOT_FIRST_NAME,
    BOT_USERNAME,
    FakeBotAPI,
    add_standalone_controls,
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


async def test_get_updates_long_polls() -> None:
    # Only lower bounds and wide margins on time: the machine may be busy (other test runs).
    async with (
        FakeBotAPI(token=TOKEN, long_poll_cap=30) as api,
        Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest(read_timeout=60)) as bot,
    ):
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert time.monotonic() - started >= 0.9  # it did wait for an update

        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await api.wait_for(lambda call: call.method == "getUpdates" and not call.ok, after=api.mark())
        started = time.monotonic()
        api.push_update(private_message(None, USER, "你好"))
        updates = await asyncio.wait_for(poll, 20)
        assert time.monotonic() - started < 15  # woken by the push, not by its 30 s timeout
        assert updates[0].message.text == "你好"


@ignore_ptb_timedelta
async def test_enforced_limits_answer_429() -> None:
    now = [1000.0]  # the limits' clock stands still unless the test moves it
    async with (
        FakeBotAPI(token=TOKEN, enforce_limits=True, monotonic=lambda: now[0]) as api,
        Bot(TOKEN, base_url=api.base_url) as bot,
    ):
        await bot.send_message(USER, "一")
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "二")
        await bot.send_message(USER + 1, "三")  # another chat is not affected
        assert api.too_many_requests == 1
        assert api.delivered == {USER: 1, USER + 1: 1}
        assert api.calls_to("sendMessage")[1].response["parameters"] == {"retry_after": 1}
        now[0] += 1.0  # a second later the chat may have another one
        await bot.send_message(USER, "二")
        assert api.delivered[USER] == 2


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
        assert time.monotonic() - started < 10  # not the 30 s delay (a margin for a busy machine)
        assert (await sending).text == "x"  # in-flight calls are answered before stop() returns


# ---------------------------------------------------------------- playing a user by hand: /_fake/...


@pytest.fixture
async def control(api: FakeBotAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the fake's control endpoints, over loopback like curl."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api.port}", trust_env=False, timeout=10) as client:
        yield client


async def test_say_pushes_a_text_message_and_answers_its_ids(bot: Bot, control: httpx.AsyncClient) -> None:
    said = (await control.post("/_fake/say", json={"user_id": USER, "text": "/help", "first_name": "王芳"})).json()
    (update,) = await bot.get_updates(timeout=0)
    assert said == {"ok": True, "update_id": update.update_id, "message_id": update.message.message_id}
    assert update.message.text == "/help" and update.message.from_user.first_name == "王芳"
    assert update.message.entities[0].type == MessageEntityType.BOT_COMMAND
    # the person keeps their name in later messages
    await control.post("/_fake/say", json={"user_id": USER, "text": "你好"})
    (update,) = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert update.message.from_user.first_name == "王芳"


async def test_say_a_photo_without_caption_the_bot_can_download(bot: Bot, control: httpx.AsyncClient) -> None:
    said = await control.post("/_fake/say", json={"user_id": USER, "photo": "1"})
    assert said.status_code == 200, said.text
    (update,) = await bot.get_updates(timeout=0)
    message = update.message
    assert message.photo and message.caption is None and message.text is None
    data = bytes(await (await bot.get_file(message.photo[-1].file_id)).download_as_bytearray())
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    # a named photo id is registered too, so the bot can fetch it like any other
    await control.post("/_fake/say", json={"user_id": USER, "photo": "site-photo-7", "caption": "现场照片"})
    (update,) = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert update.message.photo[-1].file_id == "site-photo-7" and update.message.caption == "现场照片"
    assert (await bot.get_file("site-photo-7")).file_size == len(data)


async def test_say_a_document_by_name_or_with_its_content(bot: Bot, control: httpx.AsyncClient) -> None:
    await control.post("/_fake/say", json={"user_id": USER, "document": "进展表.xlsx", "caption": "/report"})
    await control.post("/_fake/say", json={"user_id": USER, "document": {
        "file_name": "说明.txt", "mime_type": "text/plain", "content": "第一季度说明"}})
    first, second = await bot.get_updates(timeout=0)
    sheet = first.message.document
    assert sheet.file_name == "进展表.xlsx" and first.message.caption == "/report"
    assert sheet.mime_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert bytes(await (await bot.get_file(sheet.file_id)).download_as_bytearray())  # fetchable, not empty
    note = second.message.document
    assert (note.file_name, note.mime_type, note.file_size) == ("说明.txt", "text/plain", len("第一季度说明".encode()))
    assert bytes(await (await bot.get_file(note.file_id)).download_as_bytearray()).decode() == "第一季度说明"


async def test_say_a_binary_document_and_read_back_a_file_the_bot_sent(bot: Bot, control: httpx.AsyncClient) -> None:
    """A .docx goes over HTTP as base64; a document the bot sent can be opened by its file_id."""
    data = bytes(range(256)) * 4
    await control.post("/_fake/say", json={"user_id": USER, "document": {
        "file_name": "会议纪要.docx", "content_base64": base64.b64encode(data).decode()}})
    (update,) = await bot.get_updates(timeout=0)
    said = update.message.document
    assert bytes(await (await bot.get_file(said.file_id)).download_as_bytearray()) == data
    bad = await control.post("/_fake/say", json={"user_id": USER, "document": {
        "file_name": "x.docx", "content_base64": "不是base64"}})
    assert bad.status_code == 400 and "base64" in bad.json()["description"]
    await bot.send_document(USER, document=b"PK-report", filename="report.docx")
    sent = (await control.get("/_fake/sent", params={"chat_id": USER})).json()[-1]
    assert sent["file"]["name"] == "report.docx"
    fetched = await control.get("/_fake/file", params={"file_id": sent["file"]["file_id"]})
    assert fetched.status_code == 200 and fetched.content == b"PK-report"
    assert (await control.get("/_fake/file", params={"file_id": "nope"})).status_code == 404


async def test_say_a_reply_to_a_bot_message(bot: Bot, api: FakeBotAPI, control: httpx.AsyncClient) -> None:
    notice = await bot.send_message(USER, "<b>交办单 #3</b> 请报送进展", parse_mode="HTML")
    await bot.send_message(USER, "另一条")
    said = await control.post("/_fake/say", json={"user_id": USER, "text": "已完成80%", "reply_to": notice.message_id})
    assert said.status_code == 200, said.text
    (update,) = await bot.get_updates(timeout=0)
    replied = update.message.reply_to_message
    assert replied.message_id == notice.message_id and replied.text == "交办单 #3 请报送进展"
    assert replied.from_user.is_bot


@pytest.mark.parametrize("body, fragment", [
    ({"user_id": USER, "text": "x", "reply_to": 99}, "no message 99"),
    ({"user_id": USER, "text": "x", "reply_to": "first"}, "reply_to must be a whole number"),
    ({"user_id": USER}, "nothing to say"),
    ({"text": "hi"}, "user_id"),
    ({"user_id": "bob", "text": "hi"}, "user_id"),
    ({"user_id": USER, "photo": {"x": 1}}, "photo"),
    ({"user_id": USER, "text": "长" * 4097}, "4096"),
])
async def test_say_refuses_what_a_person_could_not_send(api: FakeBotAPI, control: httpx.AsyncClient,
                                                        body: dict, fragment: str) -> None:  # type: ignore[type-arg]
    answer = await control.post("/_fake/say", json=body)
    assert answer.status_code == 400 and answer.json()["ok"] is False
    assert fragment in answer.json()["description"]
    assert api.pending_updates == []
    assert (await control.post("/_fake/say", content=b"{not json")).status_code == 400


async def _answer_the_next_press(bot: Bot, text: str, **kwargs) -> Update:  # type: ignore[no-untyped-def]
    """What the bot would do: poll, find the callback query, answer it."""
    while True:
        for update in await bot.get_updates(timeout=1):
            await bot.get_updates(offset=update.update_id + 1, timeout=0)
            if update.callback_query is not None:
                await update.callback_query.answer(text, **kwargs)
                return update


async def test_press_pushes_the_callback_and_answers_the_bots_answer(bot: Bot, api: FakeBotAPI,
                                                                     control: httpx.AsyncClient) -> None:
    await control.post("/_fake/say", json={"user_id": USER, "text": "/start", "first_name": "李强"})
    await bot.get_updates(timeout=0)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅ 确认收到", callback_data="t:ack:7"),
                                      InlineKeyboardButton("申请延期", callback_data="t:ext:7")]])
    older = await bot.send_message(USER, "交办单 #7", reply_markup=keyboard)
    newer = await bot.send_message(USER, "交办单 #8", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("确认收到", callback_data="t:ack:8")]]))
    await bot.send_message(USER, "没有按钮的消息")  # newest, but nothing to press on it

    pressing = asyncio.create_task(control.post("/_fake/press", json={"user_id": USER, "button": "确认"}))
    update = await _answer_the_next_press(bot, "已确认收到 #8")
    pressed = (await pressing).json()
    query = update.callback_query
    assert query.data == "t:ack:8" and query.message.message_id == newer.message_id  # the newest with buttons
    assert query.from_user.first_name == "李强"
    assert pressed == {"ok": True, "update_id": update.update_id, "chat_id": USER, "message_id": newer.message_id,
                       "button": "确认收到", "answer": "已确认收到 #8", "show_alert": False}

    # a given message, a partial label, the message as it is now (after an edit in place)
    await bot.edit_message_text("交办单 #7（已确认）", chat_id=USER, message_id=older.message_id, reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("申请延期", callback_data="t:ext:7")]]))
    pressing = asyncio.create_task(control.post("/_fake/press", json={
        "user_id": USER, "message_id": older.message_id, "button": "延期"}))
    update = await _answer_the_next_press(bot, "请发送新截止日期", show_alert=True)
    pressed = (await pressing).json()
    assert update.callback_query.data == "t:ext:7" and update.callback_query.message.text == "交办单 #7（已确认）"
    assert pressed["answer"] == "请发送新截止日期" and pressed["show_alert"] is True


async def test_press_names_what_is_wrong(bot: Bot, api: FakeBotAPI, control: httpx.AsyncClient) -> None:
    nothing = await control.post("/_fake/press", json={"user_id": USER, "button": "确认"})
    assert nothing.status_code == 400 and "no message with buttons" in nothing.json()["description"]
    sent = await bot.send_message(USER, "请选择", reply_markup=InlineKeyboardMarkup([[
        InlineKeyboardButton("办结", callback_data="t:done:1"), InlineKeyboardButton("说明", url="https://example.org")]]))
    plain = await bot.send_message(USER, "无按钮")
    cases = [
        ({"user_id": USER, "button": "确认"}, "its buttons: ['办结', '说明']"),
        ({"user_id": USER, "button": "说明"}, "not a callback button"),
        ({"user_id": USER, "button": "办结", "message_id": plain.message_id}, "has no buttons"),
        ({"user_id": USER, "button": "办结", "message_id": 999}, "no message 999"),
        ({"user_id": USER}, '"button"'),
    ]
    for body, fragment in cases:
        answer = await control.post("/_fake/press", json=body)
        assert answer.status_code == 400 and fragment in answer.json()["description"], (body, answer.text)
    assert api.pending_updates == []  # nothing was pushed

    # nobody answers: a bounded wait, then 504 naming the update that was pushed
    answer = await control.post("/_fake/press", json={"user_id": USER, "button": "办结", "timeout": 0.3})
    assert answer.status_code == 504 and "did not answer" in answer.json()["description"]
    assert [u["update_id"] for u in api.pending_updates] == [answer.json()["update_id"]]
    assert api.pending_updates[0]["callback_query"]["message"]["message_id"] == sent.message_id


async def test_sent_shows_what_a_button_opens_and_menu_shows_the_menu_button(
        bot: Bot, api: FakeBotAPI, control: httpx.AsyncClient) -> None:
    url = "https://desk.example.gov.cn/dashboard"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("打开看板", web_app=WebAppInfo(url)),
                                      InlineKeyboardButton("说明", url="https://example.org/help"),
                                      InlineKeyboardButton("确认", callback_data="a")]])
    await bot.send_message(USER, "看板", reply_markup=keyboard)
    [sent] = (await control.get("/_fake/sent", params={"chat_id": USER})).json()
    assert sent["buttons"] == ["打开看板", "说明", "确认"]
    assert sent["opens"] == [{"text": "打开看板", "web_app": url}, {"text": "说明", "url": "https://example.org/help"}]
    assert (await control.get("/_fake/menu", params={"chat_id": USER})).json() == {"type": "default"}
    await bot.set_chat_menu_button(USER, MenuButtonWebApp("看板", WebAppInfo(url)))
    assert (await control.get("/_fake/menu", params={"chat_id": USER})).json() == \
        {"type": "web_app", "text": "看板", "web_app": {"url": url}}


async def test_sent_shows_each_bot_message_as_it_is_now(bot: Bot, api: FakeBotAPI, control: httpx.AsyncClient) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认收到", callback_data="a"),
                                      InlineKeyboardButton("报送进展", callback_data="b")]])
    notice = await bot.send_message(USER, "<b>交办单 #1</b> &lt;待确认&gt;", parse_mode="HTML", reply_markup=keyboard)
    await bot.send_document(USER, b"xlsx", filename="汇总.xlsx", caption="本周汇总")
    await bot.send_photo(USER + 1, b"\x89PNG", caption="图表")
    said = api.say(USER, "回复", reply_to=notice.message_id)
    await bot.send_message(USER, "已记录", reply_to_message_id=said["message_id"])
    await bot.edit_message_text("交办单 #1 已确认", chat_id=USER, message_id=notice.message_id,
                                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("报送进展", callback_data="b")]]))

    everything = (await control.get("/_fake/sent")).json()
    assert [(m["chat_id"], m["method"]) for m in everything] == [
        (USER, "sendMessage"), (USER, "sendDocument"), (USER + 1, "sendPhoto"), (USER, "sendMessage")]
    first, document, photo, reply = everything
    assert first == {"chat_id": USER, "message_id": notice.message_id, "method": "sendMessage",
                     "text": "交办单 #1 已确认", "edited": True, "file": None, "buttons": ["报送进展"], "opens": [],
                     "reply_to": None}
    assert document["text"] == "本周汇总" and not document["edited"]
    assert document["file"]["type"] == "document" and document["file"]["name"] == "汇总.xlsx"
    assert photo["file"]["type"] == "photo" and photo["text"] == "图表" and photo["buttons"] == []
    assert reply["reply_to"] == said["message_id"] and reply["text"] == "已记录"

    mine = (await control.get("/_fake/sent", params={"chat_id": USER})).json()
    assert [m["message_id"] for m in mine] == [first["message_id"], document["message_id"], reply["message_id"]]
    assert [m["text"] for m in (await control.get("/_fake/sent", params={"limit": 1})).json()] == ["已记录"]
    await bot.delete_message(USER, document["message_id"])
    assert (await control.get("/_fake/sent", params={"chat_id": USER})).json()[1]["deleted"] is True
    assert (await control.get("/_fake/sent", params={"limit": "x"})).status_code == 400


# ---------------------------------------------------------------- webhook delivery (setWebhook)

HOOK_SECRET = "fake_Hook-secret1"


class Receiver:
    """A webhook endpoint on loopback: records each POST (its secret header and body) and answers
    what `answers` says for the update (a status, or "hang" until released), 200 otherwise."""

    def __init__(self, port: int = 0) -> None:
        self.wanted_port = port
        self.posts: list[tuple[str | None, dict]] = []
        self.answers: dict[int, list[int | str]] = {}  # update_id → what to answer, attempt by attempt
        self.hang_all = False
        self.release = asyncio.Event()
        self.in_flight = 0
        self.most_in_flight = 0
        self.server: Any = None
        self.changed = asyncio.Event()

    async def __aenter__(self) -> Receiver:
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        receiver = self

        class Hook(tornado.web.RequestHandler):
            async def post(self) -> None:
                update = json.loads(self.request.body)
                receiver.posts.append((self.request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update))
                receiver.in_flight += 1
                receiver.most_in_flight = max(receiver.most_in_flight, receiver.in_flight)
                receiver.changed.set()
                try:
                    plan = receiver.answers.get(update["update_id"])
                    answer = plan.pop(0) if plan else ("hang" if receiver.hang_all else 200)
                    if answer == "hang":
                        await receiver.release.wait()
                        answer = 200
                    elif isinstance(answer, str) and answer.startswith("sleep"):
                        await asyncio.sleep(float(answer[5:]))
                        answer = 200
                    self.set_status(int(answer))
                    self.finish("")
                finally:
                    receiver.in_flight -= 1

        sockets = tornado.netutil.bind_sockets(self.wanted_port, "127.0.0.1")
        self.server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/hook", Hook)]))
        self.server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        self.server.stop()
        await self.server.close_all_connections()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def ids(self) -> list[int]:
        return [update["update_id"] for _, update in self.posts]


async def until(check: Any, timeout: float = 10.0) -> None:
    """Wait (polling every 10 ms) until `check()` is true."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_set_webhook_posts_each_pushed_update_with_the_secret_and_getupdates_conflicts(
        bot: Bot, api: FakeBotAPI) -> None:
    async with Receiver() as hook:
        assert await bot.set_webhook(hook.url, secret_token=HOOK_SECRET, allowed_updates=["message"])
        ids = [api.push_update(private_message(None, USER, f"第{i}条")) for i in range(3)]
        await until(lambda: api.webhook_delivered == 3)
        assert sorted(hook.ids()) == ids and {secret for secret, _ in hook.posts} == {HOOK_SECRET}
        assert [update["message"]["text"] for _, update in sorted(hook.posts, key=lambda p: p[1]["update_id"])] == \
            ["第0条", "第1条", "第2条"]  # one update per request, as pushed
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count, info.max_connections) == (hook.url, 0, 40)
        assert info.allowed_updates == ("message",) and info.last_error_message is None
        assert (api.webhook_failed, api.webhook_retried, api.pending_updates) == (0, 0, [])


async def test_updates_pending_when_the_webhook_is_set_are_delivered_by_it(bot: Bot, api: FakeBotAPI) -> None:
    first = api.push_update(private_message(None, USER, "早到的"))
    async with Receiver() as hook:
        await bot.set_webhook(hook.url)
        await until(lambda: api.webhook_delivered == 1)
        assert hook.ids() == [first] and hook.posts[0][0] is None  # no secret set: no header


async def test_a_delivery_answered_without_2xx_is_retried_after_a_backoff(bot: Bot, api: FakeBotAPI) -> None:
    async with Receiver() as hook:
        await bot.set_webhook(hook.url, secret_token=HOOK_SECRET)
        update_id = api.next_update_id()
        hook.answers[update_id] = [500, 502]
        api.push_update(private_message(update_id, USER, "重试"))
        await until(lambda: api.webhook_delivered == 1)
        attempts = [(a.attempt, a.status) for a in api.webhook_attempts]
        assert attempts == [(1, 500), (2, 502), (3, 200)] and hook.ids() == [update_id] * 3
        assert (api.webhook_failed, api.webhook_retried) == (2, 2)
        first, second, third = api.webhook_attempts
        assert second.started - first.finished >= 0.09 and third.started - second.finished >= 0.2  # 0.1 s, 0.25 s
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway" and info.last_error_date


async def test_a_refused_connection_is_retried_until_the_webhook_listens(bot: Bot, api: FakeBotAPI) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free, nobody listening
    await bot.set_webhook(f"http://127.0.0.1:{port}/hook")
    update_id = api.push_update(private_message(None, USER, "等一等"))
    await until(lambda: api.webhook_failed >= 2)
    assert api.webhook_attempts[0].error == "Connection refused" and api.webhook_attempts[0].status is None
    assert [u["update_id"] for u in api.pending_updates] == [update_id]
    async with Receiver(port) as hook:
        await until(lambda: api.webhook_delivered == 1)
        assert hook.ids() == [update_id] and api.pending_updates == []
        assert api.webhook_retried == len(api.webhook_attempts) - 1


async def test_a_delivery_that_times_out_is_retried_and_may_arrive_twice() -> None:
    async with FakeBotAPI(token=TOKEN, webhook_timeout=0.3) as api, Receiver() as hook:
        async with Bot(TOKEN, base_url=api.base_url) as bot:
            await bot.set_webhook(hook.url)
        update_id = api.next_update_id()
        hook.answers[update_id] = ["sleep1.0"]
        api.push_update(private_message(update_id, USER, "慢"))
        await until(lambda: api.webhook_delivered == 1)
        assert [(a.attempt, a.status, a.error) for a in api.webhook_attempts] == \
            [(1, None, "Read timeout expired"), (2, 200, None)]
        assert hook.ids() == [update_id, update_id]  # the webhook saw it twice, as with Telegram


async def test_deliveries_run_concurrently_up_to_max_connections(bot: Bot, api: FakeBotAPI) -> None:
    async with Receiver() as hook:
        await bot.set_webhook(hook.url, max_connections=5)
        hook.hang_all = True
        ids = [api.push_update(private_message(None, USER + i, "并发")) for i in range(12)]
        await until(lambda: hook.in_flight == 5)
        await asyncio.sleep(0.2)  # room for a sixth, which must not come
        assert api.webhook_in_flight == 5 and len(hook.posts) == 5
        hook.release.set()
        await until(lambda: api.webhook_delivered == 12)
        assert sorted(hook.ids()) == ids and hook.most_in_flight == 5 and api.webhook_failed == 0


async def test_delete_webhook_returns_to_polling_with_what_was_not_delivered(bot: Bot, api: FakeBotAPI) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    await bot.set_webhook(f"http://127.0.0.1:{port}/hook")
    ids = [api.push_update(private_message(None, USER, f"未送达{i}")) for i in range(2)]
    await until(lambda: api.webhook_failed >= 1)
    assert await bot.delete_webhook()
    await until(lambda: api.webhook_in_flight == 0)
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == ids
    assert (await bot.get_webhook_info()).url == ""
    later = api.push_update(private_message(None, USER, "轮询"))
    assert [u.update_id for u in await bot.get_updates(offset=ids[-1] + 1, timeout=0)] == [later]


async def test_set_webhook_refuses_a_bad_secret_and_can_drop_pending_updates(bot: Bot, api: FakeBotAPI) -> None:
    with pytest.raises(BadRequest, match="(?i)secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="has spaces")
    with pytest.raises(BadRequest, match="(?i)HTTPS url must be provided"):
        await bot.set_webhook("ftp://example.org/hook")
    api.push_update(private_message(None, USER, "旧的"))
    async with Receiver() as hook:
        await bot.set_webhook(hook.url, drop_pending_updates=True)
        fresh = api.push_update(private_message(None, USER, "新的"))
        await until(lambda: api.webhook_delivered == 1)
        assert hook.ids() == [fresh]


async def test_a_ptb_application_in_webhook_mode_is_served_by_the_fake(api: FakeBotAPI) -> None:
    """PTB's own webhook server (Updater.start_webhook) checks the secret header the fake sends."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder().token(TOKEN).base_url(api.base_url).base_file_url(api.base_file_url).build()
    )
    app.add_handler(CommandHandler("ping", _pong))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="tg",
                                    webhook_url=f"http://127.0.0.1:{port}/tg", secret_token=HOOK_SECRET)
    try:
        mark = api.mark()
        api.push_update(private_message(None, USER, "/ping"))
        reply = await api.wait_for_message(chat_id=USER, contains="pong", after=mark)
        assert reply.text == "pong" and api.webhook_delivered == 1 and not api.calls_to("getUpdates")
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_stats_count_webhook_deliveries_retries_and_failures(bot: Bot, api: FakeBotAPI,
                                                                   control: httpx.AsyncClient) -> None:
    add_standalone_controls(api)
    async with Receiver() as hook:
        await bot.set_webhook(hook.url, secret_token=HOOK_SECRET)
        update_id = api.next_update_id()
        hook.answers[update_id] = [503]
        api.push_update(private_message(update_id, USER, "一"))
        api.push_update(private_message(None, USER, "二"))
        await until(lambda: api.webhook_delivered == 2)
        stats = (await control.get("/_fake/stats?attempts=1")).json()
    webhook = stats["webhook"]
    assert {k: webhook[k] for k in ("url", "delivered", "retried", "failed", "attempts", "in_flight", "pending")} == \
        {"url": hook.url, "delivered": 2, "retried": 1, "failed": 1, "attempts": 3, "in_flight": 0, "pending": 0}
    assert webhook["last_error"] == "Wrong response from the webhook: 503 Service Unavailable"
    assert [(a["update_id"], a["status"]) for a in webhook["attempt_list"] if a["update_id"] == update_id] == \
        [(update_id, 503), (update_id, 200)]
    assert stats["pending_updates"] == 0
