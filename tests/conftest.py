"""Shared fixtures: a migrated database on SQLite and (when reachable) PostgreSQL, and a clock.

PostgreSQL tests use TEST_POSTGRES_URL (default: the local server's `postgres` database as user
postgres); each test session creates its own scratch database and drops it at the end. Without a
reachable server the PostgreSQL variants are skipped with the reason shown in the summary, unless
REQUIRE_POSTGRES=1 (as in CI), which turns that into a failure.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import traceback
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import Database

os.environ.setdefault("PTB_TIMEDELTA", "true")  # as the CLI sets it: retry_after as a timedelta

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("REQUIRE_POSTGRES") == "1"


# Every bot token the tests and the fake Bot API use contains this.
TOKEN_MARK = "TEST-token"


class _TokenWatch(logging.Handler):
    """Collects any log record, at any level that is emitted, whose text shows a test token."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_text:  # what a formatter prints (the bot's record factory fills it, scrubbed)
            text += record.exc_text
        elif record.exc_info and record.exc_info[1] is not None:
            text += "".join(traceback.format_exception(*record.exc_info))
        if TOKEN_MARK in text:
            self.leaks.append(f"{record.name}: {text[:300]}")


@pytest.fixture(scope="session", autouse=True)
def no_token_in_any_log_line() -> Iterator[None]:
    """The whole suite fails if any log line written during it contains the bot token."""
    watch = _TokenWatch()
    root = logging.getLogger()
    root.addHandler(watch)
    yield
    root.removeHandler(watch)
    assert not watch.leaks, "the bot token appeared in log lines:\n" + "\n".join(watch.leaks[:10])


class FakeClock:
    """Time as a parameter: tests set and advance it; nothing sleeps."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # 09:00 in Asia/Shanghai, a Monday


async def _pg_exec(url: str, *statements: str) -> None:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await db.dispose()


def _pg_url(database: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


class Postgres:
    """A scratch PostgreSQL server handle for the session (or the reason it is unavailable)."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.created: list[str] = []

    def new_database(self, prefix: str = "liaison_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_exec(PG_ADMIN_URL, f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return _pg_url(name)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(_pg_exec(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    pg = Postgres()
    try:
        asyncio.run(asyncio.wait_for(_pg_exec(PG_ADMIN_URL, "SELECT 1"), timeout=5))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        pg.reason = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string()}: {type(exc).__name__}"
    yield pg
    if pg.reason is None:
        pg.drop_all()


def need_postgres(pg: Postgres) -> None:
    if pg.reason is not None:
        if REQUIRE_PG:
            pytest.fail(f"REQUIRE_POSTGRES=1 but {pg.reason}")
        pytest.skip(pg.reason)


@pytest.fixture(scope="session")
def pg_migrated(postgres: Postgres) -> str | None:
    """One migrated scratch database for the whole session; tests truncate it before use."""
    if postgres.reason is not None:
        return None
    url = postgres.new_database()

    async def up() -> None:
        db = Database(url)
        await migrate.upgrade_to_head(db)
        await db.dispose()

    asyncio.run(up())
    return url


_EMPTYING: dict[str, str] = {}  # database URL → the statement that empties it (its tables do not change)


async def _truncate(db: Database) -> None:
    """Empty every table and restart every id, then put back the root office (as migration 0009
    creates it). DELETE with foreign-key triggers off, in one statement, takes a few milliseconds
    where TRUNCATE … CASCADE of thirty tables takes over a hundred: it runs before every PostgreSQL
    test. Without the rights to switch the triggers off (not a superuser), TRUNCATE."""
    key = db.url.render_as_string(hide_password=False)
    async with db.engine.begin() as conn:
        if key not in _EMPTYING:
            tables = (await conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            ))).scalars().all()
            sequences = (await conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))).scalars().all()
            steps = ["SET LOCAL session_replication_role = replica", *(f'DELETE FROM "{t}"' for t in tables),
                     *(f"PERFORM setval('\"{q}\"', 1, false)" for q in sequences)]
            _EMPTYING[key] = f"DO $$ BEGIN {'; '.join(steps)}; END $$"
            _EMPTYING[key + "#slow"] = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
        try:
            async with conn.begin_nested():
                await conn.exec_driver_sql(_EMPTYING[key])
        except DBAPIError:  # not allowed to switch triggers off
            await conn.execute(text(_EMPTYING[key + "#slow"]))
        # the root office, as migration 0009 creates it in every database
        await conn.execute(text("INSERT INTO offices (id, name, created_at) VALUES (1, '', now())"))
        await conn.execute(text("SELECT setval(pg_get_serial_sequence('offices', 'id'), 1)"))


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head for the whole session; each test gets a copy (migrating
    from scratch rebuilds a dozen tables, over a second per test)."""
    path = tmp_path_factory.mktemp("template") / "liaison.db"

    async def up() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade_to_head(db)
        await db.dispose()  # the last connection's close folds the WAL into the file

    asyncio.run(up())
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path, postgres: Postgres, pg_migrated: str | None,  # type: ignore[no-untyped-def]
           sqlite_migrated: Path) -> str:
    """The URL of an empty database, migrated to head."""
    if request.param == "sqlite":
        shutil.copyfile(sqlite_migrated, tmp_path / "liaison.db")
        return f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}"
    need_postgres(postgres)
    assert pg_migrated is not None
    return pg_migrated


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    if database.is_sqlite:
        await migrate.upgrade_to_head(database)
    else:
        await _truncate(database)
    yield database
    await database.dispose()
