"""The digest's section on meetings' agreed items (议定事项), on SQLite and PostgreSQL: a meeting held
in the period with one item done, one overdue and one standing (长期坚持, never overdue); an earlier
meeting still overdue is reported again, an earlier one all done is not, nor a later one; the
headline's one line, the details' line per meeting, the workbook's sheet; one statement however
many meetings."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.render.workbook import sheet_names, workbook_xlsx
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.rules.tasks import AssignRequest, standing_checkpoint
from bot.usecases import digests, org, people, registration, task_actions, tasks
from bot.usecases.inbox import Incoming
from bot.views.digest import headline, messages, plain
from storage.db import Database
from storage.models import Meeting
from tests.support.offices import seed_city
from tests.support.sql_counter import counting

TZ = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"
ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
SEEDED = datetime(2026, 10, 1, 9, 0, tzinfo=TZ)
MONTHLY = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)  # the November digest: 区财政局's item is 4 days late


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def liaison(db: Database, department: str, n: int) -> Caller:
    issued = await registration.create_invite(db, ADMIN, department, deputy=False, now=SEEDED)
    user = UserInfo(n, n, f"{department}联络员")
    await registration.redeem(db, user, issued.code, now=SEEDED)
    return await people.identify(db, user, admin_ids=frozenset(), default_language="zh", now=SEEDED)


async def meeting(db: Database, title: str, held_on: date, items: list[tuple[str, datetime | None, str]], *,
                  actor: Caller = ADMIN) -> list[int]:
    """A confirmed meeting and its items (lead department, due or None for 长期坚持, title), as the
    /meeting dialogue leaves them: tasks naming the meeting. The tasks' ids."""
    now = datetime.combine(held_on, datetime.min.time(), tzinfo=TZ).replace(hour=20)
    async with db.transaction() as s:
        row = Meeting(office_id=actor.office_id, title=title, held_on=held_on, created_by=ADMIN.telegram_id, created_at=now,
                      state="confirmed", confirmed_at=now)
        s.add(row)
        await s.flush()
        ids = []
        for lead, due, item in items:
            request = AssignRequest((lead,), due or standing_checkpoint(now, TZ), item, None)
            created = await tasks.create_in(s, actor, request, now=now, tz=TZ, default_language="zh",
                                            meeting_id=row.id, standing=due is None)
            ids.append(created.task_id)
    return ids


@pytest.fixture
async def office(db: Database):  # type: ignore[no-untyped-def]
    await org.import_org(db, org.read_org_file(EXAMPLE), now=SEEDED)
    transport = await liaison(db, "区交通局", 101)
    for n, name in enumerate(("区财政局", "区经济信息委", "区商务委"), 102):
        await liaison(db, name, n)
    earlier = await meeting(db, "区领导小组第一次全体会议", date(2026, 10, 10),
                            [("区商务委", local(2026, 10, 30, 18, 0), "建立工作台账")])
    cleared = await meeting(db, "专题调度会", date(2026, 10, 12), [("区交通局", local(2026, 10, 20, 18, 0), "清理占道")])
    november = await meeting(db, "区创建工作推进会", date(2026, 11, 20), [
        ("区交通局", local(2026, 11, 25, 18, 0), "道路管网建设"),
        ("区财政局", local(2026, 11, 27, 18, 0), "编制资金方案"),
        ("区经济信息委", None, "常态化巡查"),
    ])
    await meeting(db, "十二月调度会", date(2026, 12, 1), [("区财政局", local(2026, 12, 20, 18, 0), "年终盘点")])
    for task_id, when in ((november[0], local(2026, 11, 24, 10, 0)), (cleared[0], local(2026, 10, 19, 10, 0))):
        await task_actions.record_progress(db, transport, Incoming(101, task_id, 101, "text", text="已完成"),
                                           now=when, task_id=task_id, done=True)
    return db, earlier[0], november


async def test_the_monthly_digest_reports_the_periods_meetings_and_earlier_ones_still_overdue(office):  # type: ignore[no-untyped-def]
    db, earlier, (done, late, standing) = office
    digest = await digests.build(db, "month", at=MONTHLY, tz=TZ)

    assert [m.title for m in digest.meetings] == ["区领导小组第一次全体会议", "区创建工作推进会"]
    first, november = digest.meetings
    assert (first.done, first.total, first.overdue) == (0, 1, ((earlier, "建立工作台账", 32),))
    assert (november.done, november.total, november.overdue) == (1, 3, ((late, "编制资金方案", 4),))
    states = {i.task_id: i.state for i in november.items}
    assert states == {done: "done", late: "overdue", standing: "standing"}
    # the standing item's checkpoint (11月30日 18:00) has passed, and still it is overdue nowhere
    assert standing not in {o.task_id for o in digest.overdue} and late in {o.task_id for o in digest.overdue}
    assert digest.tasks[[t.task_id for t in digest.tasks].index(standing)].statuses == {"区经济信息委": "pending"}

    first_message = plain("\n".join(headline(digest, "zh", TZ)))
    assert "议定事项：已办结 1/4，逾期 2" in first_message
    text = plain("\n".join(messages(digest, "zh", TZ)))
    assert f"《区创建工作推进会》（11月20日）已办结 1/3，逾期：#{late} 编制资金方案（4天）" in text
    assert f"《区领导小组第一次全体会议》（10月10日）已办结 0/1，逾期：#{earlier} 建立工作台账（32天）" in text
    assert "专题调度会" not in text and "十二月调度会" not in text
    english = plain("\n".join(messages(digest, "en", TZ)))
    assert "Agreed items: 1/4 done, 2 overdue" in english
    assert f"“区创建工作推进会” (Nov 20): 1/3 done; overdue: #{late} 编制资金方案 (4 days)" in english


@pytest.mark.parametrize("kind, at, titles", [
    ("week", MONTHLY, ["区领导小组第一次全体会议", "区创建工作推进会"]),  # held before the week, still overdue
    ("quarter", local(2026, 12, 26, 9, 0), ["区领导小组第一次全体会议", "专题调度会", "区创建工作推进会", "十二月调度会"]),
])
async def test_weekly_and_quarterly_digests_have_the_section_too(office, kind: str, at: datetime,  # type: ignore[no-untyped-def]
                                                                 titles: list[str]) -> None:
    db, _, _ = office
    digest = await digests.build(db, kind, at=at, tz=TZ)
    assert [m.title for m in digest.meetings] == titles
    assert "会议议定事项" in plain("\n".join(messages(digest, "zh", TZ)))


async def test_the_workbook_lists_every_item_and_still_opens(office):  # type: ignore[no-untyped-def]
    db, earlier, (done, late, standing) = office
    digest = await digests.build(db, "month", at=MONTHLY, tz=TZ)
    book = load_workbook(io.BytesIO(workbook_xlsx(digest, "zh", TZ)))
    assert book.sheetnames == sheet_names("zh", meetings=True) and book.sheetnames[-1] == "议定事项"
    rows = list(book["议定事项"].iter_rows(values_only=True))
    assert rows[0] == ("会议", "会议日期", "编号", "议定事项", "牵头单位", "截止时间", "状态")
    by_task = {r[2]: r for r in rows[1:]}
    assert set(by_task) == {earlier, done, late, standing}
    assert by_task[late][0] == "区创建工作推进会" and by_task[late][4] == "区财政局"
    assert by_task[late][5] == datetime(2026, 11, 27, 18, 0) and by_task[late][6] == "逾期4天"
    assert (by_task[done][6], by_task[standing][6]) == ("已办结", "长期坚持")


async def test_the_section_is_one_statement_however_many_meetings(office):  # type: ignore[no-untyped-def]
    db, _, _ = office
    with counting(db.engine) as before:
        await digests.build(db, "month", at=MONTHLY, tz=TZ)
    for n in range(5):
        await meeting(db, f"十一月专题会{n}", date(2026, 11, 3 + n),
                      [("区商务委", local(2026, 11, 28, 18, 0), "事项甲"), ("区财政局", None, "事项乙")])
    with counting(db.engine) as after:
        digest = await digests.build(db, "month", at=MONTHLY, tz=TZ)
    assert len(digest.meetings) == 7 and after.count == before.count


async def test_each_office_reports_its_own_meetings(db: Database) -> None:
    """A district's meeting is in the district's digest, never in the city's (nor the other way)."""
    city = await seed_city(db, SEEDED)
    yongchuan = city.office["yongchuan"]
    district_admin = replace(ADMIN, office_id=yongchuan, offices=(yongchuan,))
    await meeting(db, "市推进会", date(2026, 11, 10), [("市财政局", local(2026, 11, 20, 18, 0), "市级事项")])
    await meeting(db, "永川区推进会", date(2026, 11, 12), [("区财政局", local(2026, 11, 20, 18, 0), "区级事项")],
                  actor=district_admin)
    city_digest = await digests.build(db, "month", at=MONTHLY, tz=TZ, office_id=city.office["cq-city"])
    district_digest = await digests.build(db, "month", at=MONTHLY, tz=TZ, office_id=yongchuan)
    assert [m.title for m in city_digest.meetings] == ["市推进会"]
    assert [m.title for m in district_digest.meetings] == ["永川区推进会"]
    assert [m.title for m in (await digests.build(db, "month", at=MONTHLY, tz=TZ,
                                                  office_id=city.office["bishan"])).meetings] == []
