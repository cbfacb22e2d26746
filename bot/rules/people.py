"""Plain data about the people the bot talks to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.rules.roles import Role


@dataclass(frozen=True)
class UserInfo:
    """What an incoming update tells about its sender."""

    telegram_id: int
    chat_id: int | None
    full_name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Appointment:
    department_id: int
    department: str
    kind: str  # "primary" | "deputy"
    since: datetime
    office_id: int = 1  # the department's office


@dataclass(frozen=True)
class Caller:
    """The sender of an update, as the bot knows them: roles, language, department."""

    telegram_id: int
    person_id: int | None
    full_name: str
    language: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    appointment: Appointment | None = None
    config_admin: bool = False
    first_contact: bool = False
    office_id: int = 1  # the office they act in (bot/rules/offices.py)
    offices: tuple[int, ...] = (1,)  # every office they may act in (/office)
    several_offices: bool = False  # the deployment holds more than one office

    def has(self, role: Role) -> bool:
        return role in self.roles


def display_name(full_name: str, username: str | None) -> str:
    name = full_name.strip() or "?"
    return f"{name} (@{username})" if username else name


def preferred_language(stored: str | None, telegram_code: str | None, default: str) -> str:
    """An explicit /lang choice wins; otherwise the configured default (BOT_LANGUAGE).

    Telegram's client language is not used: a Chinese office's staff often run English phones.
    """
    if stored in ("zh", "en"):
        return stored
    return default
