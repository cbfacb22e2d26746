"""Each office's calendar from the org files in the database (issue 15): the city's `calendar:`
applies to every office, a district's own days add to it for the district (the nearest wins), a
re-import changes it at once for every process, and admins hear once about a year that neither
the library nor an org file knows. `holidays` has no 2027 notice: 2027 is Monday–Friday there."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.rules.org import parse_org
from bot.rules.people import UserInfo
from bot.usecases import calendar as calendars
from bot.usecases import org, people, task_reminders
from storage.models import ROOT_OFFICE_ID, OutboxMessage
from storage.repos import org as org_repo
from tests.support.offices import CITY, district

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
ADMIN = 1001
FRI, SUN, MON, TUE = date(2027, 2, 5), date(2027, 2, 7), date(2027, 2, 8), date(2027, 2, 9)


async def import_city(db, city_days: dict | None, yongchuan_days: dict | None) -> dict[str, int]:  # type: ignore[no-untyped-def, type-arg]
    await org.import_org(db, parse_org({**CITY, **({"calendar": city_days} if city_days else {})}), now=NOW)
    for code, name, days in (("yongchuan", "永川区", yongchuan_days), ("bishan", "璧山区", None)):
        await org.import_org(db, parse_org({**district(code, name), **({"calendar": days} if days else {})}), now=NOW)
    async with db.session() as s:
        return {o.code: o.id for o in await org_repo.offices(s) if o.code}  # type: ignore[misc]


async def test_a_district_has_the_citys_days_and_its_own_the_nearest_winning(db):  # type: ignore[no-untyped-def]
    office = await import_city(db, {"holidays": ["2027-02-05", "2027-02-08"], "workdays": ["2027-02-07"]},
                               {"holidays": ["2027-02-09"], "workdays": ["2027-02-08"]})
    city = await calendars.office_calendar(db, office["cq-city"])
    yongchuan = await calendars.office_calendar(db, office["yongchuan"])
    bishan = await calendars.office_calendar(db, office["bishan"])
    assert office["cq-city"] == ROOT_OFFICE_ID
    assert [city.is_workday(d) for d in (FRI, SUN, MON, TUE)] == [False, True, False, True]
    assert [yongchuan.is_workday(d) for d in (FRI, SUN, MON, TUE)] == [False, True, True, False]  # its 02-08 wins
    assert [bishan.is_workday(d) for d in (FRI, SUN, MON, TUE)] == [False, True, False, True]  # the city's alone
    assert city.previous_workday(MON) == SUN and yongchuan.previous_workday(TUE) == MON
    nobody = await calendars.office_calendar(db, 99_999)  # no such office: the national (city's) calendar
    assert not nobody.is_workday(FRI) and nobody.is_workday(SUN)
    assert all(c.covers(2027) for c in (city, yongchuan, bishan)) and not city.covers(2028)


async def test_a_new_import_changes_the_calendar_every_process_reads(db):  # type: ignore[no-untyped-def]
    office = await import_city(db, {"holidays": ["2027-02-05"]}, {"workdays": ["2027-02-06"]})
    assert (await calendars.office_calendar(db, office["yongchuan"])).is_workday(date(2027, 2, 6))
    await org.import_org(db, parse_org(district("yongchuan", "永川区")), now=NOW)  # its calendar: removed
    yongchuan = await calendars.office_calendar(db, office["yongchuan"])
    assert not yongchuan.is_workday(date(2027, 2, 6)) and not yongchuan.is_workday(FRI)  # the city's still holds
    await org.import_org(db, parse_org(CITY), now=NOW)
    assert (await calendars.office_calendar(db, office["yongchuan"])).is_workday(FRI)


async def uncovered_notes(db) -> list[str]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        rows = await s.exec(select(OutboxMessage.dedup_key).order_by(col(OutboxMessage.id)))
        return [k for k in rows if k.startswith("calendar:uncovered:")]


async def test_admins_hear_once_of_a_year_nobody_knows_and_not_when_the_org_file_names_its_days(db):  # type: ignore[no-untyped-def]
    await import_city(db, None, None)
    await people.identify(db, UserInfo(telegram_id=ADMIN, chat_id=ADMIN, full_name="管理员", username=None),
                          admin_ids=frozenset({ADMIN}), default_language="zh", now=NOW)
    lib = calendars.library()
    for day in (1, 2):  # Monday and Tuesday, 1–2 March 2027
        await task_reminders.queue_reminders(db, at=datetime(2027, 3, day, 9, 0, tzinfo=TZ), tz=TZ, calendar=lib,
                                             default_language="zh", admin_ids=frozenset({ADMIN}))
    assert await uncovered_notes(db) == [f"calendar:uncovered:2027:{ADMIN}"]

    await org.import_org(db, parse_org({**CITY, "calendar": {"holidays": ["2028-01-03"]}}), now=NOW)
    await task_reminders.queue_reminders(db, at=datetime(2028, 3, 1, 9, 0, tzinfo=TZ), tz=TZ, calendar=lib,
                                         default_language="zh", admin_ids=frozenset({ADMIN}))
    assert await uncovered_notes(db) == [f"calendar:uncovered:2027:{ADMIN}"]  # 2028: the org file names a day
