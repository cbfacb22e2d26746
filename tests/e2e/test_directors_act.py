"""What directors can do, end to end: read tasks (with their progress and files) and the cycle,
comment on a task (批示) to the right liaisons, remind laggards with one tap (一键催办) once a day,
and see departments without a liaison apart from the overdue ones. Admins hear of registrations."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from jobs.tick import run_steps
from tests.e2e.conftest import ADMIN_ID, Chat, Desk
from tests.support.fake_bot_api import Call, callback_query, private_message

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区经济信息委", "区财政局", "区交通局", "区水利局", "区统计局"]}
WITH_LIAISON = ["区经济信息委", "区财政局", "区交通局"]  # 区水利局 and 区统计局 have none
TARGETS = "区经济信息委,区财政局,区交通局,区水利局"
NUDGE = "一键催办"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def buttons(call: Call) -> list[dict]:  # type: ignore[type-arg]
    return [b for row in (call.reply_markup or {}).get("inline_keyboard", []) for b in row]


async def press(desk: Desk, chat: Chat, message: Call, label: str) -> str:
    """Press the button whose label contains `label` on `message`; the callback's answer."""
    data = next(b["callback_data"] for b in buttons(message) if label in b["text"])
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message.result, first_name=chat.first_name))
    answer = await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    return answer.raw.get("text", "")


def texts_to(desk: Desk, chat: Chat, after: int, contains: str) -> list[str]:
    return [c.text or "" for c in desk.api.calls[after:]
            if c.method == "sendMessage" and c.chat_id == chat.id and contains in (c.text or "")]


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 23, 9, 0)
    mark = desk.api.mark()
    people = await desk.set_up(ORG, WITH_LIAISON, 5100)
    await run_steps(desk.services, clock.current, datetime.now(UTC))  # the quarter's cycle, with these departments
    director = desk.chat(5900, "王主任")
    await director.send("/start")
    assert "已授予" in await desk.admin.send("/grant 5900 director", contains="授予")
    return people, director, mark


async def test_admins_are_told_when_a_liaison_registers(desk: Desk, office):  # type: ignore[no-untyped-def]
    _, _, mark = office
    notes = [c.text for c in desk.api.calls[mark:] if c.method == "sendMessage" and c.chat_id == ADMIN_ID
             and "已登记为联络员" in (c.text or "")]
    assert notes == ["区经济信息委：联络员0 已登记为联络员（已登记 1/5）",
                     "区财政局：联络员1 已登记为联络员（已登记 2/5）",
                     "区交通局：联络员2 已登记为联络员（已登记 3/5）"]


async def test_a_director_reads_tasks_and_the_cycle_and_comments(desk: Desk, office):  # type: ignore[no-untyped-def]
    people, director, _ = office
    finance, transport, economy = people["区财政局"], people["区交通局"], people["区经济信息委"]
    mark = desk.api.mark()
    assert "#1" in await desk.admin.send(f"/assign {TARGETS} | 2026-11-27 | 报送项目进展")
    notice = await desk.api.wait_for_message(chat_id=finance.id, contains="交办单 #1", after=mark)
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, finance.id, None, first_name=finance.first_name, photo="site-photo-9",
                                         caption="现场已开工", reply_to=notice.result["message_id"]))
    await desk.api.wait_for_message(chat_id=finance.id, contains="已记录 #1 的进展", after=mark)

    listing = await director.send("/tasks")
    assert "#1 报送项目进展" in listing and "未通知（无联络员）1" in listing and "逾期" not in listing

    detail = await director.send_raw("/task 1")
    assert "区财政局（牵头）：办理中" in detail.text and "现场已开工" in detail.text
    assert "区水利局（牵头）：未通知（无联络员）" in detail.text
    mark = desk.api.mark()
    await press(desk, director, detail, "区财政局")  # the photo's file button
    sent = await desk.api.wait_for(lambda c: c.method == "sendPhoto" and c.chat_id == director.id, after=mark)
    assert sent.raw["photo"] == "site-photo-9"

    cycle = await director.send_raw("/cycle")
    assert "区财政局" in cycle.text and any(NUDGE in b["text"] for b in buttons(cycle))
    # directors read /cycle; setting the indicators is the office's
    assert "仅限管理员" in await director.send("/cycle 指标 产值 亿元")

    # a comment to one department reaches only its liaison
    await desk.delivered()
    mark = desk.api.mark()
    reply = await director.send("/comment 1 财政局 请本周内补充现场照片")
    assert "1 位联络员" in reply and "区财政局" in reply
    await desk.delivered()
    expected = "📌 主任批示（交办单 #1 报送项目进展）：请本周内补充现场照片"
    assert len(texts_to(desk, finance, mark, expected)) == 1
    assert not texts_to(desk, transport, mark, "主任批示") and not texts_to(desk, economy, mark, "主任批示")

    # a comment to all: every liaison of the task; the department without one is named
    mark = desk.api.mark()
    reply = await director.send("/comment 1 各部门抓紧办理")
    assert "3 位联络员" in reply and "区水利局尚无联络员" in reply
    await desk.delivered()
    for chat in (finance, transport, economy):
        assert len(texts_to(desk, chat, mark, "📌 主任批示（交办单 #1 报送项目进展）：各部门抓紧办理")) == 1

    # a reply to the comment is that department's progress on the task
    comment = next(c for c in desk.api.calls[mark:] if c.method == "sendMessage" and c.chat_id == transport.id
                   and "主任批示" in (c.text or ""))
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, transport.id, "已组织专人办理", first_name=transport.first_name,
                                         reply_to=comment.result["message_id"]))
    assert "已记录 #1 的进展（区交通局）" in (await desk.api.wait_for_message(chat_id=transport.id, after=mark)).text

    detail = await director.send("/task 1")
    assert "请本周内补充现场照片" in detail and "（致区财政局）" in detail and "各部门抓紧办理" in detail
    assert "已组织专人办理" in detail

    # refusals
    assert "区统计局不是 #1 号交办单的承办部门" in await director.send("/comment 1 区统计局 请配合")
    assert "没有 #99 号交办单" in await director.send("/comment 99 请抓紧")
    assert "用法" in await director.send("/comment 1")


async def test_one_tap_reminds_exactly_the_laggards_once_a_day(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    people, director, _ = office
    finance, transport, economy = people["区财政局"], people["区交通局"], people["区经济信息委"]
    assert "#1" in await desk.admin.send(f"/assign {TARGETS} | 2026-11-25 | 报送资金保障进展")
    await desk.delivered()
    assert "已将 #1 标记为办结" in await economy.send("/done 1 已完成")
    clock.current = local(2026, 11, 26, 10, 0)  # the day after the due day

    overdue = await director.send_raw("/overdue")
    head, _, apart = overdue.text.partition("未通知（无联络员）")
    assert "当前逾期事项（2）" in head and "区财政局" in head and "区交通局" in head
    assert "区水利局" not in head and "区经济信息委" not in head
    assert "区水利局" in apart and "（1）" in apart
    assert any(NUDGE in b["text"] for b in buttons(overdue))

    detail = await director.send_raw("/task 1")
    assert "区水利局（牵头）：未通知（无联络员）" in detail.text and "区水利局（牵头）：已逾期" not in detail.text
    await desk.delivered()
    mark = desk.api.mark()
    answer = await press(desk, director, detail, NUDGE)
    assert answer == "已催办 2 个部门；区水利局无联络员，未催办"
    await desk.delivered()
    assert len(texts_to(desk, finance, mark, "办公室催办")) == 1
    assert len(texts_to(desk, transport, mark, "办公室催办")) == 1
    assert not texts_to(desk, economy, mark, "办公室催办")

    # the same day again, from /task or /overdue: nobody is reminded twice
    mark = desk.api.mark()
    assert (await press(desk, director, detail, NUDGE)).startswith("已催办 0 个部门（其余今天已催办过）")
    assert (await press(desk, director, overdue, NUDGE)).startswith("已催办 0 个部门（其余今天已催办过）")
    await desk.delivered()
    assert not texts_to(desk, finance, mark, "办公室催办") and not texts_to(desk, transport, mark, "办公室催办")

    # a reply to the reminder is progress
    reminder = next(c for c in desk.api.sent_messages(finance.id) if "办公室催办" in (c.text or ""))
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, finance.id, "资金已拨付", first_name=finance.first_name,
                                         reply_to=reminder.result["message_id"]))
    assert "已记录 #1 的进展（区财政局）" in (await desk.api.wait_for_message(chat_id=finance.id, after=mark)).text

    # the next day, once more
    clock.current = local(2026, 11, 27, 10, 0)
    assert (await press(desk, director, overdue, NUDGE)).startswith("已催办 2 个部门")

    # the escalation names the overdue departments, and the one never notified apart
    mark = desk.api.mark()
    clock.current = local(2026, 11, 27, 10, 5)
    await run_steps(desk.services, clock.current, datetime.now(UTC))
    desk.services.wake_outbox()
    escalation = await desk.api.wait_for_message(chat_id=director.id, contains="逾期通报", after=mark)
    rows, _, apart = escalation.text.partition("未通知（无联络员）")
    assert "区财政局" in rows and "区交通局" in rows and "区水利局" not in rows
    assert "区水利局" in apart


async def test_the_cycle_button_reminds_the_departments_still_missing(desk: Desk, office):  # type: ignore[no-untyped-def]
    people, director, _ = office
    finance, transport, economy = people["区财政局"], people["区交通局"], people["区经济信息委"]
    await finance.send("/report 本季度工作进展顺利")
    preview = await desk.api.wait_for_message(chat_id=finance.id, contains="提交")
    await press(desk, finance, preview, "提交")
    cycle = await director.send_raw("/cycle")
    await desk.delivered()
    mark = desk.api.mark()
    answer = await press(desk, director, cycle, NUDGE)
    assert answer.startswith("已催办 2 个部门") and "区水利局" in answer and "区统计局" in answer
    await desk.delivered()
    assert texts_to(desk, transport, mark, "办公室催办") and texts_to(desk, economy, mark, "办公室催办")
    assert not texts_to(desk, finance, mark, "办公室催办")
    assert (await press(desk, director, cycle, NUDGE)).startswith("已催办 0 个部门（其余今天已催办过）")
