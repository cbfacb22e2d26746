"""Standing items (长期坚持) through the scheduler, on SQLite and PostgreSQL: reminded before each
month's checkpoint like any due date, never reminded or escalated as overdue; when the checkpoint
passes the tick moves every open one to the next (before the morning round, once), parts done stay
done, closed ones stay where they were, and the next month's checkpoint is reminded again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.tasks import AssignRequest, standing_checkpoint
from bot.services import Services
from bot.settings import Settings
from bot.usecases import org, people, registration, schedule, standing, task_actions, tasks
from bot.usecases.inbox import Incoming
from jobs.tick import run_steps
from storage.db import Database
from storage.models import Department, OutboxMessage, Task, TaskTarget
from storage.repos import people as people_repo
from storage.repos import tasks as task_repo

TZ = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"
ADMIN = Caller(telegram_id=42, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
CREATED = datetime(2026, 11, 20, 20, 0, tzinfo=TZ)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def services(db: Database) -> Services:
    settings = Settings(_env_file=None, database_url=str(db.url), bot_admin_ids=frozenset({42}),  # type: ignore[call-arg]
                        bot_language="zh", bot_timezone="Asia/Shanghai")
    return Services(settings=settings, db=db, clock=lambda: CREATED)


async def liaison(db: Database, department: str, n: int) -> Caller:
    issued = await registration.create_invite(db, ADMIN, department, deputy=False, now=CREATED)
    user = UserInfo(n, n, f"{department}联络员")
    await registration.redeem(db, user, issued.code, now=CREATED)
    return await people.identify(db, user, admin_ids=frozenset(), default_language="zh", now=CREATED)


async def create(db: Database, targets: tuple[str, ...], title: str, due: datetime | None) -> int:
    async with db.transaction() as s:
        request = AssignRequest(targets, due or standing_checkpoint(CREATED, TZ), title, None)
        return (await tasks.create_in(s, ADMIN, request, now=CREATED, tz=TZ, default_language="zh",
                                      standing=due is None)).task_id


async def texts(db: Database, prefix: str) -> str:
    async with db.session() as s:
        rows = await s.exec(select(OutboxMessage).where(OutboxMessage.dedup_key.startswith(prefix)))  # type: ignore[attr-defined]
        return "\n".join(r.payload for r in rows)


@pytest.fixture
async def office(db: Database):  # type: ignore[no-untyped-def]
    await org.import_org(db, org.read_org_file(EXAMPLE), now=CREATED)
    async with db.transaction() as s:  # the configured admin can be told (no director yet)
        await people_repo.upsert(s, telegram_id=42, chat_id=42, full_name="办公室", username=None, now=CREATED)
    econ = await liaison(db, "区经济信息委", 101)
    await liaison(db, "区财政局", 102)
    patrol = await create(db, ("区经济信息委", "区财政局"), "常态化巡查", None)
    plan = await create(db, ("区财政局",), "编制资金方案", local(2026, 11, 27, 18, 0))
    finished = await create(db, ("区经济信息委",), "长效管护", None)
    closed = await create(db, ("区财政局",), "已撤销的长期事项", None)
    await task_actions.record_progress(db, econ, Incoming(101, 7001, 101, "text", text="已完成"),
                                       now=local(2026, 11, 21, 10, 0), task_id=finished, done=True)
    await task_actions.close(db, ADMIN, closed, now=local(2026, 11, 21, 11, 0), default_language="zh")
    async with db.transaction() as s:  # 区财政局 was granted more time for November's progress
        finance = (await s.exec(select(Department.id).where(Department.name == "区财政局"))).one()
        target = await task_repo.target_of(s, patrol, finance)
        await task_repo.update_target(s, target.id, due_at=local(2026, 11, 30, 12, 0))  # type: ignore[union-attr]
    return db, {"patrol": patrol, "plan": plan, "finished": finished, "closed": closed}


async def dues(db: Database) -> dict[int, datetime]:
    async with db.session() as s:
        return {t.id: t.due_at for t in await s.exec(select(Task))}  # type: ignore[misc]


async def test_a_month_of_a_standing_item(office):  # type: ignore[no-untyped-def]
    db, ids = office
    tick = services(db)
    patrol, plan = ids["patrol"], ids["plan"]

    # Friday 27th: three days before the checkpoint, the standing item is reminded as a checkpoint
    await run_steps(tick, local(2026, 11, 27, 9, 0), local(2026, 11, 27, 9, 0))
    said = await texts(db, "remind:2026-11-27:")
    assert f"#{patrol}「常态化巡查」长期坚持（每月报送进展，本月节点11月30日），距本月节点还有 3 天" in said
    # Monday 30th, the checkpoint's day: 区财政局's plan is overdue, the standing item is due today
    await run_steps(tick, local(2026, 11, 30, 9, 0), local(2026, 11, 30, 9, 0))
    said = await texts(db, "remind:2026-11-30:")
    assert f"#{patrol}「常态化巡查」长期坚持（每月报送进展，本月节点11月30日），今天请报送本月进展" in said
    assert f"#{plan}「编制资金方案」已逾期" in said
    assert f"#{plan}「编制资金方案」" in await texts(db, "escalation:2026-11-30:")  # the first working day after

    # 18:00: the checkpoint passes; the tick moves the open standing items on, once
    before = await dues(db)
    report = await run_steps(tick, local(2026, 11, 30, 18, 0), local(2026, 11, 30, 18, 0))
    after = await dues(db)
    december = local(2026, 12, 31, 18, 0)
    assert after[patrol] == december and after[ids["finished"]] == december  # done parts stay done (below)
    assert after[ids["closed"]] == before[ids["closed"]] and after[plan] == before[plan]
    assert report.moved == {"standing-roll": 2} and "standing items moved to their next checkpoint: 2" in report.summary()
    assert (await schedule.marks(db))["standing-roll"][0] == december  # next due at the next checkpoint only
    async with db.session() as s:
        parts = {(tg.task_id, tg.department_id): tg for tg in await s.exec(select(TaskTarget))}
    assert all(tg.due_at is None for (task, _), tg in parts.items() if task == patrol)  # its extension is spent
    assert [tg.status for (task, _), tg in parts.items() if task == ids["finished"]] == ["done"]
    again = await run_steps(tick, local(2026, 11, 30, 18, 1), local(2026, 11, 30, 18, 1))
    assert "standing-roll" not in again.queued and await dues(db) == after  # not due again until December's
    assert await standing.roll(db, at=local(2026, 11, 30, 18, 1), tz=TZ) == (0, december)  # and idempotent

    # Tuesday 1st, after November's checkpoint: the plan is still overdue; the standing item is
    # neither reminded as overdue nor ever escalated
    await run_steps(tick, local(2026, 12, 1, 9, 0), local(2026, 12, 1, 9, 0))
    said = await texts(db, "remind:2026-12-01:")
    assert f"#{plan}「编制资金方案」已逾期" in said and f"#{patrol}" not in said
    assert f"#{patrol}" not in await texts(db, "escalation:")
    async with db.session() as s:
        assert (await s.get(Task, patrol)).escalated_at is None  # type: ignore[union-attr]

    # December's checkpoint is reminded again
    await run_steps(tick, local(2026, 12, 28, 9, 0), local(2026, 12, 28, 9, 0))
    assert f"#{patrol}「常态化巡查」长期坚持（每月报送进展，本月节点12月31日），距本月节点还有 3 天" in \
        await texts(db, "remind:2026-12-28:")


async def test_a_late_tick_after_several_checkpoints_moves_to_the_next_one_to_come(office):  # type: ignore[no-untyped-def]
    db, ids = office
    moved, upcoming = await standing.roll(db, at=local(2027, 2, 3, 10, 0), tz=TZ)
    assert (moved, upcoming) == (2, local(2027, 2, 28, 18, 0))
    assert (await dues(db))[ids["patrol"]] == upcoming
