"""The office's own working-day calendar, through the fake Bot API (acceptance 4 of issue 15).

The org file says `calendar: {holidays: [2027-02-05], workdays: [2027-02-07]}`: Friday 5 February
2027 is a day off, Sunday 7 February a make-up working day. `holidays` has no 2027 notice, so
every other day of 2027 is Monday–Friday. The clock starts on Monday 2027-02-01 10:00.

Task #1 is due Friday 02-05 18:00. Its reminders are at 09:00 three days, one day before and on
the due day, each moved back to a working day: 02-02, 02-04, and the due day's own, 02-05 being a
day off, moves back to 02-04 too (one a day). So on 02-04 the liaison hears "1 day left" and on
02-05 nothing at all. Its escalation is on the first working day after the due day: Sunday 02-07.

Task #2 is due Sunday 02-07: a working day, so no warning, and the due day's reminder stays on
02-07 ("today"); three days before is 02-04; one day before (Saturday 02-06) moves back past the
holiday to 02-04, already taken."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from jobs.tick import run_steps
from tests.e2e.conftest import ADMIN_ID, Chat, Desk

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区财政局", "区交通局"],
       "calendar": {"holidays": ["2027-02-05"], "workdays": ["2027-02-07"]}}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def tick(desk: Desk, clock, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """What the bot's minute job does at `at`: run the steps, wake the sender."""
    clock.current = at
    await run_steps(desk.services, at, datetime.now(UTC))
    desk.services.wake_outbox()


async def sent_to(desk: Desk, chat_id: int, after: int) -> list[str]:
    """Every text sent to `chat_id` since `after`, once the outbox has drained."""
    await desk.delivered()
    return [c.text or "" for c in desk.api.calls_to("sendMessage", after=after) if c.ok and c.chat_id == chat_id]


def line_of(texts: list[str]):  # type: ignore[no-untyped-def]
    """The reminder row of `texts` about a task (`• #N「…」…, 还有 1 天`; not the acknowledgement
    nudge's `• #N「…」（截止 …）`)."""
    lines = [line for text in texts for line in text.splitlines()]

    def find(marker: str) -> str:
        found = [line for line in lines if line.startswith(f"• {marker}") and "（截止" not in line.split("」")[1][:3]]
        assert len(found) == 1, (marker, lines)
        return found[0]
    return find


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2027, 2, 1, 10, 0)
    return await desk.set_up(ORG, ["区财政局"], 4500)


async def test_a_holiday_of_the_org_file_moves_reminders_back_and_its_make_up_sunday_keeps_them(
        desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    admin, finance = desk.admin, office["区财政局"]

    first = await admin.send("/assign 区财政局 | 2月5日 | 报送节前安全检查", contains="已创建交办单")
    assert "截止：2027-02-05（周五）18:00" in first
    assert "注意：2027-02-05（周五）是法定节假日" in first  # a weekday, but the org file's holiday
    second = await admin.send("/assign 区财政局 | 2月7日 | 报送节后复工安排", contains="已创建交办单")
    assert "截止：2027-02-07（周日）18:00" in second and "注意" not in second  # a Sunday, but worked

    await desk.delivered()
    mark = desk.api.mark()
    await tick(desk, clock, local(2027, 2, 4, 9, 5))  # Thursday
    told = line_of(await sent_to(desk, finance.id, mark))
    assert "还有 1 天" in told("#1「")  # 02-05's own reminder moved back to 02-04
    assert "还有 3 天" in told("#2「")
    assert "尚未收录" not in "\n".join(await sent_to(desk, ADMIN_ID, mark))  # 2027 is known through the org file

    mark = desk.api.mark()
    await tick(desk, clock, local(2027, 2, 5, 9, 5))  # the org file's holiday: no round at all
    await tick(desk, clock, local(2027, 2, 6, 9, 5))  # Saturday
    assert await sent_to(desk, finance.id, mark) == []
    assert await sent_to(desk, ADMIN_ID, mark) == []

    mark = desk.api.mark()
    await tick(desk, clock, local(2027, 2, 7, 9, 5))  # the make-up Sunday: a working day's round
    told = line_of(await sent_to(desk, finance.id, mark))
    assert "「报送节后复工安排」今天" in told("#2「")  # the due day's reminder stays on 02-07
    assert "已逾期 2 天" in told("#1「")
    escalation = "\n".join(await sent_to(desk, ADMIN_ID, mark))  # no director: the admins are told
    assert "逾期通报" in escalation and "#1「报送节前安全检查」" in escalation and "#2" not in escalation


async def test_the_calendar_command_shows_the_org_files_days(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    finance = office["区财政局"]  # liaisons may read it: their deadlines move with it
    # February 2027 is four whole weeks (it starts on a Monday): 20 weekdays, one off, one Sunday worked
    expected = ["2027年2月：工作日 20 天", "休：2月5日（周五）※", "班：2月7日（周日）※", "※ 为组织架构文件（本单位或上级）设定"]
    for asked in ("/calendar 2027-02", "/calendar 2027年2月", "/calendar 2月", "/calendar"):
        shown = await finance.send(asked)
        assert all(line in shown for line in expected), (asked, shown)
        assert "尚未收录" not in shown

    # the library's year, no override: National Day 2026, 22 weekdays − 5 off + 1 Saturday worked
    shown = await desk.admin.send("/calendar 2026-10")
    assert "2026年10月：工作日 18 天" in shown
    assert "休：10月1日（周四）、10月2日（周五）、10月5日（周一）、10月6日（周二）、10月7日（周三）" in shown
    assert "班：10月10日（周六）" in shown and "※" not in shown

    # a year neither the library nor the org file knows says so
    assert "尚未收录 2028 年" in await desk.admin.send("/calendar 2028-03")

    for bad in ("/calendar 2027-13", "/calendar 下个月", "/calendar 0月"):
        assert "用法：/calendar" in await finance.send(bad), bad


async def test_the_calendar_is_refused_to_someone_without_a_role(desk: Desk, office):  # type: ignore[no-untyped-def]
    stranger = desk.chat(4599, "路人")
    await stranger.send("/start")
    assert "2027年2月" not in await stranger.send("/calendar 2027-02")
