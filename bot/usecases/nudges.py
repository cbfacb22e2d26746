"""一键催办: a director or admin reminds, now, exactly the departments still missing (the open
cycle) or overdue / not done (one task, or every overdue task), through the outbox.

At most once per department and day: each reminder's dedup key names what it is about and the
local date (`nudge:target:12@2026-12-07:34`), so a second press the same day queues nothing, and the
answer says how many departments were reminded now, how many were already reminded today, and
which have no liaison (those are never "reminded")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound, Refused
from bot.rules.delivery import Outgoing
from bot.rules.people import Caller
from bot.rules.tasks import TargetStatus, is_overdue
from bot.texts import fmt_due, t
from bot.usecases.outbox import enqueue_in
from bot.usecases.tasks import view_of
from bot.views.tasks import status_name
from storage.db import Database
from storage.models import Department, ReportingCycle, Task, TaskTarget
from storage.repos import audit as audit_repo
from storage.repos import cycles as cycle_repo
from storage.repos import tasks as task_repo


@dataclass(frozen=True)
class Nudged:
    reminded: int  # departments reminded now
    already: int  # departments that had been reminded earlier today (nothing sent again)
    without_liaison: tuple[str, ...]  # departments that could not be reminded


class _Tally:
    def __init__(self) -> None:
        self.reminded: set[str] = set()
        self.already: set[str] = set()
        self.without: list[str] = []

    async def queue(self, s: AsyncSession, department: str, items: list[Outgoing], now: datetime) -> None:
        if not items:
            if department not in self.without:
                self.without.append(department)
            return
        if await enqueue_in(s, items, now):
            self.reminded.add(department)
        else:
            self.already.add(department)

    def result(self) -> Nudged:
        return Nudged(len(self.reminded), len(self.already - self.reminded), tuple(self.without))


async def _targets(s: AsyncSession, tally: _Tally, pairs: list[tuple[Task, TaskTarget, Department]], *,
                   now: datetime, tz: ZoneInfo, default_language: str) -> None:
    day = now.astimezone(tz).date().isoformat()
    chats = await task_repo.liaison_chats(s, sorted({d.id for _, _, d in pairs}))  # type: ignore[type-var]
    for task, target, dept in pairs:
        view = view_of(task, target, dept, now)
        items = []
        for person, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
            language = lang or default_language
            items.append(Outgoing(
                chat_id=chat, dedup_key=f"nudge:target:{target.id}@{day}:{person}", ref_kind="target", ref_id=target.id,
                text=t(language, "nudge.task", id=task.id, title=task.title, due=fmt_due(view.due, tz, language),
                       status=status_name(language, view.status))))
        await tally.queue(s, dept.name, items, now)


async def nudge_task(db: Database, actor: Caller, task_id: int, *, now: datetime, tz: ZoneInfo,
                     default_language: str) -> Nudged:
    """Every department of the task that is not done (overdue or not): a task of the office the
    actor acts in (another office's answers as one that does not exist)."""
    tally = _Tally()
    async with db.transaction() as s:
        task = await task_repo.task(s, task_id, actor.office_id)
        if task is None:
            raise NotFound("task.not_found", id=task_id)
        if task.closed_at is not None:
            raise Refused("task.closed", id=task_id)
        pairs = [(task, tg, d) for tg, d in await task_repo.targets_with_departments(s, [task_id])
                 if tg.status != TargetStatus.DONE]
        await _targets(s, tally, pairs, now=now, tz=tz, default_language=default_language)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="nudge", target=f"#{task_id}",
                             detail=f"{len(tally.reminded)} reminded", office_id=actor.office_id)
    return tally.result()


async def nudge_overdue(db: Database, actor: Caller, *, now: datetime, tz: ZoneInfo, default_language: str,
                        office_id: int | None = None) -> Nudged:
    """Every department with an overdue part in an open task of the office the actor acts in;
    `office_id` is the office the button was for (/overdue's): another one's is a stale button."""
    if office_id is not None and office_id != actor.office_id:
        raise Refused("button.stale")
    tally = _Tally()
    async with db.transaction() as s:
        open_tasks = {task.id: task for task in await task_repo.tasks(s, open_only=True, office_id=actor.office_id)}
        pairs = [(open_tasks[tg.task_id], tg, d) for tg, d in await task_repo.targets_with_departments(s, list(open_tasks))  # type: ignore[arg-type]
                 if is_overdue(tg.status, tg.due_at or open_tasks[tg.task_id].due_at, False, now,
                               standing=open_tasks[tg.task_id].standing)]
        await _targets(s, tally, pairs, now=now, tz=tz, default_language=default_language)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="nudge", target="overdue",
                             detail=f"{len(tally.reminded)} reminded", office_id=actor.office_id)
    return tally.result()


async def nudge_cycle(db: Database, actor: Caller, cycle_id: int, *, now: datetime, tz: ZoneInfo,
                      default_language: str) -> Nudged:
    """Every member unit of the cycle that has not submitted: a cycle of the office the actor acts in
    (another office's is a stale button)."""
    tally = _Tally()
    day = now.astimezone(tz).date().isoformat()
    async with db.transaction() as s:
        cycle = await s.get(ReportingCycle, cycle_id)
        if cycle is None or cycle.office_id != actor.office_id:
            raise Refused("button.stale")
        submitted = set(await cycle_repo.first_submissions(s, cycle_id))
        missing = [d for d in await cycle_repo.members(s, cycle_id) if d.id not in submitted]
        chats = await task_repo.liaison_chats(s, [d.id for d in missing])  # type: ignore[misc]
        for dept in missing:
            items = [Outgoing(chat_id=chat, dedup_key=f"nudge:cycle:{cycle_id}:dept:{dept.id}@{day}:{person}",
                              text=t(lang or default_language, "nudge.cycle",
                                     due=fmt_due(cycle.deadline_at, tz, lang or default_language)))
                     for person, chat, lang in chats.get(dept.id, [])]  # type: ignore[arg-type]
            await tally.queue(s, dept.name, items, now)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="nudge", target=f"cycle:{cycle.label}",
                             detail=f"{len(tally.reminded)} reminded", office_id=actor.office_id)
    return tally.result()
