"""What the dashboard's department page reads: one department's tasks, reports (with their files)
and progress entries, newest first, each a bounded list (three statements, plus one for files)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Report, ReportFile, ReportingCycle, Task, TaskProgress, TaskTarget

HISTORY = 50  # entries of each kind a department page shows


async def tasks_of(s: AsyncSession, department_id: int) -> list[tuple[Task, TaskTarget]]:
    """The department's parts in tasks, open and closed, the latest due first."""
    rows = await s.exec(
        select(Task, TaskTarget).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
        .where(TaskTarget.department_id == department_id)
        .order_by(col(Task.closed_at).is_not(None), col(Task.due_at).desc(), col(Task.id).desc()).limit(HISTORY))
    return list(rows)  # type: ignore[arg-type]


async def reports_of(s: AsyncSession, department_id: int) -> list[tuple[Report, str]]:
    """The department's reports, every version, with their cycle's label, the latest first."""
    rows = await s.exec(
        select(Report, ReportingCycle.label).join(ReportingCycle, col(ReportingCycle.id) == Report.cycle_id)
        .where(Report.department_id == department_id)
        .order_by(col(Report.submitted_at).desc(), col(Report.id).desc()).limit(HISTORY))
    return list(rows)  # type: ignore[arg-type]


async def files_of(s: AsyncSession, report_ids: Sequence[int]) -> list[ReportFile]:
    if not report_ids:
        return []
    rows = await s.exec(select(ReportFile).where(col(ReportFile.report_id).in_(list(report_ids)))
                        .order_by(col(ReportFile.id)))
    return list(rows)


async def progress_of(s: AsyncSession, department_id: int) -> list[tuple[TaskProgress, int]]:
    """The department's progress entries with their task id, the latest first."""
    rows = await s.exec(
        select(TaskProgress, TaskTarget.task_id).join(TaskTarget, col(TaskTarget.id) == TaskProgress.target_id)
        .where(TaskTarget.department_id == department_id)
        .order_by(col(TaskProgress.at).desc(), col(TaskProgress.id).desc()).limit(HISTORY))
    return list(rows)  # type: ignore[arg-type]
