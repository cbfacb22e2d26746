"""Invite codes, looked up by digest only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry, InviteCode


async def add(
    s: AsyncSession, *, digest: str, department_id: int, kind: str, created_by: int, now: datetime, expires: datetime
) -> InviteCode:
    invite = InviteCode(
        code_digest=digest, department_id=department_id, kind=kind, created_by=created_by, created_at=now, expires_at=expires
    )
    s.add(invite)
    await s.flush()
    return invite


async def by_digest(s: AsyncSession, digest: str) -> InviteCode | None:
    return (await s.exec(select(InviteCode).where(InviteCode.code_digest == digest))).first()


async def revoke_open(s: AsyncSession, department_id: int, kind: str, now: datetime) -> int:
    """Withdraw the department's earlier unused codes of this kind: only the newest one works."""
    rows = list(
        await s.exec(
            select(InviteCode).where(
                InviteCode.department_id == department_id,
                InviteCode.kind == kind,
                col(InviteCode.used_at).is_(None),
                col(InviteCode.revoked_at).is_(None),
                col(InviteCode.expires_at) > now,
            )
        )
    )
    for row in rows:
        row.revoked_at = now
        s.add(row)
    await s.flush()
    return len(rows)


def _failed_attempts(telegram_id: int, since: datetime) -> Any:
    return (
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.actor_id == telegram_id,
            AuditEntry.action == "register",
            AuditEntry.outcome == "refused",
            col(AuditEntry.at) >= since,
        )
    )


async def failed_attempts(s: AsyncSession, telegram_id: int, since: datetime) -> int:
    """Refused code redemptions by this user since `since` (read from the audit log)."""
    return int((await s.exec(_failed_attempts(telegram_id, since))).one())


async def claim_valid(
    s: AsyncSession, *, digest: str, person_id: int, now: datetime, telegram_id: int, failed_since: datetime,
    max_failed: int, also: Sequence[Any] = (),
) -> Row[Any] | None:
    """Use the code with this digest for `person_id`, in one conditional UPDATE that matches only a
    code still valid (unused, not withdrawn, not expired) for a user not locked out (fewer than
    `max_failed` refused attempts since `failed_since`). Returns the invite's id, department_id and
    kind with `also` (RETURNING expressions over the claimed invite's columns, see
    `storage.repos.returning`), or None: the caller then finds out why."""
    statement = (
        update(InviteCode)
        .where(
            col(InviteCode.code_digest) == digest,
            col(InviteCode.used_at).is_(None),
            col(InviteCode.revoked_at).is_(None),
            col(InviteCode.expires_at) > now,
            _failed_attempts(telegram_id, failed_since).scalar_subquery() < max_failed,
        )
        .values(used_at=now, used_by=person_id)
        .returning(InviteCode.id, InviteCode.department_id, InviteCode.kind, *also)
        .execution_options(synchronize_session=False)  # no invite is loaded in this session
    )
    return (await s.exec(statement)).first()  # type: ignore[call-overload,no-any-return]


async def claim(s: AsyncSession, invite_id: int, person_id: int, now: datetime) -> bool:
    """Mark the code used, atomically: False when someone else used it first."""
    result = await s.exec(
        update(InviteCode)
        .where(col(InviteCode.id) == invite_id, col(InviteCode.used_at).is_(None))
        .values(used_at=now, used_by=person_id)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
