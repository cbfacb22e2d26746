"""Counting the SQL statements a piece of work sends to the database (an engine event listener):
the inbound path's and the scheduler's statement budgets are asserted with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        return "\n".join(f"{i + 1:>3}. {s[:200]}" for i, s in enumerate(self.sql))


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Statements]:
    """Every statement executed on `engine` while the block runs (PRAGMAs of new SQLite
    connections excluded: they are the driver's set-up, not the work's)."""
    seen = Statements()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("PRAGMA"):
            seen.sql.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
