"""The figures annual targets are measured against: every indicator of each department's latest
version in each of the office's cycles of a year (quarterly and monthly alike), in one statement
whatever the number of departments, cycles and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, Report, ReportIndicator, ReportingCycle


@dataclass(frozen=True)
class YearFigure:
    cycle_id: int
    label: str
    deadline_at: datetime
    department: str
    name: str
    value: str  # a Decimal as text, as stored
    unit: str  # canonical (万元)


async def year_figures(s: AsyncSession, office_id: int, year: int) -> list[YearFigure]:
    """The indicators of the newest version of every department's report in every cycle of the
    office whose `year` is `year`, the cycles in time order (deadline, then opening, then id)."""
    newest = (select(Report.cycle_id, Report.department_id, func.max(Report.version).label("v"))
              .join(ReportingCycle, col(ReportingCycle.id) == Report.cycle_id)
              .where(ReportingCycle.office_id == office_id, ReportingCycle.year == year)
              .group_by(Report.cycle_id, Report.department_id).subquery())
    rows = await s.exec(
        select(ReportingCycle.id, ReportingCycle.label, ReportingCycle.deadline_at, Department.name,
               ReportIndicator.name, ReportIndicator.value, ReportIndicator.unit)
        .join(Report, col(Report.id) == ReportIndicator.report_id)
        .join(newest, (col(Report.cycle_id) == newest.c.cycle_id) & (col(Report.department_id) == newest.c.department_id)
              & (col(Report.version) == newest.c.v))
        .join(ReportingCycle, col(ReportingCycle.id) == Report.cycle_id)
        .join(Department, col(Department.id) == Report.department_id)
        .order_by(col(ReportingCycle.deadline_at), col(ReportingCycle.opens_at), col(ReportingCycle.id),
                  col(ReportIndicator.id)))
    return [YearFigure(int(cycle_id), label, deadline, dept, name, value, unit)
            for cycle_id, label, deadline, dept, name, value, unit in rows]
