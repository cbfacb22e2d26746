"""The step-by-step /assign through the fake Bot API: targets from buttons, due date, title, details,
attachment, confirm; cancelling, forged buttons, the access layer and the idle timeout."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bot.app import build_application
from bot.usecases import dialogues
from bot.rules import callbacks
from bot.views.assign import PAGE_SIZE, Choice, decode, encode, picker
from handlers import assign_dialog
from tests.e2e.conftest import ADMIN_ID, Chat, Desk, pause_minute_job, start, stop
from tests.support.fake_bot_api import Call, callback_query, make_document, private_message

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区经济信息委", "区发展改革委", "区交通局", "区财政局", "区水利局"],
       "working_groups": [{"name": "要素保障工作专班", "lead": ["区经济信息委"], "members": ["区发展改革委", "区交通局"]}]}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def current(desk: Desk, chat: Chat, sent: Call) -> dict:
    """The message as it is now (after edits in place)."""
    return desk.api.message(chat.id, sent.result["message_id"]) or sent.result


async def push_callback(desk: Desk, chat: Chat, data: str, message: dict) -> Call:
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    return await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)


async def press(desk: Desk, chat: Chat, sent: Call, label: str) -> Call:
    """Press the button whose label contains `label` on the message as it is now; the answer."""
    message = current(desk, chat, sent)
    data = next(b["callback_data"] for b in buttons(message) if label in b["text"])
    return await push_callback(desk, chat, data, message)


async def press_for_message(desk: Desk, chat: Chat, sent: Call, label: str, contains: str) -> Call:
    """Press a button and wait for the message the bot sends because of it."""
    mark = desk.api.mark()
    await press(desk, chat, sent, label)
    return await desk.api.wait_for_message(chat_id=chat.id, contains=contains, after=mark)


async def send_document(desk: Desk, chat: Chat, file_id: str, name: str) -> Call:
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, chat.id, None, first_name=chat.first_name,
                                         document=make_document(file_id, name, 2048, "application/pdf")))
    return await desk.api.wait_for_message(chat_id=chat.id, after=mark)


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    """The org above; liaisons for 区经济信息委 and 区财政局 (the others have none)."""
    clock.current = local(2026, 11, 23, 9, 0)
    return await desk.set_up(ORG, ["区经济信息委", "区财政局"], 3200)


async def test_the_whole_dialogue_creates_the_task_only_at_confirm(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    first = desk.api.mark()
    picker_msg = await admin.send_raw("/assign")
    assert "第 1/6 步" in picker_msg.text and "尚未选择" in picker_msg.text
    labels = [b["text"] for b in buttons(picker_msg.result)]
    assert labels[0] == "要素保障工作专班" and "区财政局" in labels and labels[-2:] == ["下一步 ▶", "✖ 取消"]
    rows = picker_msg.reply_markup["inline_keyboard"]
    assert all(len(row) <= 2 for row in rows)
    assert all(b["callback_data"].startswith("a:") and len(b["callback_data"].encode()) <= 64
               for b in buttons(picker_msg.result))

    await press(desk, admin, picker_msg, "要素保障工作专班")
    await press(desk, admin, picker_msg, "区财政局")
    await press(desk, admin, picker_msg, "区水利局")
    await press(desk, admin, picker_msg, "区水利局")  # and unselected again
    shown = current(desk, admin, picker_msg)
    labels = [b["text"] for b in buttons(shown)]
    assert "✅ 要素保障工作专班" in labels and "✅ 区财政局" in labels and "区水利局" in labels and "区交通局" in labels
    assert "已选：要素保障工作专班、区财政局（共 4 个部门）" in shown["text"]

    ask_due = await press_for_message(desk, admin, picker_msg, "下一步", "第 2/6 步")
    assert "12月31日" in ask_due.text and "下周五" in ask_due.text  # the forms it takes
    assert not buttons(current(desk, admin, picker_msg))  # the choice stays, the buttons go

    assert "“2026-02-30”格式不对" in await admin.send("2026-02-30")
    assert "“2020-01-01”已经过去" in await admin.send("2020-01-01")
    assert "第 3/6 步" in await admin.send("2026-12-10 17:00")
    assert "第 4/6 步" in await admin.send("报送要素保障落实情况")
    assert "第 5/6 步" in await admin.send("/skip")
    confirm = await send_document(desk, admin, "doc-file-7", "要素保障清单.pdf")
    assert "第 6/6 步" in confirm.text
    for part in ("承办：要素保障工作专班、区财政局（共 4 个部门）", "截止：2026-12-10（周四）17:00",
                 "标题：报送要素保障落实情况", "说明：无", "附件：要素保障清单.pdf"):
        assert part in confirm.text, part

    assert "没有符合条件" in await admin.send("/tasks")  # nothing written before Confirm; other commands pass

    created = await press_for_message(desk, admin, confirm, "确认下发", "已创建交办单")
    assert "#1" in created.text and "报送要素保障落实情况" in created.text and "已通知 2/4" in created.text
    assert "区发展改革委" in created.text and "区交通局" in created.text  # no liaison yet
    assert not buttons(current(desk, admin, confirm))

    notice = await desk.api.wait_for_message(chat_id=office["区财政局"].id, contains="交办单 #1")
    assert "本部门：牵头" in notice.text and "附件：要素保障清单.pdf" in notice.text and "2026-12-10（周四）17:00" in notice.text
    lead = await desk.api.wait_for_message(chat_id=office["区经济信息委"].id, contains="交办单 #1")
    assert "本部门：牵头" in lead.text

    detail = await admin.send_raw("/task 1")
    assert "报送要素保障落实情况" in detail.text and "区交通局（配合）" in detail.text and "区财政局（牵头）" in detail.text
    file_button = next(b for b in buttons(detail.result) if "要素保障清单.pdf" in b["text"])
    mark = desk.api.mark()
    await push_callback(desk, admin, file_button["callback_data"], detail.result)
    sent = await desk.api.wait_for(lambda c: c.method == "sendDocument" and c.chat_id == ADMIN_ID, after=mark)
    assert sent.raw["document"] == "doc-file-7"

    said = [c.text or "" for c in desk.api.sent_messages(ADMIN_ID) if c.index >= first]
    assert not any("存档" in t for t in said), said  # the inbox fallback never saw the dialogue
    assert "#1" in await admin.send("/tasks") and "存档" in await admin.send("这句不属于任何对话")


async def test_cancel_creates_nothing(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    picker_msg = await admin.send_raw("/assign")
    await press(desk, admin, picker_msg, "区交通局")
    await press(desk, admin, picker_msg, "取消")
    shown = current(desk, admin, picker_msg)
    assert "已取消，未创建交办单" in shown["text"] and not buttons(shown)

    picker_msg = await admin.send_raw("/assign")
    await press(desk, admin, picker_msg, "区交通局")
    await press_for_message(desk, admin, picker_msg, "下一步", "第 2/6 步")
    assert "第 3/6 步" in await admin.send("2026-12-01")
    assert "已取消，未创建交办单" in await admin.send("/cancel")
    assert "存档" in await admin.send("标题写在对话结束之后")  # the dialogue is over: the inbox keeps it

    picker_msg = await admin.send_raw("/assign")
    await press(desk, admin, picker_msg, "区水利局")
    await press_for_message(desk, admin, picker_msg, "下一步", "第 2/6 步")
    await admin.send("2026-12-01")
    await admin.send("标题")
    await admin.send("说明")
    confirm = await admin.send_raw("/skip")
    assert "第 6/6 步" in confirm.text and "附件：无" in confirm.text and "说明：说明" in confirm.text
    await press(desk, admin, confirm, "取消")  # Cancel on the summary edits it in place
    shown = current(desk, admin, confirm)
    assert "已取消，未创建交办单" in shown["text"] and not buttons(shown)

    assert "没有符合条件" in await admin.send("/tasks all")
    assert "没有 #1 号交办单" in await admin.send("/task 1")


async def test_buttons_that_are_not_the_dialogues_get_a_short_answer(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    mark = desk.api.mark()
    picker_msg = await admin.send_raw("/assign")
    answer = await press(desk, admin, picker_msg, "下一步")
    assert "请先选择至少一个" in answer.raw["text"]  # Next with nothing chosen: a polite prompt

    for forged in ("a:t:999", "a:p:7", "a:zz", "a:ok", "a:t:-1", "a:t:" + "9" * 70, "a:n:1"):
        answer = await push_callback(desk, admin, forged, current(desk, admin, picker_msg))
        assert "失效" in answer.raw["text"], forged
    assert "尚未选择" in current(desk, admin, picker_msg)["text"]  # nothing toggled

    old = picker_msg  # /assign again starts afresh; the first picker's buttons are void
    picker_msg = await admin.send_raw("/assign")
    answer = await push_callback(desk, admin, "a:t:1", old.result)
    assert "失效" in answer.raw["text"] and not buttons(current(desk, admin, old))

    await press(desk, admin, picker_msg, "区财政局")
    await press_for_message(desk, admin, picker_msg, "下一步", "第 2/6 步")
    answer = await push_callback(desk, admin, "a:ok", picker_msg.result)  # a button at a typed step
    assert "失效" in answer.raw["text"]
    assert "已取消" in await admin.send("/cancel")
    answer = await push_callback(desk, admin, "a:t:0", picker_msg.result)  # outside any dialogue
    assert "失效" in answer.raw["text"]
    assert not [c for c in desk.api.sent_messages(ADMIN_ID) if c.index >= mark and "出错" in (c.text or "")]


async def test_assign_with_arguments_still_works_and_the_dialogue_goes_on(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    picker_msg = await admin.send_raw("/assign")
    await press(desk, admin, picker_msg, "区财政局")
    assert "已创建交办单 <b>#1</b>" in (await admin.send_raw("/assign 区水利局 | 2026-12-10 | 直接下发")).raw["text"]
    await press_for_message(desk, admin, picker_msg, "下一步", "第 2/6 步")
    assert "格式不对" in await admin.send("尽快")
    assert "第 3/6 步" in await admin.send("2026-12-10")
    assert "标题太长" in await admin.send("长" * 201)
    assert "第 4/6 步" in await admin.send("对话下发")
    assert "说明太长" in await admin.send("长" * 2001)
    assert "第 5/6 步" in await admin.send("/skip")
    confirm = await admin.send_raw("/skip")
    assert "承办：区财政局（共 1 个部门）" in confirm.text and "标题：对话下发" in confirm.text
    created = await press_for_message(desk, admin, confirm, "确认下发", "已创建交办单")
    assert "#2" in created.text and "已通知 1/1" in created.text


async def test_attachment_step_takes_only_files_and_english_callers_read_english(desk: Desk, office):  # type: ignore[no-untyped-def]
    admin = desk.admin
    await admin.send("/lang en")
    picker_msg = await admin.send_raw("/assign")
    assert "(step 1 of 6)" in picker_msg.text and [b["text"] for b in buttons(picker_msg.result)][-2:] == ["Next ▶", "✖ Cancel"]
    await press(desk, admin, picker_msg, "区财政局")
    await press_for_message(desk, admin, picker_msg, "Next", "Step 2 of 6")
    assert "Step 3 of 6" in await admin.send("2026-12-10")
    assert "Step 4 of 6" in await admin.send("Monthly figures")
    assert "Step 5 of 6" in await admin.send("Use the usual template")
    assert "Step 5 of 6" in await admin.send("not a file")  # asked again
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, admin.id, None, first_name=admin.first_name, photo="photo-file-9"))
    confirm = await desk.api.wait_for_message(chat_id=admin.id, contains="Step 6 of 6", after=mark)
    assert "Attachment: photo" in confirm.text and "Details: Use the usual template" in confirm.text
    assert "Please use the buttons" in await admin.send("ok?")
    created = await press_for_message(desk, admin, confirm, "Confirm", "Created task")
    assert "#1" in created.text and "Notified 1/1" in created.text


async def test_a_non_admin_is_refused_by_the_access_layer(desk: Desk, office):  # type: ignore[no-untyped-def]
    liaison = office["区财政局"]
    assert "仅限管理员" in await liaison.send("/assign")
    assert "存档" in await liaison.send("2026-12-10")  # no dialogue was started for them
    stranger = desk.chat(3299, "路人")
    assert "仅限管理员" in await stranger.send("/assign")


async def at_step(desk: Desk, chat: Chat, step: str, timeout: float = 5.0) -> None:
    """Wait until the person's stored dialogue is at `step` (it is written after the callback's
    reply, so a test that moves the clock first waits for it)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (stored := await dialogues.current(desk.services.db, chat.id, now=desk.services.now())) is None \
            or stored.step != step:
        assert loop.time() < deadline, f"the dialogue never reached the step {step!r}"
        await asyncio.sleep(0.02)


async def test_an_idle_dialogue_ends_and_drops_its_draft(desk: Desk, office, clock):  # type: ignore[no-untyped-def]
    admin = desk.admin
    picker_msg = await admin.send_raw("/assign")
    await press(desk, admin, picker_msg, "区财政局")
    await press_for_message(desk, admin, picker_msg, "下一步", "第 2/6 步")
    await at_step(desk, admin, assign_dialog.DUE)  # the row is written once the step's reply is out
    clock.advance(assign_dialog.TIMEOUT - timedelta(seconds=1))
    assert await assign_dialog.end_idle(desk.app.bot, desk.services) == 0  # not idle long enough yet
    clock.advance(timedelta(seconds=2))
    mark = desk.api.mark()
    assert await assign_dialog.end_idle(desk.app.bot, desk.services) == 1  # the app's job does this every 30 s
    ended = await desk.api.wait_for_message(chat_id=admin.id, contains="草稿已丢弃", after=mark)
    assert "/assign" in ended.text
    assert "存档" in await admin.send("2026-12-10")  # no longer the dialogue's
    assert "没有符合条件" in await admin.send("/tasks all")
    assert await assign_dialog.end_idle(desk.app.bot, desk.services) == 0  # ended once


async def test_a_dialogue_started_in_one_process_finishes_in_another(desk: Desk, office):  # type: ignore[no-untyped-def]
    """Its state is in the database: a second Application (another worker behind the load balancer,
    or the bot after a restart) takes the next steps of a dialogue the first one started."""
    admin = desk.admin
    picker_msg = await admin.send_raw("/assign")
    await press(desk, admin, picker_msg, "区财政局")
    await press_for_message(desk, admin, picker_msg, "下一步", "第 2/6 步")
    await at_step(desk, admin, assign_dialog.DUE)
    await stop(desk.app)  # the first process is gone
    other = build_application(desk.services)
    await start(other)
    pause_minute_job(other)
    try:
        assert "第 3/6 步" in await admin.send("12月10日")
        assert "第 4/6 步" in await admin.send("报送资金保障方案")
        assert "第 5/6 步" in await admin.send("/skip")
        summary_msg = await admin.send_raw("/skip")
        assert "报送资金保障方案" in summary_msg.text and "区财政局" in summary_msg.text
        await press_for_message(desk, admin, summary_msg, "确认", "#1")
    finally:
        await stop(other)
        desk.app = build_application(desk.services)  # the fixture stops an app at the end: a fresh one
        await desk.app.initialize()


# ---------------------------------------------------------------- the picker, without Telegram


def test_the_picker_pages_beyond_forty_buttons_and_keeps_payloads_small():
    org31 = [Choice("group", f"工作专班{i}", frozenset({i})) for i in range(7)] + \
            [Choice("department", f"区部门{i}", frozenset({100 + i})) for i in range(24)]
    body, keyboard = picker(org31, {0, 8}, 0, "zh")
    flat = [b for row in keyboard["inline_keyboard"] for b in row]
    assert len(flat) == 31 + 2 and "页" not in body and "共 2 个部门" in body

    many = [Choice("department", f"区部门{i}", frozenset({i})) for i in range(PAGE_SIZE + 10)]
    first_body, first = picker(many, set(), 0, "zh")
    last_body, last = picker(many, set(), 1, "zh")
    assert "第 1/2 页" in first_body and "第 2/2 页" in last_body
    assert sum(len(row) for row in first["inline_keyboard"]) == PAGE_SIZE + 1 + 2  # toggles, next page, next/cancel
    assert [b["text"] for b in last["inline_keyboard"][-2]] == ["« 上一页"]
    for keyboard in (first, last):
        for row in keyboard["inline_keyboard"]:
            for b in row:
                assert len(b["callback_data"].encode()) <= 64 and decode(b["callback_data"]) is not None
                assert callbacks.decode(b["callback_data"]) is None  # never mistaken for a task button


def test_payloads_decode_strictly():
    assert decode(encode("t", 12)) == ("t", 12) and decode(encode("n")) == ("n", None)
    for junk in (None, "", "a:", "a:t", "a:t:x", "a:n:1", "t:ack:1", "a:t:12345", "a:ok:1", "a:t:1 ", "b:n"):
        assert decode(junk) is None, junk
