"""Migrations: an empty database goes to head and back, on SQLite and PostgreSQL."""

import asyncio

from sqlalchemy import inspect

from storage import migrate
from storage.db import Database
from tests.conftest import need_postgres


async def tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names())) - {"alembic_version"}


async def check_up_and_down(url: str) -> None:
    db = Database(url)
    try:
        assert await migrate.current_revision(db) is None
        before, after = await migrate.upgrade_to_head(db)
        assert (before, after) == (None, migrate.head_revision())
        assert {"departments", "people", "liaison_appointments", "invite_codes", "audit_log"} <= await tables(db)
        assert await migrate.upgrade_to_head(db) == (after, after)  # a second run does nothing
        await migrate.run(db, "downgrade", "base")
        assert await tables(db) == set()
        assert await migrate.current_revision(db) is None
        await migrate.upgrade_to_head(db)
        assert await migrate.current_revision(db) == migrate.head_revision()
    finally:
        await db.dispose()


async def test_sqlite_upgrades_to_head_and_back(tmp_path):
    await check_up_and_down(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


def test_postgres_upgrades_to_head_and_back(postgres):
    need_postgres(postgres)
    import asyncio

    asyncio.run(check_up_and_down(postgres.new_database("liaison_migrate")))


def test_the_tables_match_the_migrations(tmp_path):
    """A model change without a migration is caught here (alembic's autogenerate finds no diff)."""
    import asyncio

    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401

    async def diff() -> list:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
        await migrate.upgrade_to_head(db)
        async with db.engine.connect() as conn:
            result = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), SQLModel.metadata))
        await db.dispose()
        return result

    assert asyncio.run(diff()) == []


def test_workers_starting_together_migrate_one_after_the_other(postgres):
    """Three `python -m bot` processes started at once on an empty PostgreSQL database: each
    migrates on start, and none fails on another's half-made schema."""
    need_postgres(postgres)
    url = postgres.new_database("liaison_migrate_race")

    async def race() -> list[str]:
        dbs = [Database(url) for _ in range(3)]
        try:
            # without the migration lock they block each other on the half-made schema: fail, not hang
            done = await asyncio.wait_for(asyncio.gather(*(migrate.upgrade_to_head(db) for db in dbs)), 60)
            return [after for _, after in done] + [await migrate.current_revision(dbs[0]) or ""]
        finally:
            for db in dbs:
                await db.dispose()

    assert set(asyncio.run(race())) == {migrate.head_revision()}
