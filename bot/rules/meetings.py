"""Meetings and their agreed items (议定事项), the parts that are pure: `/meeting TITLE | DATE`, the
proposal the office confirms (kept as JSON on the meeting row, so any process continues the
dialogue), and what blocks its confirmation. How far a confirmed item has got is the digest's rule
(bot/rules/digest.py `agreed_item`), so `/meeting N` and the digest count alike.

The items themselves are found by bot/rules/minutes.py; this module keeps what the office did to
them (dropped, a date or the departments fixed) across later pieces of the minutes: an item found
again with the same text keeps its edits."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta

from bot.errors import DomainError, NotFound, UsageError
from bot.rules.minutes import AgreedItem
from bot.rules.tasks import TITLE_MAX

# ---------------------------------------------------------------- /meeting TITLE [| DATE]

_SEPARATOR = re.compile(r"\s*[|｜]\s*")
_RELATIVE = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3,
             "today": 0, "yesterday": 1}
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MD = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_TRAILING = "召开的 ，。,."


def parse_held_on(raw: str, *, today: date) -> date:
    """The day a meeting was held, as typed: `2026-11-20`, `2026年11月20日`, `11月20日`, `11-20`,
    `今天`, `昨天`, `前天`. A meeting has usually been held already, so a day without a year is its
    latest such day not after today (this year's, or last year's). DomainError otherwise."""
    value = unicodedata.normalize("NFKC", raw).strip().strip(_TRAILING).removesuffix("召开").strip()
    if value.lower() in _RELATIVE:
        return today - timedelta(days=_RELATIVE[value.lower()])
    try:
        if m := _YMD.fullmatch(value):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MD.fullmatch(value):
            month, day = int(m[1]), int(m[2])
            for year in (today.year, today.year - 1, today.year - 2, today.year - 3, today.year - 4):
                try:
                    held = date(year, month, day)
                except ValueError:  # 2月29日 in a year without one: an earlier year
                    continue
                if held <= today:
                    return held
    except ValueError:
        pass
    raise DomainError("meeting.bad_date", value=raw.strip()[:40])


def parse_meeting(text: str, *, today: date) -> tuple[str, date]:
    """`TITLE [| DATE]` → (title, the day it was held; today when not given). The title may carry
    book-title marks (《…》), which are dropped: the bot adds its own."""
    parts = _SEPARATOR.split(text.strip(), maxsplit=1)
    title = " ".join(parts[0].split()).strip("《》<> ")
    if not title:
        raise UsageError("meeting")
    if len(title) > TITLE_MAX:
        raise DomainError("meeting.title_too_long", limit=TITLE_MAX)
    held_on = parse_held_on(parts[1], today=today) if len(parts) > 1 and parts[1].strip() else today
    return title, held_on


def is_meeting_number(text: str) -> int | None:
    """`/meeting 3` (or `#3`) reads meeting 3; anything else is a title. Digits alone are always a
    number, never a title: one no meeting can have (0, beyond the ids' range) is a missing meeting."""
    value = unicodedata.normalize("NFKC", text).strip().lstrip("#")
    if not re.fullmatch(r"[0-9]+", value):
        return None
    if not 0 < int(value) < 2**31:
        raise NotFound("meeting.not_found", id=value[:12])
    return int(value)


# ---------------------------------------------------------------- the proposal


@dataclass(frozen=True)
class ProposedItem:
    """An agreed item as the office is confirming it. `number` is its place among every item found
    (dropped ones keep theirs), which the buttons carry."""

    number: int
    text: str
    title: str
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    due: date | None
    standing: bool
    dropped: bool = False

    @property
    def departments(self) -> tuple[str, ...]:
        return self.lead + self.cooperating


@dataclass(frozen=True)
class Proposal:
    """What the office is confirming: the minutes' blocks so far (each later piece adds its own), the
    items found in them with the office's edits, the chat message that shows it (to replace it
    when the next piece comes), and who is fixing which item (telegram id → (item, "due"|"dep"))."""

    blocks: tuple[str, ...] = ()
    items: tuple[ProposedItem, ...] = ()
    message: tuple[int, int] | None = None  # (chat id, message id)
    fixing: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def remaining(self) -> tuple[ProposedItem, ...]:
        return tuple(i for i in self.items if not i.dropped)

    def item(self, number: int) -> ProposedItem | None:
        return next((i for i in self.items if i.number == number), None)

    def with_item(self, changed: ProposedItem) -> Proposal:
        return replace(self, items=tuple(changed if i.number == changed.number else i for i in self.items))


def _item_from(number: int, found: AgreedItem) -> ProposedItem:
    return ProposedItem(number, found.text, found.title, tuple(found.lead), tuple(found.cooperating), found.due,
                        found.standing)


def propose(found: Sequence[AgreedItem], previous: Proposal, blocks: Sequence[str]) -> Proposal:
    """The proposal after (more of) the minutes: the items found now, numbered in order, each that
    was found before with the same text as the office left it (dropped, its date or departments
    fixed)."""
    before: dict[str, ProposedItem] = {}
    for item in previous.items:
        before.setdefault(item.text, item)
    items = []
    for n, agreed in enumerate(found, start=1):
        kept = before.get(agreed.text)
        items.append(replace(kept, number=n) if kept is not None else _item_from(n, agreed))
    return replace(previous, blocks=tuple(blocks), items=tuple(items), fixing={})


def dump(proposal: Proposal) -> str:
    data = asdict(proposal)
    data["items"] = [{**item, "due": item["due"].isoformat() if item["due"] else None} for item in data["items"]]
    return json.dumps(data, ensure_ascii=False)


def load(raw: str | None) -> Proposal:
    """The proposal as stored; an empty one for none (or for text that is not one)."""
    if not raw:
        return Proposal()
    try:
        data = json.loads(raw)
        items = tuple(ProposedItem(
            int(i["number"]), str(i["text"]), str(i["title"]), tuple(i["lead"]), tuple(i["cooperating"]),
            date.fromisoformat(i["due"]) if i.get("due") else None, bool(i["standing"]), bool(i.get("dropped")))
            for i in data.get("items", []))
        message = tuple(data["message"]) if data.get("message") else None
        fixing = {str(k): (int(v[0]), str(v[1])) for k, v in (data.get("fixing") or {}).items()}
        return Proposal(tuple(data.get("blocks", [])), items, message, fixing)  # type: ignore[arg-type]
    except (ValueError, KeyError, TypeError, IndexError):
        return Proposal()


# ---------------------------------------------------------------- what blocks confirmation

NO_DATE, NO_DEPARTMENT, PAST_DATE = "no_date", "no_department", "past_date"


def blockers(proposal: Proposal, *, today: date) -> list[tuple[int, str]]:
    """(item number, why) for each remaining item that cannot become a task as it stands: no
    department, no due date (长期坚持 is one), or a due day already past."""
    out = []
    for item in proposal.remaining:
        if not item.lead and not item.cooperating:
            out.append((item.number, NO_DEPARTMENT))
        elif item.due is None and not item.standing:
            out.append((item.number, NO_DATE))
        elif item.due is not None and not item.standing and item.due < today:
            out.append((item.number, PAST_DATE))
    return out


def task_details(meeting_title: str, held_on: date, number: int, text: str, limit: int = 2000) -> str:
    """The task's details name the meeting and the item in full:
    `《全区汽摩产业推进会》（11月20日）议定事项第2项：…`."""
    head = f"《{meeting_title}》（{held_on.month}月{held_on.day}日）议定事项第{number}项："
    body = head + text
    return body if len(body) <= limit else body[: limit - 1] + "…"
