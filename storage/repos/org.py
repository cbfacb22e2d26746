"""Departments, working groups, org-wide facts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Department, DepartmentAlias, GroupMember, OrgMeta, WorkingGroup


async def departments(s: AsyncSession) -> list[Department]:
    return list(await s.exec(select(Department).order_by(Department.id)))


async def department_by_name(s: AsyncSession, name: str) -> Department | None:
    return (await s.exec(select(Department).where(Department.name == name))).first()


async def add_department(s: AsyncSession, name: str, now: datetime) -> Department:
    dept = Department(name=name, created_at=now)
    s.add(dept)
    await s.flush()
    return dept


async def aliases(s: AsyncSession) -> dict[str, int]:
    """alias → department id."""
    return {a.alias: a.department_id for a in await s.exec(select(DepartmentAlias).order_by(DepartmentAlias.id))}


async def set_aliases(s: AsyncSession, wanted: dict[int, tuple[str, ...]]) -> None:
    """Replace the aliases of each department in `wanted` (department id → its aliases). All the
    old ones go first, so an alias may move from one department to another in the same call."""
    if not wanted:
        return
    await s.exec(delete(DepartmentAlias).where(DepartmentAlias.department_id.in_(list(wanted))))  # type: ignore[call-overload, attr-defined]
    await s.flush()
    s.add_all(DepartmentAlias(department_id=d, alias=a) for d, names in wanted.items() for a in names)
    await s.flush()


async def groups(s: AsyncSession) -> list[WorkingGroup]:
    return list(await s.exec(select(WorkingGroup).order_by(WorkingGroup.id)))


async def add_group(s: AsyncSession, name: str, now: datetime) -> WorkingGroup:
    group = WorkingGroup(name=name, created_at=now)
    s.add(group)
    await s.flush()
    return group


async def memberships(s: AsyncSession) -> dict[int, dict[int, bool]]:
    """group id → {department id → is_lead}."""
    out: dict[int, dict[int, bool]] = defaultdict(dict)
    for m in await s.exec(select(GroupMember)):
        out[m.group_id][m.department_id] = m.is_lead
    return out


async def set_members(s: AsyncSession, group_id: int, members: dict[int, bool]) -> None:
    await s.exec(delete(GroupMember).where(GroupMember.group_id == group_id))  # type: ignore[call-overload]
    s.add_all(GroupMember(group_id=group_id, department_id=d, is_lead=lead) for d, lead in members.items())
    await s.flush()


async def meta(s: AsyncSession) -> dict[str, str]:
    return {m.key: m.value for m in await s.exec(select(OrgMeta))}


async def set_meta(s: AsyncSession, key: str, value: str) -> None:
    row = await s.get(OrgMeta, key)
    if row is None:
        s.add(OrgMeta(key=key, value=value))
    else:
        row.value = value
        s.add(row)
    await s.flush()
