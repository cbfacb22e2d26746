"""Argument parsers for chat commands. Each returns plain values or raises UsageError.

Every argument word has its Chinese form (CONTRACT.md, "Chinese arguments"); the tables below are
the one place they are listed. Words are compared after NFKC (full-width → half-width) and
case folding, so `/tasks ＯＶＥＲＤＵＥ` and `/tasks 逾期` are the same request."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.errors import UsageError
from bot.rules.roles import GRANTABLE_ROLES, Role

LANGUAGES = ("zh", "en")

# ---------------------------------------------------------------- argument words (English | 中文)

_LANG_ALIASES = {
    "zh": "zh", "cn": "zh", "zh-cn": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "简体中文": "zh", "中": "zh",
    "en": "en", "english": "en", "英文": "en", "英语": "en", "英": "en",
}
_ROLE_ALIASES = {
    "admin": Role.ADMIN, "管理员": Role.ADMIN,
    "director": Role.DIRECTOR, "主任": Role.DIRECTOR, "领导": Role.DIRECTOR,
}
_DEPUTY_WORDS = {"deputy", "--deputy", "副联络员", "副", "副职", "备用", "备用联络员"}
_DEPUTY_SUFFIX = "副联络员"
# /digest: week | month | quarter | year (the period so far; a year digest is on demand only)
DIGEST_WORDS = {
    "week": "week", "周": "week", "本周": "week", "每周": "week", "周报": "week",
    "month": "month", "月": "month", "本月": "month", "月度": "month", "月报": "month",
    "quarter": "quarter", "季度": "quarter", "季": "quarter", "本季度": "quarter", "季报": "quarter",
    "year": "year", "年": "year", "年度": "year", "本年": "year", "全年": "year", "年报": "year",
}
# /digest last week | last month | last quarter | last year: the period just ended (all the others
# above are the period so far)
LAST_DIGEST_WORDS = {
    "last week": "week", "previous week": "week", "上周": "week", "上一周": "week", "上星期": "week", "上个星期": "week",
    "last month": "month", "previous month": "month", "上月": "month", "上个月": "month", "上一月": "month",
    "last quarter": "quarter", "previous quarter": "quarter", "上季度": "quarter", "上季": "quarter",
    "上个季度": "quarter", "上一季度": "quarter",
    "last year": "year", "previous year": "year", "去年": "year", "上年": "year", "上一年": "year",
}
# /tasks: open | overdue | done | all
TASK_FILTER_WORDS = {
    "open": "open", "进行中": "open", "办理中": "open", "未办结": "open",
    "overdue": "overdue", "逾期": "overdue", "已逾期": "overdue", "超期": "overdue",
    "done": "done", "已办结": "done", "办结": "done", "已完成": "done", "完成": "done",
    "all": "all", "全部": "all", "所有": "all",
}
# /export: tasks | reports (the workbook is the same; the word names the file)
EXPORT_WORDS = {
    "tasks": "tasks", "任务": "tasks", "交办单": "tasks", "交办": "tasks",
    "reports": "reports", "报告": "reports", "报送": "reports", "季度报送": "reports",
}
# /cycle indicators NAME UNIT, ...
INDICATOR_WORDS = {"indicators": "indicators", "indicator": "indicators", "指标": "indicators", "要求指标": "indicators"}


def word_key(word: str) -> str:
    """How an argument word is compared: NFKC, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", word).strip().casefold()


def parse_word(command: str, args: Sequence[str], words: Mapping[str, str], default: str) -> str:
    """A command's one optional argument word, in English or Chinese; anything else is a usage error."""
    if not args:
        return default
    if len(args) != 1 or word_key(args[0]) not in words:
        raise UsageError(command)
    return words[word_key(args[0])]


def parse_digest_period(args: Sequence[str]) -> str:
    return parse_digest_request(args)[0]


def parse_digest_request(args: Sequence[str]) -> tuple[str, bool]:
    """`/digest [PERIOD]`: (kind, last) — the week so far by default; `上周`/`last week` (one word
    or two) and the like are the period just ended (`last` true)."""
    if not args:
        return "week", False
    key = word_key(" ".join(a for a in args if a.strip()))
    key = " ".join(key.split())
    if key in LAST_DIGEST_WORDS:
        return LAST_DIGEST_WORDS[key], True
    return parse_word("digest", args, DIGEST_WORDS, "week"), False


def parse_task_filter(args: Sequence[str]) -> str:
    return parse_word("tasks", args, TASK_FILTER_WORDS, "open")


def parse_export(args: Sequence[str]) -> str:
    return parse_word("export", args, EXPORT_WORDS, "reports")


def is_indicators_word(word: str) -> bool:
    return word_key(word) in INDICATOR_WORDS
AUDIT_DEFAULT, AUDIT_MAX = 20, 100
MAX_USER_ID = 2**52  # Telegram user ids have at most 52 significant bits


def parse_lang(args: Sequence[str]) -> str:
    if len(args) != 1 or word_key(args[0]) not in _LANG_ALIASES:
        raise UsageError("lang")
    return _LANG_ALIASES[word_key(args[0])]


@dataclass(frozen=True)
class RoleChange:
    user_id: int
    role: Role
    office: str | None = None  # the office's code or name; None: the one the admin acts in


def parse_role_change(command: str, args: Sequence[str]) -> RoleChange:
    if len(args) < 2:
        raise UsageError(command)
    raw_id, raw_role = args[:2]
    office = " ".join(args[2:]).strip() or None
    if not re.fullmatch(r"[0-9]{1,16}", raw_id):
        raise UsageError(command)
    user_id = int(raw_id)
    role = _ROLE_ALIASES.get(word_key(raw_role))
    if not 0 < user_id <= MAX_USER_ID or role not in GRANTABLE_ROLES:
        raise UsageError(command)
    return RoleChange(user_id, role, office)


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
    deputy = bool(words) and word_key(words[-1]) in _DEPUTY_WORDS
    if deputy:
        words = words[:-1]
    name = " ".join(words).strip()
    if not deputy and name.endswith(_DEPUTY_SUFFIX) and len(name) > len(_DEPUTY_SUFFIX):
        name, deputy = name[: -len(_DEPUTY_SUFFIX)].strip(), True  # 区财政局副联络员, typed without a space
    if not name or len(name) > 100:
        raise UsageError("invite")
    return InviteRequest(name, deputy)


# /brief: month | quarter | year (the period so far; the quarter by default), or 上月|上季度|去年 (the
# one just ended): /digest's words without the week (a work report is written for a month at least)
BRIEF_WORDS = {word: kind for word, kind in DIGEST_WORDS.items() if kind != "week"}
LAST_BRIEF_WORDS = {word: kind for word, kind in LAST_DIGEST_WORDS.items() if kind != "week"}


def parse_brief_request(args: Sequence[str]) -> tuple[str, bool]:
    """`/brief [PERIOD]`: (kind, last) — the quarter so far by default; `上季度`/`last quarter`
    (one word or two) and the like are the period just ended (`last` true)."""
    if not args:
        return "quarter", False
    key = " ".join(word_key(" ".join(a for a in args if a.strip())).split())
    if key in LAST_BRIEF_WORDS:
        return LAST_BRIEF_WORDS[key], True
    return parse_word("brief", args, BRIEF_WORDS, "quarter"), False
