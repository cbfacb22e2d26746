"""Alembic, driven from code: `upgrade_to_head` runs on the bot's own async engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x6C64_6D69  # a PostgreSQL advisory lock key of its own ("ldmi")


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


async def current_revision(db: Database) -> str | None:
    def _read(conn: Connection) -> str | None:
        return MigrationContext.configure(conn).get_current_revision()

    async with db.engine.connect() as conn:
        return await conn.run_sync(_read)


async def run(db: Database, action: str, revision: str) -> None:
    """Run `alembic upgrade|downgrade REVISION` on the database's own engine, in one transaction."""

    def _go(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)

    async with db.engine.connect() as conn:
        if db.is_sqlite:
            # Rebuilding a table (SQLite's way to change a constraint) drops the table other rows
            # refer to, which SQLite's foreign keys refuse; they are checked at the end instead.
            # The pragma must be set outside a transaction, so it comes first.
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            # several workers starting at once migrate one after the other (the lock ends with the
            # transaction); the later ones find the schema at head and do nothing
            await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        try:
            await conn.run_sync(_go)
            if db.is_sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows that refer to nothing: {broken[:3]}")
            await conn.commit()
        finally:
            if db.is_sqlite:
                await conn.rollback()
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()


async def upgrade_to_head(db: Database) -> tuple[str | None, str]:
    """Apply pending migrations. Returns (revision before, revision after)."""
    before = await current_revision(db)
    await run(db, "upgrade", "head")
    return before, head_revision()
