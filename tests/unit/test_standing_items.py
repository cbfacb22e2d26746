"""Standing items (长期坚持) and the digest's section on agreed items, as pure rules and views: the
monthly checkpoint and its roll, never overdue, how their due reads everywhere a task is shown,
each meeting's done/total and overdue items, the headline's one line, the workbook's sheet."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.render.workbook import sheet_names, workbook_xlsx
from bot.rules import tasks as rules
from bot.rules.digest import agreed_item, meeting_standing, meetings_in_digest, period_for
from bot.usecases.task_reminders import _due_items, _escalations
from bot.views import reminders
from bot.views.digest import HEADLINE_LINES, headline, meeting_lines, messages, plain
from bot.views.task_lists import department_list, detail_view, summary_list
from bot.views.tasks import TargetView, TaskDetail, TaskSummary, notice
from tests.unit.test_directors_read import full_digest
from tests.unit.test_morning_round import Weekdays

TZ = ZoneInfo("Asia/Shanghai")
CAL = Weekdays()
CHECKPOINT = datetime(2026, 11, 30, 18, 0, tzinfo=TZ)  # a Monday
CREATED = datetime(2026, 11, 20, 20, 0, tzinfo=TZ)
ZH = "长期坚持（每月报送进展，本月节点11月30日）"
LASTING = {"zh": "长期坚持（每月底前报送进展）", "en": "standing (progress reported by each month's end)"}
EN = "standing (progress reported monthly; this month's checkpoint Nov 30)"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


# ------------------------------------------------------------------ the checkpoint and the roll

@pytest.mark.parametrize(("after", "checkpoint"), [
    (local(2026, 11, 20, 20, 0), local(2026, 11, 30, 18, 0)),
    (local(2026, 11, 30, 17, 59), local(2026, 11, 30, 18, 0)),
    (local(2026, 11, 30, 18, 0), local(2026, 12, 31, 18, 0)),  # reached: the next month's
    (local(2026, 12, 31, 23, 0), local(2027, 1, 31, 18, 0)),  # across the year
    (local(2028, 2, 1, 0, 0), local(2028, 2, 29, 18, 0)),  # a leap February
    (datetime(2026, 11, 30, 16, 0, tzinfo=ZoneInfo("UTC")), local(2026, 12, 31, 18, 0)),  # 12-01 00:00 local
])
def test_the_checkpoint_is_the_months_last_day_at_six_local_time(after: datetime, checkpoint: datetime) -> None:
    assert rules.standing_checkpoint(after, TZ) == checkpoint


def test_a_checkpoint_rolls_once_it_has_come_and_then_not_until_the_next() -> None:
    assert not rules.standing_needs_roll(CHECKPOINT, local(2026, 11, 30, 17, 59))
    assert rules.standing_needs_roll(CHECKPOINT, CHECKPOINT)
    moved_to = rules.standing_checkpoint(CHECKPOINT, TZ)
    assert not rules.standing_needs_roll(moved_to, CHECKPOINT)  # rolled: nothing left to move at the same moment


# ------------------------------------------------------------------ never overdue

def test_a_standing_part_past_its_checkpoint_is_not_overdue() -> None:
    late = local(2026, 12, 1, 9, 0)
    assert rules.is_overdue("in_progress", CHECKPOINT, False, late)
    assert not rules.is_overdue("in_progress", CHECKPOINT, False, late, standing=True)
    assert rules.shown_status("pending", CHECKPOINT, False, late, standing=True) == "pending"


@pytest.mark.parametrize(("day", "heard"), [
    (date(2026, 11, 27), ("due", 3)),  # Friday: three days before the checkpoint
    (date(2026, 11, 30), ("due", 0)),
    (date(2026, 12, 1), None),  # a task would hear "overdue"; a standing item waits for the next checkpoint
    (date(2026, 12, 7), None),
])
def test_a_standing_part_is_reminded_before_its_checkpoint_never_as_overdue(day: date, heard: object) -> None:
    assert rules.reminder_on(day, CHECKPOINT, CREATED, TZ, CAL, standing=True) == heard
    if heard is None:
        assert rules.reminder_on(day, CHECKPOINT, CREATED, TZ, CAL)[0] == "overdue"  # type: ignore[index]


def _row(task_id: int, *, standing: bool, due: datetime = CHECKPOINT) -> SimpleNamespace:
    return SimpleNamespace(target_id=task_id * 10, task_id=task_id, department_id=1, department="区财政局", is_lead=True,
                           status="pending", due=due, notified_at=CREATED, title=f"事项{task_id}", task_due=due,
                           created_at=CREATED, escalated_at=None, office_id=1, standing=standing)


def test_the_round_never_escalates_nor_nags_a_standing_item_even_before_its_roll() -> None:
    """Should a tick miss the roll (the step failed, a clock set back), the round still tells
    nobody that a standing item is overdue."""
    parts = [_row(1, standing=False), _row(2, standing=True)]
    escalated, earlier = _escalations(parts, date(2026, 12, 1), TZ, CAL)
    assert [e.task_id for e in escalated] == [1] and earlier == 0
    assert [(i.task_id, i.kind) for _, i in _due_items(parts, date(2026, 12, 1), TZ, {1: CAL})] == [(1, "overdue")]
    soon = _due_items(parts, date(2026, 11, 27), TZ, {1: CAL})
    assert [(i.task_id, i.kind, i.days, i.standing) for _, i in soon] == [(1, "due", 3, False), (2, "due", 3, True)]


# ------------------------------------------------------------------ how the due reads

def _view(status: str = "pending", *, standing: bool = True) -> TargetView:
    return TargetView(7, 13, "常态化巡查", None, None, CHECKPOINT, "区经济信息委", True, status, standing=standing)


@pytest.mark.parametrize(("lang", "shown"), [("zh", ZH), ("en", EN)])
def test_the_notice_mytasks_tasks_and_task_show_the_standing_due(lang: str, shown: str) -> None:
    text, keyboard = notice(_view(), lang, TZ)
    # the notice stays in the chat for months: it says "monthly", not this month's checkpoint
    assert LASTING[lang] in text and shown not in text and keyboard is not None
    assert shown in department_list("区经济信息委", [_view("in_progress")], lang, TZ)
    assert shown in summary_list([TaskSummary(13, "常态化巡查", CHECKPOINT, 2, 0, 0, False, standing=True)], "open", lang, TZ)
    detail = TaskDetail(13, "常态化巡查", None, CHECKPOINT, CREATED, False, None, [(_view(), True, None)], [], standing=True)
    assert shown in detail_view(detail, lang, TZ)[0]
    plain_task = notice(_view(standing=False), lang, TZ)[0]
    assert shown not in plain_task and "2026-11-30" in plain_task


def test_the_liaisons_reminder_names_the_months_checkpoint() -> None:
    items = [reminders.Item(1, 13, "常态化巡查", CHECKPOINT, "区经济信息委", "due", 3, standing=True),
             reminders.Item(2, 14, "编制方案", CHECKPOINT, "区经济信息委", "due", 0, standing=True)]
    text = reminders.reminder(items, "zh", TZ)
    assert f"#13「常态化巡查」{ZH}，距本月节点还有 3 天" in text
    assert f"#14「编制方案」{ZH}，今天请报送本月进展" in text
    assert "逾期" not in text
    ack = reminders.ack_nudge([replace(items[0], kind="ack")], "en", TZ)
    assert f"#13 “常态化巡查” ({EN})" in ack


# ------------------------------------------------------------------ agreed items in the digest

AT = local(2026, 12, 1, 9, 0)


def _parts(*statuses: str, due: datetime = local(2026, 11, 27, 18, 0)) -> list[tuple[str, bool, str, datetime]]:
    return [(f"部门{i}", i == 0, status, due) for i, status in enumerate(statuses)]


def test_an_item_is_done_when_every_part_is_or_it_was_closed_and_overdue_by_its_latest_part() -> None:
    due = local(2026, 11, 27, 18, 0)
    assert agreed_item(1, "甲", due, standing=False, closed=False, parts=_parts("done", "done"), at=AT, tz=TZ).state == "done"
    closed = agreed_item(2, "乙", due, standing=False, closed=True, parts=_parts("pending"), at=AT, tz=TZ)
    assert closed.state == "closed" and closed.finished
    late = agreed_item(3, "丙", due, standing=False, closed=False, parts=[
        *_parts("done", "in_progress"), ("部门9", False, "pending", local(2026, 11, 20, 18, 0))], at=AT, tz=TZ)
    assert (late.state, late.days, late.leads) == ("overdue", 11, ("部门0",))
    standing = agreed_item(4, "丁", CHECKPOINT, standing=True, closed=False, parts=_parts("pending", due=CHECKPOINT),
                           at=AT, tz=TZ)
    assert standing.state == "standing" and not standing.finished
    ahead = agreed_item(5, "戊", local(2026, 12, 20, 18, 0), standing=False, closed=False,
                        parts=_parts("pending", due=local(2026, 12, 20, 18, 0)), at=AT, tz=TZ)
    assert ahead.state == "open"


def _meeting(meeting_id: int, held_on: date, *states: str) -> object:
    due = local(2026, 11, 27, 18, 0)
    items = [agreed_item(meeting_id * 10 + n, f"事项{n}", due, standing=s == "standing", closed=False,
                         parts=_parts({"late": "pending", "standing": "pending"}.get(s, s),
                                      due=local(2026, 11, 27 - n, 18, 0)), at=AT, tz=TZ)
             for n, s in enumerate(states)]
    return meeting_standing(meeting_id, f"会议{meeting_id}", held_on, items)


def test_a_digest_takes_the_periods_meetings_and_earlier_ones_still_overdue() -> None:
    november = period_for("month", AT, TZ)
    held = _meeting(2, date(2026, 11, 20), "done", "late", "late", "standing")
    assert (held.done, held.total, [o[0] for o in held.overdue]) == (1, 4, [22, 21])  # type: ignore[attr-defined]
    earlier_late = _meeting(1, date(2026, 10, 10), "late")
    earlier_done = _meeting(3, date(2026, 10, 12), "done")
    later = _meeting(4, date(2026, 12, 1), "late")
    chosen = meetings_in_digest([later, held, earlier_done, earlier_late], november, TZ)  # type: ignore[list-item]
    assert [m.meeting_id for m in chosen] == [1, 2]


def test_the_details_name_each_meeting_and_its_overdue_items() -> None:
    held = _meeting(2, date(2026, 11, 20), "done", "late", "standing")
    assert plain("\n".join(meeting_lines([held], "zh"))) == "会议议定事项\n• 《会议2》（11月20日）已办结 1/3，逾期：#21 事项1（5天）"  # type: ignore[list-item]
    many = _meeting(5, date(2026, 11, 2), *(["late"] * 8))
    line = plain(meeting_lines([many], "zh")[1])  # type: ignore[list-item]
    assert line.count("#") == 5 and line.endswith("等3项")


@pytest.mark.parametrize("kind", ["week", "month", "quarter"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_headline_gains_one_line_and_still_fits_a_phone(kind: str, lang: str) -> None:
    d = replace(full_digest(kind), meetings=[_meeting(2, date(2026, 11, 20), "done", "late", "standing")])  # type: ignore[list-item]
    first = plain(messages(d, lang, TZ)[0])
    assert len(first.split("\n")) <= HEADLINE_LINES
    assert ("议定事项：已办结 1/3，逾期 1" if lang == "zh" else "Agreed items: 1/3 done, 1 overdue") in first
    joined = plain("\n".join(messages(d, lang, TZ)))
    assert all(f"#{o.task_id} " in joined for o in d.overdue)  # the most overdue not in the headline follow
    assert "议定事项" not in plain("\n".join(headline(full_digest(kind), "zh", TZ)))  # no meetings: no line


def test_the_workbook_has_an_agreed_items_sheet_when_there_are_meetings() -> None:
    d = replace(full_digest("month"), meetings=[_meeting(2, date(2026, 11, 20), "done", "late", "standing")])  # type: ignore[list-item]
    book = load_workbook(io.BytesIO(workbook_xlsx(d, "en", TZ)))
    assert book.sheetnames == sheet_names("en", meetings=True) and book.sheetnames[-1] == "Agreed items"
    rows = list(book["Agreed items"].iter_rows(values_only=True))
    assert [r[6] for r in rows[1:]] == ["done", "5 days overdue", "standing"]
    assert rows[1][:3] == ("会议2", datetime(2026, 11, 20), 20)
    assert load_workbook(io.BytesIO(workbook_xlsx(full_digest("month"), "zh", TZ))).sheetnames == sheet_names("zh")
