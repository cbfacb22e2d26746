"""A city and two districts in one deployment: each office's admin sees and reaches only their own
office's people and messages — /liaisons, /invite (and its name suggestions), the registration
note, /inbox and its filing buttons, /broadcast, /audit. Another office's ids answer like ids that
do not exist."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from storage.models import InboundMessage, Task, TaskProgress, TaskTarget
from tests.e2e.conftest import ADMIN_ID, Chat, Desk, is_registration_note
from tests.support.fake_bot_api import Call, callback_query, private_message
from tests.support.offices import City, seed_city

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def buttons(call: Call) -> list[tuple[str, str]]:
    markup = call.reply_markup or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


async def say(desk: Desk, chat: Chat, text: str) -> Call:
    """`chat` sends a plain message; the bot's first answer."""
    mark = desk.api.mark()
    desk.api.push_update(private_message(None, chat.id, text, first_name=chat.first_name))
    return await desk.api.wait_for_message(chat_id=chat.id, after=mark)


async def press(desk: Desk, chat: Chat, message: dict, data: str) -> str:  # type: ignore[type-arg]
    """`chat` presses a button with `data` on `message`; the callback answer's text."""
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, chat.id, data, message, first_name=chat.first_name))
    answer = await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    return answer.raw.get("text", "")


async def invite(desk: Desk, admin: Chat, department: str) -> str:
    await desk.delivered()
    reply = await admin.send(f"/invite {department}", contains="start=")
    found = re.search(r"\?start=([A-Za-z0-9_-]+)", reply)
    assert found, reply
    return found.group(1)


def notes(desk: Desk, chat: Chat) -> list[str]:
    return [c.text or "" for c in desk.api.sent_messages(chat.id) if is_registration_note(c)]


async def count(desk: Desk, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with desk.services.db.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


async def open_task(desk: Desk, office_id: int, department_id: int, title: str, now: datetime) -> tuple[int, int]:
    """An open task of the office for one department (rows as the task use case writes them):
    (task id, its part's id)."""
    async with desk.services.db.transaction() as s:
        task = Task(office_id=office_id, title=title, due_at=now + timedelta(days=20), created_by=ADMIN_ID,
                    created_at=now)
        s.add(task)
        await s.flush()
        part = TaskTarget(task_id=task.id, department_id=department_id, is_lead=True, notified_at=now)  # type: ignore[arg-type]
        s.add(part)
        await s.flush()
        return task.id, part.id  # type: ignore[return-value]


class World:
    """The city (root, its admin the configured one), two districts with an admin each, and a
    liaison each: 区财政局 in both districts, the unit 永川区 in the city."""

    def __init__(self, desk: Desk, city: City) -> None:
        self.desk, self.city = desk, city
        self.city_admin = desk.admin
        self.yc_admin, self.bs_admin = desk.chat(3001, "永川管理员"), desk.chat(3002, "璧山管理员")
        self.yc = desk.chat(4101, "永川财政联络员")
        self.bs = desk.chat(4201, "璧山财政联络员")
        self.unit = desk.chat(4301, "永川区联络员")


@pytest.fixture
async def world(desk: Desk, clock) -> World:  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 23, 9, 0)
    city = await seed_city(desk.services.db, clock())
    w = World(desk, city)
    await desk.admin.send("/grant 3001 admin yongchuan")
    await desk.admin.send("/grant 3002 admin bishan")
    for admin in (w.yc_admin, w.bs_admin):
        await admin.send("/whoami")  # they have a chat with the bot (for the notes)
    assert "登记成功" in await w.yc.send(f"/start {await invite(desk, w.yc_admin, '区财政局')}")
    assert "登记成功" in await w.bs.send(f"/start {await invite(desk, w.bs_admin, '区财政局')}")
    assert "登记成功" in await w.unit.send(f"/start {await invite(desk, w.city_admin, '永川区')}")
    await desk.delivered()
    return w


async def test_registration_happens_in_the_code_s_office_and_only_its_admins_are_told(world: World):  # type: ignore[no-untyped-def]
    w, desk = world, world.desk
    # a district's note names the district: every district has a 区财政局
    assert notes(desk, w.yc_admin) == ["区财政局（永川区）：永川财政联络员 已登记为联络员（已登记 1/3）"]
    assert notes(desk, w.bs_admin) == ["区财政局（璧山区）：璧山财政联络员 已登记为联络员（已登记 1/3）"]
    assert notes(desk, w.city_admin) == ["永川区：永川区联络员 已登记为联络员（已登记 1/3）"]
    # the district liaison works in their department's office
    assert "区财政局" in await w.yc.send("/whoami")


async def test_each_admin_lists_only_their_office_s_liaisons(world: World):  # type: ignore[no-untyped-def]
    w = world
    yc = await w.yc_admin.send("/liaisons")
    assert "（1/3 个部门已登记）" in yc
    assert "区财政局：永川财政联络员" in yc and "区经济信息委" in yc and "区科技局" in yc
    assert "璧山" not in yc and "市财政局" not in yc and "永川区联络员" not in yc

    bs = await w.bs_admin.send("/liaisons")
    assert "（1/3 个部门已登记）" in bs and "区财政局：璧山财政联络员" in bs and "永川" not in bs

    city = await w.city_admin.send("/liaisons")
    assert "（1/3 个部门已登记）" in city
    assert "市财政局" in city and "永川区：永川区联络员" in city and "璧山区" in city
    assert "区财政局" not in city and "财政联络员" not in city  # the districts' own departments are theirs

    history = await w.yc_admin.send("/liaisons 区财政局")
    assert "永川财政联络员" in history and "璧山财政联络员" not in history


async def test_another_office_s_names_are_not_found_nor_suggested(world: World):  # type: ignore[no-untyped-def]
    w = world
    for typed in ("璧山区", "永川区", "市财政局"):  # the city's units and department
        for command in ("/invite", "/liaisons"):
            reply = await w.yc_admin.send(f"{command} {typed}")
            assert reply.startswith("找不到部门") or "可能" in reply or "您是不是" in reply, reply
            assert typed not in reply.replace(f"“{typed}”", ""), reply  # echoed, never suggested
    reply = await w.yc_admin.send("/invite 区财政")  # a fragment: only the district's own names
    assert "市财政局" not in reply
    # the city does not reach into a district's departments by name either
    assert (await w.city_admin.send("/invite 区科技局")).startswith("找不到部门")
    # an alias is the office's own: 经信委 is the district's 区经济信息委
    reply = await w.yc_admin.send("/invite 经信委", contains="start=")
    assert "区经济信息委" in reply


async def test_inbox_and_its_buttons_are_the_office_s_own(world: World, clock):  # type: ignore[no-untyped-def]
    w, desk, city = world, world.desk, world.city
    yc_task, yc_part = await open_task(desk, city.office["yongchuan"], city.dept[("yongchuan", "区财政局")],
                                       "永川园区用地报批", clock())
    bs_task, bs_part = await open_task(desk, city.office["bishan"], city.dept[("bishan", "区财政局")],
                                       "璧山园区用地报批", clock())

    # a liaison's plain message offers their own department's open tasks only
    offer = await say(desk, w.yc, "永川：用地报批材料已上报")
    assert [t for t, _ in buttons(offer)] == [f"#{yc_task} 永川园区用地报批", "仅存档"]
    inbound = int(buttons(offer)[0][1].split(":")[2])
    # a forged button for another office's task part: stale, nothing written, no task number shown
    answer = await press(desk, w.yc, offer.result, f"i:t:{inbound}:{bs_part}")
    assert "失效" in answer and f"#{bs_task}" not in answer
    await say(desk, w.bs, "璧山：材料已报")
    await say(desk, w.unit, "永川区：本季度创建动态")
    await say(desk, desk.chat(4999, "路人甲"), "请问怎么登记？")

    yc_inbox = await w.yc_admin.send_raw("/inbox")
    body = yc_inbox.text or ""
    assert "共 1 条" in body and "永川：用地报批材料已上报" in body and "永川财政联络员 · 区财政局" in body
    assert [t for t, _ in buttons(yc_inbox)] == [f"1 → #{yc_task}"]
    bs_inbox = (await w.bs_admin.send_raw("/inbox")).text or ""
    assert "共 1 条" in bs_inbox and "璧山：材料已报" in bs_inbox and "永川" not in bs_inbox
    city_inbox = (await w.city_admin.send_raw("/inbox")).text or ""
    assert "永川区：本季度创建动态" in city_inbox and "请问怎么登记" in city_inbox
    assert "用地报批" not in city_inbox and "璧山：材料已报" not in city_inbox

    # forged office buttons: another office's message, another office's task part
    file_data = buttons(yc_inbox)[0][1]
    bs_listing = await w.bs_admin.send_raw("/inbox")
    assert "失效" in await press(desk, w.bs_admin, bs_listing.result, file_data)
    answer = await press(desk, w.yc_admin, yc_inbox.result, f"ib:t:{inbound}:{bs_part}")
    assert "失效" in answer and f"#{bs_task}" not in answer
    async with desk.services.db.session() as s:
        bs_inbound = (await s.exec(select(InboundMessage.id).where(InboundMessage.text == "璧山：材料已报"))).one()
    assert "失效" in await press(desk, w.yc_admin, yc_inbox.result, f"ib:t:{bs_inbound}:{yc_part}")
    assert await count(desk, TaskProgress) == 0

    # the office files its own liaison's message under its own task
    assert f"#{yc_task}" in await press(desk, w.yc_admin, yc_inbox.result, file_data)
    assert await count(desk, TaskProgress, TaskProgress.sender_id == w.yc.id) == 1
    assert "收件箱是空的" in await w.yc_admin.send("/inbox")
    assert "璧山：材料已报" in ((await w.bs_admin.send_raw("/inbox")).text or "")  # still there


async def test_broadcast_reaches_only_the_office_s_liaisons(world: World):  # type: ignore[no-untyped-def]
    w, desk = world, world.desk
    assert "1 位联络员" in await w.yc_admin.send("/broadcast 请周五前报送用地材料")
    await desk.delivered()
    received = {chat.first_name: [c.text or "" for c in desk.api.sent_messages(chat.id) if "用地材料" in (c.text or "")]
                for chat in (w.yc, w.bs, w.unit)}
    assert len(received["永川财政联络员"]) == 1 and not received["璧山财政联络员"] and not received["永川区联络员"]
    report = [c.text or "" for c in desk.api.sent_messages(w.yc_admin.id) if "群发" in (c.text or "")]
    assert any("1" in r for r in report)

    assert "1 位联络员" in await w.city_admin.send("/broadcast 市里的通知")  # the city: its units' liaisons
    await desk.delivered()
    assert [c for c in desk.api.sent_messages(w.unit.id) if "市里的通知" in (c.text or "")]
    assert not [c for chat in (w.yc, w.bs) for c in desk.api.sent_messages(chat.id) if "市里的通知" in (c.text or "")]


async def test_audit_shows_the_office_and_the_offices_below(world: World):  # type: ignore[no-untyped-def]
    w, desk = world, world.desk
    await w.yc_admin.send("/broadcast 永川通知")
    await w.bs_admin.send("/broadcast 璧山通知")
    await desk.delivered()
    yc = await w.yc_admin.send("/audit 50")
    assert "3001 · invite" in yc and "3001 · broadcast" in yc and "4101 · register" in yc
    assert "3002" not in yc and "4201" not in yc and "4301" not in yc
    bs = await w.bs_admin.send("/audit 50")
    assert "3002 · broadcast" in bs and "3001" not in bs and "4101" not in bs
    city = await w.city_admin.send("/audit 50")
    assert "［永川区］" in city and "［璧山区］" in city
    assert re.search(r"［永川区］\S+ \S+ · 3001 · broadcast", city), city
    assert "4301 · register 永川区:primary" in city
