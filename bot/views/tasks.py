"""How tasks read in chat: notices, reminders, lists and details."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
    lines = [t(lang, "task.notice", id=view.task_id, title=view.title, due=fmt_due(view.due, tz, lang),
               role=role_name(lang, view.is_lead))]
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


def extension_request(view: TargetView, task_due: datetime, lang: str, tz: ZoneInfo) -> tuple[str, Keyboard]:
    text = t(lang, "extension.admin", id=view.task_id, title=view.title, department=view.department,
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


