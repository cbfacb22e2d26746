"""Task rules with fixed times: statuses, parsing, and the reminder schedule on working days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import DomainError, UsageError
from bot.rules import tasks as r
from bot.rules.callbacks import Callback, decode
from bot.rules.workdays import china_calendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = china_calendar()
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


class WeekendsOnly:
    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5

    def covers(self, year: int) -> bool:
        return False


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        ("pending", r.Action.ACK, "acknowledged"),
        ("acknowledged", r.Action.ACK, "acknowledged"),
        ("pending", r.Action.PROGRESS, "in_progress"),
        ("in_progress", r.Action.ACK, "in_progress"),
        ("in_progress", r.Action.DONE, "done"),
        ("done", r.Action.PROGRESS, "done"),
        ("done", r.Action.ACK, "done"),
    ],
)
def test_status_moves_forward_and_done_stays_done(current, action, expected):
    assert r.next_status(current, action) == expected


def test_overdue_is_derived_and_ends_with_done_or_closing():
    due = local(2026, 12, 1, 18, 0)
    after = due + timedelta(minutes=1)
    assert r.shown_status("in_progress", due, False, after) == r.OVERDUE
    assert r.shown_status("done", due, False, after) == "done"
    assert r.shown_status("pending", due, True, after) == "pending"
    assert r.shown_status("pending", due, False, due) == "pending"


def test_assign_parses_targets_due_title_and_details():
    req = r.parse_assign("产业发展工作专班，区财政局、区金融办 | 2026-12-31 | 报送招商进展 | 附上项目清单", now=NOW, tz=TZ)
    assert req.targets == ("产业发展工作专班", "区财政局", "区金融办")
    assert req.due == local(2026, 12, 31, 18, 0)
    assert (req.title, req.details) == ("报送招商进展", "附上项目清单")
    assert r.parse_assign("区财政局 ｜ 2026/12/31 10:30 ｜ 标题", now=NOW, tz=TZ).due == local(2026, 12, 31, 10, 30)


@pytest.mark.parametrize("text", ["", "区财政局", "区财政局 | 2026-12-31", " | 2026-12-31 | 标题", "区财政局 | 2026-12-31 | "])
def test_assign_with_missing_parts_gets_the_usage_line(text):
    with pytest.raises(UsageError):
        r.parse_assign(text, now=NOW, tz=TZ)


@pytest.mark.parametrize(("due", "key"), [("2026-02-30", "due.malformed"), ("上周五", "due.malformed"),
                                           ("2月30日", "due.malformed"), ("尽快", "due.malformed"),
                                           ("2026-12-31 25:00", "due.malformed"), ("2026-11-01", "due.past"),
                                           ("2026-11-23 08:59", "due.past")])
def test_bad_due_dates_name_the_value(due, key):
    with pytest.raises(DomainError) as err:
        r.parse_assign(f"区财政局 | {due} | 标题", now=NOW, tz=TZ)
    assert err.value.key == key and err.value.params["value"] == due


@pytest.mark.parametrize(("due", "expected"), [("明天", local(2026, 11, 24, 18, 0)), ("12月31日", local(2026, 12, 31, 18, 0)),
                                                ("下周五 17:00", local(2026, 12, 4, 17, 0)),
                                                ("3个工作日内", local(2026, 11, 26, 18, 0))])
def test_due_dates_as_office_staff_type_them(due, expected):
    """Forms refused before bot.rules.dates (test_dates.py has the full table)."""
    assert r.parse_assign(f"区财政局 | {due} | 标题", now=NOW, tz=TZ, calendar=CAL).due == expected


def test_long_titles_are_refused():
    with pytest.raises(DomainError):
        r.parse_assign("区财政局 | 2026-12-31 | " + "长" * 201, now=NOW, tz=TZ)


def test_extension_request_takes_a_date_and_a_reason():
    due, reason = r.parse_extension("2026-12-31 10:00 等待上级批复", now=NOW, tz=TZ)
    assert (due, reason) == (local(2026, 12, 31, 10, 0), "等待上级批复")
    with pytest.raises(DomainError):
        r.parse_extension("2026-12-31", now=NOW, tz=TZ)
    assert r.parse_extension("下周五 18:00 等待上级批复", now=NOW, tz=TZ) == (local(2026, 12, 4, 18, 0), "等待上级批复")
    assert r.parse_extension("12月31日前因为材料未齐", now=NOW, tz=TZ) == (local(2026, 12, 31, 18, 0), "因为材料未齐")


def test_task_numbers_accept_a_hash_and_reject_junk():
    assert r.parse_numbered(["#12", "已完成", "踏勘"], "progress", text_required=True) == (12, "已完成 踏勘")
    for args in ([], ["x"], ["12"], ["-1", "t"], ["99999999999", "t"]):
        with pytest.raises(UsageError):
            r.parse_numbered(args, "progress", text_required=True)


def test_due_reminders_three_days_one_day_and_on_the_day():
    due = local(2026, 12, 10, 18, 0)  # a Thursday
    slots = r.due_slots(due, local(2026, 12, 1, 10, 0), TZ, CAL)
    assert [(s.at, s.days_left) for s in slots] == [
        (local(2026, 12, 7, 9, 0), 3), (local(2026, 12, 9, 9, 0), 1), (local(2026, 12, 10, 9, 0), 0)]


def test_reminders_falling_on_a_weekend_move_to_the_working_day_before_and_merge():
    due = local(2026, 12, 14, 18, 0)  # a Monday: 3 days before is Friday, 1 day before is Sunday
    slots = r.due_slots(due, local(2026, 12, 1, 10, 0), TZ, CAL)
    assert [s.at.date() for s in slots] == [date(2026, 12, 11), date(2026, 12, 14)]
    assert all(CAL.is_workday(s.at.date()) for s in slots)


def test_no_reminder_before_the_task_existed_or_after_it_was_due():
    due = local(2026, 12, 10, 8, 0)  # due before 09:00 on the day
    slots = r.due_slots(due, local(2026, 12, 8, 12, 0), TZ, CAL)
    assert [s.at for s in slots] == [local(2026, 12, 9, 9, 0)]


def test_national_day_holidays_get_no_reminders():
    due = local(2026, 10, 9, 18, 0)
    slots = r.due_slots(due, local(2026, 9, 20, 10, 0), TZ, CAL)
    assert all(CAL.is_workday(s.at.date()) for s in slots)
    assert not any(date(2026, 10, 1) <= s.at.date() <= date(2026, 10, 7) for s in slots)


def test_a_days_reminder_is_not_sent_late_the_next_day():
    slot_at = local(2026, 12, 7, 9, 0)
    assert r.slot_is_due(slot_at, local(2026, 12, 7, 9, 0), TZ)
    assert r.slot_is_due(slot_at, local(2026, 12, 7, 23, 59), TZ)
    assert not r.slot_is_due(slot_at, local(2026, 12, 7, 8, 59), TZ)
    assert not r.slot_is_due(slot_at, local(2026, 12, 8, 9, 0), TZ)


def test_overdue_nudges_on_working_mornings_and_escalation_the_next_working_day():
    due = local(2026, 12, 4, 18, 0)  # Friday
    assert r.overdue_nudge_day(due, local(2026, 12, 4, 20, 0), TZ, CAL) is None  # the due day itself
    assert r.overdue_nudge_day(due, local(2026, 12, 5, 10, 0), TZ, CAL) is None  # Saturday
    assert r.overdue_nudge_day(due, local(2026, 12, 7, 8, 0), TZ, CAL) is None  # before 09:00
    assert r.overdue_nudge_day(due, local(2026, 12, 7, 9, 30), TZ, CAL) == date(2026, 12, 7)
    assert r.escalation_at(due, TZ, CAL) == local(2026, 12, 7, 9, 0)
    assert r.days_overdue(due, local(2026, 12, 7, 9, 30), TZ) == 3


def test_without_the_years_calendar_weekends_are_the_only_days_off():
    due = local(2031, 10, 2, 18, 0)  # a Thursday in a year the calendar lacks
    slots = r.due_slots(due, local(2031, 9, 1, 9, 0), TZ, WeekendsOnly())
    assert [s.at.date() for s in slots] == [date(2031, 9, 29), date(2031, 10, 1), date(2031, 10, 2)]


def test_callback_data_round_trips_and_forgeries_decode_to_nothing():
    cb = Callback("t", "ack", 42)
    assert decode(cb.encode()) == cb and len(cb.encode()) <= 64
    for forged in (None, "", "t:ack", "t:ack:x", "t:nuke:1", "z:ok:1", "t:ack:1:2", "t:ack:" + "9" * 80, "x:ok:-1"):
        assert decode(forged) is None, forged


def test_times_are_compared_as_instants():
    due = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
    assert r.due_slots(due, local(2026, 12, 1, 10, 0), TZ, CAL)[-1].at == local(2026, 12, 10, 9, 0)
