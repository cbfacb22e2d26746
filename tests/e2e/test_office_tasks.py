"""Tasks across offices, through the real Application (issue 13): a city task to two districts,
forwarded (转办) by one district to its three departments, two of which finish it — the city's
`/task N` shows that district `下级办理 2/3` and the other untouched (acceptance 2); and nothing of
one district's tasks is seen or pressed by the other's people."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storage.repos import people as people_repo
from tests.e2e.conftest import Chat, Desk
from tests.support.fake_bot_api import Call, callback_query
from tests.support.offices import City, seed_city

TZ = ZoneInfo("Asia/Shanghai")
YONGCHUAN_ADMIN, BISHAN_ADMIN = 4001, 4002
DEPARTMENTS = ("区财政局", "区经济信息委", "区科技局")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def grant(desk: Desk, telegram_id: int, role: str, office_id: int) -> None:
    async with desk.services.db.transaction() as s:
        await people_repo.add_grant(s, telegram_id, role, 1001, desk.services.now(), office_id=office_id)


async def invite(admin: Chat, department: str) -> str:
    reply = await admin.send(f"/invite {department}", contains="start=")
    found = re.search(r"\?start=([A-Za-z0-9_-]+)", reply)
    assert found, reply
    return found.group(1)


async def register(desk: Desk, admin: Chat, department: str, user_id: int) -> Chat:
    """A liaison of `department` of the office `admin` acts in, registered by the admin's invite."""
    await desk.delivered()
    chat = desk.chat(user_id, f"联络员{user_id}")
    assert "登记成功" in await chat.send(f"/start {await invite(admin, department)}")
    await desk.delivered()
    return chat


async def answer(desk: Desk, chat: Chat, data: str, message: dict) -> str:  # type: ignore[type-arg]
    """Press a button with `data` (possibly forged) under `message` in the chat; the bot's answer."""
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    found = await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    return str(found.raw.get("text", ""))


def buttons(call: Call) -> dict[str, str]:
    """label → callback data of a message's inline buttons."""
    rows = (call.reply_markup or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


@pytest.fixture
async def city(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 23, 9, 0)
    seeded = await seed_city(desk.services.db, clock())
    admins = {}
    for user_id, code in ((YONGCHUAN_ADMIN, "yongchuan"), (BISHAN_ADMIN, "bishan")):
        chat = desk.chat(user_id, f"{code}管理员")
        await chat.send("/start")
        await grant(desk, user_id, "admin", seeded.office[code])
        admins[code] = chat
    units = {code: await register(desk, desk.admin, name, 4100 + i)
             for i, (code, name) in enumerate((("yongchuan", "永川区"), ("bishan", "璧山区")))}
    departments = {name: await register(desk, admins["yongchuan"], name, 4200 + i)
                   for i, name in enumerate(DEPARTMENTS)}
    return seeded, admins, units, departments


async def test_a_city_task_forwarded_by_one_district_shows_its_departments_progress(desk: Desk, clock, city):  # type: ignore[no-untyped-def]
    seeded, admins, units, departments = city
    yongchuan, bishan = admins["yongchuan"], admins["bishan"]

    mark = desk.api.mark()
    created = await desk.admin.send("/assign 永川区、璧山区 | 2026-12-10 | 报送园区创建进展 | 按季度报送创建动态")
    assert "#1" in created and "已通知 2/2" in created
    for chat in units.values():  # each district's liaison to the city has the notice as any department
        notice = await desk.api.wait_for_message(chat_id=chat.id, contains="交办单 #1", after=mark)
        assert "报送园区创建进展" in notice.text
    cascade = {code: await desk.api.wait_for_message(chat_id=chat.id, contains="转办", after=mark)
               for code, chat in admins.items()}  # and each district's admins, with the 转办 button
    assert "永川区" in cascade["yongchuan"].text and "报送园区创建进展" in cascade["yongchuan"].text
    assert "下级办理" not in await desk.admin.send("/task 1")  # nothing forwarded yet

    # 永川区's admin forwards it to the district's three departments (the working group brings them)
    mark = desk.api.mark()
    pressed = await desk.api.press(YONGCHUAN_ADMIN, "转办", message_id=cascade["yongchuan"].result["message_id"])
    assert pressed["ok"]
    picker = await desk.api.wait_for_message(chat_id=YONGCHUAN_ADMIN, contains="报送园区创建进展", after=mark)
    labels = set(buttons(picker))
    assert {"产业发展工作专班", *DEPARTMENTS} <= labels
    assert not {"永川区", "璧山区", "市财政局"} & labels  # the district's own units only
    await desk.api.press(YONGCHUAN_ADMIN, "产业发展工作专班", message_id=picker.result["message_id"])
    mark = desk.api.mark()
    await desk.api.press(YONGCHUAN_ADMIN, "下一步", message_id=picker.result["message_id"])
    asked = await desk.api.wait_for_message(chat_id=YONGCHUAN_ADMIN, after=mark)
    assert "2026-12-10" in asked.text and "/skip" in asked.text
    refused = await yongchuan.send("2026-12-20")  # later than the city's due date: refused politely
    assert "不能晚于上级期限" in refused and "2026-12-10" in refused
    assert "/skip" in await yongchuan.send("/skip")  # the city's due date; the title prompt offers its title
    await yongchuan.send("/skip")  # the title is the city's
    await yongchuan.send("/skip")  # so are the details
    summary = await yongchuan.send("/skip")  # no file
    assert "报送园区创建进展" in summary and "按季度报送创建动态" in summary and "2026-12-10" in summary
    last = desk.api.sent_messages(YONGCHUAN_ADMIN)[-1]
    mark = desk.api.mark()
    await desk.api.press(YONGCHUAN_ADMIN, "确认", message_id=last.result["message_id"])
    done = await desk.api.wait_for_message(chat_id=YONGCHUAN_ADMIN, contains="#2", after=mark)
    assert "已通知 3/3" in done.text and "#1" in done.text

    notices = {name: await desk.api.wait_for_message(chat_id=chat.id, contains="交办单 #2", after=mark)
               for name, chat in departments.items()}
    assert all("交办 #1 转办" in n.text for n in notices.values())  # where it came from

    assert "下级办理 0/3" in await desk.admin.send("/task 1")
    # two of the three departments finish
    for name in ("区财政局", "区经济信息委"):
        assert "#2" in await departments[name].send("/done 2 已报送")

    city_view = await desk.admin.send("/task 1")
    rows = {line.split("（")[0].strip("• "): line for line in city_view.splitlines() if line.startswith("•")}
    assert "下级办理 2/3" in rows["永川区"], city_view
    assert "下级办理" not in rows["璧山区"], city_view  # the other district: untouched
    assert "区财政局" not in city_view  # the district's own departments are its business

    own = await yongchuan.send("/task 2")  # the district sees its task, and where it came from
    assert "交办 #1 转办" in own and "区科技局" in own


async def test_one_districts_tasks_are_nothing_to_the_other(desk: Desk, clock, city):  # type: ignore[no-untyped-def]
    seeded, admins, units, departments = city
    yongchuan, bishan = admins["yongchuan"], admins["bishan"]
    mark = desk.api.mark()
    await desk.admin.send("/assign 永川区 | 2026-12-10 | 报送园区创建进展")
    cascade = await desk.api.wait_for_message(chat_id=YONGCHUAN_ADMIN, contains="转办", after=mark)
    forward = next(data for label, data in buttons(cascade).items() if "转办" in label)
    assert "#2" in await yongchuan.send("/assign 区科技局 | 2026-12-08 | 区级任务 | 区内事项")

    # 璧山区's admin: no tasks, and #1 (the city's), #2 (永川区's) are as #99, which does not exist
    assert "#" not in await bishan.send("/tasks") and "#" not in await bishan.send("/tasks 全部")
    missing = await bishan.send("/task 99")
    assert await bishan.send("/task 1") == missing.replace("99", "1")
    assert await bishan.send("/task 2") == missing.replace("99", "2")
    # 永川区's admin does not see the city's task either (only its own part, by the 转办 button)
    assert await yongchuan.send("/task 1") == missing.replace("99", "1")
    # /forward N: the city's task to 永川区 is 永川区's to forward, nothing to 璧山区
    assert await bishan.send("/forward 1") == missing.replace("99", "1")
    assert "报送园区创建进展" in await yongchuan.send("/forward 1")
    assert "已取消" in await yongchuan.send("/cancel")

    # forged buttons: 永川区's 转办, a task's file and 一键催办 for #2, pressed in 璧山区's chat
    message = desk.api.sent_messages(BISHAN_ADMIN)[-1].result
    assert await answer(desk, bishan, forward, message) == await answer(desk, bishan, "fw:go:999999", message)
    assert await answer(desk, bishan, "n:t:2", message) == \
        (await answer(desk, bishan, "n:t:99", message)).replace("99", "2")
    assert await answer(desk, bishan, "f:t:2", message) == await answer(desk, bishan, "f:t:99", message)
    # 璧山区's liaison to the city, pressing a button of a 永川区 department's notice of #2, or /done 2
    notice = await desk.api.wait_for_message(chat_id=departments["区科技局"].id, contains="交办单 #2")
    target = buttons(notice)[next(label for label in buttons(notice) if "办结" in label)].rsplit(":", 1)[1]
    liaison = units["bishan"]
    own = desk.api.sent_messages(liaison.id)[-1].result
    assert await answer(desk, liaison, f"t:done:{target}", own) == await answer(desk, liaison, "t:done:999999", own)
    assert await liaison.send("/done 2") == (await liaison.send("/done 99")).replace("99", "2")
    assert "区科技局" not in await liaison.send("/mytasks")
