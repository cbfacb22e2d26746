"""Roles and the permission table: which command each role may use.

One table drives access control, `/help`, the per-role command menus and the permission tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    EVERYONE = "everyone"
    LIAISON = "liaison"
    DIRECTOR = "director"
    ADMIN = "admin"


GRANTABLE_ROLES = (Role.ADMIN, Role.DIRECTOR)


@dataclass(frozen=True)
class CommandSpec:
    name: str
    roles: frozenset[Role]

    def allowed(self, roles: frozenset[Role]) -> bool:
        return Role.EVERYONE in self.roles or bool(self.roles & roles)


def _spec(name: str, *roles: Role) -> CommandSpec:
    return CommandSpec(name, frozenset(roles))


_ALL = (Role.EVERYONE,)
_OFFICE = (Role.ADMIN,)
_DIRECTORS = (Role.DIRECTOR, Role.ADMIN)  # admins can do everything directors can

COMMANDS: tuple[CommandSpec, ...] = (
    _spec("start", *_ALL),
    _spec("help", *_ALL),
    _spec("whoami", *_ALL),
    _spec("lang", *_ALL),
    _spec("invite", *_OFFICE),
    _spec("liaisons", *_OFFICE),
    _spec("grant", *_OFFICE),
    _spec("revoke", *_OFFICE),
    _spec("audit", *_OFFICE),
    _spec("office", *_DIRECTORS),  # choose the office to act in (roles in several, or an office above others)
    _spec("broadcast", *_OFFICE),
    _spec("assign", *_OFFICE),
    _spec("tasks", *_DIRECTORS),  # directors read tasks (read only: nothing there changes a task)
    _spec("task", *_DIRECTORS),
    _spec("comment", *_DIRECTORS),  # 批示: a director's comment on a task, to its liaisons
    _spec("forward", *_OFFICE),  # 转办: a child office forwards its part in a parent's task (also a button)
    _spec("extend", *_OFFICE),
    _spec("close", *_OFFICE),
    _spec("inbox", *_OFFICE),
    _spec("progress", Role.LIAISON),
    _spec("done", Role.LIAISON),
    _spec("mytasks", Role.LIAISON),
    _spec("report", Role.LIAISON),
    _spec("cycle", *_DIRECTORS),  # `/cycle indicators …` stays the office's (checked by the handler)
    _spec("digest", *_DIRECTORS),
    _spec("overdue", *_DIRECTORS),
    _spec("status", *_DIRECTORS),
    _spec("export", *_DIRECTORS),
    _spec("meeting", *_DIRECTORS),  # `/meeting N` reads; `/meeting TITLE` (the minutes) is the office's: handler
    _spec("meetings", *_DIRECTORS),
    _spec("brief", *_DIRECTORS),  # the office's work report (工作报告) as a .docx
    _spec("targets", *_DIRECTORS),
    _spec("assessment", *_DIRECTORS),
    _spec("dashboard", *_DIRECTORS),  # the Mini App (DASHBOARD_URL); its API checks the role again
    _spec("calendar", Role.LIAISON, *_DIRECTORS),  # deadlines move with it: liaisons read it too
)

_BY_NAME = {c.name: c for c in COMMANDS}


def command_spec(name: str) -> CommandSpec | None:
    return _BY_NAME.get(name.lower())


def is_allowed(command: str, roles: frozenset[Role]) -> bool:
    """Unknown commands are "allowed" here: the unknown-command reply handles them."""
    spec = command_spec(command)
    return spec is None or spec.allowed(roles)


def commands_for(roles: frozenset[Role]) -> tuple[str, ...]:
    """The commands a person holding `roles` may use, in table order."""
    return tuple(c.name for c in COMMANDS if c.allowed(roles))


def menu_tier(roles: frozenset[Role]) -> Role:
    """The highest role, which decides which command menu a chat gets."""
    for role in (Role.ADMIN, Role.DIRECTOR, Role.LIAISON):
        if role in roles:
            return role
    return Role.EVERYONE
