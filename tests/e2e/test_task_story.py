"""The task story through the fake Bot API: assign to a working group, acknowledge, reply with a
photo, ask for and get more time, go overdue, escalate to a director, finish, close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.tick import run_steps
from tests.e2e.conftest import ADMIN_ID, Chat, Desk
from tests.support.fake_bot_api import Call, callback_query, private_message

TZ = ZoneInfo("Asia/Shanghai")
GROUP = {"departments": ["区经济信息委", "区发展改革委", "区交通局", "区水利局", "区规划自然资源局", "区财政局"],
         "working_groups": [{"name": "要素保障工作专班", "lead": ["区经济信息委"],
                             "members": ["区发展改革委", "区交通局", "区水利局", "区规划自然资源局"]}]}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def press(desk: Desk, chat: Chat, notice: Call, label: str) -> Call:
    """Press the notice's button whose label contains `label`; returns the callback answer."""
    message = desk.api.message(chat.id, notice.result["message_id"]) or notice.result
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    data = next(b["callback_data"] for b in buttons if label in b["text"])
    return await push_callback(desk, chat, data, message)


async def push_callback(desk: Desk, chat: Chat, data: str, message: dict) -> Call:
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    return await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)


async def reply_with_photo(desk: Desk, chat: Chat, notice: Call, caption: str) -> str:
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, chat.id, None, first_name=chat.first_name, photo="photo-file-1",
                                         caption=caption, reply_to=notice.result["message_id"]))
    return (await desk.api.wait_for_message(chat_id=chat.id, after=mark)).text or ""


async def tick(desk: Desk, clock, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """What the bot's minute job does at `at`: run the steps, wake the sender."""
    clock.current = at
    await run_steps(desk.services, at, datetime.now(UTC))
    desk.services.wake_outbox()


@pytest.fixture
async def story(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 23, 9, 0)
    people = await desk.set_up(GROUP, ["区经济信息委", "区发展改革委", "区交通局", "区规划自然资源局"], 3100)
    director = desk.chat(3900, "王主任")
    await director.send("/start")
    await desk.admin.send("/grant 3900 director")
    return people, director


async def test_the_whole_task_story(desk: Desk, clock, story):  # type: ignore[no-untyped-def]
    people, director = story
    lead, ndrc, transport, planning = (people[d] for d in ["区经济信息委", "区发展改革委", "区交通局", "区规划自然资源局"])

    assigned = desk.api.mark()
    created = await desk.admin.send("/assign 要素保障工作专班 | 2026-12-04 | 报送道路管网建设进展 | 请附现场照片")
    assert "#1" in created and "已通知 4/5" in created and "区水利局" in created

    notices = {dept: await desk.api.wait_for_message(chat_id=chat.id, contains="交办单 #1", after=assigned)
               for dept, chat in people.items()}
    assert "本部门：牵头" in notices["区经济信息委"].text and "本部门：配合" in notices["区交通局"].text
    assert "2026-12-04（周五）18:00" in notices["区交通局"].text

    mark = desk.api.mark()
    answer = await press(desk, lead, notices["区经济信息委"], "确认收到")
    assert "已确认收到 #1" in answer.raw["text"]
    edited = await desk.api.wait_for(lambda c: c.method == "editMessageText" and c.chat_id == lead.id, after=mark)
    assert "已确认收到" in edited.text

    assert "已记录 #1 的进展" in await reply_with_photo(desk, lead, notices["区经济信息委"], "道路已完成80%")

    mark = desk.api.mark()
    await press(desk, ndrc, notices["区发展改革委"], "申请延期")
    await desk.api.wait_for_message(chat_id=ndrc.id, contains="新截止日期", after=mark)
    assert "已提交 #1 的延期申请" in await ndrc.send("2026-12-11 等待用地审批")
    request = await desk.api.wait_for_message(chat_id=ADMIN_ID, contains="延期申请", after=mark)
    assert "等待用地审批" in request.text and "区发展改革委" in request.text
    mark = desk.api.mark()
    await push_callback(desk, desk.admin, request.reply_markup["inline_keyboard"][0][0]["callback_data"], request.result)
    granted = await desk.api.wait_for_message(chat_id=ndrc.id, contains="已批准", after=mark)
    assert "2026-12-11（周五）18:00" in granted.text

    forged = await push_callback(desk, lead, "t:ack:999999", notices["区经济信息委"].result)
    assert "失效" in forged.raw["text"]

    assert "已将 #1 标记为办结" in await lead.send("/done 1 全部完成")

    # the due day: a reminder to each department not done (not the lead, not the extended one)
    mark = desk.api.mark()
    await tick(desk, clock, local(2026, 12, 4, 9, 5))
    await desk.api.wait_for_message(chat_id=transport.id, contains="今天", after=mark)
    await desk.api.wait_for_message(chat_id=planning.id, contains="今天", after=mark)

    # overdue: Monday morning, escalation to the director naming the overdue departments only
    await tick(desk, clock, local(2026, 12, 7, 9, 30))
    escalation = await desk.api.wait_for_message(chat_id=director.id, contains="逾期通报", after=mark)
    for name in ("区交通局", "区规划自然资源局", "区水利局"):
        assert name in escalation.text
    assert "区经济信息委" not in escalation.text and "区发展改革委" not in escalation.text
    await desk.api.wait_for_message(chat_id=transport.id, contains="已逾期", after=mark)

    detail = await desk.admin.send_raw("/task 1")
    assert "区经济信息委（牵头）：已办结" in detail.text and "区交通局（配合）：已逾期" in detail.text
    assert "全部完成" in detail.text and "区水利局（配合）：未通知（无联络员）" in detail.text  # the latest progress shows
    assert "区发展改革委（配合）：已确认收到，延至 2026-12-11（周五）18:00" in detail.text
    file_button = detail.reply_markup["inline_keyboard"][0][0]
    mark = desk.api.mark()
    await push_callback(desk, desk.admin, file_button["callback_data"], detail.result)
    sent = await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == ADMIN_ID, after=mark)
    assert sent.raw["photo"] == "photo-file-1"

    mark = desk.api.mark()
    assert "已关闭 #1" in await desk.admin.send("/close 1")
    await desk.api.wait_for_message(chat_id=transport.id, contains="已由办公室关闭", after=mark)
    assert "目前没有待办" in await transport.send("/mytasks")


async def test_each_reminder_goes_once_over_a_simulated_month(desk: Desk, clock, story):  # type: ignore[no-untyped-def]
    people, director = story
    await desk.admin.send("/assign 区交通局,区财政局 | 2026-12-10 | 月度调度材料")
    transport = people["区交通局"]
    at = local(2026, 11, 23, 10, 0)
    while at < local(2026, 12, 23, 10, 0):
        clock.current = at
        await run_steps(desk.services, at, datetime.now(UTC))
        at += timedelta(hours=2)
    await desk.delivered()
    texts = [c.text or "" for c in desk.api.sent_messages(transport.id)]
    reminders = [t for t in texts if t.startswith(("⏰", "📬")) and "#1「月度调度材料」" in t]
    assert sum("尚未确认收到" in t for t in reminders) == 1
    assert sum("还有 3 天" in t for t in reminders) == 1 and sum("还有 1 天" in t for t in reminders) == 1
    assert sum("今天" in t for t in reminders) == 1
    overdue = [t for t in reminders if "已逾期" in t]
    # working days from 2026-12-11 to 2026-12-22 (Mondays to Fridays, no holidays in between)
    assert len(overdue) == 8 and len(set(overdue)) == 8
    assert sum("逾期通报" in (c.text or "") for c in desk.api.sent_messages(director.id)) == 1
    assert not any("区财政局" in t for t in texts)  # 区财政局 has no liaison: nobody to remind


async def test_malformed_task_commands_get_usage_lines_and_create_nothing(desk: Desk, clock, story):  # type: ignore[no-untyped-def]
    people, _ = story
    assert (await desk.admin.send("/assign 区交通局 | 2026-12-10")).startswith("用法：/assign")
    assert "格式不对" in await desk.admin.send("/assign 区交通局 | 12月32日 | 标题")  # 12月10日 is a date (test_dates_typed)
    assert "已经过去" in await desk.admin.send("/assign 区交通局 | 2020-01-01 | 标题")
    assert "找不到部门或工作专班：区不存在局" in await desk.admin.send("/assign 区交通局,区不存在局 | 2026-12-10 | 标题")
    assert "没有符合条件" in await desk.admin.send("/tasks")
    assert (await desk.admin.send("/extend 1")).startswith("用法：/extend")
    assert (await desk.admin.send("/close x")).startswith("用法：/close")
    transport = people["区交通局"]
    assert (await transport.send("/progress 1")).startswith("用法：/progress")
    assert (await transport.send("/done")).startswith("用法：/done")
    assert "没有 #1 号交办单" in await transport.send("/progress 1 进展")


async def test_progress_from_outside_the_task_is_kept_and_the_sender_told(desk: Desk, clock, story):  # type: ignore[no-untyped-def]
    people, _ = story
    assigned = desk.api.mark()
    await desk.admin.send("/assign 区交通局 | 2026-12-10 | 只给交通局")
    notice = await desk.api.wait_for_message(chat_id=people["区交通局"].id, contains="交办单 #1", after=assigned)
    outsider = people["区经济信息委"]
    assert "不是 #1 号交办单承办部门" in await outsider.send("/progress 1 我也有进展")
    # a liaison pressing a button on someone else's notice
    answer = await push_callback(desk, outsider, notice.reply_markup["inline_keyboard"][0][0]["callback_data"], notice.result)
    assert "不是 #1" in answer.raw["text"]
    stranger = desk.chat(3999, "路人")
    assert "只有部门联络员" in await stranger.send("/mytasks") or "仅限" in await stranger.send("/mytasks")


async def test_the_morning_round_tells_each_person_once_a_day_and_one_tap_acknowledges_all(desk: Desk, clock, story):  # type: ignore[no-untyped-def]
    """Two tasks for one department: each morning its liaison gets one reminder naming both, one
    nudge for both unacknowledged notices whose button acknowledges both, and the director one
    escalation a day naming the tasks that went overdue since the last one."""
    people, director = story
    transport = people["区交通局"]
    await desk.admin.send("/assign 区交通局,区财政局 | 2026-11-25 | 材料一")
    await desk.admin.send("/assign 区交通局 | 2026-11-26 | 材料二")
    await desk.delivered()

    def today(chat: Chat, since: int) -> list[Call]:
        return [c for c in desk.api.sent_messages(chat.id)[since:] if not (c.text or "").startswith("📋")]

    seen = len(desk.api.sent_messages(transport.id))
    await tick(desk, clock, local(2026, 11, 25, 9, 0))  # Wednesday: more than 24 hours after both notices
    await desk.delivered()
    wednesday = today(transport, seen)
    assert len(wednesday) == 2, [c.text for c in wednesday]
    nudge = next(c for c in wednesday if "尚未确认收到" in (c.text or ""))
    reminder = next(c for c in wednesday if "交办单提醒" in (c.text or ""))
    assert "#1「材料一」" in nudge.text and "#2「材料二」" in nudge.text  # type: ignore[operator]
    assert "#1「材料一」今天" in reminder.text and "#2「材料二」" in reminder.text and "还有 1 天" in reminder.text  # type: ignore[operator]

    answer = await press(desk, transport, nudge, "全部确认收到")
    assert "已确认收到 2 项" in answer.raw["text"]
    edited = desk.api.message(transport.id, nudge.result["message_id"])
    assert edited is not None and "已确认收到 2 项" in edited["text"] and not edited.get("reply_markup")
    data = nudge.result["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    again = await push_callback(desk, transport, data, nudge.result)  # a second tap (another phone, a stale copy)
    assert "都已确认过了" in again.raw["text"]
    listing = await transport.send("/mytasks")
    assert listing.count("已确认") >= 2 and "待确认" not in listing

    seen_director = len(desk.api.sent_messages(director.id))
    await tick(desk, clock, local(2026, 11, 26, 9, 0))  # Thursday: #1 went overdue yesterday
    await tick(desk, clock, local(2026, 11, 26, 9, 1))  # a minute later: nothing new
    await desk.delivered()
    thursday = [c.text or "" for c in desk.api.sent_messages(director.id)[seen_director:]]
    assert len(thursday) == 1 and "#1「材料一」" in thursday[0] and "#2" not in thursday[0]
    assert "区交通局（牵头" in thursday[0] and "未通知（无联络员）：区财政局" in thursday[0]

    seen = len(desk.api.sent_messages(transport.id))
    await tick(desk, clock, local(2026, 11, 27, 9, 0))  # Friday: #2 went overdue yesterday
    await desk.delivered()
    friday = [c.text or "" for c in desk.api.sent_messages(director.id)[seen_director + 1:]]
    assert len(friday) == 1 and "#2「材料二」" in friday[0] and "#1「" not in friday[0]
    assert "另有 1 项此前已通报" in friday[0]
    to_liaison = [c.text or "" for c in today(transport, seen)]
    assert len(to_liaison) == 1 and "已逾期" in to_liaison[0]
    assert "#1「材料一」已逾期 2 天" in to_liaison[0] and "#2「材料二」已逾期 1 天" in to_liaison[0]
