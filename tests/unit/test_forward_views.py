"""转办 (forwarding a parent office's task) in pure code: the due-date rule, the 转办 button, and what
the parent's `/task N`, a forwarded notice and a child office's escalation say."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback, decode, may_press
from bot.rules.digest import OverdueItem
from bot.rules.roles import Role
from bot.rules.tasks import due_allowed
from bot.views.reminders import Escalated, escalation
from bot.views.task_lists import detail_view, overdue_view
from bot.views.tasks import BelowView, OverdueList, TargetView, TaskDetail, cascade_notice, notice

TZ = ZoneInfo("Asia/Shanghai")
DUE = datetime(2026, 12, 10, 18, 0, tzinfo=TZ)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def view(target_id: int, department: str, *, origin: tuple[int, str] | None = None) -> TargetView:
    return TargetView(target_id, 1, "报送园区创建进展", None, None, DUE, department, True, "pending", origin=origin)


def test_a_forwarded_task_is_due_no_later_than_the_parents_part_unless_that_has_passed() -> None:
    assert due_allowed(DUE, DUE, NOW)
    assert due_allowed(datetime(2026, 12, 8, 18, 0, tzinfo=TZ), DUE, NOW)
    assert not due_allowed(datetime(2026, 12, 11, 18, 0, tzinfo=TZ), DUE, NOW)
    late = datetime(2026, 12, 12, 9, 0, tzinfo=TZ)  # the parent's part is overdue: any time to come
    assert due_allowed(datetime(2026, 12, 15, 18, 0, tzinfo=TZ), DUE, late)


def test_the_forward_button_is_an_admins_and_decodes_as_a_part() -> None:
    text, keyboard = cascade_notice(view(7, "永川区"), "", "zh", TZ)
    assert "上级交办 #1" in text and "永川区" in text
    data = keyboard["inline_keyboard"][0][0]["callback_data"]
    assert decode(data) == Callback("fw", "go", 7)
    assert not may_press("fw", "go", frozenset({Role.DIRECTOR, Role.LIAISON}))
    assert may_press("fw", "go", frozenset({Role.ADMIN}))
    assert decode("fw:go:0") is None and decode("fw:xx:7") is None


def test_a_forwarded_notice_names_where_it_came_from() -> None:
    text, _ = notice(view(9, "区科技局", origin=(12, "")), "zh", TZ)
    assert "上级交办 #12 转办" in text
    text, _ = notice(view(9, "区科技局", origin=(12, "市专班")), "en", TZ)
    assert "市专班's task #12" in text
    assert "转办" not in notice(view(9, "区科技局"), "zh", TZ)[0]


def test_the_parents_task_shows_a_forwarding_units_progress_below_and_nothing_for_another() -> None:
    detail = TaskDetail(1, "报送园区创建进展", None, DUE, NOW, False, None,
                        [(view(1, "永川区"), True, None), (view(2, "璧山区"), True, None), (view(3, "市财政局"), True, None)],
                        [], below={1: BelowView(2, 3)})
    body, _ = detail_view(detail, "zh", TZ)
    rows = [line for line in body.splitlines() if line.startswith("•")]
    assert "下级办理 2/3" in rows[0]
    assert "下级办理" not in rows[1] and "下级办理" not in rows[2]
    late = TaskDetail(1, "t", None, DUE, NOW, False, None, [(view(1, "永川区"), True, None)], [],
                      below={1: BelowView(1, 3, overdue=2)})
    assert "下级办理 1/3（逾期 2）" in detail_view(late, "zh", TZ)[0]
    assert "below: 1/3 done (2 overdue)" in detail_view(late, "en", TZ)[0]


def test_a_child_offices_escalation_names_it_and_overdues_nudge_names_the_office() -> None:
    task = Escalated(2, "区级任务", DUE, ())
    assert "（永川区）" in escalation([task], 0, date(2026, 12, 11), "zh", TZ, office="永川区").splitlines()[0]
    assert "永川区" not in escalation([task], 0, date(2026, 12, 11), "zh", TZ)  # the root office's: as ever
    _, keyboard = overdue_view(OverdueList([OverdueItem(2, "区级任务", "区科技局", True, 1)], [], 3), "zh", nudge=True)
    assert keyboard is not None and keyboard["inline_keyboard"][0][0]["callback_data"] == "n:o:3"
