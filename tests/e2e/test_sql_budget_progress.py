"""What one update costs the database (issue 12), through the real Application: a liaison's
progress — `/progress N TEXT`, a reply to a notice, the Done button, the progress button and the
message after it — is at most six SQL statements in all (the access gate's included), and `/assign`
to a working group costs the same number of statements whether it has 60 departments or 120.

Statements are counted while the bot handles the update (pushed, then waited for until every reply
of its handlers went out), with the outbox sender held: its own statements are not the update's. The
minute job is paused by the harness. Once the sender runs again, every copy of the notice shows
the change, and every liaison of a working group has the notice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.rules.org import parse_org
from bot.usecases import org
from jobs.delivery import Delivery
from storage.models import Department, LiaisonAppointment, Person
from tests.e2e.conftest import Chat, Desk, Processed
from tests.support.fake_bot_api import Call, callback_query, private_message
from tests.support.sql_counter import Statements, counting

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区经济信息委", "区财政局", "区交通局"],
       "working_groups": [{"name": "要素保障工作专班", "lead": ["区经济信息委"], "members": ["区财政局", "区交通局"]}]}
BUDGET = 6  # per update, the access gate's statements included


@asynccontextmanager
async def sender_held(desk: Desk) -> AsyncIterator[None]:
    """No outbox sender runs inside the block; a fresh one starts after it."""
    await desk.app.bot_data.delivery.close()
    try:
        yield
    finally:
        desk.app.bot_data.delivery = Delivery.create(desk.services)
        await desk.app.bot_data.delivery.start()


async def cost(desk: Desk, processed: Processed, update: dict) -> Statements:  # type: ignore[type-arg]
    """The statements the bot sends to the database while it handles `update`."""
    with counting(desk.services.db.engine) as seen:
        await processed.push(desk, update)
    return seen


def said(chat: Chat, text: str, **extra) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return private_message(None, chat.id, text, first_name=chat.first_name, username=chat.username, **extra)


async def assigned(desk: Desk, clock) -> tuple[dict[str, Chat], Chat, dict[str, Call]]:  # type: ignore[no-untyped-def]
    """Task #1 for the working group, its notices delivered; 区经济信息委 has a deputy too."""
    clock.current = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    people = await desk.set_up(ORG, ["区经济信息委", "区财政局", "区交通局"], 5100)
    deputy = desk.chat(5200, "副联络员")
    assert "登记成功" in await deputy.send(f"/start {await desk.invite('区经济信息委 副联络员')}")
    await desk.delivered()
    mark = desk.api.mark()
    await desk.admin.send("/assign 要素保障工作专班 | 2026-12-04 | 报送道路管网建设进展")
    await desk.delivered()
    notices = {name: await desk.api.wait_for_message(chat_id=chat.id, contains="交办单 #1", after=mark)
               for name, chat in [*people.items(), ("deputy", deputy)]}
    return people, deputy, notices


async def edited(desk: Desk, chat: Chat, after: int, contains: str) -> Call:
    return await desk.api.wait_for(lambda c: c.method == "editMessageText" and c.chat_id == chat.id and c.ok
                                   and contains in (c.text or ""), after=after, timeout=10)


async def test_progress_and_a_reply_to_a_notice_cost_at_most_six_statements(desk: Desk, clock):  # type: ignore[no-untyped-def]
    people, deputy, notices = await assigned(desk, clock)
    processed = Processed(desk.app)
    lead, finance = people["区经济信息委"], people["区财政局"]
    mark = desk.api.mark()
    async with sender_held(desk):
        # the first progress of a department: stored, pending → in progress, an event, both copies edited
        first = await cost(desk, processed, said(lead, "/progress 1 道路已完成80%"))
        assert "已记录 #1 的进展" in (desk.api.sent_messages(lead.id)[-1].text or "")
        # a reply to the notice, the department's first word too
        reply = await cost(desk, processed, said(finance, "管网施工过半", reply_to=notices["区财政局"].result["message_id"]))
        assert "已记录 #1 的进展" in (desk.api.sent_messages(finance.id)[-1].text or "")
        # more progress, nothing else changes: fewer still
        again = await cost(desk, processed, said(lead, "/progress 1 又完成一段"))
    assert first.count <= BUDGET, f"/progress: {first.count} statements\n{first}"
    assert reply.count <= BUDGET, f"a reply to a notice: {reply.count} statements\n{reply}"
    assert again.count <= first.count, f"/progress again: {again.count} statements\n{again}"
    # the change reached every copy of the notices (the deputy's too) once the sender ran
    for chat in (lead, deputy, finance):
        assert "办理中" in (await edited(desk, chat, mark, "办理中")).text  # type: ignore[operator]


async def test_the_done_button_and_done_cost_at_most_six_statements(desk: Desk, clock):  # type: ignore[no-untyped-def]
    people, deputy, notices = await assigned(desk, clock)
    processed = Processed(desk.app)
    lead, transport = people["区经济信息委"], people["区交通局"]
    data = next(b["callback_data"] for row in notices["区经济信息委"].reply_markup["inline_keyboard"]  # type: ignore[index]
                for b in row if "办结" in b["text"])
    mark = desk.api.mark()
    async with sender_held(desk):
        pressed = await cost(desk, processed, callback_query(None, lead.id, data, notices["区经济信息委"].result,
                                                             first_name=lead.first_name))
        done = await cost(desk, processed, said(transport, "/done 1 已全部完成"))
    assert pressed.count <= BUDGET, f"the Done button: {pressed.count} statements\n{pressed}"
    assert done.count <= BUDGET, f"/done N TEXT: {done.count} statements\n{done}"
    assert "已办结" in (await edited(desk, deputy, mark, "已办结")).text  # type: ignore[operator]
    assert "已办结" in (await edited(desk, transport, mark, "已办结")).text  # type: ignore[operator]


async def test_the_progress_button_then_a_message_cost_at_most_six_statements_each(desk: Desk, clock):  # type: ignore[no-untyped-def]
    people, deputy, notices = await assigned(desk, clock)
    processed = Processed(desk.app)
    lead = people["区经济信息委"]
    data = next(b["callback_data"] for row in notices["区经济信息委"].reply_markup["inline_keyboard"]  # type: ignore[index]
                for b in row if "进展" in b["text"])
    mark = desk.api.mark()
    async with sender_held(desk):
        pressed = await cost(desk, processed, callback_query(None, lead.id, data, notices["区经济信息委"].result,
                                                             first_name=lead.first_name))
        message = await cost(desk, processed, said(lead, "道路已完成80%"))
        assert "已记录 #1 的进展" in (desk.api.sent_messages(lead.id)[-1].text or "")
    assert pressed.count <= BUDGET, f"the progress button: {pressed.count} statements\n{pressed}"
    assert message.count <= BUDGET, f"the message after it: {message.count} statements\n{message}"
    assert "办理中" in (await edited(desk, deputy, mark, "办理中")).text  # type: ignore[operator]


async def seed_group(desk: Desk, clock, sizes: dict[str, int], first_id: int) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Working groups of these sizes, every department with a liaison who has a chat with the bot;
    returns each group's liaisons' chat ids."""
    names = {group: [f"区{group}第{i:03d}局" for i in range(n)] for group, n in sizes.items()}
    await org.import_org(desk.services.db, parse_org({
        "departments": [d for ds in names.values() for d in ds],
        "working_groups": [{"name": group, "lead": ds[:1], "members": ds[1:]} for group, ds in names.items()]}),
        now=clock())
    chats: dict[str, list[int]] = {}
    async with desk.services.db.transaction() as s:
        ids = {d.name: d.id for d in await s.exec(select(Department))}
        next_id = first_id
        for group, ds in names.items():
            for name in ds:
                person = Person(telegram_id=next_id, chat_id=next_id, full_name=f"联络员{next_id}", created_at=clock())
                s.add(person)
                await s.flush()
                s.add(LiaisonAppointment(department_id=ids[name], person_id=person.id, started_at=clock()))  # type: ignore[arg-type]
                chats.setdefault(group, []).append(next_id)
                next_id += 1
    return chats


async def test_assign_costs_the_same_for_60_and_120_departments(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    chats = await seed_group(desk, clock, {"六十专班": 60, "一百二十专班": 120}, 80000)
    await desk.admin.send("/help")  # the admin is known: the gate costs the same both times
    await desk.delivered()
    processed = Processed(desk.app)
    admin = desk.admin
    mark = desk.api.mark()
    async with sender_held(desk):
        sixty = await cost(desk, processed, said(admin, "/assign 六十专班 | 2026-12-04 | 报送进展"))
        hundred_twenty = await cost(desk, processed, said(admin, "/assign 一百二十专班 | 2026-12-04 | 报送进展"))
    assert "已通知 60/60" in (await desk.api.wait_for_message(chat_id=admin.id, contains="#1", after=mark)).text  # type: ignore[operator]
    assert "已通知 120/120" in (await desk.api.wait_for_message(chat_id=admin.id, contains="#2", after=mark)).text  # type: ignore[operator]
    assert sixty.count == hundred_twenty.count, f"60 departments:\n{sixty}\n120 departments:\n{hundred_twenty}"
    assert sixty.count <= 15, f"/assign: {sixty.count} statements\n{sixty}"
    await desk.delivered(timeout=60)
    for task, group in ((1, "六十专班"), (2, "一百二十专班")):
        for chat in chats[group]:
            assert any(f"交办单 #{task}" in (c.text or "") for c in desk.api.sent_messages(chat)), (group, chat)


async def test_a_plain_message_with_open_work_costs_at_most_six_statements(desk: Desk, clock):  # type: ignore[no-untyped-def]
    """What a liaison does most: a plain message (no command, no reply). It is stored and answered
    with a button per open task and the quarter's report, in at most six statements."""
    people, _, _ = await assigned(desk, clock)
    processed = Processed(desk.app)
    finance = people["区财政局"]
    async with sender_held(desk):
        seen = await cost(desk, processed, said(finance, "管网改造已完成招标"))
        offer = desk.api.sent_messages(finance.id)[-1]
    assert seen.count <= BUDGET, f"a plain message: {seen.count} statements\n{seen}"
    labels = [b["text"] for row in (offer.reply_markup or {}).get("inline_keyboard", []) for b in row]
    assert any("#1" in label for label in labels) and any("仅存档" in label for label in labels)
