"""Argument parsers for chat commands. Each returns plain values or raises UsageError."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import UsageError
from bot.rules.roles import GRANTABLE_ROLES, Role

LANGUAGES = ("zh", "en")
_LANG_ALIASES = {"zh": "zh", "cn": "zh", "中文": "zh", "zh-cn": "zh", "en": "en", "english": "en", "英文": "en"}
_ROLE_ALIASES = {
    "admin": Role.ADMIN, "管理员": Role.ADMIN,
    "director": Role.DIRECTOR, "主任": Role.DIRECTOR, "领导": Role.DIRECTOR,
}
_DEPUTY_WORDS = {"deputy", "副", "副职", "备用", "--deputy"}
AUDIT_DEFAULT, AUDIT_MAX = 20, 100
MAX_USER_ID = 2**52  # Telegram user ids have at most 52 significant bits


def parse_lang(args: Sequence[str]) -> str:
    if len(args) != 1 or args[0].lower() not in _LANG_ALIASES:
        raise UsageError("lang")
    return _LANG_ALIASES[args[0].lower()]


@dataclass(frozen=True)
class RoleChange:
    user_id: int
    role: Role


def parse_role_change(command: str, args: Sequence[str]) -> RoleChange:
    if len(args) != 2:
        raise UsageError(command)
    raw_id, raw_role = args
    if not re.fullmatch(r"[0-9]{1,16}", raw_id):
        raise UsageError(command)
    user_id = int(raw_id)
    role = _ROLE_ALIASES.get(raw_role.lower())
    if not 0 < user_id <= MAX_USER_ID or role not in GRANTABLE_ROLES:
        raise UsageError(command)
    return RoleChange(user_id, role)


def parse_audit(args: Sequence[str]) -> int:
    if not args:
        return AUDIT_DEFAULT
    if len(args) != 1 or not re.fullmatch(r"[0-9]{1,3}", args[0]) or not 1 <= int(args[0]) <= AUDIT_MAX:
        raise UsageError("audit")
    return int(args[0])


@dataclass(frozen=True)
class InviteRequest:
    department: str
    deputy: bool


def parse_invite(args: Sequence[str]) -> InviteRequest:
    words = [a for a in args if a.strip()]
    deputy = bool(words) and words[-1].lower() in _DEPUTY_WORDS
    if deputy:
        words = words[:-1]
    name = " ".join(words).strip()
    if not name or len(name) > 100:
        raise UsageError("invite")
    return InviteRequest(name, deputy)
