"""Recording and reading the audit log, office by office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.rules.offices import ROOT, OfficeTree
from storage.db import Database
from storage.models import AuditEntry
from storage.repos import audit as audit_repo
from storage.repos import org as org_repo


async def record(
    db: Database, *, now: datetime, actor_id: int | None, action: str, target: str | None = None,
    outcome: str = "ok", detail: str | None = None, office_id: int = ROOT,
) -> None:
    """Record one entry in its own transaction (used for refusals, which roll back everything else).
    `office_id`: the office the actor acted in (the caller's `office_id`)."""
    async with db.transaction() as s:
        await audit_repo.add(s, at=now, actor_id=actor_id, action=action, target=target, outcome=outcome,
                             detail=detail, office_id=office_id)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    offices: dict[int, str]  # office id → its short name, for the entries of the offices below


async def page(db: Database, limit: int, office_id: int = ROOT) -> AuditPage:
    """The newest entries of the office and the offices below it (an office never sees its
    parent's or a sibling's), with the names of the offices below (two statements)."""
    async with db.session() as s:
        offices = await org_repo.offices(s)
        below = OfficeTree({o.id: o.parent_id for o in offices if o.id is not None}).below(office_id)
        entries = await audit_repo.recent(s, limit, below)
    return AuditPage(entries, {o.id: o.short_name or o.name or str(o.id) for o in offices  # type: ignore[misc]
                               if o.id in below and o.id != office_id})


async def recent(db: Database, limit: int, office_id: int = ROOT) -> list[AuditEntry]:
    """The newest entries of the office and the offices below it."""
    return (await page(db, limit, office_id)).entries
