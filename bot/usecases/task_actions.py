"""What liaisons and the office do to a task: acknowledge, report progress, finish, ask for and
grant more time, move the due date, close. Each change is recorded as a task event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound, Refused
from bot.rules.delivery import Outgoing
from bot.rules.people import Caller
from bot.rules.tasks import Action, TargetStatus, next_status
from bot.texts import fmt_due, t
from bot.usecases import inputs
from bot.usecases.inbox import Incoming
from bot.usecases.outbox import enqueue_in
from bot.usecases.tasks import refresh_notices, refresh_task_notices, view_of
from bot.views.tasks import TargetView, extension_request
from storage.db import Database
from storage.models import Department, InboundMessage, Task, TaskProgress, TaskTarget
from storage.repos import audit as audit_repo
from storage.repos import inbox as inbox_repo
from storage.repos import people as people_repo
from storage.repos import tasks as task_repo


@dataclass(frozen=True)
class Loaded:
    task: Task
    target: TaskTarget
    department: Department


async def _load_target(s: AsyncSession, target_id: int) -> Loaded:
    target = await task_repo.target(s, target_id)
    task = await task_repo.task(s, target.task_id) if target else None
    dept = await s.get(Department, target.department_id) if target else None
    if target is None or task is None or dept is None:
        raise Refused("button.stale")
    return Loaded(task, target, dept)


async def _caller_target(s: AsyncSession, caller: Caller, *, task_id: int | None = None,
                         target_id: int | None = None) -> Loaded:
    """The caller's department's part in a task, or a refusal saying why not."""
    if caller.appointment is None:
        raise Refused("task.not_liaison")
    if target_id is not None:
        loaded = await _load_target(s, target_id)
        task_id = loaded.task.id
        if loaded.target.department_id != caller.appointment.department_id:
            raise Refused("task.not_target", id=task_id)
    else:
        assert task_id is not None
        task = await task_repo.task(s, task_id)
        if task is None:
            raise NotFound("task.not_found", id=task_id)
        target = await task_repo.target_of(s, task_id, caller.appointment.department_id)
        if target is None:
            raise Refused("task.not_target", id=task_id)
        dept = await s.get(Department, target.department_id)
        assert dept is not None
        loaded = Loaded(task, target, dept)
    if loaded.task.closed_at is not None:
        raise Refused("task.closed", id=task_id)
    return loaded


async def _apply(s: AsyncSession, loaded: Loaded, action: Action, actor: int, now: datetime) -> None:
    target = loaded.target
    new = next_status(target.status, action)
    if new != target.status:
        target.status = new
        target.acknowledged_at = target.acknowledged_at or now  # any action shows the notice arrived
        if new == TargetStatus.DONE:
            target.done_at = now
        s.add(target)
        await task_repo.event(s, task_id=loaded.task.id, target_id=target.id, kind=new, at=now, actor_id=actor)  # type: ignore[arg-type]


async def _refresh(s: AsyncSession, loaded: Loaded, now: datetime) -> None:
    """Every liaison's notice of the department's part shows the change (edited in place)."""
    await refresh_notices(s, loaded.task, loaded.target, loaded.department, now=now)


async def act(db: Database, caller: Caller, target_id: int, action: Action, *, now: datetime) -> TargetView:
    """A button press: acknowledge or finish. Returns the department's part as it is now."""
    async with db.transaction() as s:
        loaded = await _caller_target(s, caller, target_id=target_id)
        await _apply(s, loaded, action, caller.telegram_id, now)
        await _refresh(s, loaded, now)
        return view_of(loaded.task, loaded.target, loaded.department, now)


@dataclass(frozen=True)
class ProgressResult:
    view: TargetView
    stored: bool  # False: this message had been recorded before


async def _department_target(s: AsyncSession, target_id: int, department_id: int) -> Loaded:
    """A department's part in a task, when the office files a liaison's message for that department."""
    loaded = await _load_target(s, target_id)
    if loaded.target.department_id != department_id:
        raise Refused("task.not_target", id=loaded.task.id)
    if loaded.task.closed_at is not None:
        raise Refused("task.closed", id=loaded.task.id)
    return loaded


async def record_progress(
    db: Database, caller: Caller, incoming: Incoming, *, now: datetime, task_id: int | None = None,
    target_id: int | None = None, done: bool = False, for_department: int | None = None,
    inside: Callable[[AsyncSession], Awaitable[object]] | None = None,
) -> ProgressResult:
    """Keep a progress report (text and/or file) for the caller's department; `done` also finishes.

    Filing a kept message (bot/usecases/inbox.py) comes through here too: `inside` runs first in the
    same transaction (it marks the message filed, or refuses), and with `for_department` the office
    files a liaison's message for that liaison's department (the caller, an admin, is the actor; the
    progress keeps the message's sender)."""
    async with db.transaction() as s:
        if inside is not None:
            await inside(s)
        if for_department is not None and target_id is not None:
            loaded = await _department_target(s, target_id, for_department)
        else:
            loaded = await _caller_target(s, caller, task_id=task_id, target_id=target_id)
        stored = True
        if incoming.text or incoming.file_id:
            stored = await task_repo.add_progress(s, TaskProgress(
                target_id=loaded.target.id, sender_id=incoming.sender_id, at=now, text=incoming.text,  # type: ignore[arg-type]
                kind=incoming.kind, file_id=incoming.file_id, file_name=incoming.file_name,
                file_size=incoming.file_size, mime_type=incoming.mime_type, chat_id=incoming.chat_id,
                message_id=incoming.message_id))
        if stored:
            await _apply(s, loaded, Action.DONE if done else Action.PROGRESS, caller.telegram_id, now)
            await _refresh(s, loaded, now)
        return ProgressResult(view_of(loaded.task, loaded.target, loaded.department, now), stored)


async def keep_refused(db: Database, incoming: Incoming, *, now: datetime) -> None:
    """Progress from someone who may not report on the task: kept, not counted."""
    async with db.transaction() as s:
        await inbox_repo.add_once(s, InboundMessage(
            chat_id=incoming.chat_id, message_id=incoming.message_id, sender_id=incoming.sender_id,
            kind=incoming.kind, text=incoming.text, file_id=incoming.file_id, file_name=incoming.file_name,
            file_size=incoming.file_size, mime_type=incoming.mime_type, received_at=now))


async def target_of_reply(db: Database, chat_id: int, message_id: int) -> int | None:
    """The task target a message the bot sent (a notice, a reminder) was about."""
    async with db.session() as s:
        ref = await task_repo.ref_of_message(s, chat_id, message_id)
    return ref[1] if ref and ref[0] == "target" else None


# ---------------------------------------------------------------- waiting for the next message


async def expect(db: Database, caller: Caller, kind: str, target_id: int, *, now: datetime) -> TargetView:
    """After a button: the caller's next message is the progress (or extension request) for it."""
    async with db.transaction() as s:
        loaded = await _caller_target(s, caller, target_id=target_id)
        await inputs.expect_in(s, caller.telegram_id, kind, target_id, now)
        return view_of(loaded.task, loaded.target, loaded.department, now)


# ---------------------------------------------------------------- extensions


async def _admin_chats(s: AsyncSession, admin_ids: frozenset[int]) -> list[tuple[int, str | None]]:
    return await people_repo.chats_with_role(s, "admin", admin_ids)


async def request_extension(
    db: Database, caller: Caller, target_id: int, until: datetime, reason: str, *, now: datetime, tz: ZoneInfo,
    admin_ids: frozenset[int], default_language: str,
) -> TargetView:
    async with db.transaction() as s:
        loaded = await _caller_target(s, caller, target_id=target_id)
        await _apply(s, loaded, Action.ACK, caller.telegram_id, now)  # asking shows the notice arrived
        target = loaded.target
        target.extension_until, target.extension_reason = until, reason
        s.add(target)
        await task_repo.event(s, task_id=loaded.task.id, target_id=target.id, kind="extension_requested", at=now,  # type: ignore[arg-type]
                              actor_id=caller.telegram_id, note=f"{until.isoformat()} {reason}")
        await _refresh(s, loaded, now)
        view = view_of(loaded.task, target, loaded.department, now)
        stamp = int(now.timestamp())
        items = []
        for chat, lang in await _admin_chats(s, admin_ids):
            text, keyboard = extension_request(view, loaded.task.due_at, lang or default_language, tz)
            items.append(Outgoing(chat_id=chat, dedup_key=f"task:{loaded.task.id}:target:{target.id}:ext:{stamp}:admin:{chat}",
                                  text=text, reply_markup=keyboard))
        await enqueue_in(s, items, now)
    return view


@dataclass(frozen=True)
class Decision:
    view: TargetView
    approved: bool


async def decide_extension(
    db: Database, admin: Caller, target_id: int, approve: bool, *, now: datetime, tz: ZoneInfo, default_language: str,
) -> Decision:
    async with db.transaction() as s:
        loaded = await _load_target(s, target_id)
        target = loaded.target
        if target.extension_until is None:
            raise Refused("extension.none_pending")
        if approve:
            target.due_at = target.extension_until
        target.extension_until, target.extension_reason = None, None
        s.add(target)
        kind = "extension_granted" if approve else "extension_denied"
        await task_repo.event(s, task_id=loaded.task.id, target_id=target.id, kind=kind, at=now, actor_id=admin.telegram_id)  # type: ignore[arg-type]
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action=f"task.{kind}",
                             target=f"#{loaded.task.id}:{loaded.department.name}")
        await _refresh(s, loaded, now)
        view = view_of(loaded.task, target, loaded.department, now)
        chats = (await task_repo.liaison_chats(s, [target.department_id])).get(target.department_id, [])
        key = "extension.granted" if approve else "extension.denied"
        await enqueue_in(s, [
            Outgoing(chat_id=chat, dedup_key=f"task:{loaded.task.id}:target:{target.id}:{kind}:{int(now.timestamp())}:{person}",
                     text=t(lang or default_language, key, id=loaded.task.id, due=fmt_due(view.due, tz, lang or default_language)),
                     ref_kind="target", ref_id=target.id)
            for person, chat, lang in chats
        ], now)
    return Decision(view, approve)


# ---------------------------------------------------------------- the office


async def _liaisons_of_task(s: AsyncSession, task: Task) -> list[tuple[TaskTarget, int, int, str | None]]:
    rows = await task_repo.targets_with_departments(s, [task.id])  # type: ignore[list-item]
    chats = await task_repo.liaison_chats(s, [tg.department_id for tg, _ in rows])
    return [(tg, person, chat, lang) for tg, _ in rows for person, chat, lang in chats.get(tg.department_id, [])]


async def _office_task(s: AsyncSession, task_id: int) -> Task:
    task = await task_repo.task(s, task_id)
    if task is None:
        raise NotFound("task.not_found", id=task_id)
    if task.closed_at is not None:
        raise Refused("task.closed", id=task_id)
    return task


async def extend(db: Database, admin: Caller, task_id: int, due: datetime, *, now: datetime, tz: ZoneInfo,
                 default_language: str) -> int:
    """Move the whole task's due time (departments' own extensions are superseded). Returns how many
    liaisons were told."""
    async with db.transaction() as s:
        task = await _office_task(s, task_id)
        task.due_at = due
        s.add(task)
        targets = [tg for tg, _ in await task_repo.targets_with_departments(s, [task_id])]
        for target in targets:
            target.due_at = None
            s.add(target)
        await task_repo.event(s, task_id=task_id, kind="extended", at=now, actor_id=admin.telegram_id, note=due.isoformat())
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action="task.extend", target=f"#{task_id}",
                             detail=due.isoformat())
        await refresh_task_notices(s, task, now=now)
        recipients = [r for r in await _liaisons_of_task(s, task) if r[0].status != TargetStatus.DONE]
        return await enqueue_in(s, [
            Outgoing(chat_id=chat, dedup_key=f"task:{task_id}:extended:{due.isoformat()}:{person}",
                     text=t(lang or default_language, "extend.notice", id=task_id, title=task.title, due=fmt_due(due, tz, lang or default_language)),
                     ref_kind="target", ref_id=target.id)
            for target, person, chat, lang in recipients
        ], now)


async def close(db: Database, admin: Caller, task_id: int, *, now: datetime, default_language: str) -> int:
    async with db.transaction() as s:
        task = await _office_task(s, task_id)
        task.closed_at, task.closed_by = now, admin.telegram_id
        s.add(task)
        await task_repo.event(s, task_id=task_id, kind="closed", at=now, actor_id=admin.telegram_id)
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action="task.close", target=f"#{task_id}")
        await refresh_task_notices(s, task, now=now)
        recipients = [r for r in await _liaisons_of_task(s, task) if r[0].status != TargetStatus.DONE]
        return await enqueue_in(s, [
            Outgoing(chat_id=chat, dedup_key=f"task:{task_id}:closed:{person}",
                     text=t(lang or default_language, "close.notice", id=task_id, title=task.title))
            for _, person, chat, lang in recipients
        ], now)
