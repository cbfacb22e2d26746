"""Task assignments: creating them, and what each department and the office see of them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound
from bot.rules.delivery import Outgoing, Status, payload_meta, render_payload, shows_same
from bot.rules.digest import OverdueItem
from bot.rules.names import find_name
from bot.rules.people import Caller
from bot.rules.tasks import AssignRequest, TargetStatus, days_overdue, is_overdue, shown_status
from bot.usecases import names as name_lookup
from bot.usecases.outbox import enqueue_in
from bot.views.tasks import (CommentView, OverdueList, ProgressView, TargetView, TaskDetail, TaskSummary,
                             file_caption, notice)
from storage.db import Database
from storage.models import Department, Task, TaskProgress, TaskTarget
from storage.repos import audit as audit_repo
from storage.repos import directors as directors_repo
from storage.repos import inbox as inbox_repo
from storage.repos import liaisons as liaisons_repo
from storage.repos import org as org_repo
from storage.repos import outbox as outbox_repo
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
    lead departments as lead and its members as cooperating. A name is found as everywhere (full
    name, alias, unambiguous fragment); an ambiguous fragment raises with its candidates, unknown
    names raise naming them all, with "did you mean" suggestions where there are some."""
    known = await name_lookup.directory(s)
    members = await org_repo.memberships(s)
    by_dept = {n: d.id for n, d in known.departments.items()}
    by_group = {n: g.id for n, g in known.groups.items()}
    chosen: dict[int, bool] = {}
    unknown: list[str] = []
    suggestions: list[str] = []
    for name in names:
        match = find_name(name, [*by_dept, *by_group], known.aliases)
        if match.found in by_dept:
            chosen[by_dept[match.found]] = True  # type: ignore[index]
        elif match.found in by_group:
            for dept_id, lead in members.get(by_group[match.found], {}).items():  # type: ignore[index]
                chosen[dept_id] = chosen.get(dept_id, False) or lead
        elif match.candidates:
            raise name_lookup.not_found(name, match)
        else:
            unknown.append(name)
            suggestions += [n for n in match.suggestions if n not in suggestions]
    if unknown and suggestions:
        raise NotFound("assign.unknown_suggest", names="、".join(f"“{n}”" for n in unknown),
                       suggestions=name_lookup.joined(suggestions))
    if unknown:
        raise NotFound("assign.unknown_target", names="、".join(unknown))
    if not chosen:
        raise NotFound("assign.no_targets")
    return chosen


async def queue_notices(
    s: AsyncSession, task: Task, pairs: list[tuple[TaskTarget, Department]], *, now: datetime, tz: ZoneInfo,
    default_language: str,
) -> tuple[set[int], int]:
    """Queue the notice for every liaison of each target's department, and right after it the task's
    attachment (the same Telegram file, by its id). Returns the notified target ids and how many
    messages were new: dedup keys make this safe to repeat (a liaison already notified gets nothing)."""
    chats = await task_repo.liaison_chats(s, [d.id for _, d in pairs])  # type: ignore[misc]
    items: list[Outgoing] = []
    notified: set[int] = set()
    for target, dept in pairs:
        for person_id, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
            language = lang or default_language
            text, keyboard = notice(view_of(task, target, dept, now), language, tz)
            prefix = f"task:{task.id}:target:{target.id}"
            items.append(Outgoing(chat_id=chat, dedup_key=f"{prefix}:notice:{person_id}", text=text,
                                  reply_markup=keyboard, ref_kind="target", ref_id=target.id,
                                  meta={"lang": language, "tz": tz.key}))
            if task.attachment_file_id:  # queued after the notice: the sender keeps a chat's order
                items.append(Outgoing(
                    chat_id=chat, dedup_key=f"{prefix}:file:{person_id}", file_id=task.attachment_file_id,
                    file_kind=task.attachment_kind or "document", ref_kind="target", ref_id=target.id,
                    text=file_caption(task.id, task.attachment_name, language)))
            notified.add(target.id)  # type: ignore[arg-type]
    new = await enqueue_in(s, items, now)
    for target, _ in pairs:
        if target.id in notified and target.notified_at is None:
            target.notified_at = now
            s.add(target)
    await s.flush()
    return notified, new


async def refresh_notices(s: AsyncSession, task: Task, target: TaskTarget, dept: Department, *, now: datetime) -> int:
    """Make every liaison's copy of this department's notice show its state as it is now, inside
    the caller's transaction (after the change). A copy still queued is re-rendered; one already
    sent (or being sent) gets an edit queued, once per change (the copy's version, `meta.v`, is in
    the edit's dedup key). Copies that never arrived, and ones queued before notices carried their
    language and time zone, are left alone. Returns how many edits were queued."""
    people = {person.id: person for _, person in await liaisons_repo.history(s, dept.id)}
    prefix = f"task:{task.id}:target:{target.id}"
    rows = await outbox_repo.rows_by_keys(s, [f"{prefix}:notice:{pid}" for pid in people])
    view = view_of(task, target, dept, now)
    edits: list[Outgoing] = []
    for row in rows:
        person = people.get(int(row.dedup_key.rsplit(":", 1)[1]))
        for _ in range(5):  # compare-and-set: a concurrent change of the same copy means read again
            meta = payload_meta(row.payload)
            if "tz" not in meta or row.status in (Status.BLOCKED, Status.FAILED, Status.UNCONFIRMED):
                break
            text, keyboard = notice(view, (person.language if person else None) or meta.get("lang", "zh"),
                                    ZoneInfo(meta["tz"]))
            if shows_same(row.payload, text, keyboard):
                break
            payload = render_payload(text, keyboard, row.payload)
            queued = row.status == Status.PENDING
            if await outbox_repo.set_payload(s, row.id, payload, expected=row.payload, only_pending=queued):  # type: ignore[arg-type]
                if not queued:
                    edits.append(Outgoing(
                        chat_id=row.chat_id, dedup_key=f"{prefix}:edit:{row.dedup_key.rsplit(':', 1)[1]}:"
                        f"{payload_meta(payload)['v']}", text=text, reply_markup=keyboard, edit_of=row.id,
                        ref_kind="target", ref_id=target.id))
                break
            row = await outbox_repo.reload(s, row)
    return await enqueue_in(s, edits, now)


async def refresh_task_notices(s: AsyncSession, task: Task, *, now: datetime) -> int:
    """Every department's notice of a task shows its current state (after a change to the task)."""
    count = 0
    for target, dept in await task_repo.targets_with_departments(s, [task.id]):  # type: ignore[list-item]
        count += await refresh_notices(s, task, target, dept, now=now)
    return count


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
        notified, _ = await queue_notices(s, task, pairs, now=now, tz=tz, default_language=default_language)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="task.assign", target=f"#{task.id}",
                             detail=request.title)
    return Created(task.id, task.title, task.due_at, len(targets), len(notified),  # type: ignore[arg-type]
                   tuple(d.name for tg, d in pairs if tg.id not in notified))


async def notify_late_registrations(db: Database, *, now: datetime, tz: ZoneInfo, default_language: str) -> int:
    """A liaison who registers after a task was assigned gets its notice (and file): a department
    that had no liaison then, and a new liaison or deputy of one that had. Returns how many
    messages were queued."""
    async with db.transaction() as s:
        open_tasks = {t.id: t for t in await task_repo.tasks(s, open_only=True)}
        latest: dict[int, datetime] = {}
        for dept, appointment, _ in await liaisons_repo.roster(s):
            if appointment is not None:
                latest[dept.id] = max(latest.get(dept.id, appointment.started_at), appointment.started_at)  # type: ignore[index]
        pairs = [(tg, d) for tg, d in await task_repo.targets_with_departments(s, list(open_tasks))
                 if tg.status != TargetStatus.DONE and d.id in latest
                 and (tg.notified_at is None or latest[d.id] > tg.notified_at)]  # type: ignore[index]
        count = 0
        for task_id in {tg.task_id for tg, _ in pairs}:
            mine = [(tg, d) for tg, d in pairs if tg.task_id == task_id]
            count += (await queue_notices(s, open_tasks[task_id], mine, now=now, tz=tz,
                                          default_language=default_language))[1]
    return count


# ---------------------------------------------------------------- views


def never_notified(target: TaskTarget, closed: bool) -> bool:
    """A department's part that no liaison was ever told of (the department has none): shown as
    未通知（无联络员）, never counted or blamed as overdue."""
    return target.notified_at is None and target.status != TargetStatus.DONE and not closed


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
        late = sum(not never_notified(tg, closed) and is_overdue(tg.status, tg.due_at or task.due_at, closed, now)
                   for tg in mine)
        unnotified = sum(never_notified(tg, closed) for tg in mine)
        summary = TaskSummary(task.id, task.title, task.due_at, len(mine), done, late, closed,  # type: ignore[arg-type]
                              unnotified)
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
        said = await directors_repo.comments(s, task_id)
    names = {tg.id: d.name for tg, d in rows}
    closed = task.closed_at is not None
    return TaskDetail(
        task.id, task.title, task.details, task.due_at, task.created_at, task.closed_at is not None,  # type: ignore[arg-type]
        task.attachment_name if task.attachment_file_id else None,
        [(replace(view_of(task, tg, d, now), status="unnotified") if never_notified(tg, closed)
          else view_of(task, tg, d, now), tg.notified_at is not None, tg.due_at) for tg, d in rows],
        [ProgressView(p.id, names[p.target_id], p.at, p.text, p.kind, p.file_name, p.file_id is not None)  # type: ignore[arg-type]
         for p in entries],
        [CommentView(event.at, author, department, event.note or "") for event, author, department in said],
    )


async def overdue(db: Database, *, now: datetime, tz: ZoneInfo) -> OverdueList:
    """`/overdue`: every overdue part of an open task (most overdue first), and apart from them the
    parts of departments never notified (no liaison)."""
    async with db.session() as s:
        open_tasks = {t.id: t for t in await task_repo.tasks(s, open_only=True)}
        rows = await task_repo.targets_with_departments(s, list(open_tasks))  # type: ignore[arg-type]
    late: list[OverdueItem] = []
    unnotified: list[OverdueItem] = []
    for target, dept in rows:
        task = open_tasks[target.task_id]
        due = target.due_at or task.due_at
        row = OverdueItem(task.id, task.title, dept.name, target.is_lead, days_overdue(due, now, tz))  # type: ignore[arg-type]
        if never_notified(target, False):
            unnotified.append(row)
        elif is_overdue(target.status, due, False, now):
            late.append(row)
    return OverdueList(sorted(late, key=lambda o: (-o.days, o.task_id, o.department)), unnotified)


async def department_tasks(db: Database, caller: Caller, *, now: datetime) -> tuple[str, list[TargetView]]:
    if caller.appointment is None:
        raise NotFound("task.not_liaison")
    async with db.session() as s:
        rows = await task_repo.open_tasks_of_department(s, caller.appointment.department_id)
        dept = await s.get(Department, caller.appointment.department_id)
    assert dept is not None
    return dept.name, [view_of(task, tg, dept, now) for task, tg in rows if tg.status != TargetStatus.DONE]


async def file_of(db: Database, kind: str, ref: int) -> Attachment | None:
    """A stored file, for an admin's button: a progress entry's file, the task's own attachment, or
    a message only kept in the inbox."""
    async with db.session() as s:
        if kind == "i":
            kept = await inbox_repo.get(s, ref)
            if kept is None or kept.file_id is None:
                return None
            return Attachment(kept.file_id, kept.file_name, kept.kind)
        if kind == "p":
            entry: TaskProgress | None = await task_repo.progress(s, ref)
            if entry is None or entry.file_id is None:
                return None
            return Attachment(entry.file_id, entry.file_name, entry.kind)
        task = await task_repo.task(s, ref)
        if task is None or task.attachment_file_id is None:
            return None
        return Attachment(task.attachment_file_id, task.attachment_name, task.attachment_kind or "document")
