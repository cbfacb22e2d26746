"""Health: is the database reachable, and how much is waiting in the outbox?"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.usecases import outbox
from storage.db import Database

TIMEOUT = 3.0
DETAIL_LIMIT = 200


@dataclass(frozen=True)
class Health:
    database_ok: bool
    outbox_backlog: int | None
    detail: str | None


async def check(db: Database, *, timeout: float = TIMEOUT) -> Health:
    """One trivial query and the outbox backlog, within `timeout` seconds; never raises."""
    try:
        async with asyncio.timeout(timeout):
            await db.ping()
            backlog = await outbox.backlog(db)
    except TimeoutError:
        return Health(False, None, f"no answer within {timeout:g}s")
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
        return Health(False, None, _one_line(exc, db))
    return Health(True, backlog, None)


def _one_line(exc: BaseException, db: Database) -> str:
    """The exception's first line (the driver's own error when wrapped), without the password."""
    inner = getattr(exc, "orig", None) or exc
    text_ = str(inner).strip()
    line = text_.splitlines()[0] if text_ else ""
    if db.url.password:
        line = line.replace(str(db.url.password), "***")
    line = f"{type(exc).__name__}: {line}" if line else type(exc).__name__
    return line[:DETAIL_LIMIT]
