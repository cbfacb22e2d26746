"""Expressions a statement returns besides its own rows (RETURNING scalar subqueries), so that one
round trip both does some work and brings back what the use case needs to know next."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class Qualified(ColumnElement[Any]):
    """An expression (typically a scalar subquery) for a RETURNING clause, compiled with its
    columns qualified by their tables. SQLAlchemy's SQLite dialect renders RETURNING columns bare,
    and that choice reaches into subqueries, where a bare `department_id` in a join or a
    correlation would be ambiguous or, worse, silently bind to the wrong table."""

    inherit_cache = True
    _traverse_internals = [("element", InternalTraversal.dp_clauseelement)]

    def __init__(self, element: ColumnElement[Any]) -> None:
        self.element = element
        self.type = element.type


@compiles(Qualified)
def _qualified(element: Qualified, compiler: Any, **kw: Any) -> str:
    kw.pop("include_table", None)
    return str(compiler.process(element.element, **kw))


def returned(element: Any, name: str) -> Any:
    """`element` labelled `name`, safe to put in a RETURNING clause on every backend."""
    return Qualified(element).label(name)
