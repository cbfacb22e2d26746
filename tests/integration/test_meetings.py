"""The meeting use cases on SQLite and PostgreSQL, without Telegram: minutes → proposal → confirm
(all items in one transaction, all or none), and `standings` — the per-meeting done/total and
overdue items another part (the digest) may read — in a fixed number of statements, agreeing with
the digest's own count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.errors import DomainError, Refused
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.usecases import digests, meetings, org, people, registration, task_actions
from bot.usecases.inbox import Incoming
from storage.db import Database
from storage.models import Department, Meeting, PendingInput, Task
from tests.support.minutes import MINUTES_SIX, SIX_TITLE
from tests.support.sql_counter import counting

TZ = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"
ADMIN = Caller(telegram_id=7, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


async def liaison(db: Database, department: str, n: int) -> Caller:
    issued = await registration.create_invite(db, ADMIN, department, deputy=False, now=NOW)
    user = UserInfo(n, n, f"{department}联络员")
    await registration.redeem(db, user, issued.code, now=NOW)
    return await people.identify(db, user, admin_ids=frozenset(), default_language="zh", now=NOW)


async def confirmed_meeting(db: Database, title: str, held_on: date, minutes: str) -> tuple[int, tuple[int, ...]]:
    started = await meetings.start(db, ADMIN, title, held_on, now=NOW)
    await meetings.add_minutes(db, ADMIN, started.meeting_id, now=NOW, tz=TZ, text=minutes)
    done = await meetings.confirm(db, ADMIN, started.meeting_id, now=NOW, tz=TZ, default_language="zh")
    return started.meeting_id, done.task_ids


@pytest.fixture
async def office(db: Database):  # type: ignore[no-untyped-def]
    await org.import_org(db, org.read_org_file(EXAMPLE), now=NOW)
    return {name: await liaison(db, name, 100 + i) for i, name in enumerate(("区发展改革委", "区统计局", "区经济信息委"))}


async def count(db: Database, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model).where(*where))).one()


async def test_minutes_become_tasks_once_and_the_standing_agrees_with_the_digest(db: Database, office):  # type: ignore[no-untyped-def]
    meeting_id, ids = await confirmed_meeting(db, SIX_TITLE, date(2026, 11, 20), MINUTES_SIX)
    assert len(ids) == 6 and await count(db, Task, Task.meeting_id == meeting_id) == 6
    assert await count(db, PendingInput) == 0  # the admin's next message is theirs again
    with pytest.raises(Refused) as again:
        await meetings.confirm(db, ADMIN, meeting_id, now=NOW, tz=TZ, default_language="zh")
    assert again.value.key == "meeting.already_confirmed" and await count(db, Task) == 6

    fifth = ids[4]  # 区发展改革委 and 区统计局
    for name in ("区发展改革委", "区统计局"):
        await task_actions.record_progress(db, office[name], Incoming(office[name].telegram_id, fifth,
                                           office[name].telegram_id, "text", text="完成"), now=NOW, task_id=fifth,
                                           done=True)
    january = datetime(2027, 1, 5, 10, 0, tzinfo=TZ)
    async with db.session() as s:
        by_id = await meetings.standings(s, ADMIN.office_id, now=january, tz=TZ, meeting_ids=[meeting_id])
        by_day = await meetings.standings(s, ADMIN.office_id, now=january, tz=TZ,
                                          held=(date(2026, 11, 1), date(2026, 11, 30)))
    assert by_id == by_day
    (standing,) = by_id
    assert (standing.title, standing.total, standing.done) == (SIX_TITLE, 6, 1)
    assert [(task, days) for task, _, days in standing.overdue] == [(ids[0], 5)]  # 12月底前: 5 days late
    digest = await digests.build(db, "month", at=datetime(2026, 12, 31, 20, 0, tzinfo=TZ), tz=TZ)
    (seen,) = [m for m in digest.meetings if m.meeting_id == meeting_id]
    async with db.session() as s:
        (mine,) = await meetings.standings(s, ADMIN.office_id, now=datetime(2026, 12, 31, 20, 0, tzinfo=TZ), tz=TZ,
                                           meeting_ids=[meeting_id])
    assert (seen.total, seen.done, seen.overdue) == (mine.total, mine.done, mine.overdue)


async def test_a_confirmation_that_fails_leaves_nothing_half_written(db: Database, office):  # type: ignore[no-untyped-def]
    started = await meetings.start(db, ADMIN, "调度会", date(2026, 11, 20), now=NOW)
    await meetings.add_minutes(db, ADMIN, started.meeting_id, now=NOW, tz=TZ,
                               text="一、区交通局负责道路改造，12月31日前完成。\n二、区财政局负责资金保障，12月31日前完成。")
    async with db.transaction() as s:  # the second item's department is renamed meanwhile
        row = (await s.exec(select(Department).where(Department.name == "区财政局"))).one()
        row.name = "区财政服务中心"
        s.add(row)
    with pytest.raises(DomainError):
        await meetings.confirm(db, ADMIN, started.meeting_id, now=NOW, tz=TZ, default_language="zh")
    assert await count(db, Task) == 0
    async with db.session() as s:
        assert (await s.get(Meeting, started.meeting_id)).state == "proposed"  # type: ignore[union-attr]


async def test_standings_are_a_fixed_number_of_statements(db: Database, office):  # type: ignore[no-untyped-def]
    async def measure() -> int:
        async with db.session() as s:
            with counting(db.engine) as seen:
                await meetings.standings(s, ADMIN.office_id, now=NOW + timedelta(days=60), tz=TZ,
                                         held=(date(2026, 1, 1), date(2026, 12, 31)))
        return seen.count

    await confirmed_meeting(db, "一号会", date(2026, 11, 2), "一、区交通局负责道路改造，12月31日前完成。")
    one = await measure()
    for n in range(4):
        await confirmed_meeting(db, f"{n}号调度会", date(2026, 11, 10 + n), MINUTES_SIX)
    assert await measure() == one == 2
