"""The outbox: idempotent enqueue, atomic claims, settling outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Row, and_, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import OutboxMessage
from storage.repos.chunking import chunks

PENDING, SENDING = "pending", "sending"


def _insert(s: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = s.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OutboxMessage)


async def add_many(s: AsyncSession, rows: Sequence[dict]) -> int:
    """Insert rows; any whose dedup_key is already queued is skipped. Returns how many were new."""
    added = 0
    for part in chunks(rows):
        statement = _insert(s).values(list(part)).on_conflict_do_nothing(index_elements=["dedup_key"])
        result = await s.exec(statement.returning(OutboxMessage.id))  # type: ignore[call-overload]
        added += len(result.all())
    return added


async def due(s: AsyncSession, now: datetime, limit: int) -> list[Row]:
    """(id, chat_id) of pending rows whose time has come, oldest first."""
    rows = await s.exec(
        select(OutboxMessage.id, OutboxMessage.chat_id)
        .where(OutboxMessage.status == PENDING,
               or_(col(OutboxMessage.next_attempt_at).is_(None), col(OutboxMessage.next_attempt_at) <= now))
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    return list(rows)


async def claim(s: AsyncSession, row_id: int, worker: str, now: datetime) -> OutboxMessage | None:
    """Take one pending row for sending. Atomic: of two claimers exactly one gets it."""
    result = await s.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.status) == PENDING)
        .values(status=SENDING, claimed_at=now, claimed_by=worker, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage)
    )
    row = result.first()
    return row[0] if row is not None else None  # type: ignore[index]


async def settle(s: AsyncSession, row_id: int, worker: str, attempt: int, **values: object) -> bool:
    """Record the outcome of a claimed row, only if this claim still holds it: the row is still
    "sending", by this worker, and not claimed again since (`attempt`, the row's `attempts` as this
    claim left it). A sender whose row was taken back after its lease changes nothing."""
    result = await s.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.status) == SENDING,
               col(OutboxMessage.claimed_by) == worker, col(OutboxMessage.attempts) == attempt)
        .values(**values)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def reclaim(s: AsyncSession, before: datetime, note: str) -> int:
    """Rows still "sending" from a claim made before `before` (their process died with them in
    flight) go back to "pending", due now, with `resent` one up. Their old claim can no longer
    settle them (settle wants "sending" by that claim). Returns how many."""
    result = await s.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.status) == SENDING, col(OutboxMessage.claimed_at) < before)
        .values(status=PENDING, next_attempt_at=None, resent=OutboxMessage.resent + 1, last_error=note)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined]


async def backlog(s: AsyncSession) -> int:
    count = await s.exec(select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.status).in_((PENDING, SENDING))))
    return int(count.one())


async def batch_counts(s: AsyncSession, batch: str) -> dict[str, int]:
    rows = await s.exec(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.batch == batch).group_by(OutboxMessage.status)
    )
    return {status: int(n) for status, n in rows}


async def batch_resent(s: AsyncSession, batch: str, status: str) -> int:
    """Rows of the batch in `status` that were sent again after a crash (they may have arrived twice)."""
    count = await s.exec(select(func.count()).select_from(OutboxMessage).where(
        col(OutboxMessage.batch) == batch, col(OutboxMessage.status) == status, col(OutboxMessage.resent) > 0))
    return int(count.one())


async def statuses(s: AsyncSession, keys: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in chunks(list(keys)):
        rows = await s.exec(select(OutboxMessage.dedup_key, OutboxMessage.status).where(
            and_(col(OutboxMessage.dedup_key).in_(list(part)))))
        found.update(rows.all())
    return found


async def rows_by_keys(s: AsyncSession, keys: Sequence[str]) -> list[OutboxMessage]:
    """The queued rows with these dedup keys, oldest first."""
    found: list[OutboxMessage] = []
    for part in chunks(keys):
        found += await s.exec(select(OutboxMessage).where(col(OutboxMessage.dedup_key).in_(list(part))))
    return sorted(found, key=lambda row: row.id or 0)


async def set_payload(s: AsyncSession, row_id: int, payload: str, *, expected: str, only_pending: bool) -> bool:
    """Replace a row's payload if it is still `expected` (compare-and-set: of two concurrent
    changes one wins, the other reads again); with `only_pending`, only while no sender has it."""
    statement = update(OutboxMessage).where(col(OutboxMessage.id) == row_id, col(OutboxMessage.payload) == expected)
    if only_pending:
        statement = statement.where(col(OutboxMessage.status) == PENDING)
    result = await s.exec(statement.values(payload=payload).execution_options(synchronize_session=False))  # type: ignore[call-overload]
    return result.rowcount == 1  # type: ignore[attr-defined]


async def reload(s: AsyncSession, row: OutboxMessage) -> OutboxMessage:
    await s.refresh(row)
    return row


async def message_of(s: AsyncSession, row_id: int) -> tuple[str | None, int | None]:
    """(status, Telegram message id) of a row; (None, None) when there is no such row."""
    row = (await s.exec(select(OutboxMessage.status, OutboxMessage.message_id)
                        .where(col(OutboxMessage.id) == row_id))).first()
    return (row[0], row[1]) if row is not None else (None, None)
