"""Tasks across offices, at the use cases (issue 13): the morning round escalates each office's
tasks to that office's directors (its admins when it has none), an extension request goes to the
admins of the task's office (the nearest office above with some, when it has none), and a decision
is taken only from that office or one above it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.errors import DomainError
from bot.rules.people import Caller, UserInfo
from bot.rules.tasks import AssignRequest
from bot.rules.workdays import china_calendar
from bot.usecases import people, registration, task_actions, task_reminders, tasks
from storage.models import OutboxMessage
from storage.repos import people as people_repo
from tests.support.offices import seed_city

TZ = ZoneInfo("Asia/Shanghai")
ROOT_ADMIN = 1001
YC_ADMIN, YC_DIRECTOR, BS_DIRECTOR = 5001, 5002, 5003
YC_UNIT, YC_TECH, BS_TECH = 5101, 5201, 5301
ADMINS = frozenset({ROOT_ADMIN})


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def user(n: int) -> UserInfo:
    return UserInfo(telegram_id=n, chat_id=n, full_name=f"用户{n}", username=None)


async def who(db, n: int, now: datetime) -> Caller:  # type: ignore[no-untyped-def]
    return await people.identify(db, user(n), admin_ids=ADMINS, default_language="zh", now=now)


async def rows(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        return list(await s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


@pytest.fixture
async def offices(db):  # type: ignore[no-untyped-def]
    """A city task (#1) to 永川区 and 璧山区, 永川区's (#2) and 璧山区's (#3) to their 区科技局, all
    due 2026-12-01 18:00. 永川区 has an admin and a director, 璧山区 a director only."""
    now = local(2026, 11, 23, 9, 0)
    city = await seed_city(db, now)
    async with db.transaction() as s:
        for n, role, code in ((YC_ADMIN, "admin", "yongchuan"), (YC_DIRECTOR, "director", "yongchuan"),
                              (BS_DIRECTOR, "director", "bishan")):
            await people_repo.add_grant(s, n, role, ROOT_ADMIN, now, office_id=city.office[code])
    callers = {n: await who(db, n, now) for n in (ROOT_ADMIN, YC_ADMIN, YC_DIRECTOR, BS_DIRECTOR)}
    assert callers[YC_ADMIN].office_id == city.office["yongchuan"]
    bishan_admin = Caller(telegram_id=9, person_id=None, full_name="璧山区", language="zh",
                          office_id=city.office["bishan"])  # an invite needs nothing more
    for n, inviter, department in ((YC_UNIT, callers[ROOT_ADMIN], "永川区"), (YC_TECH, callers[YC_ADMIN], "区科技局"),
                                   (BS_TECH, bishan_admin, "区科技局")):
        issued = await registration.create_invite(db, inviter, department, deputy=False, now=now)
        await registration.redeem(db, user(n), issued.code, now=now)
    due = local(2026, 12, 1, 18, 0)
    for actor, names, title in ((callers[ROOT_ADMIN], ("永川区", "璧山区"), "市级任务"),
                                (callers[YC_ADMIN], ("区科技局",), "永川任务"), (bishan_admin, ("区科技局",), "璧山任务")):
        await tasks.create(db, actor, AssignRequest(names, due, title, None), now=now, tz=TZ, default_language="zh")
    return city, callers


async def test_each_offices_overdue_tasks_go_to_its_own_directors(db, offices):  # type: ignore[no-untyped-def]
    city, _ = offices
    before = len(await rows(db))
    await task_reminders.queue_reminders(db, at=local(2026, 12, 2, 9, 0), tz=TZ, calendar=china_calendar(),
                                         default_language="zh", admin_ids=ADMINS)
    sent = (await rows(db))[before:]
    escalations = {r.chat_id: r.payload for r in sent if r.dedup_key.startswith("escalation:")}
    assert set(escalations) == {ROOT_ADMIN, YC_DIRECTOR, BS_DIRECTOR}  # 永川区's admin: it has a director
    assert "市级任务" in escalations[ROOT_ADMIN]
    assert "永川任务" not in escalations[ROOT_ADMIN] and "璧山任务" not in escalations[ROOT_ADMIN]
    assert "永川任务" in escalations[YC_DIRECTOR] and "永川区" in escalations[YC_DIRECTOR]
    assert "市级任务" not in escalations[YC_DIRECTOR] and "璧山任务" not in escalations[YC_DIRECTOR]
    assert "璧山任务" in escalations[BS_DIRECTOR] and "永川任务" not in escalations[BS_DIRECTOR]
    reminders = {r.chat_id: r.payload for r in sent if r.dedup_key.startswith("remind:")}
    assert "市级任务" in reminders[YC_UNIT] and "永川任务" not in reminders[YC_UNIT]  # the unit's liaison: the city's
    assert "永川任务" in reminders[YC_TECH] and "璧山任务" in reminders[BS_TECH]
    again = len(await rows(db))
    await task_reminders.queue_reminders(db, at=local(2026, 12, 2, 10, 0), tz=TZ, calendar=china_calendar(),
                                         default_language="zh", admin_ids=ADMINS)
    assert len(await rows(db)) == again  # once a day


async def test_an_extension_goes_to_the_tasks_offices_admins_and_is_decided_from_there_or_above(db, offices):  # type: ignore[no-untyped-def]
    city, callers = offices
    now = local(2026, 11, 24, 10, 0)
    for liaison, task_id in ((YC_TECH, 2), (BS_TECH, 3)):
        caller = await who(db, liaison, now)
        part = (await tasks.department_tasks(db, caller, now=now))[1][0]
        assert part.task_id == task_id
        before = len(await rows(db))
        await task_actions.request_extension(db, caller, part.target_id, local(2026, 12, 8, 18, 0), "等待批复", now=now,
                                             tz=TZ, admin_ids=ADMINS, default_language="zh")
        asked = {r.chat_id for r in (await rows(db))[before:] if ":ext:" in r.dedup_key}
        # 永川区's own admin; 璧山区 has none: the city's (the configured admin, of the root office)
        assert asked == ({YC_ADMIN} if liaison == YC_TECH else {ROOT_ADMIN})
        # the request names the district: every district has a 区科技局
        district = "永川区" if liaison == YC_TECH else "璧山区"
        assert all(f"（{district}）" in r.payload for r in (await rows(db))[before:] if ":ext:" in r.dedup_key)
        if liaison == YC_TECH:
            bishan = Caller(telegram_id=9, person_id=None, full_name="璧山区", language="zh",
                            office_id=city.office["bishan"])
            with pytest.raises(DomainError) as refused:  # another district's: as a stale button
                await task_actions.decide_extension(db, bishan, part.target_id, True, now=now, tz=TZ,
                                                    default_language="zh")
            assert refused.value.key == "button.stale"
            decided = await task_actions.decide_extension(db, callers[YC_ADMIN], part.target_id, True, now=now, tz=TZ,
                                                          default_language="zh")
        else:  # the city's admin, acting in the city, decides for a district below it
            decided = await task_actions.decide_extension(db, callers[ROOT_ADMIN], part.target_id, False, now=now,
                                                          tz=TZ, default_language="zh")
        assert decided.view.task_id == task_id
