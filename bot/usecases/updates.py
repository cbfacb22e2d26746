"""Inbound idempotency: an update delivered twice (webhook retry, restart) is handled once.

The access gate records an update's id with `people.admit`, in the statement that also identifies
its sender; `first_time` is the same record on its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.usecases import inbound
from storage.db import Database
from storage.repos import updates as updates_repo

# Telegram keeps undelivered updates for 24 hours; a week of ids is ample.
KEEP = timedelta(days=7)


async def first_time(db: Database, update_id: int, *, now: datetime) -> bool:
    async with db.transaction() as s:
        return await updates_repo.first_time(s, update_id, now)


async def prune(db: Database, *, now: datetime) -> int:
    """Forget old update ids, and webhook updates finished long ago (bot/usecases/inbound.py)."""
    async with db.transaction() as s:
        pruned = await updates_repo.prune(s, now - KEEP)
    return pruned + await inbound.prune(db, now=now)
