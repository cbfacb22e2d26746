"""Statements that do not grow with the data: a list of ids or rows is cut into pieces of at most
CHUNK, so no statement carries more bind parameters than the drivers allow (asyncpg 32,767,
SQLite 32,766) whatever the size of the office."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
CHUNK = 1000  # ids per IN-list; a bulk insert of rows of ~12 columns stays under 12,000 parameters


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
