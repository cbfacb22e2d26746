"""Reporting cycles: opening them, reminding and escalating, and the office's view.

Quarterly cycles (`2026-Q4`) always; monthly ones (`2026-11`, 月报) for an office whose org file
has `monthly:` — the same rows, members, reports, drafts and versions, told apart by their label
(`bot.rules.cycles.kind_of`). A monthly cycle also asks each liaison for the month's indicators
(a request a reply to which is the department's monthly report)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound
from bot.rules import cycles as rules
from bot.rules.delivery import Outgoing
from bot.rules.digest import Figure, IndicatorSummary, UnitStanding, summarize
from bot.rules.indicators import name_key, written_unit
from bot.rules.org import ReportingRule
from bot.rules.org_extras import MonthlySpec, monthly_from_json
from bot.rules.people import Caller
from bot.rules.tasks import slot_is_due
from bot.rules.workdays import WorkCalendar
from bot.texts import Raw, cycle_name, fmt_time, period_name, t
from bot.usecases import calendar as calendars
from bot.usecases import offices
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.models import ROOT_OFFICE_ID, Department, Report, ReportingCycle
from storage.repos import audit as audit_repo
from storage.repos import cycles as cycle_repo
from storage.repos import org as org_repo
from storage.repos import tasks as task_repo


def _rule(raw: str | None) -> ReportingRule:
    if not raw:
        return ReportingRule()
    data = json.loads(raw)
    return ReportingRule(**{**data, "reminders_days_before": tuple(data.get("reminders_days_before", ()))})


async def rule_in(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> ReportingRule:
    """The office's reporting rule from its org file (the defaults when none was imported)."""
    return _rule((await org_repo.meta(s, office_id)).get("reporting"))


def scope(office_id: int) -> str:
    """The part of a dedup key that tells offices apart (none for the root office, so the keys of
    a single-office database are what they always were)."""
    return "" if office_id == ROOT_OFFICE_ID else f"o{office_id}:"


def quarter_of_cycle(cycle: ReportingCycle) -> rules.Quarter:
    return rules.Quarter(cycle.year, cycle.quarter)


async def open_cycle(db: Database, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar,
                     office_id: int | None = None) -> tuple[str, bool, int]:
    """Open the quarter's cycle of the office if it is not open yet, and let its member units added
    since join it; without `office_id`, of every office (each by its own reporting rule). Returns
    (label, opened now (any), member units that joined now (all)).

    Called by the tick, at start and on demand (`/report`), so two processes may race: the label
    (per office) and each membership are unique, and the one that loses sees the winner's rows on
    a retry. The deadline moves by the office's calendar: `calendar` (the holiday library) with the
    org files' days (bot/usecases/calendar.py)."""
    if office_id is None:
        async with db.session() as s:
            ids = [o.id for o in await org_repo.offices(s)] or [ROOT_OFFICE_ID]
        label, opened, joined = rules.quarter_at(at, tz).label, False, 0
        for one in ids:
            _, now_opened, now_joined = await open_cycle(db, at=at, tz=tz, calendar=calendar, office_id=one)
            opened, joined = opened or now_opened, joined + now_joined
        return label, opened, joined
    for attempt in range(3):
        try:
            return await _open_cycle(db, at=at, tz=tz, calendar=calendar, office_id=office_id)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def ensure_open(db: Database, *, now: datetime, tz: ZoneInfo | None, calendar: WorkCalendar | None,
                      office_id: int = ROOT_OFFICE_ID) -> None:
    """The office's cycle of the current quarter exists (opened now if need be), whatever the tick
    has done yet, and with `monthly:` in its org file the month's too (`open_monthly`). Without a
    time zone and calendar (a caller that cannot say), nothing is opened."""
    if tz is None or calendar is None:
        return
    async with db.session() as s:
        have = {c.label for c in await cycle_repo.of_labels(
            s, office_id, [rules.quarter_at(now, tz).label, rules.reported_month_at(now, tz).label])}
        monthly = await monthly_in(s, office_id)
    if rules.quarter_at(now, tz).label not in have:
        await open_cycle(db, at=now, tz=tz, calendar=calendar, office_id=office_id)
    if monthly is not None and rules.reported_month_at(now, tz).label not in have:
        await open_monthly(db, at=now, tz=tz, calendar=calendar, office_id=office_id)


async def _open_cycle(db: Database, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar,
                      office_id: int) -> tuple[str, bool, int]:
    quarter = rules.quarter_at(at, tz)
    async with db.transaction() as s:
        cycle = await cycle_repo.by_label(s, quarter.label, office_id)
        opened = False
        if cycle is None:
            rule = await rule_in(s, office_id)
            office_cal = await calendars.office_calendar(s, office_id, base=calendar)
            cycle = await cycle_repo.add(s, ReportingCycle(
                label=quarter.label, year=quarter.year, quarter=quarter.q, opens_at=rules.cycle_opens_at(quarter, tz),
                deadline_at=rules.deadline(quarter, rule, tz, office_cal), created_at=at, office_id=office_id))
            await audit_repo.add(s, at=at, actor_id=None, action="cycle.open", target=quarter.label,
                                 detail=f"deadline {cycle.deadline_at.isoformat()}", office_id=office_id)
            opened = True
        joined = await cycle_repo.add_missing_members(s, cycle.id, at, office_id)  # type: ignore[arg-type]
    return quarter.label, opened, joined


async def queue_reminders(
    db: Database, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar, default_language: str,
    admin_ids: frozenset[int],
) -> int:
    """For every office with a cycle this quarter, by its own reporting rule: reminders to its
    member units that have not submitted, on the configured days; one escalation to its directors
    (its admins when it has none) after the deadline, naming every unit still missing; each office
    by its own calendar (`calendar` is the holiday library, bot/usecases/calendar.py adds the org
    files' days). Offices with nothing due today cost nothing beyond the four statements that tell."""
    quarter = rules.quarter_at(at, tz)
    local = at.astimezone(tz)
    items: list[Outgoing] = []
    async with db.transaction() as s:
        cycles = await cycle_repo.of_label(s, quarter.label)
        months = await cycle_repo.of_label(s, rules.reported_month_at(at, tz).label)
        if not cycles and not months:
            return 0
        stored = await cycle_repo.rules(s)
        office_cals = await calendars.office_calendars(s, calendar)
        for office_id, cycle in sorted(cycles.items()):
            rule, cal = _rule(stored.get(office_id)), office_cals[office_id]
            slots = [(n, when) for n, when in rules.reminder_times(quarter, rule, tz, cal)
                     if slot_is_due(when, at, tz)]
            escalate = cal.is_workday(local.date()) and at >= rules.escalation_time(quarter, rule, tz, cal)
            if slots or escalate:
                items += await _office_reminders(s, cycle, slots, escalate, tz=tz, default_language=default_language,
                                                 admin_ids=admin_ids)
        if months:
            items += await _monthly_reminders(s, months, stored, at=at, tz=tz, office_cals=office_cals,
                                              default_language=default_language, admin_ids=admin_ids)
        return await enqueue_in(s, items, at)


async def _monthly_reminders(s: AsyncSession, months: dict[int, ReportingCycle], stored: dict[int, str], *,
                             at: datetime, tz: ZoneInfo, office_cals: Mapping[int, WorkCalendar],
                             default_language: str, admin_ids: frozenset[int]) -> list[Outgoing]:
    """The month's cycles of every office that still collects monthly figures: the request on its
    first working day, the reminders, and one escalation after the deadline (as the quarter's)."""
    specs = await cycle_repo.meta_values(s, "monthly")
    local = at.astimezone(tz)
    items: list[Outgoing] = []
    for office_id, cycle in sorted(months.items()):
        spec = monthly_from_json(specs.get(office_id))
        if spec is None:  # the office stopped collecting monthly figures: its last cycle goes quiet
            continue
        month, rule = rules.month_of_label(cycle.label), _rule(stored.get(office_id))
        calendar = office_cals[office_id]  # the office's: the library with its org files' days
        slots = [(n, when) for n, when in rules.month_reminder_times(month, spec.day, rule, tz, calendar)
                 if slot_is_due(when, at, tz)]
        request = slot_is_due(rules.month_request_time(month, spec.day, rule, tz, calendar), at, tz)
        escalate = calendar.is_workday(local.date()) and at >= rules.month_escalation_time(
            month, spec.day, rule, tz, calendar)
        if slots or escalate or request:
            items += await _office_reminders(s, cycle, slots, escalate, tz=tz, default_language=default_language,
                                             admin_ids=admin_ids, request=expected_of(cycle) if request else None)
    return items


async def _office_reminders(s: AsyncSession, cycle: ReportingCycle, slots: list[tuple[int, datetime]], escalate: bool,
                            *, tz: ZoneInfo, default_language: str, admin_ids: frozenset[int],
                            request: list[tuple[str, str]] | None = None) -> list[Outgoing]:
    items: list[Outgoing] = []
    members = await cycle_repo.members(s, cycle.id)  # type: ignore[arg-type]
    submitted = set((await cycle_repo.first_submissions(s, cycle.id)).keys())  # type: ignore[arg-type]
    missing = [d for d in members if d.id not in submitted]
    if not missing:
        return items
    due = cycle.deadline_at
    if request is not None:
        items += await _requests(s, cycle, missing, request, tz=tz, default_language=default_language)
    if slots:
        chats = await task_repo.liaison_chats(s, [d.id for d in missing])  # type: ignore[misc]
        for n, _when in slots:
            for dept in missing:
                for person, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
                    key = "cycle.remind_today" if n == 0 else "cycle.remind"
                    language = lang or default_language
                    items.append(Outgoing(chat_id=chat, dedup_key=f"cycle:{cycle.label}:dept:{dept.id}:remind-{n}:{person}",
                                          text=t(language, key, label=cycle_name(cycle.label, language),
                                                 due=fmt_time(due, tz), days=n)))
    if escalate:
        office = cycle.office_id
        name = await offices.named(s, office)  # a district's: which one, for people who hear of several
        for chat, lang in await offices.office_staff(s, office, admin_ids):
            language = lang or default_language
            items.append(Outgoing(chat_id=chat, dedup_key=f"cycle:{cycle.label}:{scope(office)}escalation:{chat}", text=t(
                language, "cycle.escalation", label=cycle_name(cycle.label, language)
                + (t(language, "forward.escalate_office", office=name) if name else ""), due=fmt_time(due, tz),
                submitted=len(members) - len(missing), total=len(members),
                names="、".join(d.name for d in missing))))
    return items


async def _requests(s: AsyncSession, cycle: ReportingCycle, missing: list[Department], expected: list[tuple[str, str]],
                    *, tz: ZoneInfo, default_language: str) -> list[Outgoing]:
    """The month's request to each liaison of a department that has not reported: the month, the
    indicators with their units, the deadline. A reply to it is the department's monthly report
    (`ref_kind` "cycle", read back by `storage.repos.cycles.cycle_of_message`)."""
    chats = await task_repo.liaison_chats(s, [d.id for d in missing])  # type: ignore[misc]
    items = []
    for dept in missing:
        for person, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
            language = lang or default_language
            items.append(Outgoing(
                chat_id=chat, dedup_key=f"cycle:{cycle.label}:dept:{dept.id}:request:{person}",
                text=t(language, "monthly.request", month=period_name(cycle.label, language),
                       items="、".join(f"{n}（{u}）" for n, u in expected) if expected
                       else Raw(t(language, "monthly.no_items")),
                       due=fmt_time(cycle.deadline_at, tz)),
                ref_kind=cycle_repo.REQUEST_REF, ref_id=cycle.id))
    return items


@dataclass(frozen=True)
class Submission:
    department: str
    submitted_at: datetime
    late: bool
    versions: int


@dataclass(frozen=True)
class CycleStatus:
    label: str
    deadline: datetime
    total: int
    submitted: list[Submission]
    missing: list[str]
    expected: list[tuple[str, str]]
    summaries: list[IndicatorSummary] = field(default_factory=list)  # the latest versions' figures
    units: list[UnitStanding] = field(default_factory=list)  # the offices below (roll-up)
    cycle_id: int | None = None

    @property
    def late(self) -> list[str]:
        return [s.department for s in self.submitted if s.late]


def expected_of(cycle: ReportingCycle) -> list[tuple[str, str]]:
    return [(n, u) for n, u in json.loads(cycle.expected_indicators)] if cycle.expected_indicators else []


async def figures_of(s: AsyncSession, cycle_id: int, names: dict[int, str]) -> list[Figure]:
    """The indicator figures of the cycle's reports (each department's latest version), with the
    unit each was written in (read back from its line), for `bot.rules.digest.summarize`. One
    statement, whatever the number of departments."""
    written: dict[tuple[str, str], str] = {}
    figures: list[Figure] = []
    for item, department in await cycle_repo.latest_indicators(s, cycle_id):
        try:
            value = Decimal(item.value)
        except InvalidOperation:
            continue
        key = (item.raw, item.name)
        if key not in written:
            written[key] = written_unit(item.raw, item.name)
        figures.append(Figure(names.get(department, "?"), item.name, value, item.unit, written[key]))
    return figures


async def units_of(s: AsyncSession, cycle: ReportingCycle, units: Sequence[Department],
                   first: dict[int, Report]) -> list[UnitStanding]:
    """The member units standing for child offices, each with its child office's own
    `submitted/total` in the child's cycle of the same label (one statement for all of them)."""
    if not units:
        return []
    inside = await cycle_repo.inside_units(s, cycle.office_id, cycle.label)
    out = []
    for unit in units:
        counts = inside.get(unit.id)  # type: ignore[arg-type]
        report = first.get(unit.id)  # type: ignore[arg-type]
        out.append(UnitStanding(unit.name, report is not None, bool(report and report.late),
                                counts.submitted if counts else None, counts.total if counts else None))
    return out


async def status(db: Database, *, now: datetime, tz: ZoneInfo | None = None, calendar: WorkCalendar | None = None,
                 office_id: int = ROOT_OFFICE_ID) -> CycleStatus:
    """The office's current quarterly cycle's standing, with the offices below it rolled up; with `tz` and
    `calendar` the quarter's cycle is opened first if the tick has not yet. A fixed number of
    statements, whatever the number of departments and offices below."""
    await ensure_open(db, now=now, tz=tz, calendar=calendar, office_id=office_id)
    async with db.session() as s:
        cycle = await cycle_repo.current(s, now, office_id)
        if cycle is None:
            raise NotFound("cycle.none")
        return await _status_of(s, cycle, office_id)


async def _status_of(s: AsyncSession, cycle: ReportingCycle, office_id: int) -> CycleStatus:
    members = await cycle_repo.members(s, cycle.id)  # type: ignore[arg-type]
    first = await cycle_repo.first_submissions(s, cycle.id)  # type: ignore[arg-type]
    latest = {r.department_id: r for r in await cycle_repo.latest_reports(s, [cycle.id])}  # type: ignore[list-item]
    names = {d.id: d.name for d in await org_repo.departments(s, office_id)}
    figures = await figures_of(s, cycle.id, names)  # type: ignore[arg-type]
    units = await units_of(s, cycle, [d for d in members if d.unit_of is not None], first)
    submitted = [Submission(names.get(d.id, d.name), first[d.id].submitted_at, first[d.id].late,  # type: ignore[index, arg-type]
                            latest[d.id].version)  # type: ignore[index]
                 for d in members if d.id in first]
    expected = expected_of(cycle)
    return CycleStatus(cycle.label, cycle.deadline_at, len(members), submitted,
                       [d.name for d in members if d.id not in first], expected, summarize(figures, expected),
                       units, cycle.id)


async def set_expected(db: Database, admin: Caller, expected: list[tuple[str, str]], *, now: datetime,
                       office_id: int = ROOT_OFFICE_ID) -> str:
    async with db.transaction() as s:
        cycle = await cycle_repo.current(s, now, office_id)
        if cycle is None:
            raise NotFound("cycle.none")
        cycle.expected_indicators = json.dumps(expected, ensure_ascii=False)
        s.add(cycle)
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action="cycle.indicators", target=cycle.label,
                             detail="、".join(f"{n}({u})" for n, u in expected), office_id=office_id)
        return cycle.label




# ---------------------------------------------------------------- monthly cycles (月报)


async def monthly_in(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> MonthlySpec | None:
    """The office's `monthly:` section (None: it collects no monthly figures)."""
    return monthly_from_json((await org_repo.meta(s, office_id)).get("monthly"))


async def open_monthly(db: Database, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar,
                       office_id: int | None = None) -> list[str]:
    """Open the cycle of the month just ended for the office (without `office_id`: for every
    office whose org file has `monthly:`), due on `monthly.day` of this month, with the monthly
    indicators as its expected ones, and let member units added since join it. A month whose
    deadline has passed before its cycle could open (the section was added later in the month)
    is not opened: the office starts with the next month. Returns the labels opened now, one per
    office. Races are settled as in `open_cycle` (label unique per office)."""
    async with db.session() as s:
        specs = await cycle_repo.meta_values(s, "monthly")
    ids = [office_id] if office_id is not None else sorted(specs)
    opened: list[str] = []
    for one in ids:
        spec = monthly_from_json(specs.get(one))
        if spec is None:
            continue
        for attempt in range(3):
            try:
                if await _open_month(db, spec, at=at, tz=tz, calendar=calendar, office_id=one):
                    opened.append(rules.reported_month_at(at, tz).label)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
    return opened


async def _open_month(db: Database, spec: MonthlySpec, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar,
                      office_id: int) -> bool:
    month = rules.reported_month_at(at, tz)
    async with db.transaction() as s:
        cycle = await cycle_repo.by_label(s, month.label, office_id)
        opened = False
        if cycle is None:
            rule = await rule_in(s, office_id)
            office_cal = await calendars.office_calendar(s, office_id, base=calendar)
            due = rules.month_deadline(month, spec.day, rule, tz, office_cal)
            if at >= due:
                return False
            cycle = await cycle_repo.add(s, ReportingCycle(
                label=month.label, year=month.year, quarter=month.quarter.q, opens_at=rules.month_opens_at(month, tz),
                deadline_at=due, created_at=at, office_id=office_id,
                expected_indicators=json.dumps([list(pair) for pair in spec.indicators], ensure_ascii=False)
                if spec.indicators else None))
            await audit_repo.add(s, at=at, actor_id=None, action="cycle.open", target=month.label,
                                 detail=f"deadline {due.isoformat()}", office_id=office_id)
            opened = True
        await cycle_repo.add_missing_members(s, cycle.id, at, office_id)  # type: ignore[arg-type]
    return opened


def month_is_open(cycle: ReportingCycle, now: datetime) -> bool:
    """A monthly cycle takes reports (late after its deadline) until the next month's opens."""
    return cycle.opens_at <= now < rules.month_closes_at(rules.month_of_label(cycle.label), cycle.opens_at)


async def open_cycles_in(s: AsyncSession, now: datetime, office_id: int) -> list[ReportingCycle]:
    """The office's open cycles: the quarter's (the latest opened), then the month's when one is
    open. Two statements."""
    found = []
    quarterly = await cycle_repo.current(s, now, office_id)
    if quarterly is not None:
        found.append(quarterly)
    monthly = await cycle_repo.latest_monthly(s, now, office_id)
    if monthly is not None and month_is_open(monthly, now):
        found.append(monthly)
    return found


async def statuses(db: Database, *, now: datetime, tz: ZoneInfo | None = None, calendar: WorkCalendar | None = None,
                   office_id: int = ROOT_OFFICE_ID) -> list[CycleStatus]:
    """Every open cycle's standing (`/cycle`): the quarter's, then the month's."""
    await ensure_open(db, now=now, tz=tz, calendar=calendar, office_id=office_id)
    async with db.session() as s:
        cycles = await open_cycles_in(s, now, office_id)
        if not cycles:
            raise NotFound("cycle.none")
        return [await _status_of(s, cycle, office_id) for cycle in cycles]


async def monthly_trend(db: Database, *, at: datetime, tz: ZoneInfo, office_id: int = ROOT_OFFICE_ID,
                        months: int = 6) -> list[rules.Trend]:
    """Each monthly indicator's total over the last `months` months up to the month just ended at
    `at` (see `monthly_trend_in`)."""
    async with db.session() as s:
        return await monthly_trend_in(s, office_id, rules.reported_month_at(at, tz), months)


async def monthly_trend_in(s: AsyncSession, office_id: int, last: rules.Month, months: int = 6) -> list[rules.Trend]:
    """Each monthly indicator's total over the `months` months ending with `last` (None for a
    month without a cycle or without that figure): what the monthly digest's chart draws. Totals
    as `/cycle` computes them (`summarize`: each department's latest version, in the indicator's
    unit); a rate has no total, so no points. Four statements, whatever the number of months."""
    labels = [last.label]
    while len(labels) < months:
        labels.insert(0, rules.month_of_label(labels[0]).previous().label)
    spec = await monthly_in(s, office_id)
    if spec is None or not spec.indicators:
        return []
    cycles = await cycle_repo.of_labels(s, office_id, labels)
    names = {d.id: d.name for d in await org_repo.departments(s, office_id)}
    rows = await cycle_repo.latest_indicators_in(s, [c.id for c in cycles])  # type: ignore[misc]
    by_cycle: dict[int, list[Figure]] = {}
    for item, department, cycle_id in rows:
        try:
            value = Decimal(item.value)
        except InvalidOperation:
            continue
        by_cycle.setdefault(cycle_id, []).append(
            Figure(names.get(department, "?"), item.name, value, item.unit, written_unit(item.raw, item.name)))
    expected = list(spec.indicators)
    totals: dict[str, dict[tuple[str, str], Decimal]] = {}
    for cycle in cycles:
        totals[cycle.label] = {}
        for summary in summarize(by_cycle.get(cycle.id, []), expected):  # type: ignore[arg-type]
            for name, unit in expected:
                if summary.total is not None and summary.unit == unit and name_key(name) in name_key(summary.name):
                    totals[cycle.label].setdefault((name, unit), summary.total)
    return [rules.Trend(name, unit, tuple((label, totals.get(label, {}).get((name, unit))) for label in labels))
            for name, unit in expected]
