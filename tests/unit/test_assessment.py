"""The annual assessment's rule (bot/rules/assessment.py): what counts as on time, late, overdue,
withdrawn; the weights of parts with nothing to measure shared pro rata; rounding at the end only;
ranks shared by equal scores (1, 2, 2, 4) and listed by name; the default year and the send window."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UsageError
from bot.rules.assessment import CycleRow, PartRow, ReportRow, Unit, assess, parse_year, score_of
from bot.rules.org_extras import AssessmentWeights
from bot.usecases.assessment import default_year, due_year, next_send

TZ = ZoneInfo("Asia/Shanghai")
W = AssessmentWeights()  # 40 / 30 / 15 / 15


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def part(dept: int, due: datetime, done: datetime | None = None, *, created: datetime | None = None,
         closed: datetime | None = None, standing: bool = False, notified: datetime | None = None,
         ack: datetime | None = None) -> PartRow:
    return PartRow(dept, created or due - timedelta(days=10), due, standing, closed, notified, ack, done)


def test_tasks_on_time_late_overdue_withdrawn_and_standing_items() -> None:
    due = at(2026, 6, 30, 18, 0)
    parts = [
        part(1, due, due),  # done exactly at its due time: on time
        part(1, due, due + timedelta(minutes=1)),  # late
        part(1, due),  # never done: overdue
        part(1, due, closed=due - timedelta(days=1)),  # withdrawn (closed before due, not done): left out
        part(1, due, closed=due + timedelta(days=1)),  # closed after it was overdue: overdue
        part(1, due, standing=True),  # a standing item: assigned, never due
        part(1, at(2026, 12, 20, 18, 0), at(2027, 1, 3, 10, 0)),  # done after the year's end: overdue for 2026
        part(1, at(2027, 1, 20, 18, 0), created=at(2026, 12, 1)),  # assigned in 2026, due in 2027
    ]
    a = assess(2026, as_of=at(2027, 1, 10, 9), tz=TZ, weights=W, units=[Unit(1, "甲")], parts=parts, cycles=[],
               reports=[])
    c = a.standings[0].counts
    assert (c.assigned, c.due, c.on_time, c.late, c.overdue) == (8, 5, 1, 1, 3)


def test_the_current_year_counts_only_parts_already_due_and_the_mean_time_to_acknowledge() -> None:
    now = at(2026, 7, 1, 9)
    parts = [part(1, at(2026, 6, 1, 18), created=at(2026, 5, 1, 9), notified=at(2026, 5, 1, 9), ack=at(2026, 5, 1, 12)),
             part(1, at(2026, 8, 1, 18), created=at(2026, 6, 1, 9), notified=at(2026, 6, 1, 9),
                  ack=at(2026, 6, 2, 9)),  # not due yet
             part(1, at(2026, 8, 1, 18), created=at(2026, 6, 1, 9), notified=at(2026, 6, 1, 9),
                  ack=at(2026, 7, 2, 9)),  # acknowledged after now: not counted
             part(1, at(2026, 9, 1, 18), created=at(2026, 7, 2, 9))]  # created after now: not counted
    c = assess(2026, as_of=now, tz=TZ, weights=W, units=[Unit(1, "甲")], parts=parts, cycles=[],
               reports=[]).standings[0].counts
    assert (c.assigned, c.due, c.overdue) == (3, 1, 1)
    assert c.ack_hours == pytest.approx((3 + 24) / 2)


def test_reports_first_version_decides_and_indicators_of_the_newest_count_monthly_cycles_too() -> None:
    asked = (("产值", "亿元"), ("引进项目", "个"))
    cycles = [CycleRow(1, "2026-Q4", at(2026, 12, 25, 18), asked, frozenset({1, 2})),
              CycleRow(2, "2026-12", at(2027, 1, 5, 18), asked[:1], frozenset({1, 2})),
              CycleRow(3, "2026-11", at(2027, 2, 5, 18), asked, frozenset({1, 2}))]  # not yet due: not counted
    reports = [ReportRow(1, 1, False, (("新型储能产业产值", "万元"), ("引进项目", "项"))),  # both (name contained, units compatible)
               ReportRow(2, 1, True, (("产值", "亿元"),)),
               ReportRow(1, 2, True, (("引进项目", "个"),))]
    a = assess(2026, as_of=at(2027, 1, 10, 9), tz=TZ, weights=W, units=[Unit(1, "甲"), Unit(2, "乙")], parts=[],
               cycles=cycles, reports=reports)
    assert a.cycles == ("2026-Q4", "2026-12")
    by = {s.unit.name: s.counts for s in a.standings}
    assert (by["甲"].reports_expected, by["甲"].reports_on_time, by["甲"].reports_late, by["甲"].reports_missing) == (2, 1, 1, 0)
    assert (by["甲"].indicators_supplied, by["甲"].indicators_asked) == (3, 3)
    assert (by["乙"].reports_on_time, by["乙"].reports_late, by["乙"].reports_missing) == (0, 1, 1)
    assert (by["乙"].indicators_supplied, by["乙"].indicators_asked) == (1, 3)


def test_weights_of_parts_with_nothing_to_measure_are_shared_pro_rata_and_rounded_at_the_end() -> None:
    ratios = {"tasks_on_time": Fraction(1, 3), "reports_on_time": Fraction(2, 3), "indicators_complete": None,
              "targets_met": None}
    points, score = score_of(ratios, W)
    # 40 and 30 apply: 40×100/70×1/3 + 30×100/70×2/3 = (4000/3 + 6000/3)/70 = 47.619… → 47.6
    assert points["tasks_on_time"] == Fraction(4000, 210) and points["indicators_complete"] is None
    assert score == Decimal("47.6")
    # half up at the end: 40×1 + 30×1 + 15×3/20 + 15×0 = 72.25 exactly → 72.3
    exact = {"tasks_on_time": Fraction(1), "reports_on_time": Fraction(1), "indicators_complete": Fraction(3, 20),
             "targets_met": Fraction(0)}
    assert score_of(exact, W)[1] == Decimal("72.3")  # 40 + 30 + 2.25 + 0
    assert score_of({p: None for p in ratios}, W) == ({p: None for p in ratios}, None)
    zero = AssessmentWeights(tasks_on_time=100, reports_on_time=0, indicators_complete=0, targets_met=0)
    assert score_of({"tasks_on_time": None, "reports_on_time": Fraction(1), "indicators_complete": None,
                     "targets_met": None}, zero)[1] is None  # the only part that applies weighs nothing


def test_equal_scores_share_a_rank_are_listed_by_name_and_unscored_units_come_last() -> None:
    due = at(2026, 3, 31, 18)
    done = {"丁": True, "乙": False, "丙": True, "甲": True}  # 丁, 丙, 甲 100; 乙 0
    units = [Unit(i, n) for i, n in enumerate(["丁", "乙", "丙", "甲", "戊"], 1)]
    parts = [part(u.id, due, due if done[u.name] else None) for u in units if u.name in done]
    a = assess(2026, as_of=at(2027, 1, 10), tz=TZ, weights=W, units=units, parts=parts, cycles=[], reports=[])
    assert [(s.unit.name, s.rank, s.score) for s in a.standings] == [
        ("丁", 1, Decimal("100.0")), ("丙", 1, Decimal("100.0")), ("甲", 1, Decimal("100.0")),
        ("乙", 4, Decimal("0.0")), ("戊", None, None)]


def test_targets_apply_only_to_units_that_have_some() -> None:
    due = at(2026, 3, 31, 18)
    units = [Unit(1, "甲"), Unit(2, "乙")]
    a = assess(2026, as_of=at(2027, 1, 10), tz=TZ, weights=W, units=units, parts=[part(1, due, due), part(2, due, due)],
               cycles=[], reports=[], targets={1: (1, 2)})
    by = {s.unit.name: s for s in a.standings}
    assert by["甲"].score == Decimal("86.4")  # (40×1 + 15×1/2) × 100/55 = 86.36…
    assert by["乙"].score == Decimal("100.0") and by["乙"].points["targets_met"] is None  # tasks alone: 100
    assert a.targets_known


def test_default_year_the_send_window_and_the_next_send() -> None:
    w = AssessmentWeights(send_on="01-10")
    assert default_year(at(2027, 1, 10, 23, 59), TZ, w) == 2026  # up to send_on: last year
    assert default_year(at(2027, 1, 11, 0), TZ, w) == 2027  # after it: this year so far
    assert due_year(at(2027, 1, 10, 8, 59), TZ, w) is None
    assert due_year(at(2027, 1, 10, 9), TZ, w) == 2026
    assert due_year(at(2027, 1, 17, 8, 59), TZ, w) == 2026 and due_year(at(2027, 1, 17, 9), TZ, w) is None
    later = AssessmentWeights(send_on="02-01")
    assert next_send(at(2027, 1, 10, 9), TZ, [later]) == at(2027, 2, 1, 9)
    assert next_send(at(2027, 2, 1, 9), TZ, [later]) == at(2028, 1, 10, 9)  # the default (offices without the section)


@pytest.mark.parametrize("args, year", [([], None), (["2026"], 2026), (["2026年"], 2026), (["2026年度"], 2026)])
def test_parse_year(args: list[str], year: int | None) -> None:
    assert parse_year(args) == year


@pytest.mark.parametrize("args", [["26"], ["1999"], ["2026", "2027"], ["去年"], ["２０２６"]])
def test_parse_year_refuses(args: list[str]) -> None:
    with pytest.raises(UsageError):
        parse_year(args)
