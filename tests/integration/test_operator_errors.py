"""An operator told what failed: a statement the database refused is not "cannot reach the
database", and a schema behind the code points at `migrate`."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.cli import OperatorError, _with_db
from storage.db import Database
from tests.conftest import need_postgres


async def _statement(db: Database, sql: str, params: dict | None = None) -> None:  # type: ignore[type-arg]
    async with db.engine.connect() as conn:
        await conn.execute(text(sql), params or {})


async def test_a_refused_statement_is_named_as_such_not_as_an_unreachable_database(db: Database) -> None:
    with pytest.raises(OperatorError) as failed:
        await _with_db(db, lambda: _statement(db, "SELECT missing_column FROM tasks"))
    message = str(failed.value)
    assert "cannot reach" not in message
    assert message.startswith("a database statement failed") and "missing_column" in message
    assert "\n" not in message and "migrate" in message


async def test_too_many_parameters_in_one_statement_is_a_statement_failure(postgres, pg_migrated) -> None:  # type: ignore[no-untyped-def]
    """What a statement with one parameter per row hit at a city's size: asyncpg allows 32,767
    (this SQLite build allows more, so PostgreSQL only)."""
    need_postgres(postgres)
    db = Database(pg_migrated)
    names = {f"p{i}": i for i in range(40_000)}
    sql = f"SELECT 1 WHERE 1 IN ({', '.join(':' + n for n in names)})"
    with pytest.raises(OperatorError) as failed:
        await _with_db(db, lambda: _statement(db, sql, names))
    assert "cannot reach" not in str(failed.value) and "32767" in str(failed.value)


async def test_an_unreachable_database_is_still_called_unreachable() -> None:
    db = Database("postgresql+asyncpg://postgres@127.0.0.1:9/liaison")
    with pytest.raises(OperatorError) as failed:
        await _with_db(db, lambda: _statement(db, "SELECT 1"))
    assert str(failed.value).startswith("cannot reach the database at postgresql+asyncpg://postgres@127.0.0.1:9/")
