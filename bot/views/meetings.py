"""How meetings and their agreed items (议定事项) read in chat: the proposal the office confirms
(with its buttons), one item's menu, `/meeting N` and `/meetings`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback
from bot.rules.digest import ITEM_OVERDUE, AgreedItem
from bot.rules.meetings import ProposedItem
from bot.texts import overdue_days, t

Keyboard = dict[str, Any]
ITEM_BUTTONS_PER_ROW = 3
MAX_ITEM_BUTTONS = 90  # with confirm and cancel, within Telegram's 100 buttons of one message
TEXT_BUDGET = 3000  # characters of the item list; the header, counts and hints take the rest of 4,096
FULL_TEXT_MAX = 1500  # an item's text as quoted in its menu
MAX_BLOCKERS_SHOWN = 10


@dataclass(frozen=True)
class ProposalView:
    """A meeting's proposal as the office sees it while confirming."""

    meeting_id: int
    title: str
    held_on: date
    items: tuple[ProposedItem, ...]  # the remaining items (dropped ones are not shown)
    dropped: int
    blockers: tuple[tuple[int, str], ...]  # (item number, why it cannot be confirmed yet)
    file_name: str | None = None
    selected: int | None = None  # the item whose menu is open
    replaces: tuple[int, int] | None = None  # the message that showed the proposal before (chat, message)


@dataclass(frozen=True)
class ItemLine:
    """A confirmed item: its task and how far it has got."""

    item: AgreedItem  # its state as the digest counts it (done, closed, standing, overdue, open)
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    parts_done: int
    parts_total: int

    @property
    def overdue(self) -> bool:
        return self.item.state == ITEM_OVERDUE


@dataclass(frozen=True)
class MeetingDetail:
    meeting_id: int
    title: str
    held_on: date
    state: str  # minutes | proposed | confirmed | cancelled
    items: tuple[ItemLine, ...] = ()
    proposal: ProposalView | None = None


@dataclass(frozen=True)
class MeetingRow:
    meeting_id: int
    title: str
    held_on: date
    state: str
    total: int  # confirmed: items (tasks); proposed: items proposed
    done: int = 0
    overdue: int = 0


def button(text: str, cb: Callback) -> dict[str, str]:
    return {"text": text, "callback_data": cb.encode()}


def day_name(day: date, lang: str) -> str:
    return f"{day:%Y-%m-%d}" if lang == "en" else f"{day.year}年{day.month}月{day.day}日"


def short_day(day: date, lang: str) -> str:
    return f"{day:%m-%d}" if lang == "en" else f"{day.month}月{day.day}日"


def names(lang: str, items: tuple[str, ...]) -> str:
    return (", " if lang == "en" else "、").join(items)


def _due(lang: str, due: date | None, standing: bool) -> str:
    if standing:
        return t(lang, "meeting.standing")
    return day_name(due, lang) if due is not None else t(lang, "meeting.no_due")


def _departments(lang: str, lead: tuple[str, ...], cooperating: tuple[str, ...]) -> str:
    if not lead and not cooperating:
        return t(lang, "meeting.no_departments")
    text = t(lang, "meeting.lead", names=names(lang, lead)) if lead else ""
    if cooperating:
        text += t(lang, "meeting.cooperating", names=names(lang, cooperating))
    return text


def item_text(item: ProposedItem, lang: str, *, full: bool = False) -> str:
    """`1. 完善产业政策` and its departments and 时限, one line each (the full text in its menu)."""
    lines = [t(lang, "meeting.item", number=item.number, title=item.title),
             t(lang, "meeting.item_departments", departments=_departments(lang, item.lead, item.cooperating)),
             t(lang, "meeting.item_due", due=_due(lang, item.due, item.standing))]
    if full and item.text != item.title:
        shown = item.text if len(item.text) <= FULL_TEXT_MAX else item.text[:FULL_TEXT_MAX] + "……"
        lines.append(t(lang, "meeting.item_text", text=shown))
    return "\n".join(lines)


def header(lang: str, meeting_id: int, title: str, held_on: date) -> str:
    return t(lang, "meeting.header", id=meeting_id, title=title, day=day_name(held_on, lang))


def proposal_text(view: ProposalView, lang: str) -> str:
    lines = [header(lang, view.meeting_id, view.title, view.held_on)]
    if view.file_name:
        lines.append(t(lang, "meeting.from_file", name=view.file_name))
    if view.selected is not None:
        item = next((i for i in view.items if i.number == view.selected), None)
        if item is not None:
            lines.append(t(lang, "meeting.item_menu"))
            lines.append(item_text(item, lang, full=True))
            return "\n".join(lines)
    if not view.items:
        lines.append(t(lang, "meeting.none_found"))
        return "\n".join(lines)
    lines.append(t(lang, "meeting.found", count=len(view.items)))
    lines += _listed(view, lang)
    if view.dropped:
        lines.append("")
        lines.append(t(lang, "meeting.dropped_count", count=view.dropped))
    lines.append("")
    if view.blockers:
        for number, why in view.blockers[:MAX_BLOCKERS_SHOWN]:  # the first ones; the rest follow once fixed
            lines.append(t(lang, f"meeting.blocked.{why}", number=number))
    lines.append(t(lang, "meeting.proposal_hint"))
    return "\n".join(lines)


def _listed(view: ProposalView, lang: str) -> list[str]:
    """The items as the proposal lists them: in full (departments, 时限), or — for long minutes, so
    the message stays within Telegram's 4,096 characters — one line each, and as many as fit."""
    full = [line for item in view.items for line in ("", item_text(item, lang))]
    if sum(len(line) + 1 for line in full) <= TEXT_BUDGET:
        return full
    lines, used = [""], 0
    for n, item in enumerate(view.items):
        line = t(lang, "meeting.item", number=item.number, title=item.title)
        if used + len(line) + 1 > TEXT_BUDGET:
            lines.append(t(lang, "meeting.more_items", count=len(view.items) - n))
            break
        lines.append(line)
        used += len(line) + 1
    return lines


def proposal_keyboard(view: ProposalView, lang: str) -> Keyboard:
    ref = view.meeting_id
    if view.selected is not None and any(i.number == view.selected for i in view.items):
        n = view.selected
        return {"inline_keyboard": [
            [button(t(lang, "btn.meeting_drop"), Callback("m", "dr", ref, n)),
             button(t(lang, "btn.meeting_due"), Callback("m", "due", ref, n))],
            [button(t(lang, "btn.meeting_departments"), Callback("m", "dep", ref, n)),
             button(t(lang, "btn.meeting_back"), Callback("m", "bk", ref))],
        ]}
    rows: list[list[dict[str, str]]] = []
    if view.items:
        rows.append([button(t(lang, "btn.meeting_confirm", count=len(view.items)), Callback("m", "ok", ref))])
    row: list[dict[str, str]] = []
    for item in view.items[:MAX_ITEM_BUTTONS]:  # Telegram shows at most 100 buttons
        row.append(button(t(lang, "btn.meeting_item", number=item.number), Callback("m", "it", ref, item.number)))
        if len(row) == ITEM_BUTTONS_PER_ROW:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    rows.append([button(t(lang, "btn.meeting_cancel"), Callback("m", "no", ref))])
    return {"inline_keyboard": rows}


def _state(lang: str, line: ItemLine) -> str:
    if line.item.finished:
        return t(lang, "meeting.state_done")
    if line.overdue:
        return overdue_days(lang, line.item.days)
    return t(lang, "meeting.state_open", done=line.parts_done, total=line.parts_total)


def detail_text(detail: MeetingDetail, lang: str, tz: ZoneInfo) -> str:
    """`/meeting N`: a confirmed meeting's items with their tasks and state, done/total and the
    overdue ones; a meeting still being confirmed shows its proposal (proposal_text)."""
    if detail.proposal is not None:
        return proposal_text(detail.proposal, lang)
    lines = [header(lang, detail.meeting_id, detail.title, detail.held_on)]
    if detail.state == "cancelled":
        lines.append(t(lang, "meeting.cancelled_state"))
        return "\n".join(lines)
    if detail.state == "minutes":
        lines.append(t(lang, "meeting.waiting_minutes"))
        return "\n".join(lines)
    done = sum(i.item.finished for i in detail.items)
    late = [i for i in detail.items if i.overdue]
    lines.append(t(lang, "meeting.summary", done=done, total=len(detail.items),
                   overdue=t(lang, "meeting.overdue_mark", count=len(late)) if late else ""))
    for n, line in enumerate(detail.items, start=1):
        item = line.item
        due = t(lang, "meeting.standing") if item.standing else day_name(item.due.astimezone(tz).date(), lang)
        lines.append("")
        lines.append(t(lang, "meeting.task_line", number=n, id=item.task_id, title=item.title))
        lines.append(t(lang, "meeting.item_departments", departments=_departments(lang, line.lead, line.cooperating)))
        lines.append(t(lang, "meeting.task_state", due=due, state=_state(lang, line)))
    if late:
        lines.append("")
        lines.append(t(lang, "meeting.overdue_header"))
        for line in sorted(late, key=lambda i: (-i.item.days, i.item.task_id)):
            lines.append(t(lang, "meeting.overdue_line", id=line.item.task_id, title=line.item.title,
                           days=overdue_days(lang, line.item.days)))
    return "\n".join(lines)


def list_text(rows: list[MeetingRow], lang: str) -> str:
    """`/meetings`: `#N 《title》 11月20日 · 议定事项 已办结 2/5 · 逾期 1`, the latest first."""
    if not rows:
        return t(lang, "meetings.empty")
    lines = [t(lang, "meetings.header")]
    for r in rows:
        if r.state == "confirmed":
            state = t(lang, "meetings.items", done=r.done, total=r.total)
            if r.overdue:
                state += t(lang, "meetings.overdue", count=r.overdue)
        elif r.state == "proposed":
            state = t(lang, "meetings.proposed", count=r.total)
        elif r.state == "minutes":
            state = t(lang, "meetings.minutes")
        else:
            state = t(lang, "meetings.cancelled")
        lines.append(t(lang, "meetings.row", id=r.meeting_id, title=r.title, day=short_day(r.held_on, lang),
                       state=state))
    lines.append(t(lang, "meetings.hint"))
    return "\n".join(lines)


def task_range(task_ids: tuple[int, ...]) -> str:
    """`#12—#16` for consecutive numbers, else `#12、#14`."""
    if not task_ids:
        return ""
    ordered = sorted(task_ids)
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"#{ordered[0]}—#{ordered[-1]}"
    return "、".join(f"#{i}" for i in ordered)
