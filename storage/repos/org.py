"""Offices, and each office's departments, working groups and facts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Department, DepartmentAlias, GroupMember, Office, OrgMeta, WorkingGroup


async def offices(s: AsyncSession) -> list[Office]:
    return list(await s.exec(select(Office).order_by(Office.id)))


async def office(s: AsyncSession, office_id: int) -> Office | None:
    return await s.get(Office, office_id)


async def office_by_code(s: AsyncSession, code: str) -> Office | None:
    return (await s.exec(select(Office).where(Office.code == code))).first()


async def add_office(s: AsyncSession, *, code: str | None, name: str, short_name: str | None, parent_id: int | None,
                     now: datetime) -> Office:
    row = Office(code=code, name=name, short_name=short_name, parent_id=parent_id, created_at=now)
    s.add(row)
    await s.flush()
    return row


async def save(s: AsyncSession, row: Office | Department) -> None:
    """Write a changed office or department (its name, short name, code)."""
    s.add(row)
    await s.flush()


async def departments(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> list[Department]:
    """The office's member units: its departments and its child offices' units."""
    return list(await s.exec(select(Department).where(Department.office_id == office_id).order_by(Department.id)))


async def department(s: AsyncSession, department_id: int, office_id: int) -> Department | None:
    """The department with that id, when it is the office's (None for another office's)."""
    row = await s.get(Department, department_id)
    return row if row is not None and row.office_id == office_id else None


async def department_by_name(s: AsyncSession, name: str, office_id: int = ROOT_OFFICE_ID) -> Department | None:
    return (await s.exec(select(Department).where(Department.name == name, Department.office_id == office_id))).first()


async def unit_of(s: AsyncSession, office_id: int) -> Department | None:
    """The member unit that stands for this office in its parent office."""
    return (await s.exec(select(Department).where(col(Department.unit_of) == office_id))).first()


async def add_department(s: AsyncSession, name: str, now: datetime, office_id: int = ROOT_OFFICE_ID,
                         unit_of: int | None = None) -> Department:
    dept = Department(name=name, created_at=now, office_id=office_id, unit_of=unit_of)
    s.add(dept)
    await s.flush()
    return dept


async def aliases(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> dict[str, int]:
    """alias → department id."""
    rows = await s.exec(select(DepartmentAlias).where(DepartmentAlias.office_id == office_id).order_by(DepartmentAlias.id))
    return {a.alias: a.department_id for a in rows}


async def set_aliases(s: AsyncSession, wanted: dict[int, tuple[str, ...]], office_id: int = ROOT_OFFICE_ID) -> None:
    """Replace the aliases of each department in `wanted` (department id → its aliases). All the
    old ones go first, so an alias may move from one department to another in the same call."""
    if not wanted:
        return
    await s.exec(delete(DepartmentAlias).where(DepartmentAlias.department_id.in_(list(wanted))))  # type: ignore[call-overload, attr-defined]
    await s.flush()
    s.add_all(DepartmentAlias(department_id=d, alias=a, office_id=office_id) for d, names in wanted.items() for a in names)
    await s.flush()


async def groups(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> list[WorkingGroup]:
    return list(await s.exec(select(WorkingGroup).where(WorkingGroup.office_id == office_id).order_by(WorkingGroup.id)))


async def add_group(s: AsyncSession, name: str, now: datetime, office_id: int = ROOT_OFFICE_ID) -> WorkingGroup:
    group = WorkingGroup(name=name, created_at=now, office_id=office_id)
    s.add(group)
    await s.flush()
    return group


async def memberships(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> dict[int, dict[int, bool]]:
    """group id → {department id → is_lead}, for the office's groups."""
    out: dict[int, dict[int, bool]] = defaultdict(dict)
    rows = await s.exec(select(GroupMember).join(WorkingGroup, col(WorkingGroup.id) == GroupMember.group_id)
                        .where(WorkingGroup.office_id == office_id))
    for m in rows:
        out[m.group_id][m.department_id] = m.is_lead
    return out


async def set_members(s: AsyncSession, group_id: int, members: dict[int, bool]) -> None:
    await s.exec(delete(GroupMember).where(GroupMember.group_id == group_id))  # type: ignore[call-overload]
    s.add_all(GroupMember(group_id=group_id, department_id=d, is_lead=lead) for d, lead in members.items())
    await s.flush()


async def meta(s: AsyncSession, office_id: int = ROOT_OFFICE_ID) -> dict[str, str]:
    return {m.key: m.value for m in await s.exec(select(OrgMeta).where(OrgMeta.office_id == office_id))}


async def set_meta(s: AsyncSession, key: str, value: str, office_id: int = ROOT_OFFICE_ID) -> None:
    row = await s.get(OrgMeta, (office_id, key))
    if row is None:
        s.add(OrgMeta(office_id=office_id, key=key, value=value))
    else:
        row.value = value
        s.add(row)
    await s.flush()
