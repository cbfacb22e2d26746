"""The migration stairway, on SQLite and PostgreSQL: for every revision, upgrade to it, downgrade one
step, upgrade again; then walk down from head to base one step at a time and back up.

At every step the schema (tables, columns, indexes, unique constraints, foreign keys) is compared
with the one first seen at that revision, so a downgrade that leaves something behind (or an
upgrade that cannot run twice) fails here and names the revision."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage import migrate
from storage.db import Database
from tests.conftest import need_postgres


def revisions() -> list[tuple[str, str | None]]:
    """(revision, the one before it or None), base first, discovered from the migrations folder."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    found = [(r.revision, r.down_revision) for r in script.walk_revisions("base", "heads")][::-1]
    assert all(isinstance(down, str | None) for _, down in found), "branches or merges: update this test"
    return found  # type: ignore[return-value]


def _snapshot(conn: Any) -> dict[str, Any]:
    insp = inspect(conn)
    out: dict[str, Any] = {}
    for table in sorted(set(insp.get_table_names()) - {"alembic_version"}):
        out[table] = {
            "columns": sorted((c["name"], str(c["type"]), bool(c["nullable"])) for c in insp.get_columns(table)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
            "uniques": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
            "foreign_keys": sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                                   for f in insp.get_foreign_keys(table)),
            "primary_key": tuple(insp.get_pk_constraint(table)["constrained_columns"]),
        }
    return out


async def schema(db: Database) -> dict[str, Any]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_snapshot)


async def stairway(url: str) -> list[str]:
    """Walk the stairway; returns the revisions visited, for the caller's sanity check."""
    db = Database(url)
    seen: dict[str | None, dict[str, Any]] = {}
    visited: list[str] = []

    async def at(expected: str | None) -> None:
        assert await migrate.current_revision(db) == expected
        now = await schema(db)
        if expected in seen:
            assert now == seen[expected], f"the schema at {expected or 'base'} differs after going up and down"
        else:
            seen[expected] = now

    try:
        assert await migrate.current_revision(db) is None
        await at(None)
        assert seen[None] == {}
        for revision, down in revisions():
            await migrate.run(db, "upgrade", revision)
            await at(revision)
            await migrate.run(db, "downgrade", "-1")
            await at(down)
            await migrate.run(db, "upgrade", revision)
            await at(revision)
            visited.append(revision)
        assert visited[-1] == migrate.head_revision()
        for revision, down in reversed(revisions()):  # head to base, one step at a time
            await migrate.run(db, "downgrade", "-1")
            await at(down)
        assert await schema(db) == {}
        before, after = await migrate.upgrade_to_head(db)  # and up again, as the bot does on start
        assert (before, after) == (None, migrate.head_revision())
        await at(after)
    finally:
        await db.dispose()
    return visited


def test_every_revision_is_discovered():
    found = [r for r, _ in revisions()]
    assert found[0] == "0001" and found[-1] == migrate.head_revision()
    assert len(found) == len(set(found)) >= 5


async def test_sqlite_stairway_up_down_up_from_every_revision(tmp_path):
    visited = await stairway(f"sqlite+aiosqlite:///{tmp_path / 'stairway.db'}")
    assert visited == [r for r, _ in revisions()]


def test_postgres_stairway_up_down_up_from_every_revision(postgres):
    need_postgres(postgres)
    visited = asyncio.run(stairway(postgres.new_database("liaison_stairway")))
    assert visited == [r for r, _ in revisions()]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_database_left_at_any_revision_upgrades_to_head(backend, tmp_path, postgres):
    """What an operator meets after restoring an old backup: the bot's start-up upgrade finishes it."""
    if backend == "postgres":
        need_postgres(postgres)

    async def check(url: str, revision: str) -> None:
        db = Database(url)
        try:
            await migrate.run(db, "upgrade", revision)
            assert await migrate.upgrade_to_head(db) == (revision, migrate.head_revision())
        finally:
            await db.dispose()

    for revision, _ in revisions()[:-1]:
        url = (f"sqlite+aiosqlite:///{tmp_path / f'at-{revision}.db'}" if backend == "sqlite"
               else postgres.new_database("liaison_partial"))
        asyncio.run(check(url, revision))
