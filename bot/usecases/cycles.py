"""Quarterly reporting cycles: opening them, reminding and escalating, and the office's view."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound
from bot.rules import cycles as rules
from bot.rules.delivery import Outgoing
from bot.rules.digest import Figure, IndicatorSummary, summarize
from bot.rules.indicators import written_unit
from bot.rules.org import ReportingRule
from bot.rules.people import Caller
from bot.rules.tasks import slot_is_due
from bot.rules.workdays import WorkCalendar
from bot.texts import cycle_name, fmt_time, t
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.models import Report, ReportingCycle
from storage.repos import audit as audit_repo
from storage.repos import cycles as cycle_repo
from storage.repos import org as org_repo
from storage.repos import people as people_repo
from storage.repos import tasks as task_repo


async def rule_in(s: AsyncSession) -> ReportingRule:
    """The reporting rule from the org file (its defaults when none was imported)."""
    raw = (await org_repo.meta(s)).get("reporting")
    if not raw:
        return ReportingRule()
    data = json.loads(raw)
    return ReportingRule(**{**data, "reminders_days_before": tuple(data.get("reminders_days_before", ()))})


def quarter_of_cycle(cycle: ReportingCycle) -> rules.Quarter:
    return rules.Quarter(cycle.year, cycle.quarter)


async def open_cycle(db: Database, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar) -> tuple[str, bool, int]:
    """Open the quarter's cycle if it is not open yet, and let departments added since join it.
    Returns (label, opened now, departments that joined now).

    Called by the tick, at start and on demand (`/report`), so two processes may race: the label
    and each membership are unique, and the one that loses sees the winner's rows on a retry."""
    for attempt in range(3):
        try:
            return await _open_cycle(db, at=at, tz=tz, calendar=calendar)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def ensure_open(db: Database, *, now: datetime, tz: ZoneInfo | None, calendar: WorkCalendar | None) -> None:
    """The current quarter's cycle exists (opened now if need be), whatever the tick has done yet.
    Without a time zone and calendar (a caller that cannot say), nothing is opened."""
    if tz is None or calendar is None:
        return
    async with db.session() as s:
        if await cycle_repo.by_label(s, rules.quarter_at(now, tz).label) is not None:
            return
    await open_cycle(db, at=now, tz=tz, calendar=calendar)


async def _open_cycle(db: Database, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar) -> tuple[str, bool, int]:
    quarter = rules.quarter_at(at, tz)
    async with db.transaction() as s:
        cycle = await cycle_repo.by_label(s, quarter.label)
        opened = False
        if cycle is None:
            rule = await rule_in(s)
            cycle = await cycle_repo.add(s, ReportingCycle(
                label=quarter.label, year=quarter.year, quarter=quarter.q, opens_at=rules.cycle_opens_at(quarter, tz),
                deadline_at=rules.deadline(quarter, rule, tz, calendar), created_at=at))
            await audit_repo.add(s, at=at, actor_id=None, action="cycle.open", target=quarter.label,
                                 detail=f"deadline {cycle.deadline_at.isoformat()}")
            opened = True
        joined = await cycle_repo.add_missing_members(s, cycle.id, at)  # type: ignore[arg-type]
    return quarter.label, opened, joined


async def queue_reminders(
    db: Database, *, at: datetime, tz: ZoneInfo, calendar: WorkCalendar, default_language: str,
    admin_ids: frozenset[int],
) -> int:
    """Reminders to departments that have not submitted, on the configured days; one escalation
    to directors after the deadline naming every department still missing."""
    quarter = rules.quarter_at(at, tz)
    items: list[Outgoing] = []
    async with db.transaction() as s:
        cycle = await cycle_repo.by_label(s, quarter.label)
        if cycle is None:
            return 0
        rule = await rule_in(s)
        members = await cycle_repo.members(s, cycle.id)  # type: ignore[arg-type]
        submitted = set((await cycle_repo.first_submissions(s, cycle.id)).keys())  # type: ignore[arg-type]
        missing = [d for d in members if d.id not in submitted]
        due = cycle.deadline_at
        chats = await task_repo.liaison_chats(s, [d.id for d in missing])  # type: ignore[misc]
        for n, when in rules.reminder_times(quarter, rule, tz, calendar):
            if not slot_is_due(when, at, tz):
                continue
            for dept in missing:
                for person, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
                    key = "cycle.remind_today" if n == 0 else "cycle.remind"
                    language = lang or default_language
                    items.append(Outgoing(chat_id=chat, dedup_key=f"cycle:{cycle.label}:dept:{dept.id}:remind-{n}:{person}",
                                          text=t(language, key, label=cycle_name(cycle.label, language),
                                                 due=fmt_time(due, tz), days=n)))
        local = at.astimezone(tz)
        if missing and calendar.is_workday(local.date()) and at >= rules.escalation_time(quarter, rule, tz, calendar):
            office = await people_repo.chats_with_role(s, "director") or \
                await people_repo.chats_with_role(s, "admin", admin_ids)
            for chat, lang in office:
                language = lang or default_language
                items.append(Outgoing(chat_id=chat, dedup_key=f"cycle:{cycle.label}:escalation:{chat}", text=t(
                    language, "cycle.escalation", label=cycle_name(cycle.label, language), due=fmt_time(due, tz),
                    submitted=len(members) - len(missing), total=len(members),
                    names="、".join(d.name for d in missing))))
        return await enqueue_in(s, items, at)


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

    @property
    def late(self) -> list[str]:
        return [s.department for s in self.submitted if s.late]


def expected_of(cycle: ReportingCycle) -> list[tuple[str, str]]:
    return [(n, u) for n, u in json.loads(cycle.expected_indicators)] if cycle.expected_indicators else []


async def figures_of(s: AsyncSession, reports: Sequence[Report], names: dict[int, str]) -> list[Figure]:
    """The indicator figures of these reports (each department's latest version), with the unit
    each was written in (read back from its line), for `bot.rules.digest.summarize`."""
    department_of = {r.id: r.department_id for r in reports}
    written: dict[tuple[str, str], str] = {}
    figures: list[Figure] = []
    for item in await cycle_repo.indicators_of(s, list(department_of)):  # type: ignore[arg-type]
        try:
            value = Decimal(item.value)
        except InvalidOperation:
            continue
        key = (item.raw, item.name)
        if key not in written:
            written[key] = written_unit(item.raw, item.name)
        figures.append(Figure(names[department_of[item.report_id]], item.name, value, item.unit, written[key]))
    return figures


async def status(db: Database, *, now: datetime, tz: ZoneInfo | None = None,
                 calendar: WorkCalendar | None = None) -> CycleStatus:
    """The current cycle's standing; with `tz` and `calendar` the quarter's cycle is opened first
    if the tick has not yet."""
    await ensure_open(db, now=now, tz=tz, calendar=calendar)
    async with db.session() as s:
        cycle = await cycle_repo.current(s, now)
        if cycle is None:
            raise NotFound("cycle.none")
        members = await cycle_repo.members(s, cycle.id)  # type: ignore[arg-type]
        first = await cycle_repo.first_submissions(s, cycle.id)  # type: ignore[arg-type]
        latest = {r.department_id: r for r in await cycle_repo.latest_reports(s, [cycle.id])}  # type: ignore[list-item]
        names = {d.id: d.name for d in await org_repo.departments(s)}
        figures = await figures_of(s, list(latest.values()), names)  # type: ignore[arg-type]
    submitted = [Submission(names[d.id], first[d.id].submitted_at, first[d.id].late, latest[d.id].version)  # type: ignore[index]
                 for d in members if d.id in first]
    expected = expected_of(cycle)
    return CycleStatus(cycle.label, cycle.deadline_at, len(members), submitted,
                       [d.name for d in members if d.id not in first], expected, summarize(figures, expected))


async def set_expected(db: Database, admin: Caller, expected: list[tuple[str, str]], *, now: datetime) -> str:
    async with db.transaction() as s:
        cycle = await cycle_repo.current(s, now)
        if cycle is None:
            raise NotFound("cycle.none")
        cycle.expected_indicators = json.dumps(expected, ensure_ascii=False)
        s.add(cycle)
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action="cycle.indicators", target=cycle.label,
                             detail="、".join(f"{n}({u})" for n, u in expected))
        return cycle.label


