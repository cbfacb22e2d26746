"""Webhook updates stored before Telegram is answered (`inbound_updates`): accepted once, leased to
the process handling them, taken over by another process when that lease runs out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboundUpdate, ProcessedUpdate


async def accept(c: AsyncConnection, update_id: int, payload: str, *, now: datetime, lease_until: datetime,
                 owner: str) -> bool:
    """Store the update; False when it was stored before (a redelivery: its holder handles it)."""
    params = {"update_id": update_id, "payload": payload, "now": now, "lease_until": lease_until, "owner": owner}
    return (await c.execute(_accept(c.dialect.name), params)).first() is not None


async def finish(c: AsyncConnection, update_ids: Sequence[int], now: datetime) -> None:
    await c.execute(_FINISH, {"ids": list(update_ids), "now": now})


# built once (every update runs both): building a statement costs about as much CPU as running it
@cache
def _accept(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(InboundUpdate).values(update_id=bindparam("update_id"), payload=bindparam("payload"),
                                         received_at=bindparam("now"), lease_until=bindparam("lease_until"),
                                         owner=bindparam("owner"), attempts=1)
            .on_conflict_do_nothing(index_elements=["update_id"]).returning(InboundUpdate.update_id))


_FINISH = (update(InboundUpdate).where(col(InboundUpdate.update_id).in_(bindparam("ids", expanding=True)))
           .values(done_at=bindparam("now")))


async def renew(s: AsyncSession, owner: str, lease_until: datetime) -> int:
    """Extend the leases of everything `owner` holds and has not finished (it is alive)."""
    result = await s.exec(update(InboundUpdate)  # type: ignore[call-overload]
                          .where(col(InboundUpdate.owner) == owner, col(InboundUpdate.done_at).is_(None))
                          .values(lease_until=lease_until))
    return result.rowcount  # type: ignore[no-any-return]


async def take_over(s: AsyncSession, *, now: datetime, lease_until: datetime, owner: str,
                    limit: int) -> list[tuple[int, str]]:
    """Claim unfinished updates whose lease ran out (their process died), oldest first: of two
    processes exactly one gets each (SKIP LOCKED on PostgreSQL; SQLite writes one at a time). Their
    ids are forgotten as "already seen", so the access gate lets them through again."""
    expired = (select(InboundUpdate.update_id)
               .where(col(InboundUpdate.done_at).is_(None), col(InboundUpdate.lease_until) < now)
               .order_by(col(InboundUpdate.update_id)).limit(limit))
    if s.get_bind().dialect.name == "postgresql":
        expired = expired.with_for_update(skip_locked=True)
    rows = list(await s.exec(
        update(InboundUpdate).where(col(InboundUpdate.update_id).in_(expired.scalar_subquery()))  # type: ignore[call-overload]
        .values(owner=owner, lease_until=lease_until, attempts=InboundUpdate.attempts + 1)
        .returning(InboundUpdate.update_id, InboundUpdate.payload)))
    taken = sorted((int(r[0]), str(r[1])) for r in rows)
    if taken:
        await s.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.update_id).in_([i for i, _ in taken])))  # type: ignore[call-overload]
    return taken


async def prune(s: AsyncSession, before: datetime) -> int:
    result = await s.exec(delete(InboundUpdate).where(col(InboundUpdate.done_at) < before))  # type: ignore[call-overload]
    return result.rowcount  # type: ignore[no-any-return]
