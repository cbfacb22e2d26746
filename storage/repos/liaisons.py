"""Liaison appointments: the active ones and the history, office by office (a department's
appointments are its office's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Department, LiaisonAppointment, Person, Task, TaskTarget
from storage.repos.returning import returned


def _open_part(department_id: Any, done: str) -> Any:
    """A department's part of an open task, not `done`: the condition over task_targets and tasks."""
    return and_(col(TaskTarget.department_id) == department_id, col(Task.closed_at).is_(None),
                col(TaskTarget.status) != done)


def office_of(department_id: Any) -> Any:
    """The department's office, as a scalar subquery over its own alias of departments, correlated
    to every other table: so that it stays bound to `department_id` (a column of the statement's
    row, e.g. the invite being claimed) at any depth of nesting, and inside a query that reads
    departments too."""
    own = aliased(Department)
    return select(own.office_id).where(own.id == department_id).correlate_except(own).scalar_subquery()


def appointment_facts(person_id: int, department_id: Any, kind: Any, *, done: str) -> list[Any]:
    """What appointing `person_id` to (`department_id`, `kind`) involves, as labelled expressions
    for the RETURNING clause of the statement that decides it (the invite's claim, whose row
    gives `department_id` and `kind`):

    - `department`: the department's name;
    - `holds`: 1 when the person holds exactly this appointment already;
    - `to_end`: active appointments it ends (the person's own elsewhere, the department's
      current one of this kind);
    - `registered`, `departments`: the department's office's member units with an active
      appointment once it is made, and all of them;
    - `open_parts`: the department's parts of open tasks not `done`, whose notices the newcomer
      is owed (`open_parts` reads them)."""
    active = col(LiaisonAppointment.ended_at).is_(None)
    mine = LiaisonAppointment.person_id == person_id
    this = and_(LiaisonAppointment.department_id == department_id, LiaisonAppointment.kind == kind)
    count = select(func.count()).select_from(LiaisonAppointment)
    office = office_of(department_id)
    others = select(func.count(func.distinct(LiaisonAppointment.department_id))) \
        .join(Department, col(Department.id) == LiaisonAppointment.department_id) \
        .where(active, LiaisonAppointment.person_id != person_id, LiaisonAppointment.department_id != department_id,
               Department.office_id == office)
    parts = select(func.count()).select_from(TaskTarget).join(Task, col(Task.id) == TaskTarget.task_id) \
        .where(_open_part(department_id, done))
    return [
        returned(select(Department.name).where(Department.id == department_id).scalar_subquery(), "department"),
        returned(count.where(active, mine, this).scalar_subquery(), "holds"),
        returned(count.where(active, or_(mine, this)).scalar_subquery(), "to_end"),
        returned(others.scalar_subquery() + 1, "registered"),
        returned(select(func.count()).select_from(Department).where(Department.office_id == office)
                 .scalar_subquery(), "departments"),
        returned(parts.scalar_subquery(), "open_parts"),
    ]


async def open_parts(s: AsyncSession, department_id: int, done: str) -> list[tuple[TaskTarget, Task, Department]]:
    """The department's parts of open tasks that are not `done`, with their tasks, by task: as
    snapshots detached from the session, so that changing one in memory writes nothing by itself
    (what is to be written is written by statements, e.g. marking parts notified)."""
    rows = list(await s.exec(
        select(TaskTarget, Task, Department)
        .join(Task, col(Task.id) == TaskTarget.task_id)
        .join(Department, col(Department.id) == TaskTarget.department_id)
        .where(_open_part(department_id, done))
        .order_by(col(TaskTarget.task_id))
    ))
    for instance in {id(o): o for row in rows for o in row}.values():
        s.expunge(instance)
    return rows  # type: ignore[return-value]


@dataclass(frozen=True)
class Ended:
    telegram_id: int
    full_name: str
    department: str
    reason: str  # moved | replaced


async def end_for(s: AsyncSession, *, person_id: int, department_id: int, kind: str, now: datetime) -> list[Ended]:
    """End, in one statement, the person's own active appointment (`moved`) and the department's
    active one of this kind (`replaced`), before the person is appointed there."""
    mine = LiaisonAppointment.person_id == person_id
    person = select(Person.telegram_id, Person.full_name).where(Person.id == LiaisonAppointment.person_id)
    department = select(Department.name).where(Department.id == LiaisonAppointment.department_id)
    rows = await s.exec(  # type: ignore[call-overload]
        update(LiaisonAppointment)
        .where(col(LiaisonAppointment.ended_at).is_(None),
               or_(mine, and_(LiaisonAppointment.department_id == department_id, LiaisonAppointment.kind == kind)))
        .values(ended_at=now, ended_reason=case((mine, "moved"), else_="replaced"))
        .returning(
            LiaisonAppointment.ended_reason,
            returned(person.with_only_columns(Person.telegram_id).scalar_subquery(), "telegram_id"),
            returned(person.with_only_columns(Person.full_name).scalar_subquery(), "full_name"),
            returned(department.scalar_subquery(), "department"),
        )
        .execution_options(synchronize_session=False)  # no appointment is loaded in this session
    )
    return [Ended(int(tid), name, dept, reason) for reason, tid, name, dept in rows]


async def start(
    s: AsyncSession, *, department_id: int, person_id: int, kind: str, invite_id: int | None, now: datetime
) -> LiaisonAppointment:
    appointment = LiaisonAppointment(
        department_id=department_id, person_id=person_id, kind=kind, invite_id=invite_id, started_at=now
    )
    s.add(appointment)
    await s.flush()
    return appointment


async def roster(s: AsyncSession, office_id: int = ROOT_OFFICE_ID
                 ) -> list[tuple[Department, LiaisonAppointment | None, Person | None]]:
    """Every member unit of the office (its departments and its child offices' units) with each of
    its active appointments (or None), in one query."""
    rows = await s.exec(
        select(Department, LiaisonAppointment, Person)
        .outerjoin(
            LiaisonAppointment,
            and_(col(LiaisonAppointment.department_id) == Department.id, col(LiaisonAppointment.ended_at).is_(None)),
        )
        .outerjoin(Person, col(Person.id) == LiaisonAppointment.person_id)
        .where(Department.office_id == office_id)
        .order_by(col(Department.id), col(LiaisonAppointment.kind).desc())
    )
    return list(rows)  # type: ignore[arg-type]


async def history(s: AsyncSession, department_id: int) -> list[tuple[LiaisonAppointment, Person]]:
    rows = await s.exec(
        select(LiaisonAppointment, Person)
        .join(Person, col(Person.id) == LiaisonAppointment.person_id)
        .where(LiaisonAppointment.department_id == department_id)
        .order_by(col(LiaisonAppointment.started_at), col(LiaisonAppointment.id))
    )
    return list(rows)  # type: ignore[arg-type]


async def active_chats(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> list[tuple[int, str | None]]:
    """(chat id, language) of every person holding an active appointment in one of the office's
    member units, once each."""
    rows = await s.exec(
        select(Person.chat_id, Person.language)
        .join(LiaisonAppointment, col(LiaisonAppointment.person_id) == Person.id)
        .join(Department, col(Department.id) == LiaisonAppointment.department_id)
        .where(col(LiaisonAppointment.ended_at).is_(None), col(Person.chat_id).is_not(None),
               Department.office_id == office_id)
        .distinct()
    )
    return [(int(chat), lang) for chat, lang in rows]
