"""Liaison appointments: the active ones and the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, LiaisonAppointment, Person


@dataclass(frozen=True)
class AppointmentRow:
    appointment: LiaisonAppointment
    department: Department
    person: Person


async def active_for_person(s: AsyncSession, person_id: int) -> AppointmentRow | None:
    row = (
        await s.exec(
            select(LiaisonAppointment, Department, Person)
            .join(Department, col(Department.id) == LiaisonAppointment.department_id)
            .join(Person, col(Person.id) == LiaisonAppointment.person_id)
            .where(LiaisonAppointment.person_id == person_id, col(LiaisonAppointment.ended_at).is_(None))
        )
    ).first()
    return AppointmentRow(*row) if row else None


async def active_in(s: AsyncSession, department_id: int, kind: str) -> LiaisonAppointment | None:
    return (
        await s.exec(
            select(LiaisonAppointment).where(
                LiaisonAppointment.department_id == department_id,
                LiaisonAppointment.kind == kind,
                col(LiaisonAppointment.ended_at).is_(None),
            )
        )
    ).first()


async def end(s: AsyncSession, appointment: LiaisonAppointment, now: datetime, reason: str) -> None:
    appointment.ended_at, appointment.ended_reason = now, reason
    s.add(appointment)
    await s.flush()


async def start(
    s: AsyncSession, *, department_id: int, person_id: int, kind: str, invite_id: int | None, now: datetime
) -> LiaisonAppointment:
    appointment = LiaisonAppointment(
        department_id=department_id, person_id=person_id, kind=kind, invite_id=invite_id, started_at=now
    )
    s.add(appointment)
    await s.flush()
    return appointment


async def roster(s: AsyncSession) -> list[tuple[Department, LiaisonAppointment | None, Person | None]]:
    """Every department with each of its active appointments (or None), in one query."""
    rows = await s.exec(
        select(Department, LiaisonAppointment, Person)
        .outerjoin(
            LiaisonAppointment,
            and_(col(LiaisonAppointment.department_id) == Department.id, col(LiaisonAppointment.ended_at).is_(None)),
        )
        .outerjoin(Person, col(Person.id) == LiaisonAppointment.person_id)
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


async def active_chats(s: AsyncSession) -> list[tuple[int, str | None]]:
    """(chat id, language) of every person holding an active appointment, once each."""
    rows = await s.exec(
        select(Person.chat_id, Person.language)
        .join(LiaisonAppointment, col(LiaisonAppointment.person_id) == Person.id)
        .where(col(LiaisonAppointment.ended_at).is_(None), col(Person.chat_id).is_not(None))
        .distinct()
    )
    return [(int(chat), lang) for chat, lang in rows]
