"""No accepted update lost (webhook mode, several processes): an update is stored before Telegram
is answered 200, leased to the process that accepted it, marked finished once handled. A live
process renews its leases; when a process dies, another takes its unfinished updates over after
the lease and handles them (at least once: one in flight at the moment of the kill may have been
half-handled, its reply already sent). Times here are the wall clock's, never a test's clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.db import Database
from storage.repos import inbound as inbound_repo

LEASE = timedelta(seconds=30)  # a dead process's updates are taken over within LEASE + one sweep
KEEP = timedelta(days=1)  # finished rows kept this long (Telegram retries for at most a day)
BATCH = 100


async def accept(db: Database, update_id: int, payload: str, *, now: datetime, owner: str) -> bool:
    """Store the update, leased to `owner`; False when it was stored before (nothing to do)."""
    async with db.statements() as c:
        return await inbound_repo.accept(c, update_id, payload, now=now, lease_until=now + LEASE, owner=owner)


async def finish(db: Database, update_ids: Sequence[int], *, now: datetime) -> None:
    if update_ids:
        async with db.statements() as c:
            await inbound_repo.finish(c, update_ids, now)


async def renew(db: Database, owner: str, *, now: datetime) -> int:
    async with db.transaction() as s:
        return await inbound_repo.renew(s, owner, now + LEASE)


async def take_over(db: Database, owner: str, *, now: datetime, limit: int = BATCH) -> list[tuple[int, str]]:
    """(update id, JSON) of updates a dead process left unfinished, now leased to `owner`."""
    async with db.transaction() as s:
        return await inbound_repo.take_over(s, now=now, lease_until=now + LEASE, owner=owner, limit=limit)


async def prune(db: Database, *, now: datetime) -> int:
    async with db.transaction() as s:
        return await inbound_repo.prune(s, now - KEEP)
