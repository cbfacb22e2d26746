"""Which office a person acts in (/office), and offices named in commands (/grant … OFFICE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound
from bot.rules.names import find_name
from bot.rules.offices import OfficeTree, tree_of
from bot.rules.people import Caller
from storage.db import Database
from storage.models import ROOT_OFFICE_ID, Office
from storage.repos import audit as audit_repo
from storage.repos import org as org_repo
from storage.repos import people as people_repo


def label(office: Office) -> str:
    """How people name an office: its short name, else its name, else its code."""
    return office.short_name or office.name or office.code or "—"


@dataclass(frozen=True)
class OfficeLine:
    id: int
    code: str | None
    name: str
    depth: int
    current: bool


def tree_from(offices: list[Office]) -> OfficeTree:
    return tree_of({o.id: o.parent_id for o in offices})  # type: ignore[misc]


def _lines(offices: list[Office], ids: tuple[int, ...], current: int) -> list[OfficeLine]:
    tree, by_id = tree_from(offices), {o.id: o for o in offices}
    shown = [i for i in ids if i in by_id]
    top = min((tree.depth(i) for i in shown), default=0)  # indented below the highest office listed
    return [OfficeLine(i, by_id[i].code, label(by_id[i]), tree.depth(i) - top, i == current) for i in shown]


async def choices(db: Database, caller: Caller) -> list[OfficeLine]:
    """The offices the caller may act in, the one they act in marked."""
    async with db.session() as s:
        return _lines(await org_repo.offices(s), caller.offices, caller.office_id)


def _find(query: str, offices: list[Office]) -> Office | None:
    """An office by its code, short name or name (a unique fragment too)."""
    names = {label(o): o for o in offices}
    aliases = {spelling: label(o) for o in offices for spelling in (o.code, o.name) if spelling}
    found = find_name(query, names, aliases).found
    return names[found] if found else None


async def find_within(s: AsyncSession, query: str, allowed: frozenset[int] | tuple[int, ...]) -> Office:
    """The office `query` names among `allowed`; another office is "unknown", like a typo."""
    offices = [o for o in await org_repo.offices(s) if o.id in set(allowed)]
    office = _find(query, offices)
    if office is None:
        raise NotFound("office.unknown", name=query)
    return office


async def below(s: AsyncSession, office_id: int) -> frozenset[int]:
    """The office and every office under it."""
    return tree_from(await org_repo.offices(s)).below(office_id)


async def choose(db: Database, caller: Caller, query: str, *, now: datetime) -> OfficeLine:
    """Act in the office `query` names (one the caller may act in) from now on."""
    async with db.transaction() as s:
        office = await find_within(s, query, caller.offices)
        await people_repo.choose_office(s, caller.telegram_id, office.id)  # type: ignore[arg-type]
        await audit_repo.add(s, at=now, actor_id=caller.telegram_id, action="office.choose", target=office.code or str(office.id),
                             office_id=office.id)
        tree = tree_from(await org_repo.offices(s))
    return OfficeLine(office.id, office.code, label(office), tree.depth(office.id), True)  # type: ignore[arg-type]


async def name_of(db: Database, office_id: int) -> str:
    async with db.session() as s:
        office = await org_repo.office(s, office_id)
    return label(office) if office else "—"


async def codes(db: Database) -> dict[str, int]:
    """code → office id, for operators naming an office (`--office CODE`)."""
    async with db.session() as s:
        return {o.code: o.id for o in await org_repo.offices(s) if o.code}  # type: ignore[misc]


async def office_staff(s: AsyncSession, office_id: int, admin_ids: frozenset[int],
                       roles: tuple[str, ...] = ("director", "admin")) -> list[tuple[int, str | None]]:
    """(chat, language) of whoever hears about the office's business: its holders of the first of
    `roles` anyone holds, else, for an office without any (a district declared by its city but not
    staffed yet), the nearest office above that has some. The configured admins count for the root."""
    chain = tree_of({o.id: o.parent_id for o in await org_repo.offices(s)}).up(office_id) \
        if office_id != ROOT_OFFICE_ID else [office_id]  # type: ignore[misc]
    for office in chain:
        for role in roles:
            extra = admin_ids if role == "admin" else frozenset()
            chats = await people_repo.chats_with_role(s, role, extra, office_id=office)
            if chats:
                return chats
    return []


async def named(s: AsyncSession, office_id: int) -> str | None:
    """The office's name for a message about it, when it is not the root office (a single-office
    deployment's messages stay as they were)."""
    if office_id == ROOT_OFFICE_ID:
        return None
    office = await org_repo.office(s, office_id)
    return label(office) if office else None
