"""Task assignments: creating them, and what each department and the office see of them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm.attributes import set_committed_value
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
    lead departments as lead and its members as cooperating. A name is found as everywhere (full
    name, alias, unambiguous fragment); an ambiguous fragment raises with its candidates, unknown
    names raise naming them all, with "did you mean" suggestions where there are some."""
    return (await _resolve(s, names))[0]


async def _resolve(s: AsyncSession, names: tuple[str, ...]) -> tuple[dict[int, bool], dict[int, Department]]:
    """`resolve_targets`, and every department by id (read anyway to match the names)."""
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
    return chosen, {d.id: d for d in known.departments.values()}  # type: ignore[misc]


def _notices(task: Task, target: TaskTarget, dept: Department, chats: list[tuple[int, int, str | None]], *,
             now: datetime, tz: ZoneInfo, default_language: str) -> list[Outgoing]:
    """The notice for each of these liaisons of the department, each followed by the task's
    attachment (the same Telegram file, by its id)."""
    items: list[Outgoing] = []
    prefix = f"task:{task.id}:target:{target.id}"
    view = view_of(task, target, dept, now)
    for person_id, chat, lang in chats:
        language = lang or default_language
        text, keyboard = notice(view, language, tz)
        items.append(Outgoing(chat_id=chat, dedup_key=f"{prefix}:notice:{person_id}", text=text,
                              reply_markup=keyboard, ref_kind="target", ref_id=target.id,
                              meta={"lang": language, "tz": tz.key}))
        if task.attachment_file_id:  # queued after the notice: the sender keeps a chat's order
            items.append(Outgoing(
                chat_id=chat, dedup_key=f"{prefix}:file:{person_id}", file_id=task.attachment_file_id,
                file_kind=task.attachment_kind or "document", ref_kind="target", ref_id=target.id,
                text=file_caption(task.id, task.attachment_name, language)))
    return items


async def _queue(s: AsyncSession, parts: list[tuple[Task, TaskTarget, Department]], *, now: datetime, tz: ZoneInfo,
                 default_language: str) -> tuple[set[int], int]:
    """Queue the notices of these parts (of any tasks) and mark the parts notified: a fixed number
    of statements whatever the number of parts (one per thousand ids or rows)."""
    chats = await task_repo.liaison_chats(s, [d.id for _, _, d in parts])  # type: ignore[misc]
    items: list[Outgoing] = []
    notified: set[int] = set()
    for task, target, dept in parts:
        mine = chats.get(dept.id, [])  # type: ignore[arg-type]
        if mine:
            items += _notices(task, target, dept, mine, now=now, tz=tz, default_language=default_language)
            notified.add(target.id)  # type: ignore[arg-type]
    new = await enqueue_in(s, items, now)
    fresh = [target.id for _, target, _ in parts if target.id in notified and target.notified_at is None]
    await task_repo.mark_notified(s, fresh, now)  # type: ignore[arg-type]
    for _, target, _ in parts:
        if target.id in fresh:  # as the row now is, without the session writing it again
            set_committed_value(target, "notified_at", now)
    return notified, new


async def queue_notices(
    s: AsyncSession, task: Task, pairs: list[tuple[TaskTarget, Department]], *, now: datetime, tz: ZoneInfo,
    default_language: str,
) -> tuple[set[int], int]:
    """Queue the notice for every liaison of each target's department, and right after it the task's
    attachment (the same Telegram file, by its id). Returns the notified target ids and how many
    messages were new: dedup keys make this safe to repeat (a liaison already notified gets nothing)."""
    return await _queue(s, [(task, target, dept) for target, dept in pairs], now=now, tz=tz,
                        default_language=default_language)


# ---------------------------------------------------------------- keeping every copy of a notice current


def _edit_row(item: Outgoing, now: datetime) -> dict:  # type: ignore[type-arg]
    return {"dedup_key": item.dedup_key[:200], "chat_id": item.chat_id, "kind": item.kind, "payload": item.payload(),
            "attachment": None, "batch": None, "ref_kind": item.ref_kind, "ref_id": item.ref_id,
            "status": Status.PENDING.value, "attempts": 0, "created_at": now}


def _rewrites(view: TargetView, copies: list[task_repo.Copy], now: datetime) -> list[task_repo.Rewrite]:
    """What each copy of the notice needs to show `view`: copies that show it already, never
    arrived, or were queued before notices carried their language and time zone need nothing; a
    copy still queued is re-rendered; one already sent (or being sent) is re-rendered and edited,
    once per change (the copy's version, `meta.v`, is in the edit's dedup key)."""
    out = []
    prefix = f"task:{view.task_id}:target:{view.target_id}"
    for copy in copies:
        meta = payload_meta(copy.payload)
        if "tz" not in meta or copy.status in (Status.BLOCKED, Status.FAILED, Status.UNCONFIRMED):
            continue
        text, keyboard = notice(view, copy.language or meta.get("lang", "zh"), ZoneInfo(meta["tz"]))
        if shows_same(copy.payload, text, keyboard):
            continue
        payload = render_payload(text, keyboard, copy.payload)
        edit = None
        if copy.status != Status.PENDING:
            edit = _edit_row(Outgoing(
                chat_id=copy.chat_id, dedup_key=f"{prefix}:edit:{copy.person_id}:{payload_meta(payload)['v']}",
                text=text, reply_markup=keyboard, edit_of=copy.row_id, ref_kind="target", ref_id=view.target_id), now)
        out.append(task_repo.Rewrite(copy, payload, edit))
    return out


async def _refresh(s: AsyncSession, views: dict[int, TargetView], copies: dict[int, list[task_repo.Copy]], *,
                   now: datetime) -> int:
    """Make every copy of these parts' notices (target id → view) show its view: one statement
    as a rule; a copy someone changed meanwhile is read again and tried again."""
    edits = 0
    for _ in range(5):  # compare-and-set: a concurrent change of the same copy means read again
        rewrites = [r for target_id, view in views.items() for r in _rewrites(view, copies.get(target_id, []), now)]
        if not rewrites:
            break
        written = await task_repo.rewrite_copies(s, rewrites, now)
        edits += sum(1 for r in rewrites if r.edit is not None and r.edit["dedup_key"] in written)
        lost = {r.copy.row_id for r in rewrites if r.copy.dedup_key not in written}
        if not lost:
            break
        again = await task_repo.copies(s, sorted({t for t, cs in copies.items() for c in cs if c.row_id in lost}))
        copies = {t: [c for c in cs if c.row_id in lost] for t, cs in again.items()}
        views = {t: v for t, v in views.items() if t in copies}
    return edits


async def refresh_notices(s: AsyncSession, task: Task, target: TaskTarget, dept: Department, *, now: datetime,
                          copies: list[task_repo.Copy] | None = None) -> int:
    """Make every liaison's copy of this department's notice show its state as it is now, inside
    the caller's transaction (after the change). A copy still queued is re-rendered; one already
    sent (or being sent) gets an edit queued, once per change (the copy's version, `meta.v`, is in
    the edit's dedup key). Copies that never arrived, and ones queued before notices carried their
    language and time zone, are left alone. `copies`, when the caller read them with the part,
    spares reading them again. Returns how many edits were queued."""
    if copies is None:
        copies = (await task_repo.copies(s, [target.id])).get(target.id, [])  # type: ignore[list-item]
    return await _refresh(s, {target.id: view_of(task, target, dept, now)}, {target.id: copies}, now=now)  # type: ignore[dict-item]


async def refresh_task_notices(s: AsyncSession, task: Task, *, now: datetime) -> int:
    """Every department's notice of a task shows its current state (after a change to the task):
    two statements to read, one to write, whatever the number of departments."""
    rows = await task_repo.targets_with_departments(s, [task.id])  # type: ignore[list-item]
    copies = await task_repo.copies(s, [tg.id for tg, _ in rows])  # type: ignore[misc]
    return await _refresh(s, {tg.id: view_of(task, tg, d, now) for tg, d in rows}, copies, now=now)  # type: ignore[misc]


async def create(
    db: Database, actor: Caller, request: AssignRequest, *, now: datetime, tz: ZoneInfo, default_language: str,
    attachment: Attachment | None = None,
) -> Created:
    """Create the task for its departments and queue every notice, in one transaction, with a fixed
    number of statements whatever the number of departments (bulk inserts, one per thousand)."""
    async with db.transaction() as s:
        chosen, depts = await _resolve(s, request.targets)
        task = await task_repo.add_task(s, Task(
            title=request.title, details=request.details, due_at=request.due, created_by=actor.telegram_id,
            created_at=now, attachment_file_id=attachment.file_id if attachment else None,
            attachment_name=(attachment.name or attachment.kind) if attachment else None,
            attachment_kind=attachment.kind if attachment else None,
        ))
        chats = await task_repo.liaison_chats(s, list(chosen))
        targets = await task_repo.add_targets(s, task.id, chosen, notified={d for d in chosen if chats.get(d)},  # type: ignore[arg-type]
                                              now=now)
        await task_repo.event(s, task_id=task.id, kind="created", at=now, actor_id=actor.telegram_id,  # type: ignore[arg-type]
                              note=f"{len(targets)} departments")
        pairs = [(tg, depts[tg.department_id]) for tg in targets]
        items = [item for tg, d in pairs
                 for item in _notices(task, tg, d, chats.get(d.id, []), now=now, tz=tz,  # type: ignore[arg-type]
                                      default_language=default_language)]
        await enqueue_in(s, items, now)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="task.assign", target=f"#{task.id}",
                             detail=request.title)
    notified = {tg.id for tg, d in pairs if chats.get(d.id)}  # type: ignore[arg-type]
    return Created(task.id, task.title, task.due_at, len(targets), len(notified),  # type: ignore[arg-type]
                   tuple(d.name for tg, d in pairs if tg.id not in notified))


async def notify_late_registrations(db: Database, *, now: datetime, tz: ZoneInfo, default_language: str) -> int:
    """A liaison who registers after a task was assigned gets its notice (and file): a department
    that had no liaison then, and a new liaison or deputy of one that had. Returns how many
    messages were queued. The parts owed a notice are found by the database (one statement), and
    nothing more is read or written when there are none."""
    async with db.transaction() as s:
        owed = await task_repo.owed_notices(s, TargetStatus.DONE.value)
        if not owed:
            return 0
        return (await _queue(s, owed, now=now, tz=tz, default_language=default_language))[1]


# ---------------------------------------------------------------- views


def never_notified(target: TaskTarget, closed: bool) -> bool:
    """A department's part that no liaison was ever told of (the department has none): shown as
    未通知（无联络员）, never counted or blamed as overdue."""
    return target.notified_at is None and target.status != TargetStatus.DONE and not closed


async def summaries(db: Database, which: str, *, now: datetime) -> list[TaskSummary]:
    """which: open | overdue | done | all."""
    async with db.session() as s:
        all_tasks = await task_repo.tasks(s, open_only=which in ("open", "overdue"))
        rows = await task_repo.all_targets(s, open_only=which in ("open", "overdue"))
    by_task: dict[int, list[TaskTarget]] = {}
    for _, tg, _ in rows:
        by_task.setdefault(tg.task_id, []).append(tg)
    out = []
    for task in all_tasks:
        mine = by_task.get(task.id, [])  # type: ignore[arg-type]
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
        rows = await task_repo.all_targets(s, open_only=True)
    late: list[OverdueItem] = []
    unnotified: list[OverdueItem] = []
    for task, target, dept in rows:
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
