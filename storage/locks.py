"""Exclusive sections across tasks and processes.

Within a process an asyncio lock; across processes on PostgreSQL a session advisory lock
(`pg_try_advisory_lock`). SQLite deployments are single-process, so the asyncio lock suffices."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.db import Database

_local: dict[str, asyncio.Lock] = {}


def _key(name: str) -> int:
    return zlib.crc32(f"liaison-desk:{name}".encode())


@asynccontextmanager
async def exclusive(db: Database, name: str) -> AsyncIterator[bool]:
    """Yields True when this caller holds `name` now, False when someone else does (no waiting)."""
    lock = _local.setdefault(name, asyncio.Lock())
    if lock.locked():
        yield False
        return
    async with lock:
        if db.is_sqlite:
            yield True
            return
        async with db.engine.connect() as conn:
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(name)})).scalar()
            await conn.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                    await conn.commit()
