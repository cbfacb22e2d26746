"""The office's view of its liaisons: the roster and a department's history (the acting office's
member units only; another office's department is not found, nor suggested)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.rules.offices import ROOT
from bot.rules.people import display_name
from bot.usecases.names import resolve_department
from storage.db import Database
from storage.repos import liaisons as liaison_repo


@dataclass(frozen=True)
class Post:
    kind: str
    name: str
    since: datetime
    unreachable: bool


@dataclass(frozen=True)
class RosterRow:
    department: str
    posts: tuple[Post, ...]


async def roster(db: Database, office_id: int = ROOT) -> list[RosterRow]:
    async with db.session() as s:
        rows = await liaison_repo.roster(s, office_id)
    by_dept: dict[str, list[Post]] = {}
    for dept, appointment, person in rows:
        posts = by_dept.setdefault(dept.name, [])
        if appointment is not None and person is not None:
            posts.append(
                Post(appointment.kind, display_name(person.full_name, person.username), appointment.started_at,
                     person.blocked_at is not None)
            )
    return [RosterRow(name, tuple(sorted(p, key=lambda x: x.kind != "primary"))) for name, p in by_dept.items()]


@dataclass(frozen=True)
class Term:
    kind: str
    name: str
    started_at: datetime
    ended_at: datetime | None
    ended_reason: str | None


async def history(db: Database, department: str, office_id: int = ROOT) -> tuple[str, list[Term]]:
    async with db.session() as s:
        dept = await resolve_department(s, department, office_id)
        rows = await liaison_repo.history(s, dept.id)  # type: ignore[arg-type]
    return dept.name, [
        Term(a.kind, display_name(p.full_name, p.username), a.started_at, a.ended_at, a.ended_reason) for a, p in rows
    ]
