"""Filing a kept message against a real database: presses that race are filed once, and a refusal
inside the filing leaves the message unfiled (nothing half-written)."""

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.errors import NotFound, Refused
from bot.rules.org import parse_org
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.tasks import AssignRequest
from bot.usecases import filing, inbox, org, people, registration, task_actions, tasks
from storage.models import InboundMessage, TaskEvent, TaskProgress

ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
TZ = ZoneInfo("Asia/Shanghai")


async def count(db, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


@pytest.fixture
async def liaison(db, clock):  # type: ignore[no-untyped-def]
    await org.import_org(db, parse_org({"departments": ["区财政局", "区科技局"]}), now=clock())
    issued = await registration.create_invite(db, ADMIN, "区财政局", deputy=False, now=clock())
    info = UserInfo(telegram_id=10, chat_id=10, full_name="王芳")
    await registration.redeem(db, info, issued.code, now=clock())
    caller = await people.identify(db, info, admin_ids=frozenset(), default_language="zh", now=clock())
    for title in ("道路管网", "安全检查"):
        await tasks.create(db, ADMIN, AssignRequest(("区财政局",), clock() + timedelta(days=10), title, None),
                           now=clock(), tz=TZ, default_language="zh")
    return caller


async def test_racing_presses_file_the_message_once(db, clock, liaison):  # type: ignore[no-untyped-def]
    offer = await inbox.keep_and_offer(db, liaison, inbox.Incoming(10, 501, 10, "text", text="已完成现场踏勘"),
                                       now=clock())
    assert [t.task_id for t in offer.tasks] == [2, 1] and offer.inbound_id is not None
    target = offer.tasks[1].target_id
    results = await asyncio.gather(
        *(filing.under_task(db, liaison, offer.inbound_id, target, now=clock()) for _ in range(3)),
        filing.by_office(db, ADMIN, offer.inbound_id, target, now=clock()),
        filing.keep_only(db, liaison, offer.inbound_id, now=clock()),
        return_exceptions=True)
    winners = [r for r in results if isinstance(r, filing.Filed)]
    assert len(winners) == 1, results
    assert all(isinstance(r, Refused) and r.key == "inbox.already_filed" for r in results if r not in winners), results
    if winners[0].as_ == "task":
        assert await count(db, TaskProgress) == 1
        assert await count(db, TaskEvent, TaskEvent.kind == "in_progress") == 1
    else:
        assert await count(db, TaskProgress) == 0


async def test_a_refused_filing_leaves_the_message_unfiled(db, clock, liaison):  # type: ignore[no-untyped-def]
    offer = await inbox.keep_and_offer(db, liaison, inbox.Incoming(10, 502, 10, "photo", file_id="p-1"), now=clock())
    target = offer.tasks[0].target_id
    await task_actions.close(db, ADMIN, offer.tasks[0].task_id, now=clock(), default_language="zh")
    with pytest.raises(Refused) as err:
        await filing.under_task(db, liaison, offer.inbound_id, target, now=clock())  # type: ignore[arg-type]
    assert err.value.key == "task.closed"
    async with db.session() as s:
        row = (await s.exec(select(InboundMessage).where(InboundMessage.message_id == 502))).one()
    assert row.filed_as is None and row.filed_at is None  # still in the inbox, still fileable
    with pytest.raises(NotFound):  # no open cycle: the report refuses, the message stays unfiled
        await filing.into_report(db, liaison, offer.inbound_id, now=clock())  # type: ignore[arg-type]
    async with db.session() as s:
        row = (await s.exec(select(InboundMessage).where(InboundMessage.message_id == 502))).one()
    assert row.filed_as is None
    filed = await filing.under_task(db, liaison, offer.inbound_id, offer.tasks[1].target_id, now=clock())  # type: ignore[arg-type]
    assert (filed.as_, filed.task_id) == ("task", 1)
    page = await inbox.kept_page(db)
    assert page.total == 0
