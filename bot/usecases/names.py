"""Typed department and working-group names → rows, the same way wherever a name is typed
(/assign, /invite, /status, /liaisons): full name, alias, unambiguous fragment, else candidates or
"did you mean" suggestions (bot/rules/names.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound
from bot.rules.names import Match, find_name
from storage.models import ROOT_OFFICE_ID, Department, WorkingGroup
from storage.repos import org as org_repo

CANDIDATES_SHOWN = 8


@dataclass(frozen=True)
class Directory:
    """Every name the office knows: departments, working groups, aliases (alias → department name)."""

    departments: dict[str, Department]
    groups: dict[str, WorkingGroup]
    aliases: dict[str, str]


async def directory(s: AsyncSession, office_id: int = ROOT_OFFICE_ID, *, groups: bool = True) -> Directory:
    """The names of one office: nothing of another office is found or suggested."""
    depts = await org_repo.departments(s, office_id)
    by_id = {d.id: d.name for d in depts}
    aliases = {alias: by_id[dept_id] for alias, dept_id in (await org_repo.aliases(s, office_id)).items()
               if dept_id in by_id}
    return Directory({d.name: d for d in depts},
                     {g.name: g for g in await org_repo.groups(s, office_id)} if groups else {}, aliases)


def joined(names: tuple[str, ...] | list[str]) -> str:
    return "、".join(names)


def not_found(query: str, match: Match) -> NotFound:
    """The refusal for a name that was not found: the candidates of an ambiguous fragment, or the
    suggestions, or plain "not found"."""
    if match.candidates:
        return NotFound("dept.ambiguous", name=query, candidates=joined(match.candidates[:CANDIDATES_SHOWN]))
    if match.suggestions:
        return NotFound("name.suggest", name=query, suggestions=joined(match.suggestions))
    return NotFound("dept.unknown", name=query)


async def resolve_department(s: AsyncSession, query: str, office_id: int = ROOT_OFFICE_ID) -> Department:
    """The office's department `query` names; raises NotFound with candidates or suggestions."""
    known = await directory(s, office_id, groups=False)
    match = find_name(query, known.departments, known.aliases)
    if match.found is None:
        raise not_found(query, match)
    return known.departments[match.found]
