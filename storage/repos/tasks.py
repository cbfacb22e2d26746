"""Tasks, their departments, events and progress.

A department's part in a task is read with what showing it needs (the task, the department, every
liaison's copy of its notice) in one statement (`find`), or returned by the statement that stores a
progress report for it (`add_progress`); the notice copies are rewritten, and the edits of sent
copies queued, in one statement too (`rewrite_copies`). Lists of ids are cut into chunks
(storage/repos/chunking.py), so no statement outgrows the drivers' bind-parameter limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import String, and_, bindparam, case, cast, exists, func, literal, literal_column, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (Department, LiaisonAppointment, Office, OutboxMessage, Person, RoleGrant, Task, TaskEvent,
                            TaskProgress, TaskTarget)
from storage.repos.chunking import chunks
from storage.repos.returning import returned

PENDING = "pending"
# A notice copy's fields, and copies, joined into one string by a statement's aggregate: these
# control characters never occur unescaped in the JSON payloads (json.dumps escapes them).
_FIELD, _RECORD = "\x1f", "\x1e"


async def add_task(s: AsyncSession, task: Task) -> Task:
    s.add(task)
    await s.flush()
    return task


def _insert(s: AsyncSession, table: Any) -> Any:
    return (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(table)


async def add_targets(s: AsyncSession, task_id: int, departments: dict[int, bool], *,
                      notified: set[int] | frozenset[int] = frozenset(), now: datetime | None = None) -> list[TaskTarget]:
    """The task's part for each department (id → is lead), in bulk (one statement per thousand);
    those in `notified` are marked notified at `now` (their notices are queued in the same
    transaction)."""
    targets: list[TaskTarget] = []
    items = list(departments.items())
    for part in chunks(items):
        rows = [{"task_id": task_id, "department_id": d, "is_lead": lead, "status": PENDING,
                 "notified_at": now if d in notified else None} for d, lead in part]
        result = await s.exec(_insert(s, TaskTarget).values(rows)  # type: ignore[call-overload]
                              .returning(TaskTarget.id, TaskTarget.department_id))
        ids = {dept: target_id for target_id, dept in result}
        targets += [TaskTarget(id=ids[d], task_id=task_id, department_id=d, is_lead=lead, status=PENDING,
                               notified_at=now if d in notified else None) for d, lead in part]
    return targets


async def event(s: AsyncSession, *, task_id: int, kind: str, at: datetime, actor_id: int | None,
                target_id: int | None = None, note: str | None = None) -> None:
    """One task event: one INSERT, nothing read back."""
    await s.exec(_insert(s, TaskEvent).values(  # type: ignore[call-overload]
        task_id=task_id, target_id=target_id, kind=kind, at=at, actor_id=actor_id, note=note[:500] if note else None))


async def task(s: AsyncSession, task_id: int, office_id: int | None = None) -> Task | None:
    """The task with that id; with `office_id`, only when it is that office's (None for another's)."""
    row = await s.get(Task, task_id)
    return row if row is not None and (office_id is None or row.office_id == office_id) else None


async def target(s: AsyncSession, target_id: int) -> TaskTarget | None:
    return await s.get(TaskTarget, target_id)


async def target_of(s: AsyncSession, task_id: int, department_id: int) -> TaskTarget | None:
    return (await s.exec(select(TaskTarget).where(TaskTarget.task_id == task_id,
                                                   TaskTarget.department_id == department_id))).first()


def _ordered(query: Any) -> Any:
    return query.order_by(col(TaskTarget.task_id), col(TaskTarget.is_lead).desc(), col(TaskTarget.id))


async def targets_with_departments(s: AsyncSession, task_ids: Sequence[int]) -> list[tuple[TaskTarget, Department]]:
    ids = sorted(set(task_ids))
    out: list[tuple[TaskTarget, Department]] = []
    for part in chunks(ids):
        out += await s.exec(_ordered(
            select(TaskTarget, Department).join(Department, col(Department.id) == TaskTarget.department_id)
            .where(col(TaskTarget.task_id).in_(list(part)))))
    return out


async def all_targets(s: AsyncSession, *, open_only: bool,
                      office_id: int | None = None) -> list[tuple[Task, TaskTarget, Department]]:
    """Every task (of the office, with `office_id`) with its departments' parts (of open tasks only,
    with `open_only`), in one statement."""
    query = (select(Task, TaskTarget, Department).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
             .join(Department, col(Department.id) == TaskTarget.department_id))
    if office_id is not None:
        query = query.where(Task.office_id == office_id)
    if open_only:
        query = query.where(col(Task.closed_at).is_(None))
    return list(await s.exec(_ordered(query)))  # type: ignore[arg-type]


async def tasks(s: AsyncSession, *, open_only: bool = False, ids: Sequence[int] | None = None,
                office_id: int | None = None) -> list[Task]:
    query = select(Task).order_by(col(Task.id))
    if office_id is not None:
        query = query.where(Task.office_id == office_id)
    if open_only:
        query = query.where(col(Task.closed_at).is_(None))
    if ids is None:
        return list(await s.exec(query))
    found: list[Task] = []
    for part in chunks(sorted(set(ids))):
        found += await s.exec(query.where(col(Task.id).in_(list(part))))
    return sorted(found, key=lambda t: t.id or 0)


async def open_tasks_of_department(s: AsyncSession, department_id: int) -> list[tuple[Task, TaskTarget]]:
    rows = await s.exec(
        select(Task, TaskTarget).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
        .where(TaskTarget.department_id == department_id, col(Task.closed_at).is_(None))
        .order_by(col(Task.due_at), col(Task.id))
    )
    return list(rows)  # type: ignore[arg-type]


async def progress_of(s: AsyncSession, target_ids: Sequence[int]) -> list[TaskProgress]:
    found: list[TaskProgress] = []
    for part in chunks(sorted(set(target_ids))):
        found += await s.exec(select(TaskProgress).where(col(TaskProgress.target_id).in_(list(part))))
    return sorted(found, key=lambda p: (p.at, p.id or 0))


async def progress(s: AsyncSession, progress_id: int) -> TaskProgress | None:
    return await s.get(TaskProgress, progress_id)


async def ref_of_message(s: AsyncSession, chat_id: int, message_id: int) -> tuple[str, int] | None:
    """What an outbox message the bot sent was about, found from a reply to it."""
    row = (await s.exec(select(OutboxMessage.ref_kind, OutboxMessage.ref_id).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.message_id == message_id))).first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return row[0], row[1]


async def liaison_chats(s: AsyncSession, department_ids: Sequence[int] | None) -> dict[int, list[tuple[int, int, str | None]]]:
    """department id → [(person id, chat id, language)] of its active liaisons (the liaison before
    the deputy); `None`: of every department, in one statement."""
    query = (select(LiaisonAppointment.department_id, Person.id, Person.chat_id, Person.language)
             .join(Person, col(Person.id) == LiaisonAppointment.person_id)
             .where(col(LiaisonAppointment.ended_at).is_(None), col(Person.chat_id).is_not(None))
             .order_by(col(LiaisonAppointment.kind).desc(), col(Person.id)))
    parts = [query] if department_ids is None else \
        [query.where(col(LiaisonAppointment.department_id).in_(list(p))) for p in chunks(sorted(set(department_ids)))]
    out: dict[int, list[tuple[int, int, str | None]]] = {}
    for statement in parts:
        for dept, person, chat, lang in await s.exec(statement):
            out.setdefault(dept, []).append((person, chat, lang))
    return out


async def mark_notified(s: AsyncSession, target_ids: Sequence[int], now: datetime) -> None:
    """Parts whose notice was just queued, never notified before, are notified now."""
    for part in chunks(sorted(set(target_ids))):
        await s.exec(update(TaskTarget).where(col(TaskTarget.id).in_(list(part)),  # type: ignore[call-overload]
                                              col(TaskTarget.notified_at).is_(None))
                     .values(notified_at=now).execution_options(synchronize_session=False))


async def owed_notices(s: AsyncSession, done: str) -> list[tuple[Task, TaskTarget, Department]]:
    """Parts (not `done`, of open tasks) whose department has an active liaison with a chat who was
    appointed after the part was notified, or a part never notified: their notices are owed."""
    newer = exists().where(
        LiaisonAppointment.department_id == TaskTarget.department_id, col(LiaisonAppointment.ended_at).is_(None),
        col(Person.id) == LiaisonAppointment.person_id, col(Person.chat_id).is_not(None),
        or_(col(TaskTarget.notified_at).is_(None), col(LiaisonAppointment.started_at) > TaskTarget.notified_at))
    return list(await s.exec(_ordered(  # type: ignore[arg-type]
        select(Task, TaskTarget, Department).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
        .join(Department, col(Department.id) == TaskTarget.department_id)
        .where(col(Task.closed_at).is_(None), TaskTarget.status != done, newer))))


async def count_targets(s: AsyncSession, task_id: int) -> int:
    return int((await s.exec(select(func.count()).select_from(TaskTarget).where(TaskTarget.task_id == task_id))).one())


# ---------------------------------------------------------------- offices in a tree: forwarding (转办)


async def origins(s: AsyncSession, tasks_: Sequence[Task]) -> dict[int, tuple[int, str]]:
    """task id → (the parent task's id, the parent office's short name or ''), for the forwarded
    ones among `tasks_`; no statement when none is forwarded."""
    wanted = sorted({t.parent_target_id for t in tasks_ if t.parent_target_id is not None})
    if not wanted:
        return {}
    found: dict[int, tuple[int, str]] = {}
    for part in chunks(wanted):
        rows = await s.exec(
            select(TaskTarget.id, TaskTarget.task_id, func.coalesce(Office.short_name, ""))
            .join(Task, col(Task.id) == TaskTarget.task_id).join(Office, col(Office.id) == Task.office_id)
            .where(col(TaskTarget.id).in_(list(part))))
        found |= {target_id: (task_id, name or "") for target_id, task_id, name in rows}
    return {t.id: found[t.parent_target_id] for t in tasks_  # type: ignore[misc]
            if t.parent_target_id is not None and t.parent_target_id in found}


@dataclass(frozen=True)
class Below:
    """What a child office made of its part in a parent task: the parts of the tasks it forwarded
    from it, done and in all, and how many of them are overdue now."""

    done: int
    total: int
    overdue: int


async def below(s: AsyncSession, target_ids: Sequence[int], now: datetime, done: str) -> dict[int, Below]:
    """parent target id → `Below`, for those of `target_ids` a child office forwarded (others are
    absent): one statement per thousand ids."""
    late = and_(col(Task.closed_at).is_(None), TaskTarget.status != done,
                func.coalesce(TaskTarget.due_at, Task.due_at) < now)
    out: dict[int, Below] = {}
    for part in chunks(sorted(set(target_ids))):
        rows = await s.exec(
            select(Task.parent_target_id, func.count(col(TaskTarget.id)),
                   func.sum(case((TaskTarget.status == done, 1), else_=0)), func.sum(case((late, 1), else_=0)))
            .join(TaskTarget, col(TaskTarget.task_id) == Task.id)
            .where(col(Task.parent_target_id).in_(list(part))).group_by(Task.parent_target_id))
        out |= {parent: Below(int(finished or 0), int(total), int(overdue or 0))
                for parent, total, finished, overdue in rows}
    return out


async def office_admin_chats(s: AsyncSession, office_ids: Sequence[int]) -> dict[int, list[tuple[int, str | None]]]:
    """office id → (chat id, language) of everyone holding the admin role in exactly that office
    who has a private chat with the bot (the configured admins are the root office's, never a child
    office's): one statement."""
    if not office_ids:
        return {}
    rows = await s.exec(
        select(RoleGrant.office_id, Person.chat_id, Person.language)
        .join(Person, col(Person.telegram_id) == RoleGrant.telegram_id)
        .where(RoleGrant.role == "admin", col(RoleGrant.revoked_at).is_(None), col(Person.chat_id).is_not(None),
               col(RoleGrant.office_id).in_(sorted(set(office_ids))))
        .order_by(col(RoleGrant.office_id), col(Person.id)))
    out: dict[int, list[tuple[int, str | None]]] = {}
    for office, chat, lang in rows:
        if all(c != chat for c, _ in out.get(office, [])):
            out.setdefault(office, []).append((chat, lang))
    return out


async def source(s: AsyncSession, target_id: int) -> tuple[Task, TaskTarget, Department] | None:
    """A part in a task with its task and department (whose `unit_of` says which child office it
    stands for), to forward it from."""
    row = (await s.exec(select(Task, TaskTarget, Department).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
                        .join(Department, col(Department.id) == TaskTarget.department_id)
                        .where(TaskTarget.id == target_id))).first()
    return row  # type: ignore[return-value]


# ---------------------------------------------------------------- one department's part


@dataclass(frozen=True)
class Which:
    """Which department's part of which task: by its id, by the task and the department, or by a
    message the bot sent about it (a notice, a reminder) that someone replied to. With
    `department_id`, only that department's part is found."""

    target_id: int | None = None
    task_id: int | None = None
    reply_to: tuple[int, int] | None = None  # (chat id, message id)
    department_id: int | None = None
    office_id: int | None = None  # the office whose tasks may be found (`add_progress` needs it)

    @property
    def by(self) -> str:
        return "task" if self.task_id is not None else "reply" if self.reply_to is not None else "target"

    def params(self) -> dict[str, Any]:
        chat, message = self.reply_to or (None, None)
        return {"w_target": self.target_id, "w_task": self.task_id, "w_chat": chat, "w_message": message,
                "w_department": self.department_id, "w_office": self.office_id}


@dataclass(frozen=True)
class Copy:
    """One liaison's copy of a department's task notice: its outbox row, and the language its
    person reads now."""

    row_id: int
    dedup_key: str
    chat_id: int
    status: str
    payload: str
    language: str | None

    @property
    def person_id(self) -> int:
        return int(self.dedup_key.rsplit(":", 1)[1])


@dataclass
class Part:
    """A department's part in a task, with its task, its department and its notice's copies. The
    objects are detached: changing them writes nothing."""

    task: Task
    target: TaskTarget
    department: Department
    copies: list[Copy]
    origin: tuple[int, str] | None = None  # a forwarded task's: (the parent task's id, the parent office's short name)


# The statements below are built once per shape from the tables (not the ORM classes: building
# them is most of their cost otherwise) with bound parameters, so SQLAlchemy's compiled cache and
# the driver's prepared statements serve every later call.
_TT, _TK, _DP = (TaskTarget.__table__, Task.__table__, Department.__table__)  # type: ignore[attr-defined]
_LA, _PE, _OB, _PR = (LiaisonAppointment.__table__, Person.__table__, OutboxMessage.__table__,  # type: ignore[attr-defined]
                      TaskProgress.__table__)  # type: ignore[attr-defined]
_TARGET = ("id", "task_id", "department_id", "is_lead", "status", "due_at", "notified_at", "acknowledged_at",
           "done_at", "extension_until", "extension_reason")
_TASK = ("id", "office_id", "parent_target_id", "title", "details", "due_at", "created_by", "created_at", "closed_at",
         "attachment_file_id", "attachment_name", "attachment_kind", "meeting_id", "standing")
_OF = Office.__table__  # type: ignore[attr-defined]
_PROGRESS = ("sender_id", "at", "text", "kind", "file_id", "file_name", "file_size", "mime_type", "chat_id",
             "message_id")


def _conditions(tt: Any, by: str, department: bool) -> list[Any]:
    if by == "target":
        where = [tt.c.id == bindparam("w_target")]
    elif by == "task":
        where = [tt.c.task_id == bindparam("w_task")]
    else:
        where = [tt.c.id == select(_OB.c.ref_id).where(
            _OB.c.chat_id == bindparam("w_chat"), _OB.c.message_id == bindparam("w_message"),
            _OB.c.ref_kind == "target").limit(1).scalar_subquery()]
    if department:
        where.append(tt.c.department_id == bindparam("w_department"))
    return where


def _notice_key(tt: Any, person_id: Any) -> Any:
    return (literal("task:") + cast(tt.c.task_id, String) + literal(":target:") + cast(tt.c.id, String)
            + literal(":notice:") + cast(person_id, String))


def _copies_of(tt: Any, where: list[Any]) -> Any:
    """The copies of the notice of the part `where` selects: every person ever appointed to its
    department whose notice row exists (looked up by its exact dedup key), as one string."""
    la, person, row = _LA.alias("cp_la"), _PE.alias("cp_person"), _OB.alias("cp_row")
    entry = (cast(row.c.id, String) + _FIELD + row.c.dedup_key + _FIELD + cast(row.c.chat_id, String) + _FIELD
             + row.c.status + _FIELD + func.coalesce(person.c.language, "") + _FIELD + row.c.payload)
    return (select(func.aggregate_strings(entry, _RECORD)).select_from(tt)
            .join(la, la.c.department_id == tt.c.department_id)
            .join(person, person.c.id == la.c.person_id)
            .join(row, row.c.dedup_key == _notice_key(tt, la.c.person_id))
            .where(*where).scalar_subquery())


def _copies_from(value: str | None) -> list[Copy]:
    seen: dict[int, Copy] = {}
    for record in (value or "").split(_RECORD):
        if not record:
            continue
        row_id, key, chat, status, lang, payload = record.split(_FIELD, 5)
        seen[int(row_id)] = Copy(int(row_id), key, int(chat), status, payload, lang or None)
    return [seen[i] for i in sorted(seen)]  # a person appointed twice is one copy


def _origin_columns(parent_target: Any) -> dict[str, Any]:
    """A forwarded task's origin, from its `parent_target_id` (an expression): the parent task's id
    and the parent office's short name ('' when it has none), two scalar subqueries by name (NULL
    for a task of its own)."""
    ptt, ptask, office = _TT.alias("or_tt"), _TK.alias("or_task"), _OF.alias("or_office")
    return {
        "or_task": select(ptt.c.task_id).where(ptt.c.id == parent_target).scalar_subquery(),
        "or_office": select(func.coalesce(office.c.short_name, "")).select_from(ptt)
        .join(ptask, ptask.c.id == ptt.c.task_id).join(office, office.c.id == ptask.c.office_id)
        .where(ptt.c.id == parent_target).scalar_subquery(),
    }


def _origin_from(values: Any) -> tuple[int, str] | None:
    return (values["or_task"], values["or_office"] or "") if values["or_task"] is not None else None


def _part_from(values: Any) -> Part:
    target = TaskTarget(**{name: values[f"tt_{name}"] for name in _TARGET})
    task_ = Task(**{name: values[f"tk_{name}"] for name in _TASK})
    department = Department(id=target.department_id, name=values["dp_name"], office_id=task_.office_id)
    return Part(task_, target, department, _copies_from(values["copies"]), _origin_from(values))


@lru_cache(maxsize=None)
def _add_progress_statement(dialect: str, by: str) -> Any:
    """INSERT … SELECT the part's id … ON CONFLICT (chat, message) DO NOTHING, returning the part:
    its columns, its task's and department's, and its notice's copies, as scalar subqueries on the
    inserted row's part (each an index lookup)."""
    tt, task_ = _TT.alias("ins_tt"), _TK.alias("ins_task")
    source = (select(tt.c.id, *[bindparam(f"p_{name}", type_=_PR.c[name].type) for name in _PROGRESS])
              .join(task_, task_.c.id == tt.c.task_id)
              .where(*_conditions(tt, by, True), task_.c.closed_at.is_(None), task_.c.office_id == bindparam("w_office")))
    ctx_tt, ctx_task, ctx_dept = _TT.alias("ctx_tt"), _TK.alias("ctx_task"), _DP.alias("ctx_dept")
    this = ctx_tt.c.id == literal_column(f"{_PR.name}.target_id")
    columns = [returned(select(ctx_tt.c[name]).where(this).scalar_subquery(), f"tt_{name}") for name in _TARGET]
    columns += [returned(select(ctx_task.c[name]).join(ctx_tt, ctx_tt.c.task_id == ctx_task.c.id).where(this)
                         .scalar_subquery(), f"tk_{name}") for name in _TASK]
    columns.append(returned(select(ctx_dept.c.name).join(ctx_tt, ctx_tt.c.department_id == ctx_dept.c.id)
                            .where(this).scalar_subquery(), "dp_name"))
    columns.append(returned(_copies_of(ctx_tt, [this]), "copies"))
    parent = (select(ctx_task.c.parent_target_id).join(ctx_tt, ctx_tt.c.task_id == ctx_task.c.id).where(this)
              .scalar_subquery())
    columns += [returned(column, name) for name, column in _origin_columns(parent).items()]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(_PR).from_select(["target_id", *_PROGRESS], source)
            .on_conflict_do_nothing(index_elements=["chat_id", "message_id"])
            .returning(_PR.c.id, *columns))


async def add_progress(s: AsyncSession, which: Which, progress: TaskProgress) -> Part | None:
    """Store a progress report for the part `which` names (its department's, of an open task of
    `which.office_id`) and return the part, in one statement. None when nothing was stored: no such
    part, the task is closed or another office's, or this Telegram message was stored before (`find`
    tells which)."""
    assert which.department_id is not None and which.office_id is not None
    statement = _add_progress_statement(s.get_bind().dialect.name, which.by)
    params = which.params() | {f"p_{name}": getattr(progress, name) for name in _PROGRESS}
    row = (await s.exec(statement, params=params)).first()  # type: ignore[call-overload]
    return _part_from(row._mapping) if row is not None else None


@dataclass(frozen=True)
class Found:
    """What `find` saw: the task (None: no such task, or no such part when found by part), the
    part (None: the department has none), and whether the message was stored before."""

    task: Task | None
    part: Part | None
    stored_before: bool


@lru_cache(maxsize=None)
def _find_statement(by: str, department: bool) -> Any:
    tt, task_, dept = _TT.alias("f_tt"), _TK.alias("f_task"), _DP.alias("f_dept")
    by_part = by != "task"
    copy_tt = _TT.alias("f_copy_tt")
    stored = exists().where(_PR.c.chat_id == bindparam("m_chat"), _PR.c.message_id == bindparam("m_message"))
    columns = [*(tt.c[n].label(f"tt_{n}") for n in _TARGET), *(task_.c[n].label(f"tk_{n}") for n in _TASK),
               dept.c.name.label("dp_name"),
               _copies_of(copy_tt, _conditions(copy_tt, by, department and not by_part)).label("copies"),
               stored.label("stored"),
               *(column.label(name) for name, column in _origin_columns(task_.c.parent_target_id).items())]
    if by_part:
        return (select(*columns).select_from(tt).join(task_, task_.c.id == tt.c.task_id)
                .join(dept, dept.c.id == tt.c.department_id).where(*_conditions(tt, by, False)))
    on = and_(tt.c.task_id == task_.c.id, tt.c.department_id == bindparam("w_department") if department
              else literal(False))
    return (select(*columns).select_from(task_).outerjoin(tt, on).outerjoin(dept, dept.c.id == tt.c.department_id)
            .where(task_.c.id == bindparam("w_task")))


async def find(s: AsyncSession, which: Which, *, message: tuple[int, int] | None = None) -> Found:
    """The part `which` names with its task, department and copies, in one statement. Found by
    part (id or reply), the department is not a condition (the caller checks it); found by task,
    the task is read even when the department has no part in it. With `message` (chat id, message
    id), whether that message was stored as progress before."""
    statement = _find_statement(which.by, which.department_id is not None)
    chat, number = message or (None, None)
    row = (await s.exec(statement, params=which.params() | {"m_chat": chat, "m_message": number})).first()  # type: ignore[call-overload]
    if row is None:
        return Found(None, None, False)
    values = row._mapping
    if values["tk_id"] is None:
        return Found(None, None, bool(values["stored"]))
    if values["tt_id"] is None:
        return Found(Task(**{n: values[f"tk_{n}"] for n in _TASK}), None, bool(values["stored"]))
    part = _part_from(values)
    return Found(part.task, part, bool(values["stored"]))


async def set_status(s: AsyncSession, target_id: int, *, was: str, values: dict[str, Any]) -> bool:
    """Change a part's status (and its times) if it is still `was`; False when someone changed it first."""
    result = await s.exec(update(TaskTarget).where(col(TaskTarget.id) == target_id, col(TaskTarget.status) == was)  # type: ignore[call-overload]
                          .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


async def update_target(s: AsyncSession, target_id: int, **values: Any) -> None:
    await s.exec(update(TaskTarget).where(col(TaskTarget.id) == target_id)  # type: ignore[call-overload]
                 .values(**values).execution_options(synchronize_session=False))


async def clear_target_dues(s: AsyncSession, task_id: int) -> None:
    """Every department's own due time of the task is dropped (the task's applies): one statement."""
    await s.exec(update(TaskTarget).where(col(TaskTarget.task_id) == task_id).values(due_at=None))  # type: ignore[call-overload]


async def copies(s: AsyncSession, target_ids: Sequence[int]) -> dict[int, list[Copy]]:
    """target id → the copies of its notice."""
    out: dict[int, list[Copy]] = {}
    tt, la, person, row = _TT.alias("c_tt"), _LA.alias("c_la"), _PE.alias("c_person"), _OB.alias("c_row")
    query = (select(tt.c.id, row.c.id, row.c.dedup_key, row.c.chat_id, row.c.status, row.c.payload, person.c.language)
             .select_from(tt).join(la, la.c.department_id == tt.c.department_id)
             .join(person, person.c.id == la.c.person_id)
             .join(row, row.c.dedup_key == _notice_key(tt, la.c.person_id))
             .where(tt.c.id.in_(bindparam("ids", expanding=True))).order_by(row.c.id))
    for part in chunks(sorted(set(target_ids))):
        for target_id, *fields in await s.exec(query, params={"ids": list(part)}):  # type: ignore[call-overload]
            found = out.setdefault(target_id, [])
            if all(c.row_id != fields[0] for c in found):
                found.append(Copy(*fields))
    return out


@dataclass(frozen=True)
class Rewrite:
    """A copy's new payload and, for a copy already sent (or being sent), the edit row that changes
    the message it became."""

    copy: Copy
    payload: str
    edit: dict[str, Any] | None = None


async def rewrite_copies(s: AsyncSession, rewrites: Sequence[Rewrite], now: datetime) -> set[str]:
    """Give each copy its new payload and queue the edits of sent copies: one statement (per 250).

    Each copy is compare-and-set: its payload changes only if it is still what was read (and, for a
    copy that was still queued then, only while it is still queued); a copy someone changed first
    is left alone, and so is an edit whose dedup key (which carries the copy's next version) is
    queued already. Returns the dedup keys written: copies changed and edits queued.

    It is an INSERT … ON CONFLICT (dedup_key) DO UPDATE: the copies' rows exist, so they conflict
    and take the update where the compare holds, and the edits are new rows. A copy's row goes in
    with status `failed`, so even if it were inserted (outbox rows are never deleted) nothing would
    be sent from it."""
    written: set[str] = set()
    for part in chunks(list(rewrites), 250):
        rows = [{"dedup_key": r.copy.dedup_key, "chat_id": r.copy.chat_id, "kind": "text", "payload": r.payload,
                 "attachment": None, "batch": None, "ref_kind": None, "ref_id": None, "status": "failed",
                 "attempts": 0, "created_at": now, "last_error": "notice copy rewrite"} for r in part]
        rows += [{**r.edit, "last_error": None} for r in part if r.edit is not None]
        statement = _insert(s, OutboxMessage).values(rows)
        excluded = statement.excluded
        expected = case({r.copy.dedup_key: r.copy.payload for r in part}, value=excluded.dedup_key)
        queued = [r.copy.dedup_key for r in part if r.copy.status == PENDING]
        still = or_(col(OutboxMessage.status) == PENDING, excluded.dedup_key.not_in(queued)) if queued else literal(True)
        statement = statement.on_conflict_do_update(
            index_elements=["dedup_key"], set_={"payload": excluded.payload},
            where=and_(col(OutboxMessage.payload) == expected, still)).returning(OutboxMessage.dedup_key)
        written |= {key for (key,) in await s.exec(statement)}  # type: ignore[call-overload]
    return written


async def roll_standing(s: AsyncSession, at: datetime, to: datetime) -> int:
    """Open standing tasks (长期坚持) whose checkpoint has come (`due_at <= at`) move to `to`, the
    next one; their departments' own due times that have passed too (a granted extension of a
    month's progress) are dropped, so each part follows the task's checkpoint again. Two
    statements, whatever the number of tasks; run again at the same `at`, nothing matches.
    Returns how many tasks moved."""
    standing_open = select(Task.id).where(col(Task.standing).is_(True), col(Task.closed_at).is_(None))
    await s.exec(update(TaskTarget)  # type: ignore[call-overload]
                 .where(col(TaskTarget.task_id).in_(standing_open), col(TaskTarget.due_at) <= at)
                 .values(due_at=None).execution_options(synchronize_session=False))
    result = await s.exec(update(Task)  # type: ignore[call-overload]
                          .where(col(Task.standing).is_(True), col(Task.closed_at).is_(None), col(Task.due_at) <= at)
                          .values(due_at=to).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)
