"""What the step-by-step /assign dialogue offers: every working group, then every department."""

from __future__ import annotations

from bot.views.assign import Choice
from storage.db import Database
from storage.repos import org as org_repo


async def choices(db: Database) -> list[Choice]:
    """Working groups (with the departments they bring) first, then departments, each in id order."""
    async with db.session() as s:
        depts = await org_repo.departments(s)
        groups = await org_repo.groups(s)
        members = await org_repo.memberships(s)
    return [
        *(Choice("group", g.name, frozenset(members.get(g.id, {}))) for g in groups),  # type: ignore[arg-type]
        *(Choice("department", d.name, frozenset({d.id})) for d in depts),  # type: ignore[arg-type]
    ]
