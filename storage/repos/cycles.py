"""Reporting cycles, their member departments, reports (with versions), indicators and drafts.

A cycle is quarterly (`2026-Q4`) or monthly (`2026-11`), told apart by its label
(`bot.rules.cycles.kind_of`): no column holds the kind. `current` is the quarter's cycle, as it
always was; the monthly one is found by its label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (ROOT_OFFICE_ID, CycleMember, Department, OrgMeta, OutboxMessage, Report, ReportDraft,
                            ReportFile, ReportIndicator, ReportingCycle)
from storage.repos.chunking import chunks


async def by_label(s: AsyncSession, label: str, office_id: int = ROOT_OFFICE_ID) -> ReportingCycle | None:
    return (await s.exec(select(ReportingCycle).where(ReportingCycle.label == label,
                                                      ReportingCycle.office_id == office_id))).first()


async def of_label(s: AsyncSession, label: str) -> dict[int, ReportingCycle]:
    """office id → its cycle of that label, for every office that has one (one statement)."""
    return {c.office_id: c for c in await s.exec(select(ReportingCycle).where(ReportingCycle.label == label))}


async def rules(s: AsyncSession) -> dict[int, str]:
    """office id → its reporting rule as the org import stored it (JSON), for every office."""
    return await meta_values(s, "reporting")


async def meta_values(s: AsyncSession, key: str) -> dict[int, str]:
    """office id → its org_meta value of `key` (e.g. `monthly`), for every office that has one
    that is not empty (one statement)."""
    rows = await s.exec(select(OrgMeta.office_id, OrgMeta.value).where(OrgMeta.key == key))
    return {int(office): value for office, value in rows if value}


QUARTERLY = col(ReportingCycle.label).like("%-Q%")  # a quarter's label; a month's is `2026-11`


async def current(s: AsyncSession, now: datetime, office_id: int = ROOT_OFFICE_ID) -> ReportingCycle | None:
    """The office's most recently opened quarterly cycle (reports are accepted, late, until the
    next one opens). Monthly cycles are left out: they open every month."""
    return (await s.exec(select(ReportingCycle).where(col(ReportingCycle.opens_at) <= now,
                                                      ReportingCycle.office_id == office_id, QUARTERLY)
                         .order_by(col(ReportingCycle.opens_at).desc()).limit(1))).first()


async def current_label_unsubmitted(s: AsyncSession, department_id: int, now: datetime) -> str | None:
    """The current quarterly cycle's label (of the department's office) if the department has no
    report in it yet, else None."""
    office = select(Department.office_id).where(Department.id == department_id).scalar_subquery()
    cycle = (select(ReportingCycle.id, ReportingCycle.label)
             .where(col(ReportingCycle.opens_at) <= now, ReportingCycle.office_id == office, QUARTERLY)
             .order_by(col(ReportingCycle.opens_at).desc()).limit(1).subquery())
    reported = select(Report.id).where(Report.cycle_id == cycle.c.id, Report.department_id == department_id)
    return (await s.exec(select(cycle.c.label).where(~reported.exists()))).first()  # type: ignore[call-overload]


async def add(s: AsyncSession, cycle: ReportingCycle) -> ReportingCycle:
    s.add(cycle)
    await s.flush()
    return cycle


async def add_missing_members(s: AsyncSession, cycle_id: int, now: datetime, office_id: int = ROOT_OFFICE_ID) -> int:
    """Every member unit of the office (its departments and its child offices' units) not yet a
    member of the cycle joins it. Returns how many joined."""
    have = set(await s.exec(select(CycleMember.department_id).where(CycleMember.cycle_id == cycle_id)))
    new = [d for d in await s.exec(select(Department.id).where(Department.office_id == office_id)
                                   .order_by(col(Department.id))) if d not in have]
    for part in chunks(new):
        s.add_all(CycleMember(cycle_id=cycle_id, department_id=d, joined_at=now) for d in part)  # type: ignore[arg-type]
        await s.flush()
    return len(new)


async def members(s: AsyncSession, cycle_id: int) -> list[Department]:
    return list(await s.exec(select(Department).join(CycleMember, col(CycleMember.department_id) == Department.id)
                             .where(CycleMember.cycle_id == cycle_id).order_by(col(Department.id))))


async def latest_reports(s: AsyncSession, cycle_ids: Sequence[int]) -> list[Report]:
    """The newest version of each department's report in the cycles."""
    if not cycle_ids:
        return []
    newest = (select(Report.cycle_id, Report.department_id, func.max(Report.version).label("v"))
              .where(col(Report.cycle_id).in_(list(cycle_ids)))
              .group_by(Report.cycle_id, Report.department_id).subquery())
    rows = await s.exec(select(Report).join(newest, (col(Report.cycle_id) == newest.c.cycle_id)
                                            & (col(Report.department_id) == newest.c.department_id)
                                            & (col(Report.version) == newest.c.v)))
    return list(rows)


async def latest_indicators(s: AsyncSession, cycle_id: int) -> list[tuple[ReportIndicator, int]]:
    """The indicators of the newest version of each department's report in the cycle, with the
    department's id, in one statement whatever the number of departments."""
    newest = (select(Report.department_id, func.max(Report.version).label("v"))
              .where(Report.cycle_id == cycle_id).group_by(Report.department_id).subquery())
    rows = await s.exec(
        select(ReportIndicator, Report.department_id)
        .join(Report, col(Report.id) == ReportIndicator.report_id)
        .join(newest, (col(Report.department_id) == newest.c.department_id) & (col(Report.version) == newest.c.v))
        .where(Report.cycle_id == cycle_id).order_by(col(ReportIndicator.id)))
    return [(item, int(dept)) for item, dept in rows]


@dataclass(frozen=True)
class Inside:
    """A child office's own standing in its cycle of one label: how many of its members reported."""

    submitted: int
    total: int


async def inside_units(s: AsyncSession, office_id: int, label: str) -> dict[int, Inside]:
    """For each member unit of the office that stands for a child office: that child office's own
    `submitted/total` in its cycle of `label` (units whose child has no such cycle are left out).
    One grouped statement, whatever the number of units and of their departments."""
    child = ReportingCycle.__table__.alias("child_cycle")  # type: ignore[attr-defined]
    rows = await s.exec(
        select(Department.id, func.count(func.distinct(CycleMember.department_id)),
               func.count(func.distinct(Report.department_id)))
        .join(child, (child.c.office_id == Department.unit_of) & (child.c.label == label))
        .join(CycleMember, col(CycleMember.cycle_id) == child.c.id)
        .outerjoin(Report, (col(Report.cycle_id) == child.c.id)
                   & (col(Report.department_id) == CycleMember.department_id))
        .where(Department.office_id == office_id, col(Department.unit_of).is_not(None))
        .group_by(Department.id))
    return {int(unit): Inside(int(submitted), int(total)) for unit, total, submitted in rows}


async def versions(s: AsyncSession, cycle_id: int, department_id: int) -> list[Report]:
    return list(await s.exec(select(Report).where(Report.cycle_id == cycle_id, Report.department_id == department_id)
                             .order_by(col(Report.version))))


async def first_submissions(s: AsyncSession, cycle_id: int) -> dict[int, Report]:
    """department id → its first version (whether it reported on time is decided by that one)."""
    out: dict[int, Report] = {}
    for report in await s.exec(select(Report).where(Report.cycle_id == cycle_id).order_by(col(Report.version))):
        out.setdefault(report.department_id, report)
    return out


async def next_version(s: AsyncSession, cycle_id: int, department_id: int) -> int:
    top = (await s.exec(select(func.max(Report.version)).where(
        Report.cycle_id == cycle_id, Report.department_id == department_id))).one()
    return int(top or 0) + 1


async def add_report(s: AsyncSession, report: Report, indicators: Sequence[ReportIndicator]) -> Report:
    s.add(report)
    await s.flush()
    for item in indicators:
        item.report_id = report.id  # type: ignore[assignment]
    s.add_all(indicators)
    await s.flush()
    return report


async def indicators_of(s: AsyncSession, report_ids: Sequence[int]) -> list[ReportIndicator]:
    found: list[ReportIndicator] = []
    for part in chunks(list(report_ids)):
        found += await s.exec(select(ReportIndicator).where(col(ReportIndicator.report_id).in_(list(part))))
    return sorted(found, key=lambda item: item.id or 0)


async def files_of_reports(s: AsyncSession, report_ids: Sequence[int]) -> list[ReportFile]:
    found: list[ReportFile] = []
    for part in chunks(list(report_ids)):
        found += await s.exec(select(ReportFile).where(col(ReportFile.report_id).in_(list(part))))
    return found


async def draft_of(s: AsyncSession, telegram_id: int) -> ReportDraft | None:
    return (await s.exec(select(ReportDraft).where(ReportDraft.telegram_id == telegram_id))).first()


async def draft_files(s: AsyncSession, draft_id: int) -> list[ReportFile]:
    return list(await s.exec(select(ReportFile).where(ReportFile.draft_id == draft_id).order_by(col(ReportFile.id))))


async def attach_files(s: AsyncSession, draft_id: int, report_id: int) -> None:
    await s.exec(update(ReportFile).where(col(ReportFile.draft_id) == draft_id)  # type: ignore[call-overload]
                 .values(report_id=report_id, draft_id=None))


async def add_file(s: AsyncSession, item: ReportFile) -> bool:
    """Keep a file once per Telegram message."""
    if item.chat_id is not None and item.message_id is not None:
        seen = await s.exec(select(ReportFile.id).where(ReportFile.chat_id == item.chat_id,
                                                        ReportFile.message_id == item.message_id))
        if seen.first() is not None:
            return False
    s.add(item)
    await s.flush()
    return True


async def of_labels(s: AsyncSession, office_id: int, labels: Sequence[str]) -> list[ReportingCycle]:
    """The office's cycles of those labels, by label (one statement)."""
    if not labels:
        return []
    return list(await s.exec(select(ReportingCycle).where(ReportingCycle.office_id == office_id,
                                                          col(ReportingCycle.label).in_(list(labels)))
                             .order_by(col(ReportingCycle.label))))


async def latest_indicators_in(s: AsyncSession, cycle_ids: Sequence[int]) -> list[tuple[ReportIndicator, int, int]]:
    """`latest_indicators` of several cycles at once: (indicator, department id, cycle id) of each
    department's newest version in each cycle, in one statement whatever their number."""
    if not cycle_ids:
        return []
    ids = list(cycle_ids)
    newest = (select(Report.cycle_id, Report.department_id, func.max(Report.version).label("v"))
              .where(col(Report.cycle_id).in_(ids)).group_by(Report.cycle_id, Report.department_id).subquery())
    rows = await s.exec(
        select(ReportIndicator, Report.department_id, Report.cycle_id)
        .join(Report, col(Report.id) == ReportIndicator.report_id)
        .join(newest, (col(Report.cycle_id) == newest.c.cycle_id) & (col(Report.department_id) == newest.c.department_id)
              & (col(Report.version) == newest.c.v))
        .order_by(col(ReportIndicator.id)))
    return [(item, int(dept), int(cycle)) for item, dept, cycle in rows]


REQUEST_REF = "cycle"  # the outbox ref_kind of a cycle's request to a liaison


async def cycle_of_message(s: AsyncSession, chat_id: int, message_id: int) -> int | None:
    """The cycle a message the bot sent in that chat asked for (a monthly request), else None."""
    row = (await s.exec(select(OutboxMessage.ref_kind, OutboxMessage.ref_id).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.message_id == message_id))).first()
    return int(row[1]) if row is not None and row[0] == REQUEST_REF and row[1] is not None else None


async def latest_monthly(s: AsyncSession, now: datetime, office_id: int = ROOT_OFFICE_ID) -> ReportingCycle | None:
    """The office's most recently opened monthly cycle (whether it is still open is the caller's
    rule: `bot.usecases.cycles.month_is_open`)."""
    return (await s.exec(select(ReportingCycle).where(col(ReportingCycle.opens_at) <= now,
                                                      ReportingCycle.office_id == office_id, ~QUARTERLY)
                         .order_by(col(ReportingCycle.opens_at).desc()).limit(1))).first()
