"""Task assignments: creating them, and what each department and the office see of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound
from bot.rules.delivery import Outgoing
from bot.rules.names import find_name
from bot.rules.people import Caller
from bot.rules.tasks import AssignRequest, TargetStatus, is_overdue, shown_status
from bot.usecases.outbox import enqueue_in
from bot.views.tasks import ProgressView, TargetView, TaskDetail, TaskSummary, notice
from storage.db import Database
from storage.models import Department, Task, TaskProgress, TaskTarget
from storage.repos import audit as audit_repo
from storage.repos import org as org_repo
from storage.repos import tasks as task_repo


@dataclass(frozen=True)
class Attachment:
    file_id: str
    name: str | None
    kind: str  # photo | document


@dataclass(frozen=True)
class Created:
    task_id: int
    title: str
    due: datetime
    total: int
    notified: int
    without_liaison: tuple[str, ...]


def view_of(task: Task, target: TaskTarget, department: Department, now: datetime) -> TargetView:
    due = target.due_at or task.due_at
    closed = task.closed_at is not None
    status = "closed" if closed and target.status != TargetStatus.DONE else shown_status(target.status, due, closed, now)
    return TargetView(target.id, task.id, task.title, task.details, task.attachment_name, due,  # type: ignore[arg-type]
                      department.name, target.is_lead, status, target.extension_until, target.extension_reason)


async def resolve_targets(s: AsyncSession, names: tuple[str, ...]) -> dict[int, bool]:
    """department id → is lead. Departments named directly are lead; a working group brings its
    lead departments as lead and its members as cooperating. Unknown names raise, naming them all."""
    depts = await org_repo.departments(s)
    groups = await org_repo.groups(s)
    members = await org_repo.memberships(s)
    by_dept = {d.name: d.id for d in depts}
    by_group = {g.name: g.id for g in groups}
    chosen: dict[int, bool] = {}
    unknown: list[str] = []
    for name in names:
        match = find_name(name, [*by_dept, *by_group])
        if match.found in by_dept:
            chosen[by_dept[match.found]] = True  # type: ignore[index]
        elif match.found in by_group:
            for dept_id, lead in members.get(by_group[match.found], {}).items():  # type: ignore[index]
                chosen[dept_id] = chosen.get(dept_id, False) or lead
        else:
            unknown.append(name)
    if unknown:
        raise NotFound("assign.unknown_target", names="、".join(unknown))
    if not chosen:
        raise NotFound("assign.no_targets")
    return chosen


async def queue_notices(
    s: AsyncSession, task: Task, pairs: list[tuple[TaskTarget, Department]], *, now: datetime, tz: ZoneInfo,
    default_language: str,
) -> set[int]:
    """Queue the notice for every liaison of each target's department; returns the notified target ids."""
    chats = await task_repo.liaison_chats(s, [d.id for _, d in pairs])  # type: ignore[misc]
    items: list[Outgoing] = []
    notified: set[int] = set()
    for target, dept in pairs:
        for person_id, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
            text, keyboard = notice(view_of(task, target, dept, now), lang or default_language, tz)
            items.append(Outgoing(chat_id=chat, dedup_key=f"task:{task.id}:target:{target.id}:notice:{person_id}",
                                  text=text, reply_markup=keyboard, ref_kind="target", ref_id=target.id))
            notified.add(target.id)  # type: ignore[arg-type]
    await enqueue_in(s, items, now)
    for target, _ in pairs:
        if target.id in notified and target.notified_at is None:
            target.notified_at = now
            s.add(target)
    await s.flush()
    return notified


async def create(
    db: Database, actor: Caller, request: AssignRequest, *, now: datetime, tz: ZoneInfo, default_language: str,
    attachment: Attachment | None = None,
) -> Created:
    """Create the task for its departments and queue every notice, in one transaction."""
    async with db.transaction() as s:
        chosen = await resolve_targets(s, request.targets)
        task = await task_repo.add_task(s, Task(
            title=request.title, details=request.details, due_at=request.due, created_by=actor.telegram_id,
            created_at=now, attachment_file_id=attachment.file_id if attachment else None,
            attachment_name=(attachment.name or attachment.kind) if attachment else None,
            attachment_kind=attachment.kind if attachment else None,
        ))
        targets = await task_repo.add_targets(s, task.id, chosen)  # type: ignore[arg-type]
        await task_repo.event(s, task_id=task.id, kind="created", at=now, actor_id=actor.telegram_id,  # type: ignore[arg-type]
                              note=f"{len(targets)} departments")
        depts = {d.id: d for d in await org_repo.departments(s)}
        pairs = [(tg, depts[tg.department_id]) for tg in targets]
        notified = await queue_notices(s, task, pairs, now=now, tz=tz, default_language=default_language)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="task.assign", target=f"#{task.id}",
                             detail=request.title)
    return Created(task.id, task.title, task.due_at, len(targets), len(notified),  # type: ignore[arg-type]
                   tuple(d.name for tg, d in pairs if tg.id not in notified))


async def notify_late_registrations(db: Database, *, now: datetime, tz: ZoneInfo, default_language: str) -> int:
    """Departments that had no liaison when a task was assigned get its notice once they do."""
    async with db.transaction() as s:
        open_tasks = {t.id: t for t in await task_repo.tasks(s, open_only=True)}
        pairs = [(tg, d) for tg, d in await task_repo.targets_with_departments(s, list(open_tasks))
                 if tg.notified_at is None and tg.status != TargetStatus.DONE]
        count = 0
        for task_id in {tg.task_id for tg, _ in pairs}:
            mine = [(tg, d) for tg, d in pairs if tg.task_id == task_id]
            count += len(await queue_notices(s, open_tasks[task_id], mine, now=now, tz=tz,
                                             default_language=default_language))
    return count


# ---------------------------------------------------------------- views


async def summaries(db: Database, which: str, *, now: datetime) -> list[TaskSummary]:
    """which: open | overdue | done | all."""
    async with db.session() as s:
        all_tasks = await task_repo.tasks(s, open_only=which in ("open", "overdue"))
        rows = await task_repo.targets_with_departments(s, [t.id for t in all_tasks])  # type: ignore[misc]
    out = []
    for task in all_tasks:
        mine = [tg for tg, _ in rows if tg.task_id == task.id]
        closed = task.closed_at is not None
        done = sum(tg.status == TargetStatus.DONE for tg in mine)
        late = sum(is_overdue(tg.status, tg.due_at or task.due_at, closed, now) for tg in mine)
        summary = TaskSummary(task.id, task.title, task.due_at, len(mine), done, late, closed)  # type: ignore[arg-type]
        if which == "overdue" and not late:
            continue
        if which == "done" and not (mine and done == len(mine)):
            continue
        out.append(summary)
    return out


async def detail(db: Database, task_id: int, *, now: datetime) -> TaskDetail:
    async with db.session() as s:
        task = await task_repo.task(s, task_id)
        if task is None:
            raise NotFound("task.not_found", id=task_id)
        rows = await task_repo.targets_with_departments(s, [task_id])
        entries = await task_repo.progress_of(s, [tg.id for tg, _ in rows])  # type: ignore[misc]
    names = {tg.id: d.name for tg, d in rows}
    return TaskDetail(
        task.id, task.title, task.details, task.due_at, task.created_at, task.closed_at is not None,  # type: ignore[arg-type]
        task.attachment_name if task.attachment_file_id else None,
        [(view_of(task, tg, d, now), tg.notified_at is not None, tg.due_at) for tg, d in rows],
        [ProgressView(p.id, names[p.target_id], p.at, p.text, p.kind, p.file_name, p.file_id is not None)  # type: ignore[arg-type]
         for p in entries],
    )


async def department_tasks(db: Database, caller: Caller, *, now: datetime) -> tuple[str, list[TargetView]]:
    if caller.appointment is None:
        raise NotFound("task.not_liaison")
    async with db.session() as s:
        rows = await task_repo.open_tasks_of_department(s, caller.appointment.department_id)
        dept = await s.get(Department, caller.appointment.department_id)
    assert dept is not None
    return dept.name, [view_of(task, tg, dept, now) for task, tg in rows if tg.status != TargetStatus.DONE]


async def file_of(db: Database, kind: str, ref: int) -> Attachment | None:
    """A stored file, for an admin's button: a progress entry's file or the task's own attachment."""
    async with db.session() as s:
        if kind == "p":
            entry: TaskProgress | None = await task_repo.progress(s, ref)
            if entry is None or entry.file_id is None:
                return None
            return Attachment(entry.file_id, entry.file_name, entry.kind)
        task = await task_repo.task(s, ref)
        if task is None or task.attachment_file_id is None:
            return None
        return Attachment(task.attachment_file_id, task.attachment_name, task.attachment_kind or "document")
