"""Messages kept as they arrived, once per (chat, message id), and where they were filed afterwards.
Each belongs to the office its sender wrote to (their department's, else the office they act in):
that office's /inbox lists it, and only that office may file it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Department, InboundMessage, LiaisonAppointment, Person, Task, TaskTarget


async def find(s: AsyncSession, chat_id: int, message_id: int) -> InboundMessage | None:
    return (
        await s.exec(select(InboundMessage).where(InboundMessage.chat_id == chat_id, InboundMessage.message_id == message_id))
    ).first()


async def add_once(s: AsyncSession, message: InboundMessage) -> int | None:
    """Store the message unless this (chat, message id) is already stored (a redelivery, or a
    concurrent delivery that won): one INSERT … ON CONFLICT DO NOTHING. The new row's id, or None."""
    insert = (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(InboundMessage)
    values = {c.name: getattr(message, c.name) for c in InboundMessage.__table__.columns if c.name != "id"}  # type: ignore[attr-defined]
    result = await s.exec(insert.values(values)  # type: ignore[call-overload]
                          .on_conflict_do_nothing(index_elements=["chat_id", "message_id"]).returning(InboundMessage.id))
    row = result.first()
    return row[0] if row is not None else None


async def get(s: AsyncSession, inbound_id: int, office_id: int | None = None) -> InboundMessage | None:
    """The kept message; with `office_id`, only when it is that office's (None for another's)."""
    row = await s.get(InboundMessage, inbound_id)
    return row if row is not None and (office_id is None or row.office_id == office_id) else None


async def mark_filed(s: AsyncSession, inbound_id: int, *, as_: str, ref: int | None, by: int, at: datetime,
                     refile_kept: bool = False) -> bool:
    """Mark the message filed, unless it already is (a conditional UPDATE, so of two presses at once
    exactly one wins). `refile_kept`: a message kept on purpose may still be filed (the office's /inbox).
    True when this call marked it."""
    unfiled = col(InboundMessage.filed_as).is_(None)
    if refile_kept:
        unfiled = or_(unfiled, col(InboundMessage.filed_as) == "kept")
    result = await s.exec(  # type: ignore[call-overload]
        update(InboundMessage).where(col(InboundMessage.id) == inbound_id, unfiled)
        .values(filed_at=at, filed_by=by, filed_as=as_, filed_ref=ref)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def _only_kept():  # type: ignore[no-untyped-def]
    """Messages not filed under a task or a report: never filed, or kept on purpose."""
    return or_(col(InboundMessage.filed_as).is_(None), col(InboundMessage.filed_as) == "kept")


async def kept(s: AsyncSession, *, offset: int, limit: int, office_id: int = ROOT_OFFICE_ID) -> list[InboundMessage]:
    """What was only kept in the office, newest first."""
    return list(await s.exec(select(InboundMessage).where(_only_kept(), InboundMessage.office_id == office_id)
                             .order_by(col(InboundMessage.received_at).desc(), col(InboundMessage.id).desc())
                             .offset(offset).limit(limit)))


async def count_kept(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> int:
    return int((await s.exec(select(func.count()).select_from(InboundMessage)
                             .where(_only_kept(), InboundMessage.office_id == office_id))).one())


@dataclass(frozen=True)
class Sender:
    name: str
    username: str | None
    department_id: int | None
    department: str | None
    office_id: int | None = None  # their department's office


async def senders(s: AsyncSession, telegram_ids: Sequence[int]) -> dict[int, Sender]:
    """Telegram id → who they are now: name and, while they are a liaison, their department (and
    its office: the caller shows it only to that office)."""
    if not telegram_ids:
        return {}
    rows = await s.exec(
        select(Person.telegram_id, Person.full_name, Person.username, Department.id, Department.name,
               Department.office_id)
        .outerjoin(LiaisonAppointment, and_(col(LiaisonAppointment.person_id) == Person.id,
                                            col(LiaisonAppointment.ended_at).is_(None)))
        .outerjoin(Department, col(Department.id) == LiaisonAppointment.department_id)
        .where(col(Person.telegram_id).in_(list(telegram_ids)))
    )
    return {tid: Sender(name, username, dept_id, dept, office) for tid, name, username, dept_id, dept, office in rows}


async def open_targets(s: AsyncSession, department_ids: Sequence[int]) -> list[tuple[Task, TaskTarget]]:
    """The departments' parts in tasks still open (task not closed, part not done), newest task first."""
    if not department_ids:
        return []
    rows = await s.exec(
        select(Task, TaskTarget).join(TaskTarget, col(TaskTarget.task_id) == Task.id)
        .where(col(TaskTarget.department_id).in_(list(department_ids)), col(Task.closed_at).is_(None),
               col(TaskTarget.status) != "done")
        .order_by(col(Task.id).desc())
    )
    return list(rows)  # type: ignore[arg-type]


async def is_part_of(s: AsyncSession, target_id: int, department_id: int) -> bool:
    """Whether task part `target_id` is the department's (a forged or stale button's is not)."""
    return (await s.exec(select(TaskTarget.id).where(col(TaskTarget.id) == target_id,
                                                     TaskTarget.department_id == department_id))).first() is not None
