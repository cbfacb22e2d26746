"""How tasks read in chat: notices, reminders, lists and details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback
from bot.rules.digest import OverdueItem
from bot.rules.tasks import TargetStatus
from bot.texts import fmt_due, t

Keyboard = dict[str, Any]


@dataclass(frozen=True)
class TargetView:
    """One department's part in a task, as shown to people."""

    target_id: int
    task_id: int
    title: str
    details: str | None
    attachment_name: str | None
    due: datetime  # this department's due time (after any granted extension)
    department: str
    is_lead: bool
    status: str  # stored status, or "overdue", or "closed"
    extension_until: datetime | None = None
    extension_reason: str | None = None
    origin: tuple[int, str] | None = None  # a forwarded (转办) task's: (the parent task's id, the parent office)
    standing: bool = False  # 长期坚持: `due` is the month's checkpoint for progress, never overdue


def due_text(due: datetime, tz: ZoneInfo, lang: str, standing: bool = False, *, lasting: bool = False) -> str:
    """A due time as every task message shows it; a standing item's (长期坚持) as what it is, with
    this month's checkpoint: `长期坚持（每月报送进展，本月节点11月30日）`. `lasting`: for a message that
    stays in the chat for months (the notice), without the checkpoint, which moves every month."""
    if not standing:
        return fmt_due(due, tz, lang)
    if lasting:
        return t(lang, "standing.due_lasting")
    return t(lang, "standing.due", day=month_day(due, tz, lang))


def month_day(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """`11月30日` / `Nov 30`, in the office's zone."""
    return day_name(moment.astimezone(tz).date(), lang)


def day_name(day: date, lang: str) -> str:
    """`11月30日` / `Nov 30`."""
    return f"{_MONTHS[day.month - 1]} {day.day}" if lang == "en" else f"{day.month}月{day.day}日"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def button(text: str, cb: Callback) -> dict[str, str]:
    return {"text": text, "callback_data": cb.encode()}


def status_name(lang: str, status: str) -> str:
    return t(lang, f"status.{status}")


def role_name(lang: str, is_lead: bool) -> str:
    return t(lang, "task.lead" if is_lead else "task.member")


def file_label(lang: str, name: str | None) -> str:
    """A task attachment's name; a photo (which has none) or an unnamed file by its kind."""
    if name in (None, "", "photo", "document"):
        return t(lang, "task.file.photo" if name == "photo" else "task.file.document")
    return name  # type: ignore[return-value]


def file_caption(task_id: int, name: str | None, lang: str) -> str:
    """The caption of the task's file, sent to each liaison right after the notice."""
    return t(lang, "task.file_caption", id=task_id, name=file_label(lang, name))


def notice(view: TargetView, lang: str, tz: ZoneInfo) -> tuple[str, Keyboard | None]:
    """The task notice a liaison gets, with the current state and (while open) its buttons."""
    lines = [t(lang, "task.notice", id=view.task_id, title=view.title, due=due_text(view.due, tz, lang, view.standing, lasting=True),
               role=role_name(lang, view.is_lead))]
    if view.origin is not None:
        lines.append(origin_line(view.origin, lang))
    if view.details:
        lines.append(t(lang, "task.details", details=view.details))
    if view.attachment_name:
        lines.append(t(lang, "task.attachment", name=file_label(lang, view.attachment_name)))
    lines.append(t(lang, "task.state", status=status_name(lang, view.status)))
    if view.status in (TargetStatus.DONE, "closed"):
        return "\n".join(lines), None
    lines.append(t(lang, "task.reply_hint"))
    ref = view.target_id
    first = [button(t(lang, "btn.progress"), Callback("t", "prog", ref))]
    if view.status == TargetStatus.PENDING:  # once acknowledged, the button has nothing left to do
        first.insert(0, button(t(lang, "btn.ack"), Callback("t", "ack", ref)))
    keyboard = {"inline_keyboard": [
        first,
        [button(t(lang, "btn.done"), Callback("t", "done", ref)), button(t(lang, "btn.extension"), Callback("t", "ext", ref))],
    ]}
    return "\n".join(lines), keyboard


def office_label(short_name: str, lang: str) -> str:
    """How a child office's people call its parent office: its short name, or 上级 (there is one)."""
    return short_name or t(lang, "forward.parent")


def origin_line(origin: tuple[int, str], lang: str) -> str:
    """Where a forwarded task came from: `上级交办 #12 转办` (the parent office's short name, when
    it has one, for 上级)."""
    return t(lang, "forward.origin", id=origin[0], office=office_label(origin[1], lang))


def cascade_notice(view: TargetView, office: str, lang: str, tz: ZoneInfo) -> tuple[str, Keyboard]:
    """What a child office's admins hear of a parent office's task to their office (`view` is their
    office's part, `office` the parent office's short name or ''), with the 转办 button."""
    lines = [t(lang, "forward.cascade", office=office_label(office, lang), id=view.task_id, title=view.title, unit=view.department,
               due=due_text(view.due, tz, lang, view.standing, lasting=True))]
    if view.details:
        lines.append(t(lang, "task.details", details=view.details))
    lines.append(t(lang, "forward.cascade_hint"))
    return "\n".join(lines), {"inline_keyboard": [[button(t(lang, "btn.forward"), Callback("fw", "go", view.target_id))]]}


def extension_request(view: TargetView, task_due: datetime, lang: str, tz: ZoneInfo,
                      office: str | None = None) -> tuple[str, Keyboard]:
    """To the admins; `office`: the task's office when it is not the root (which district asks)."""
    department = view.department + (t(lang, "forward.escalate_office", office=office) if office else "")
    text = t(lang, "extension.admin", id=view.task_id, title=view.title, department=department,
             due=fmt_due(task_due, tz, lang), until=fmt_due(view.extension_until or task_due, tz, lang),
             reason=view.extension_reason or "")
    return text, {"inline_keyboard": [[
        button(t(lang, "btn.approve"), Callback("x", "ok", view.target_id)),
        button(t(lang, "btn.deny"), Callback("x", "no", view.target_id)),
    ]]}


@dataclass(frozen=True)
class TaskSummary:
    task_id: int
    title: str
    due: datetime
    total: int
    done: int
    overdue: int
    closed: bool
    unnotified: int = 0  # departments never notified (no liaison)
    standing: bool = False  # 长期坚持: `due` is the month's checkpoint


@dataclass(frozen=True)
class ProgressView:
    progress_id: int
    department: str
    at: datetime
    text: str | None
    kind: str
    file_name: str | None
    has_file: bool


@dataclass(frozen=True)
class CommentView:
    """A director's comment (批示) on a task, for `/task N`."""

    at: datetime
    author: str | None
    department: str | None  # None: to every department of the task
    text: str


@dataclass(frozen=True)
class BelowView:
    """A child office's own handling of its part (the tasks it forwarded from it): `下级办理 2/3`."""

    done: int
    total: int
    overdue: int = 0


@dataclass(frozen=True)
class TaskDetail:
    task_id: int
    title: str
    details: str | None
    due: datetime
    created: datetime
    closed: bool
    attachment_name: str | None  # None when the task has no attachment
    targets: list[tuple[TargetView, bool, datetime | None]]  # view, notified, own due when extended
    progress: list[ProgressView]
    comments: list[CommentView] = field(default_factory=list)
    below: dict[int, BelowView] = field(default_factory=dict)  # target id → its child office's handling
    origin: tuple[int, str] | None = None  # a forwarded task's: (the parent task's id, the parent office)
    standing: bool = False  # 长期坚持: `due` is the month's checkpoint


@dataclass(frozen=True)
class Overdue:
    department: str
    is_lead: bool
    days: int
    status: str


@dataclass(frozen=True)
class OverdueList:
    """`/overdue`: the overdue parts, and apart from them the parts never notified (no liaison)."""

    overdue: list[OverdueItem]
    unnotified: list[OverdueItem]
    office_id: int = 1  # whose list it is (its 一键催办 button names it)


