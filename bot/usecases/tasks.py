"""Task assignments: creating them, and what each department and the office see of them.

Every task belongs to an office (the one its creator acts in) and goes to that office's member
units: its departments and its child offices' units. A child office's admins hear of a task to their
unit and may forward it (转办) to their own departments: a task of the child office linked to the
parent's part (`parent_target_id`); the parent's `/task N` shows that part's `下级办理 done/total`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound, Refused
from bot.rules.delivery import Outgoing, Status, payload_meta, render_payload, shows_same
from bot.rules.digest import OverdueItem
from bot.rules.names import find_name
from bot.rules.people import Caller
from bot.rules.tasks import AssignRequest, TargetStatus, days_overdue, due_allowed, is_overdue, shown_status
from bot.usecases import names as name_lookup
from bot.usecases.outbox import enqueue_in
from bot.texts import fmt_time
from bot.views.tasks import (BelowView, CommentView, OverdueList, ProgressView, TargetView, TaskDetail, TaskSummary,
                             cascade_notice, file_caption, notice)
from storage.db import Database
from storage.models import ROOT_OFFICE_ID, Department, Task, TaskProgress, TaskTarget
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


def view_of(task: Task, target: TaskTarget, department: Department, now: datetime,
            origin: tuple[int, str] | None = None) -> TargetView:
    """A department's part as shown; `origin` is a forwarded task's (the parent task, its office)."""
    due = target.due_at or task.due_at
    closed = task.closed_at is not None
    status = "closed" if closed and target.status != TargetStatus.DONE \
        else shown_status(target.status, due, closed, now, standing=task.standing)
    return TargetView(target.id, task.id, task.title, task.details, task.attachment_name, due,  # type: ignore[arg-type]
                      department.name, target.is_lead, status, target.extension_until, target.extension_reason,
                      origin, standing=task.standing)


async def resolve_targets(s: AsyncSession, names: tuple[str, ...], office_id: int = ROOT_OFFICE_ID) -> dict[int, bool]:
    """department id → is lead, among the office's member units (its departments and its child
    offices' units). Departments named directly are lead; a working group brings its lead
    departments as lead and its members as cooperating. A name is found as everywhere (full name,
    alias, unambiguous fragment); an ambiguous fragment raises with its candidates, unknown names
    raise naming them all, with "did you mean" suggestions where there are some. Nothing of another
    office is found or suggested."""
    return (await _resolve(s, names, office_id))[0]


async def _resolve(s: AsyncSession, names: tuple[str, ...], office_id: int,
                   cooperating: tuple[str, ...] = ()) -> tuple[dict[int, bool], dict[int, Department]]:
    """`resolve_targets`, and every department by id (read anyway to match the names); the
    `cooperating` names are departments not marked lead (unless also named as lead)."""
    known = await name_lookup.directory(s, office_id)
    members = await org_repo.memberships(s, office_id)
    by_dept = {n: d.id for n, d in known.departments.items()}
    by_group = {n: g.id for n, g in known.groups.items()}
    chosen: dict[int, bool] = {}
    unknown: list[str] = []
    suggestions: list[str] = []
    for name, lead_named in [*((n, True) for n in names), *((n, False) for n in cooperating)]:
        match = find_name(name, [*by_dept, *by_group], known.aliases)
        if match.found in by_dept:
            dept_id = by_dept[match.found]
            chosen[dept_id] = chosen.get(dept_id, False) or lead_named  # type: ignore[index]
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
             now: datetime, tz: ZoneInfo, default_language: str, origin: tuple[int, str] | None = None) -> list[Outgoing]:
    """The notice for each of these liaisons of the department, each followed by the task's
    attachment (the same Telegram file, by its id)."""
    items: list[Outgoing] = []
    prefix = f"task:{task.id}:target:{target.id}"
    view = view_of(task, target, dept, now, origin)
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
    origins = await task_repo.origins(s, list({task.id: task for task, _, _ in parts}.values()))
    items: list[Outgoing] = []
    notified: set[int] = set()
    for task, target, dept in parts:
        mine = chats.get(dept.id, [])  # type: ignore[arg-type]
        if mine:
            items += _notices(task, target, dept, mine, now=now, tz=tz, default_language=default_language,
                              origin=origins.get(task.id))  # type: ignore[arg-type]
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
                          copies: list[task_repo.Copy] | None = None, origin: tuple[int, str] | None = None) -> int:
    """Make every liaison's copy of this department's notice show its state as it is now, inside
    the caller's transaction (after the change). A copy still queued is re-rendered; one already
    sent (or being sent) gets an edit queued, once per change (the copy's version, `meta.v`, is in
    the edit's dedup key). Copies that never arrived, and ones queued before notices carried their
    language and time zone, are left alone. `copies`, when the caller read them with the part,
    spares reading them again; `origin` is a forwarded task's (as the part was read with it).
    Returns how many edits were queued."""
    if copies is None:
        copies = (await task_repo.copies(s, [target.id])).get(target.id, [])  # type: ignore[list-item]
    return await _refresh(s, {target.id: view_of(task, target, dept, now, origin)}, {target.id: copies},  # type: ignore[dict-item]
                          now=now)


async def refresh_task_notices(s: AsyncSession, task: Task, *, now: datetime) -> int:
    """Every department's notice of a task shows its current state (after a change to the task):
    two statements to read, one to write, whatever the number of departments."""
    rows = await task_repo.targets_with_departments(s, [task.id])  # type: ignore[list-item]
    copies = await task_repo.copies(s, [tg.id for tg, _ in rows])  # type: ignore[misc]
    origin = (await task_repo.origins(s, [task])).get(task.id)  # type: ignore[arg-type]
    return await _refresh(s, {tg.id: view_of(task, tg, d, now, origin) for tg, d in rows}, copies, now=now)  # type: ignore[misc]


async def create(
    db: Database, actor: Caller, request: AssignRequest, *, now: datetime, tz: ZoneInfo, default_language: str,
    attachment: Attachment | None = None,
) -> Created:
    """Create the task, in the office the actor acts in, for its departments and queue every notice,
    in one transaction, with a fixed number of statements whatever the number of departments (bulk
    inserts, one per thousand). A child office's unit among them: its office's admins are told too,
    with a 转办 button (two statements more, only then)."""
    async with db.transaction() as s:
        return await _create(s, actor, actor.office_id, request, now=now, tz=tz, default_language=default_language,
                             attachment=attachment)


async def _create(
    s: AsyncSession, actor: Caller, office_id: int, request: AssignRequest, *, now: datetime, tz: ZoneInfo,
    default_language: str, attachment: Attachment | None, parent_target_id: int | None = None,
    origin: tuple[int, str] | None = None, meeting_id: int | None = None, standing: bool = False,
) -> Created:
    chosen, depts = await _resolve(s, request.targets, office_id, request.cooperating)
    task = await task_repo.add_task(s, Task(
        office_id=office_id, parent_target_id=parent_target_id, meeting_id=meeting_id, standing=standing,
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
                                  default_language=default_language, origin=origin)]
    items += await _cascade(s, task, [(tg, d) for tg, d in pairs if d.unit_of is not None], now=now, tz=tz,
                            default_language=default_language)
    await enqueue_in(s, items, now)
    await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="task.assign", target=f"#{task.id}",
                         detail=request.title, office_id=office_id)
    notified = {tg.id for tg, d in pairs if chats.get(d.id)}  # type: ignore[arg-type]
    return Created(task.id, task.title, task.due_at, len(targets), len(notified),  # type: ignore[arg-type]
                   tuple(d.name for tg, d in pairs if tg.id not in notified))


async def create_in(
    s: AsyncSession, actor: Caller, request: AssignRequest, *, now: datetime, tz: ZoneInfo, default_language: str,
    meeting_id: int | None = None, standing: bool = False,
) -> Created:
    """`create` inside the caller's transaction (several tasks at once, e.g. a meeting's agreed items:
    all or none). `request.targets` are department names; the first ones marked lead by
    `AssignRequest` rules as in /assign."""
    return await _create(s, actor, actor.office_id, request, now=now, tz=tz, default_language=default_language,
                         attachment=None, meeting_id=meeting_id, standing=standing)


# ---------------------------------------------------------------- a child office's part: 转办


async def _cascade(s: AsyncSession, task: Task, units: list[tuple[TaskTarget, Department]], *, now: datetime,
                   tz: ZoneInfo, default_language: str) -> list[Outgoing]:
    """For each child office's unit among a task's parts: its office's admins hear of the task, with
    the 转办 button (the unit's liaison gets the notice as any department's)."""
    if not units:
        return []
    admins = await task_repo.office_admin_chats(s, [d.unit_of for _, d in units])  # type: ignore[misc]
    if not admins:
        return []
    office = await org_repo.office(s, task.office_id)
    name = (office.short_name or "") if office is not None else ""
    items = []
    for target, unit in units:
        view = view_of(task, target, unit, now)
        for chat, lang in admins.get(unit.unit_of, []):  # type: ignore[arg-type]
            text, keyboard = cascade_notice(view, name, lang or default_language, tz)
            items.append(Outgoing(chat_id=chat, dedup_key=f"task:{task.id}:target:{target.id}:cascade:{chat}",
                                  text=text, reply_markup=keyboard))
    return items


@dataclass(frozen=True)
class ForwardSource:
    """A child office's part in a parent office's task, as its admin starts to forward it (转办)."""

    target_id: int
    task_id: int  # the parent task
    office_id: int  # the child office: the forwarded task is its
    origin: str  # the parent office's short name ('': "上级")
    unit: str  # the child office's unit, as the parent names it
    title: str
    details: str | None
    due: datetime  # the part's due time: the forwarded task's may not be later
    attachment: Attachment | None


async def _source(s: AsyncSession, caller: Caller, target_id: int) -> tuple[Task, TaskTarget, Department]:
    """The part to forward: a child office's unit's part, in the office the caller acts in. Any
    other part answers as a button that does not exist (nothing of another office shows); the
    caller who may act in that office but acts in another is told to switch (/office)."""
    found = await task_repo.source(s, target_id)
    if found is None or found[2].unit_of is None:
        raise Refused("button.stale")
    task, target, unit = found
    if unit.unit_of != caller.office_id:
        child = await org_repo.office(s, unit.unit_of) if unit.unit_of in caller.offices else None
        if child is None:
            raise Refused("button.stale")
        raise Refused("forward.switch_office", office=child.short_name or child.name,
                      code=child.short_name or child.name or child.code or "")  # /office takes a name too
    if task.closed_at is not None:
        raise Refused("task.closed", id=task.id)
    return task, target, unit


async def forward_source(db: Database, caller: Caller, target_id: int | None = None, *,
                         task_id: int | None = None) -> ForwardSource:
    """What the 转办 button (a part's id) or `/forward N` (the parent task's number: the part of the
    unit that stands for the caller's office) starts from, refused as `_source` says; by number, a
    task without such a part answers as one that does not exist."""
    async with db.session() as s:
        if task_id is not None:
            unit = await org_repo.unit_of(s, caller.office_id)
            found = await task_repo.target_of(s, task_id, unit.id) if unit is not None else None  # type: ignore[arg-type]
            if found is None:
                raise NotFound("task.not_found", id=task_id)
            target_id = found.id
        assert target_id is not None
        task, target, unit = await _source(s, caller, target_id)
        office = await org_repo.office(s, task.office_id)
    attachment = (Attachment(task.attachment_file_id, task.attachment_name, task.attachment_kind or "document")
                  if task.attachment_file_id else None)
    return ForwardSource(target.id, task.id, unit.unit_of, (office.short_name or "") if office else "",  # type: ignore[arg-type]
                         unit.name, task.title, task.details, target.due_at or task.due_at, attachment)


async def forward(
    db: Database, caller: Caller, target_id: int, request: AssignRequest, *, now: datetime, tz: ZoneInfo,
    default_language: str, attachment: Attachment | None = None,
) -> Created:
    """转办: the child office's own task, for its departments, from its part in a parent office's task
    (`parent_target_id`); its notices name where it came from. Checked again as at the start (the
    part's due time may have changed since)."""
    async with db.transaction() as s:
        task, target, unit = await _source(s, caller, target_id)
        limit = target.due_at or task.due_at
        if not due_allowed(request.due, limit, now):
            raise Refused("forward.too_late", due=fmt_time(limit, tz))
        office = await org_repo.office(s, task.office_id)
        origin = (task.id, (office.short_name or "") if office else "")
        created = await _create(s, caller, caller.office_id, request, now=now, tz=tz,
                                default_language=default_language, attachment=attachment,
                                parent_target_id=target.id, origin=origin)  # type: ignore[arg-type]
        await task_repo.event(s, task_id=task.id, target_id=target.id, kind="forwarded", at=now,  # type: ignore[arg-type]
                              actor_id=caller.telegram_id, note=f"#{created.task_id}")
    return created


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


async def summaries(db: Database, which: str, *, now: datetime, office_id: int = ROOT_OFFICE_ID) -> list[TaskSummary]:
    """The office's tasks; which: open | overdue | done | all."""
    async with db.session() as s:
        all_tasks = await task_repo.tasks(s, open_only=which in ("open", "overdue"), office_id=office_id)
        rows = await task_repo.all_targets(s, open_only=which in ("open", "overdue"), office_id=office_id)
    by_task: dict[int, list[TaskTarget]] = {}
    for _, tg, _ in rows:
        by_task.setdefault(tg.task_id, []).append(tg)
    out = []
    for task in all_tasks:
        mine = by_task.get(task.id, [])  # type: ignore[arg-type]
        closed = task.closed_at is not None
        done = sum(tg.status == TargetStatus.DONE for tg in mine)
        late = sum(not never_notified(tg, closed)
                   and is_overdue(tg.status, tg.due_at or task.due_at, closed, now, standing=task.standing)  # type: ignore[arg-type]
                   for tg in mine)
        unnotified = sum(never_notified(tg, closed) for tg in mine)
        summary = TaskSummary(task.id, task.title, task.due_at, len(mine), done, late, closed,  # type: ignore[arg-type]
                              unnotified, standing=task.standing)
        if which == "overdue" and not late:
            continue
        if which == "done" and not (mine and done == len(mine)):
            continue
        out.append(summary)
    return out


async def detail(db: Database, task_id: int, *, now: datetime, office_id: int = ROOT_OFFICE_ID) -> TaskDetail:
    """`/task N`, of the office's task (another office's answers as one that does not exist). A
    child office's part shows what that office made of it: the parts of the tasks it forwarded
    from it, done and in all (`下级办理 2/3`); nothing of those tasks beyond that. A forwarded task
    names where it came from."""
    async with db.session() as s:
        task = await task_repo.task(s, task_id, office_id)
        if task is None:
            raise NotFound("task.not_found", id=task_id)
        rows = await task_repo.targets_with_departments(s, [task_id])
        entries = await task_repo.progress_of(s, [tg.id for tg, _ in rows])  # type: ignore[misc]
        said = await directors_repo.comments(s, task_id)
        units = [tg.id for tg, d in rows if d.unit_of is not None]
        below = await task_repo.below(s, units, now, TargetStatus.DONE.value) if units else {}  # type: ignore[arg-type]
        origin = (await task_repo.origins(s, [task])).get(task_id)
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
        {target_id: BelowView(b.done, b.total, b.overdue) for target_id, b in below.items()},
        origin, standing=task.standing,
    )


async def overdue(db: Database, *, now: datetime, tz: ZoneInfo, office_id: int = ROOT_OFFICE_ID) -> OverdueList:
    """`/overdue`: every overdue part of an open task of the office (most overdue first), and apart
    from them the parts of departments never notified (no liaison)."""
    async with db.session() as s:
        rows = await task_repo.all_targets(s, open_only=True, office_id=office_id)
    late: list[OverdueItem] = []
    unnotified: list[OverdueItem] = []
    for task, target, dept in rows:
        due = target.due_at or task.due_at
        row = OverdueItem(task.id, task.title, dept.name, target.is_lead, days_overdue(due, now, tz))  # type: ignore[arg-type]
        if never_notified(target, False):
            unnotified.append(row)
        elif is_overdue(target.status, due, False, now, standing=task.standing):
            late.append(row)
    return OverdueList(sorted(late, key=lambda o: (-o.days, o.task_id, o.department)), unnotified, office_id)


async def department_tasks(db: Database, caller: Caller, *, now: datetime) -> tuple[str, list[TargetView]]:
    """`/mytasks`: the open parts of the liaison's department (of its office's tasks, as every
    part of a department is)."""
    if caller.appointment is None:
        raise NotFound("task.not_liaison")
    async with db.session() as s:
        rows = await task_repo.open_tasks_of_department(s, caller.appointment.department_id)
        dept = await s.get(Department, caller.appointment.department_id)
        origins = await task_repo.origins(s, [task for task, _ in rows])
    assert dept is not None
    return dept.name, [view_of(task, tg, dept, now, origins.get(task.id))  # type: ignore[arg-type]
                       for task, tg in rows if tg.status != TargetStatus.DONE]


async def file_of(db: Database, kind: str, ref: int, office_id: int = ROOT_OFFICE_ID) -> Attachment | None:
    """A stored file of the office, for an admin's button: a progress entry's file, the task's own
    attachment, or a message only kept in the inbox (another office's answers as none)."""
    async with db.session() as s:
        if kind == "i":
            kept = await inbox_repo.get(s, ref, office_id)
            if kept is None or kept.file_id is None:
                return None
            return Attachment(kept.file_id, kept.file_name, kept.kind)
        if kind == "p":
            entry: TaskProgress | None = await task_repo.progress(s, ref)
            if entry is None or entry.file_id is None:
                return None
            target = await task_repo.target(s, entry.target_id)
            if target is None or await task_repo.task(s, target.task_id, office_id) is None:
                return None
            return Attachment(entry.file_id, entry.file_name, entry.kind)
        task = await task_repo.task(s, ref, office_id)
        if task is None or task.attachment_file_id is None:
            return None
        return Attachment(task.attachment_file_id, task.attachment_name, task.attachment_kind or "document")
