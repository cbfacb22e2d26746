"""The outbox's use cases: queue messages, hand them to a sender, record what happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.rules.delivery import LEASE, Outcome, Outgoing, Status, Verdict
from storage.db import Database
from storage.models import OutboxMessage
from storage.repos import outbox as outbox_repo
from storage.repos import people as people_repo


def _row(item: Outgoing, now: datetime) -> dict:
    return {
        "dedup_key": item.dedup_key[:200], "chat_id": item.chat_id, "kind": item.kind, "payload": item.payload(),
        "attachment": item.document if item.document is not None else item.photo, "batch": item.batch,
        "ref_kind": item.ref_kind, "ref_id": item.ref_id,
        "status": Status.PENDING.value, "attempts": 0, "created_at": now,
    }


async def enqueue_in(s: AsyncSession, items: Sequence[Outgoing], now: datetime) -> int:
    """Queue messages inside the caller's transaction; a dedup key already queued is skipped."""
    return await outbox_repo.add_many(s, [_row(i, now) for i in items])


async def enqueue(db: Database, items: Sequence[Outgoing], *, now: datetime) -> int:
    async with db.transaction() as s:
        return await enqueue_in(s, items, now)


async def due(db: Database, now: datetime, limit: int = 200) -> list[tuple[int, int]]:
    async with db.session() as s:
        return [(r.id, r.chat_id) for r in await outbox_repo.due(s, now, limit)]


async def claim(db: Database, row_id: int, worker: str, now: datetime) -> OutboxMessage | None:
    async with db.transaction() as s:
        return await outbox_repo.claim(s, row_id, worker, now)


async def settle(db: Database, row: OutboxMessage, worker: str, outcome: Outcome, *, now: datetime) -> bool:
    """Record a send's outcome. A retry goes back to pending with its next attempt time."""
    error = (outcome.error or "")[:500] or None
    values: dict[str, object]
    if outcome.verdict == Verdict.SENT:
        values = {"status": Status.SENT, "sent_at": now, "message_id": outcome.message_id, "last_error": None}
    elif outcome.verdict == Verdict.RETRY:
        values = {"status": Status.PENDING, "next_attempt_at": now + timedelta(seconds=outcome.retry_in),
                  "last_error": error}
    else:
        values = {"status": Status(outcome.verdict.value), "last_error": error}
    async with db.transaction() as s:
        settled = await outbox_repo.settle(s, row.id, worker, row.attempts, **values)  # type: ignore[arg-type]
        if settled and outcome.verdict == Verdict.BLOCKED:
            await people_repo.flag_unreachable(s, row.chat_id, now)
    return settled


async def reclaim_stale(db: Database, *, now: datetime, lease: timedelta = LEASE) -> int:
    """Rows a process left "sending" longer than the lease ago (it died, or lost them) go back to
    the queue to be sent again by whichever sender runs: at least once, never lost. Telegram has no
    idempotency key, so such a row may arrive twice; `resent` counts it (a broadcast's report says
    how many)."""
    async with db.transaction() as s:
        return await outbox_repo.reclaim(s, now - lease, "process stopped while sending; sent again")


async def message_of(db: Database, row_id: int | None) -> tuple[str | None, int | None]:
    """(status, Telegram message id) of a queued row, e.g. the message an edit row changes."""
    if row_id is None:
        return None, None
    async with db.session() as s:
        return await outbox_repo.message_of(s, int(row_id))


async def backlog(db: Database) -> int:
    async with db.session() as s:
        return await outbox_repo.backlog(s)
