"""Typed domain errors. Each names a text in the catalog; one error handler renders it.

Raised by the rules and the use cases, never caught by handlers.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Something the user can fix or should know; rendered as `texts[key]` with `params`."""

    key = "error.generic"

    def __init__(self, key: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.key)


class UsageError(DomainError):
    """Malformed arguments: the reply is the command's usage line."""

    key = "error.usage"

    def __init__(self, command: str) -> None:
        super().__init__(command=command)
        self.command = command


class NotFound(DomainError):
    key = "error.not_found"


class Refused(DomainError):
    key = "error.refused"
