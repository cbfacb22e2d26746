"""The tick's task step: reminders to departments, nudges, and the escalation to directors.

Everything is derived from the rows and `at`; each message has a dedup key naming the task, the
department's part and the reminder (with its day), so ticking again at the same moment, or a
minute later, queues nothing new."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.rules import tasks as rules
from bot.rules.delivery import Outgoing
from bot.rules.tasks import Calendar, TargetStatus
from bot.texts import t
from bot.usecases.outbox import enqueue_in
from bot.usecases.tasks import never_notified, view_of
from bot.views.tasks import Overdue, escalation, reminder
from storage.db import Database
from storage.repos import people as people_repo
from storage.repos import tasks as task_repo


async def queue_reminders(
    db: Database, *, at: datetime, tz: ZoneInfo, calendar: Calendar, default_language: str,
    admin_ids: frozenset[int],
) -> int:
    items: list[Outgoing] = []
    local_day = at.astimezone(tz).date()
    workday = calendar.is_workday(local_day)
    async with db.transaction() as s:
        open_tasks = {t.id: t for t in await task_repo.tasks(s, open_only=True)}
        rows = await task_repo.targets_with_departments(s, list(open_tasks))
        chats = await task_repo.liaison_chats(s, sorted({tg.department_id for tg, _ in rows}))
        overdue: dict[int, list[Overdue]] = {}
        unnotified: dict[int, list[str]] = {}
        for target, dept in rows:
            task = open_tasks[target.task_id]
            if target.status == TargetStatus.DONE:
                continue
            view = view_of(task, target, dept, at)
            due = view.due
            planned: list[tuple[str, str, int]] = []  # (key, kind, days)
            if target.status == TargetStatus.PENDING and target.notified_at is not None and workday \
                    and at >= rules.ack_nudge_at(target.notified_at, tz, calendar):
                planned.append(("ack-nudge", "ack", 0))
            for slot in rules.due_slots(due, task.created_at, tz, calendar):
                if rules.slot_is_due(slot.at, at, tz):
                    planned.append((slot.key, "due", slot.days_left))
            day = rules.overdue_nudge_day(due, at, tz, calendar)
            if day is not None:
                planned.append((f"overdue@{day.isoformat()}", "overdue", rules.days_overdue(due, at, tz)))
            if never_notified(target, False):  # no liaison: named apart, never as overdue
                if at > due:
                    unnotified.setdefault(task.id, []).append(dept.name)  # type: ignore[arg-type]
            elif rules.is_overdue(target.status, due, False, at):
                overdue.setdefault(task.id, []).append(  # type: ignore[arg-type]
                    Overdue(dept.name, target.is_lead, rules.days_overdue(due, at, tz), target.status))
            for person, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
                for key, kind, days in planned:
                    items.append(Outgoing(
                        chat_id=chat, dedup_key=f"task:{task.id}:target:{target.id}:{key}:{person}",
                        text=reminder(kind, view, lang or default_language, tz, days),
                        ref_kind="target", ref_id=target.id))
        directors = await people_repo.chats_with_role(s, "director")
        office = directors or await people_repo.chats_with_role(s, "admin", admin_ids)
        for task_id in sorted({*overdue, *unnotified}):
            task = open_tasks[task_id]
            if not workday or at < rules.escalation_at(task.due_at, tz, calendar):
                continue
            for chat, lang in office:
                items.append(Outgoing(chat_id=chat, dedup_key=f"task:{task_id}:escalation:{chat}",
                                      text=escalation(task_id, task.title, task.due_at, overdue.get(task_id, []),
                                                      lang or default_language, tz, unnotified.get(task_id, ()))))
        if not calendar.covers(local_day.year):
            for chat, lang in await people_repo.chats_with_role(s, "admin", admin_ids):
                items.append(Outgoing(chat_id=chat, dedup_key=f"calendar:uncovered:{local_day.year}:{chat}",
                                      text=t(lang or default_language, "calendar.uncovered", year=local_day.year)))
        return await enqueue_in(s, items, at)
