"""The directors' digest as plain data, the periods it covers, and what changed since the last one.

Built by bot/usecases/digests.py from the database; rendered as text (bot/views/digest.py), a
chart (bot/render/chart.py) and a workbook (bot/render/workbook.py)."""

from __future__ import annotations

import calendar as months
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.rules.cycles import Quarter, Trend, quarter_at
from bot.rules.tasks import TargetStatus, days_overdue, is_overdue
from bot.rules.indicators import convert, is_additive, name_key, units_compatible
from bot.rules.targets import TargetStanding

KINDS = ("week", "month", "quarter")  # the scheduled digests
ON_DEMAND_KINDS = (*KINDS, "year")  # `/digest 年`: the year so far, on demand only (never scheduled)


@dataclass(frozen=True)
class Period:
    kind: str  # week | month | quarter | year
    start: datetime  # inclusive
    end: datetime  # exclusive
    label: str  # a code, as stored (digest_runs.label): 2026-W47, 2026-11, 2026-Q4, 2026; readers see
    # bot.texts.period_name(label)
    until: datetime | None = None  # on demand, the period so far: the moment it is read up to


def period_for(kind: str, at: datetime, tz: ZoneInfo) -> Period:
    """The period a scheduled digest sent at `at` reports on: the week or month just ended, or the
    quarter `at` falls in (the quarterly bulletin goes out right after the reporting deadline, in
    the quarter's last month), or the year `at` falls in."""
    local = at.astimezone(tz)
    today = local.date()
    if kind == "week":
        this_monday = today - timedelta(days=today.weekday())
        start = this_monday - timedelta(days=7)
        year, week, _ = start.isocalendar()
        return Period(kind, _midnight(start, tz), _midnight(this_monday, tz), f"{year}-W{week:02d}")
    if kind == "month":
        first = today.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period(kind, _midnight(previous, tz), _midnight(first, tz), f"{previous:%Y-%m}")
    if kind == "quarter":
        quarter = quarter_at(at, tz)
        return Period(kind, _midnight(quarter.start, tz), _midnight(quarter.next().start, tz), quarter.label)
    if kind == "year":
        return Period(kind, _midnight(date(today.year, 1, 1), tz), _midnight(date(today.year + 1, 1, 1), tz),
                      str(today.year))
    raise ValueError(f"unknown digest kind {kind!r}")


def period_so_far(kind: str, at: datetime, tz: ZoneInfo) -> Period:
    """`/digest [week|month|quarter|year]`: the calendar period `at` falls in, up to `at` (so what
    happened today counts)."""
    today = at.astimezone(tz).date()
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        year, week, _ = monday.isocalendar()
        start, end, label = monday, monday + timedelta(days=7), f"{year}-W{week:02d}"
    elif kind == "month":
        start = today.replace(day=1)
        end, label = _next_month(start), f"{start:%Y-%m}"
    elif kind == "quarter":
        quarter = quarter_at(at, tz)
        start, end, label = quarter.start, quarter.next().start, quarter.label
    elif kind == "year":
        start, end, label = date(today.year, 1, 1), date(today.year + 1, 1, 1), str(today.year)
    else:
        raise ValueError(f"unknown digest kind {kind!r}")
    return Period(kind, _midnight(start, tz), _midnight(end, tz), label, until=at)


def period_just_ended(kind: str, at: datetime, tz: ZoneInfo) -> Period:
    """`/digest 上周|上月|上季度|去年`: the whole period before the one `at` falls in."""
    current = period_so_far(kind, at, tz)
    before = current.start - timedelta(days=1)
    previous = period_so_far(kind, before, tz)
    return Period(kind, previous.start, previous.end, previous.label)


def on_demand_period(kind: str, at: datetime, tz: ZoneInfo, *, last: bool = False) -> Period:
    """What `/digest` shows: the period so far, or with `last` the one just ended."""
    return period_just_ended(kind, at, tz) if last else period_so_far(kind, at, tz)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def weekly_at(at: datetime, tz: ZoneInfo, weekday: int = 0, clock: time = time(9, 0)) -> datetime:
    """This week's scheduled moment (default Monday 09:00) for the week containing `at`."""
    local = at.astimezone(tz).date()
    return datetime.combine(local - timedelta(days=local.weekday() - weekday), clock, tzinfo=tz)


def monthly_at(at: datetime, tz: ZoneInfo, day: int = 1, clock: time = time(9, 0)) -> datetime:
    local = at.astimezone(tz).date()
    last = months.monthrange(local.year, local.month)[1]
    return datetime.combine(local.replace(day=min(day, last)), clock, tzinfo=tz)


@dataclass(frozen=True)
class Schedule:
    """When scheduled digests go out (each configurable, see bot/settings.py)."""

    weekday: int = 0  # Monday
    weekly: time = time(9, 0)
    month_day: int = 1
    monthly: time = time(9, 0)
    days_after_deadline: int = 1
    quarterly: time = time(9, 0)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(text: str) -> time:
    hour, _, minute = text.partition(":")
    return time(int(hour), int(minute))


def parse_schedule(weekly: str, monthly: str, quarterly: str) -> Schedule:
    """`mon 09:00`, `1 09:00` (day of month), `1 09:00` (days after the reporting deadline).
    Raises ValueError naming the bad value."""
    try:
        day, at = weekly.lower().split()
        weekday = _WEEKDAYS.index(day[:3])
        week_clock = _clock(at)
        month_day_text, month_at = monthly.split()
        month_day, month_clock = int(month_day_text), _clock(month_at)
        after_text, quarter_at_text = quarterly.split()
        after, quarter_clock = int(after_text), _clock(quarter_at_text)
    except (ValueError, IndexError):
        raise ValueError(f"digest schedule must look like 'mon 09:00', '1 09:00', '1 09:00'; got "
                         f"{weekly!r}, {monthly!r}, {quarterly!r}") from None
    if not 1 <= month_day <= 28 or not 0 <= after <= 30:
        raise ValueError("the monthly digest day must be 1-28 and the quarterly offset 0-30 days")
    return Schedule(weekday, week_clock, month_day, month_clock, after, quarter_clock)


def scheduled_at(kind: str, at: datetime, tz: ZoneInfo, schedule: Schedule, deadline: datetime | None) -> datetime | None:
    """The moment today's digest of `kind` is due, if one is due on `at`'s day; the quarterly
    one needs the current cycle's deadline."""
    local = at.astimezone(tz)
    if kind == "week":
        moment = weekly_at(at, tz, schedule.weekday, schedule.weekly)
    elif kind == "month":
        moment = monthly_at(at, tz, schedule.month_day, schedule.monthly)
    elif deadline is not None:
        day = deadline.astimezone(tz).date() + timedelta(days=schedule.days_after_deadline)
        moment = datetime.combine(day, schedule.quarterly, tzinfo=tz)
    else:
        return None
    return moment if moment.date() == local.date() else None


@dataclass(frozen=True)
class OverdueItem:
    task_id: int
    title: str
    department: str
    is_lead: bool
    days: int


@dataclass(frozen=True)
class Figure:
    department: str
    name: str
    value: Decimal  # in the canonical unit (万元 for money)
    unit: str  # canonical
    written: str = ""  # the unit the liaison wrote (亿元), "" when unknown


@dataclass(frozen=True)
class IndicatorSummary:
    """One indicator across departments, in the unit it is shown in (`unit`): `total` is the sum
    for additive units and None for a rate (`%`, `‰`, 个百分点, 倍), which is shown as its range
    `low`–`high` instead; `values` is each department's figure in `unit`; `base_unit` and
    `base_total` are the canonical ones (万元) the snapshot keeps, so a change of shown unit
    between two digests is not a change of figure."""

    name: str
    unit: str
    total: Decimal | None
    low: Decimal
    high: Decimal
    count: int  # departments that gave it
    values: tuple[tuple[str, Decimal], ...] = ()
    base_unit: str = ""
    base_total: Decimal | None = None

    @property
    def additive(self) -> bool:
        return self.total is not None


@lru_cache(maxsize=1024)
def _group(unit: str) -> str:
    """Figures of one indicator are taken together when their units are compatible."""
    return next((u for u in _GROUP_UNITS if units_compatible(u, unit)), unit)


_GROUP_UNITS = ("万元", "人", "个", "%", "个百分点", "‰", "万千瓦时", "万千瓦", "万立方米", "万吨", "万平方米")


def summarize(figures: list[Figure], expected: list[tuple[str, str]] | tuple[()] = ()) -> list[IndicatorSummary]:
    """Every indicator once, in the order indicators first appear: the one function behind the
    totals in the digest, the workbook, `/cycle` and the snapshot.

    A department counts once per indicator (its later figure, should an old report hold two).
    The unit shown is the office's (`/cycle indicators 产值 亿元`: an expected name the indicator's
    name contains, with a compatible unit), else the unit most departments wrote (the first of
    equals), else the canonical one."""
    groups: dict[tuple[str, str], dict[str, Figure]] = {}
    for f in figures:
        groups.setdefault((name_key(f.name), _group(f.unit)), {})[f.department] = f
    out: list[IndicatorSummary] = []
    for per_dept in groups.values():
        first = next(iter(per_dept.values()))
        unit = _shown_unit(first.name, list(per_dept.values()), expected)
        values = tuple((dept, convert(f.value, f.unit, unit)) for dept, f in per_dept.items())
        numbers = [v for _, v in values]
        additive = is_additive(first.unit)
        base = sum((f.value for f in per_dept.values()), Decimal(0)) if additive else None
        out.append(IndicatorSummary(first.name, unit, sum(numbers, Decimal(0)) if additive else None,
                                    min(numbers), max(numbers), len(values), values, first.unit, base))
    return out


def _shown_unit(name: str, figures: list[Figure], expected: list[tuple[str, str]] | tuple[()]) -> str:
    canonical = figures[0].unit
    for wanted, unit in expected:
        if name_key(wanted) and name_key(wanted) in name_key(name) and units_compatible(unit, canonical):
            return unit
    tally: dict[str, int] = {}
    for f in figures:
        written = f.written if f.written and units_compatible(f.written, f.unit) else f.unit
        tally[written] = tally.get(written, 0) + 1
    return max(tally, key=lambda u: tally[u])  # the first of equals: dicts keep order


@dataclass(frozen=True)
class DeptStanding:
    department: str
    liaison: str | None
    reported: bool
    late: bool
    version: int  # 0 when not reported
    tasks_open: int
    tasks_done: int
    tasks_overdue: int
    latest_progress: str | None  # one line
    latest_at: datetime | None
    latest_file: tuple[str, str | None] | None = None  # (photo|document, file name) of a latest entry without text


@dataclass(frozen=True)
class GroupStanding:
    name: str
    leads: list[str]
    members: list[str]
    reported: int  # departments of the group (leads and members) that have reported
    overdue: int  # overdue task parts of the group's departments


def home_groups(groups: list[GroupStanding]) -> dict[str, str]:
    """Each department's one home working group, where charts count its tasks and its report once
    (however many groups it belongs to): the first group it leads, else the first it is a member
    of, in the digest's group order. Departments in no group are not in the map."""
    home: dict[str, str] = {}
    for g in groups:
        for dept in g.leads:
            home.setdefault(dept, g.name)
    for g in groups:
        for dept in g.members:
            home.setdefault(dept, g.name)
    return home


@dataclass(frozen=True)
class UnitStanding:
    """A member unit that stands for a child office (a district in the city's cycle): whether the
    unit itself reported upward, and the child office's own `submitted/total` in its cycle of the
    same label (None when the child has no such cycle)."""

    name: str
    reported: bool
    late: bool
    inside_submitted: int | None = None
    inside_total: int | None = None

    @property
    def inside(self) -> tuple[int, int] | None:
        if self.inside_submitted is None or self.inside_total is None:
            return None
        return self.inside_submitted, self.inside_total


@dataclass(frozen=True)
class TaskLine:
    task_id: int
    title: str
    due: datetime
    created: datetime
    closed: bool
    statuses: dict[str, str]  # department → shown status (pending/.../done/overdue)


@dataclass(frozen=True)
class LiaisonLine:
    department: str
    name: str | None
    kind: str | None
    since: datetime | None
    unreachable: bool


@dataclass(frozen=True)
class MeetingStanding:
    """A meeting's agreed items (tasks with its `meeting_id`) as of the digest's moment: `done` of
    `total` items finished (every department's part done, or the task closed), the overdue ones by
    task (`#N title`, days), standing items (长期坚持) never overdue."""

    meeting_id: int
    title: str
    held_on: date
    total: int
    done: int
    overdue: tuple[tuple[int, str, int], ...] = ()  # (task id, title, days overdue), most overdue first
    items: tuple[AgreedItem, ...] = ()  # every item, by task (the workbook's sheet 议定事项)


ITEM_DONE, ITEM_CLOSED, ITEM_OVERDUE, ITEM_OPEN, ITEM_STANDING = "done", "closed", "overdue", "open", "standing"


@dataclass(frozen=True)
class AgreedItem:
    """One agreed item (a task of a meeting) as the digest shows it. `state`: done (every part
    done), closed (closed before that; counts as finished), standing (长期坚持, open: never
    overdue), overdue (a part not done is past its due time, `days` the longest), open."""

    task_id: int
    title: str
    leads: tuple[str, ...]
    due: datetime
    standing: bool
    state: str
    days: int = 0

    @property
    def finished(self) -> bool:
        return self.state in (ITEM_DONE, ITEM_CLOSED)


def agreed_item(task_id: int, title: str, due: datetime, *, standing: bool, closed: bool,
                parts: Sequence[tuple[str, bool, str, datetime]], at: datetime, tz: ZoneInfo) -> AgreedItem:
    """An item from its task and its departments' parts (department, is lead, status, due). An item
    is overdue when any part is, notified or not: the item is late whoever is to blame (the main
    overdue list keeps departments without a liaison apart; an item's count does not)."""
    leads = tuple(name for name, lead, _, _ in parts if lead)
    if parts and all(status == TargetStatus.DONE for _, _, status, _ in parts):
        return AgreedItem(task_id, title, leads, due, standing, ITEM_DONE)
    if closed:
        return AgreedItem(task_id, title, leads, due, standing, ITEM_CLOSED)
    if standing:
        return AgreedItem(task_id, title, leads, due, standing, ITEM_STANDING)
    late = [days_overdue(part_due, at, tz) for _, _, status, part_due in parts
            if is_overdue(status, part_due, False, at)]
    if late:
        return AgreedItem(task_id, title, leads, due, standing, ITEM_OVERDUE, max(late))
    return AgreedItem(task_id, title, leads, due, standing, ITEM_OPEN)


def meeting_standing(meeting_id: int, title: str, held_on: date, items: Sequence[AgreedItem]) -> MeetingStanding:
    """A meeting's done/total and its overdue items, most overdue first."""
    late = sorted((i for i in items if i.state == ITEM_OVERDUE), key=lambda i: (-i.days, i.task_id))
    return MeetingStanding(meeting_id, title, held_on, len(items), sum(i.finished for i in items),
                           tuple((i.task_id, i.title, i.days) for i in late), tuple(items))


def meetings_in_digest(meetings: Sequence[MeetingStanding], period: Period, tz: ZoneInfo) -> list[MeetingStanding]:
    """The meetings a digest reports: those held in its period, and earlier ones that still have
    overdue items (a meeting held after the period waits for the next digest), by date."""
    first, end = period.start.astimezone(tz).date(), period.end.astimezone(tz).date()
    return sorted((m for m in meetings if first <= m.held_on < end or (m.held_on < first and m.overdue)),
                  key=lambda m: (m.held_on, m.meeting_id))


@dataclass
class Digest:
    period: Period
    generated_at: datetime
    cycle_label: str | None
    cycle_deadline: datetime | None
    submitted: int
    total: int
    missing: list[str]
    late: list[str]
    tasks_opened: int
    tasks_finished: int
    overdue: list[OverdueItem]
    groups: list[GroupStanding]
    departments: list[DeptStanding]
    figures: list[Figure]
    tasks: list[TaskLine] = field(default_factory=list)
    liaisons: list[LiaisonLine] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    narrative: str | None = None
    expected: list[tuple[str, str]] = field(default_factory=list)  # the cycle's expected indicators
    # task parts of departments that were never notified (no liaison): listed as 未通知（无联络员）,
    # never among `overdue` nor counted as overdue (issue 11, part 3)
    unnotified: list[OverdueItem] = field(default_factory=list)
    # the member units standing for child offices, with each child's own submitted/total (roll-up)
    units: list[UnitStanding] = field(default_factory=list)
    office: str | None = None  # the office's name, when the database holds several offices
    meetings: list[MeetingStanding] = field(default_factory=list)  # meetings held in the period
    # the office's annual targets of the period's year against the latest year-to-date figures
    # (bot/rules/targets.py; filled by bot/usecases/digests.py, empty when there are none)
    targets: list[TargetStanding] = field(default_factory=list)
    trend: list[Trend] = field(default_factory=list)  # a monthly digest's monthly indicators, month by month

    def summaries(self) -> list[IndicatorSummary]:
        """Each indicator once: total for additive units, range for rates (see `summarize`)."""
        return summarize(self.figures, self.expected)

    def snapshot(self) -> dict[str, object]:
        """The few numbers the next digest of the same kind compares against."""
        return {
            "submitted": self.submitted, "total": self.total, "overdue": len(self.overdue),
            "overdue_departments": len({o.department for o in self.overdue}),
            "tasks_opened": self.tasks_opened, "tasks_finished": self.tasks_finished,
            # additive totals only, in the canonical unit (older snapshots summed rates too: their
            # rate keys are simply never compared again)
            "totals": {f"{i.name}|{i.base_unit}": str(i.base_total) for i in self.summaries()
                       if i.base_total is not None},
        }


@dataclass(frozen=True)
class Change:
    key: str  # submitted | overdue | total:<name>|<unit>
    before: Decimal
    after: Decimal


def changes(previous: dict[str, object] | None, current: dict[str, object]) -> list[Change]:
    """What moved between two snapshots (nothing when there is no previous digest)."""
    if not previous:
        return []
    out: list[Change] = []
    for key in ("submitted", "overdue", "tasks_finished"):
        before, after = Decimal(str(previous.get(key, 0))), Decimal(str(current.get(key, 0)))
        if before != after:
            out.append(Change(key, before, after))
    old = previous.get("totals") or {}
    for key, value in (current.get("totals") or {}).items():  # type: ignore[union-attr]
        before = Decimal(str(old.get(key, "0")))  # type: ignore[union-attr]
        if before != Decimal(value):
            out.append(Change(f"total:{key}", before, Decimal(value)))
    return out


__all__ = ["KINDS", "ON_DEMAND_KINDS", "AgreedItem", "Change", "DeptStanding", "Digest", "Figure", "GroupStanding", "IndicatorSummary",
           "LiaisonLine", "MeetingStanding", "OverdueItem", "Period", "Quarter", "TaskLine", "UnitStanding", "changes", "home_groups",
           "agreed_item", "meeting_standing", "meetings_in_digest", "monthly_at", "on_demand_period", "period_for", "period_just_ended", "period_so_far", "summarize",
           "weekly_at"]
