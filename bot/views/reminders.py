"""The morning round's messages: one reminder and one acknowledgement nudge per liaison, one
escalation per director, each naming every item it stands for (bot/usecases/task_reminders.py).
A long list is split between lines by the caller (bot.rules.chunks.split_text)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback
from bot.rules.tasks import round_ref
from bot.texts import fmt_day, fmt_due, t
from bot.views.tasks import Overdue, button, due_text, role_name, status_name


@dataclass(frozen=True)
class Item:
    """One department's part in a task, as a line of a liaison's morning message."""

    target_id: int
    task_id: int
    title: str
    due: datetime
    department: str
    kind: str = "due"  # "due" (days left, 0 = today), "overdue" (days late), "ack"
    days: int = 0
    standing: bool = False  # 长期坚持: `due` is this month's checkpoint for progress, never overdue


@dataclass(frozen=True)
class Escalated:
    """A task in the directors' escalation: its overdue departments and those never notified."""

    task_id: int
    title: str
    due: datetime
    overdue: tuple[Overdue, ...]
    unnotified: tuple[str, ...] = ()


def _departments(items: Sequence[Item]) -> str:
    return "、".join(dict.fromkeys(i.department for i in items))


def _line(item: Item, lang: str, tz: ZoneInfo) -> str:
    if item.standing:
        return _standing_line(item, lang, tz)
    due = fmt_due(item.due, tz, lang)
    if item.kind == "overdue":
        return t(lang, "round.row.overdue", id=item.task_id, title=item.title, due=due, days=item.days)
    if item.kind == "due" and item.days == 0:
        return t(lang, "round.row.today", id=item.task_id, title=item.title, due=due)
    if item.kind == "due":
        return t(lang, "round.row.soon", id=item.task_id, title=item.title, due=due, days=item.days)
    return t(lang, "round.row.ack", id=item.task_id, title=item.title, due=due)


def _standing_line(item: Item, lang: str, tz: ZoneInfo) -> str:
    """A standing item (长期坚持): this month's progress is asked for by its checkpoint."""
    due = due_text(item.due, tz, lang, standing=True)
    if item.kind == "ack":
        return t(lang, "standing.round.ack", id=item.task_id, title=item.title, due=due)
    if item.days == 0:
        return t(lang, "standing.round.today", id=item.task_id, title=item.title, due=due)
    return t(lang, "standing.round.soon", id=item.task_id, title=item.title, due=due, days=item.days)


def reminder(items: Sequence[Item], lang: str, tz: ZoneInfo) -> str:
    """Due soon, due today and overdue, in that order, for one liaison."""
    soon = [i for i in items if i.kind == "due"]
    late = [i for i in items if i.kind == "overdue"]
    lines = [t(lang, "round.remind.header", departments=_departments(items), count=len(items))]
    if soon:
        lines += [t(lang, "round.remind.soon")] + [_line(i, lang, tz) for i in soon]
    if late:
        lines += [t(lang, "round.remind.late")] + [_line(i, lang, tz) for i in late]
    lines.append(t(lang, "round.remind.one" if len(items) == 1 else "round.remind.many"))
    return "\n".join(lines)


def ack_nudge(items: Sequence[Item], lang: str, tz: ZoneInfo) -> str:
    """The notices one liaison has not acknowledged (with `ack_all_button` under it)."""
    lines = [t(lang, "round.ack.header", departments=_departments(items), count=len(items))]
    lines += [_line(i, lang, tz) for i in items]
    lines.append(t(lang, "round.ack.footer"))
    return "\n".join(lines)


def ack_all_button(day: date, lang: str) -> dict[str, Any]:
    """One tap acknowledges every notice the day's nudge listed."""
    return {"inline_keyboard": [[button(t(lang, "btn.ack_all"), Callback("a", "all", round_ref(day)))]]}


def escalation(tasks: Sequence[Escalated], earlier: int, day: date, lang: str, tz: ZoneInfo, *,
               office: str | None = None) -> str:
    """Every task newly overdue by `day`, with each department; `earlier` tasks reported on an
    earlier day and still overdue are counted, not listed again. `office`: a child office's name,
    said in the header (one person may hear from several offices)."""
    moment = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    lines = [t(lang, "round.escalate.header", day=fmt_day(moment, tz, lang), count=len(tasks))]
    if office:
        lines[0] += t(lang, "forward.escalate_office", office=office)
    for task in tasks:
        lines.append(t(lang, "round.escalate.task", id=task.task_id, title=task.title, due=fmt_due(task.due, tz, lang)))
        lines += [t(lang, "escalate.row", department=r.department, role=role_name(lang, r.is_lead), days=r.days,
                    status=status_name(lang, r.status)) for r in task.overdue]
        if task.unnotified:
            lines.append(t(lang, "escalate.unnotified", names="、".join(task.unnotified)))
    if earlier:
        lines.append(t(lang, "round.escalate.earlier", count=earlier))
    return "\n".join(lines)
