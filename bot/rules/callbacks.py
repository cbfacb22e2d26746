"""Inline-button payloads (`callback_data`, at most 64 bytes): `KIND:ACTION:ID`, or
`KIND:ACTION:ID:ID2` for the few actions that name two things (a kept message and the task target
it is to be filed under).

Anything that does not decode — forged, truncated, from an older version — is None, and the
handler answers it with a short notice instead of raising."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.rules.roles import Role

_SHAPE = re.compile(r"^([a-z]{1,3}):([a-z]{1,8}):([0-9]{1,10})(?::([0-9]{1,10}))?$", re.ASCII)
MAX_REF = 2**31 - 1  # ids are 32-bit integers on PostgreSQL

KINDS = {
    "t": {"ack", "prog", "done", "ext"},  # a department's part in a task (target id)
    "x": {"ok", "no"},  # an admin's decision on an extension (target id)
    "f": {"p", "t", "i"},  # a file: of a progress entry, a task's own attachment, or a kept message (/inbox)
    "r": {"ok", "no", "c"},  # a liaison's report draft: submit or discard (draft id); choose the open cycle (cycle id)
    "i": {"t", "r", "k"},  # a liaison files their own kept message: under a task, the report, or just kept
    "ib": {"t", "n"},  # the office's /inbox: file a kept message under a task; the next page (page number)
    "n": {"t", "c", "o"},  # 一键催办: remind a task's laggards (task id), the cycle's missing (cycle id), all overdue (1)
    "a": {"all"},  # the morning nudge's 全部确认收到: every notice it was about (the round's day, YYYYMMDD)
    "fw": {"go"},  # 转办: a child office forwards its part in a parent office's task (the part's target id)
    # a meeting's proposal (meeting id): confirm all, cancel, back to the list; one item (ID2: its
    # number): open its menu, drop it, fix its date or departments
    "m": {"ok", "no", "bk", "it", "dr", "due", "dep"},
}

# Actions that may carry a second id: the kept message (ID) and the task target (ID2); a meeting (ID)
# and one of its items (ID2).
TWO_REFS = {("i", "t"), ("ib", "t"), ("m", "it"), ("m", "dr"), ("m", "due"), ("m", "dep")}


# Who may press which kind of button (checked by the access layer, like commands). DIRECTOR means
# directors and admins (admins can do everything directors can); LIAISON buttons are checked per
# task or draft by the use case.
REQUIRED_ROLE = {"t": Role.LIAISON, "x": Role.ADMIN, "f": Role.DIRECTOR, "r": Role.LIAISON, "i": Role.LIAISON,
                 "ib": Role.ADMIN, "n": Role.DIRECTOR, "a": Role.LIAISON, "fw": Role.ADMIN,
                 "m": Role.ADMIN}
# Actions stricter than their kind: a kept message's file belongs to the office's /inbox.
ACTION_ROLE = {("f", "i"): Role.ADMIN}


def required_role(kind: str, action: str) -> Role | None:
    return ACTION_ROLE.get((kind, action), REQUIRED_ROLE.get(kind))


def may_press(kind: str, action: str, roles: frozenset[Role]) -> bool:
    """Whether the access layer lets a person holding `roles` press a button of `kind`/`action`
    (unknown kinds and liaison buttons pass: their handler answers them)."""
    needed = required_role(kind, action)
    if needed is None or needed == Role.LIAISON:
        return True
    if needed == Role.DIRECTOR:
        return bool(roles & {Role.DIRECTOR, Role.ADMIN})
    return needed in roles


@dataclass(frozen=True)
class Callback:
    kind: str
    action: str
    ref: int
    ref2: int | None = None

    def encode(self) -> str:
        tail = "" if self.ref2 is None else f":{self.ref2}"
        return f"{self.kind}:{self.action}:{self.ref}{tail}"


def decode(data: str | None) -> Callback | None:
    if not data or len(data.encode()) > 64:
        return None
    found = _SHAPE.match(data)
    if not found:
        return None
    kind, action, ref = found.group(1), found.group(2), int(found.group(3))
    ref2 = int(found.group(4)) if found.group(4) is not None else None
    if action not in KINDS.get(kind, ()) or not 0 < ref <= MAX_REF:
        return None
    if ref2 is not None and ((kind, action) not in TWO_REFS or not 0 < ref2 <= MAX_REF):
        return None
    return Callback(kind, action, ref, ref2)
