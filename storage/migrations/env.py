"""Alembic environment. From code, `storage.migrate` passes a live connection; from the alembic CLI
(`alembic -c alembic.ini revision --autogenerate`), the URL comes from DATABASE_URL."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (every table must be imported before reading the metadata)

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    from storage.db import Database

    db = Database(config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///liaison.db"))
    async with db.engine.begin() as conn:
        await conn.run_sync(_configure)
    await db.dispose()


connection = config.attributes.get("connection")
if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif connection is not None:
    _configure(connection)
else:
    asyncio.run(_run_with_own_engine())
