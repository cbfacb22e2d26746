"""Inline-button payloads (`callback_data`, at most 64 bytes): `KIND:ACTION:ID`.

Anything that does not decode — forged, truncated, from an older version — is None, and the
handler answers it with a short notice instead of raising."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.rules.roles import Role

_SHAPE = re.compile(r"^([a-z]{1,3}):([a-z]{1,8}):([0-9]{1,10})$", re.ASCII)
MAX_REF = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

KINDS = {
    "t": {"ack", "prog", "done", "ext"},  # a department's part in a task (target id)
    "x": {"ok", "no"},  # an admin's decision on an extension (target id)
    "f": {"p", "t"},  # a file: of a progress entry, or a task's own attachment
    "r": {"ok", "no"},  # a liaison's report draft: submit or discard (draft id)
}


# Who may press which kind of button (checked by the access layer, like commands).
REQUIRED_ROLE = {"t": Role.LIAISON, "x": Role.ADMIN, "f": Role.ADMIN, "r": Role.LIAISON}


@dataclass(frozen=True)
class Callback:
    kind: str
    action: str
    ref: int

    def encode(self) -> str:
        return f"{self.kind}:{self.action}:{self.ref}"


def decode(data: str | None) -> Callback | None:
    if not data or len(data.encode()) > 64:
        return None
    found = _SHAPE.match(data)
    if not found:
        return None
    kind, action, ref = found.group(1), found.group(2), int(found.group(3))
    if action not in KINDS.get(kind, ()) or not 0 < ref <= MAX_REF:
        return None
    return Callback(kind, action, ref)
