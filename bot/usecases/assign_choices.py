"""What the step-by-step /assign dialogue offers: the office's working groups, then its member units
(its departments and its child offices' units)."""

from __future__ import annotations

from bot.views.assign import Choice
from storage.db import Database
from storage.models import ROOT_OFFICE_ID
from storage.repos import org as org_repo


async def choices(db: Database, office_id: int = ROOT_OFFICE_ID) -> list[Choice]:
    """The office's working groups (with the departments they bring) first, then its departments and
    units, each in id order: nothing of another office."""
    async with db.session() as s:
        depts = await org_repo.departments(s, office_id)
        groups = await org_repo.groups(s, office_id)
        members = await org_repo.memberships(s, office_id)
    return [
        *(Choice("group", g.name, frozenset(members.get(g.id, {}))) for g in groups),  # type: ignore[arg-type]
        *(Choice("department", d.name, frozenset({d.id})) for d in depts),  # type: ignore[arg-type]
    ]
