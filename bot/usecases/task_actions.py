"""What liaisons and the office do to a task: acknowledge, report progress, finish, ask for and
grant more time, move the due date, close. Each change is recorded as a task event."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound, Refused
from bot.rules.delivery import Outgoing
from bot.rules.offices import parse_tree
from bot.rules.people import Caller
from bot.rules.tasks import Action, TargetStatus, ack_nudge_cutoff, next_status, round_of_ref
from bot.texts import fmt_due, t
from bot.usecases import inputs, offices
from bot.usecases.inbox import Incoming
from bot.usecases.outbox import enqueue_in
from bot.usecases.tasks import refresh_notices, refresh_task_notices, view_of
from bot.views.tasks import TargetView, extension_request
from storage.db import Database
from storage.models import ROOT_OFFICE_ID, InboundMessage, Task, TaskProgress, TaskTarget
from storage.repos import audit as audit_repo
from storage.repos import inbox as inbox_repo
from storage.repos import people as people_repo
from storage.repos import reminders as reminder_repo
from storage.repos import tasks as task_repo
from storage.repos.tasks import Part, Which


def _checked(found: task_repo.Found, which: Which, department_id: int | None, office_id: int) -> Part:
    """The part `which` names, or the refusal saying why not: no such task (by number), a stale
    button (by part), another department's part, a closed task. A task of another office than
    `office_id` is one that does not exist."""
    if found.task is not None and found.task.office_id != office_id:
        found = task_repo.Found(None, None, found.stored_before)
    if which.task_id is not None:
        if found.task is None:
            raise NotFound("task.not_found", id=which.task_id)
        if found.part is None:
            raise Refused("task.not_target", id=which.task_id)
    elif found.part is None:
        raise Refused("button.stale")
    part = found.part
    if department_id is not None and part.target.department_id != department_id:
        raise Refused("task.not_target", id=part.task.id)
    if part.task.closed_at is not None:
        raise Refused("task.closed", id=part.task.id)
    return part


async def _caller_part(s: AsyncSession, caller: Caller, which: Which) -> Part:
    """The caller's department's part in a task (one statement), or a refusal saying why not."""
    if caller.appointment is None:
        raise Refused("task.not_liaison")
    department, office = caller.appointment.department_id, caller.appointment.office_id
    return _checked(await task_repo.find(s, replace(which, department_id=department, office_id=office)), which,
                    department, office)


async def _advance(s: AsyncSession, part: Part, action: Action, actor: int, now: datetime) -> None:
    """Move the part's status as `action` does (two statements when it changes: the conditional
    UPDATE and the task event; none when it does not)."""
    for _ in range(5):
        target = part.target
        new = next_status(target.status, action)
        if new == target.status:
            return
        values: dict[str, object] = {"status": new, "acknowledged_at": target.acknowledged_at or now}  # any action shows the notice arrived
        if new == TargetStatus.DONE:
            values["done_at"] = now
        if await task_repo.set_status(s, target.id, was=target.status, values=values):  # type: ignore[arg-type]
            for name, value in values.items():
                setattr(target, name, value)
            await task_repo.event(s, task_id=part.task.id, target_id=target.id, kind=new, at=now, actor_id=actor)  # type: ignore[arg-type]
            return
        again = (await task_repo.find(s, Which(target_id=target.id))).part  # someone changed it first: read again
        assert again is not None
        part.target, part.copies = again.target, again.copies
    raise RuntimeError(f"the status of task part {part.target.id} kept changing")


async def _refresh(s: AsyncSession, part: Part, now: datetime) -> None:
    """Every liaison's notice of the department's part shows the change (edited in place)."""
    await refresh_notices(s, part.task, part.target, part.department, now=now, copies=part.copies, origin=part.origin)


def _view(part: Part, now: datetime) -> TargetView:
    return view_of(part.task, part.target, part.department, now, part.origin)


async def act(db: Database, caller: Caller, target_id: int, action: Action, *, now: datetime) -> TargetView:
    """A button press: acknowledge or finish. Returns the department's part as it is now. At most
    four statements: the read, the status and its event, the notice's copies."""
    async with db.transaction() as s:
        part = await _caller_part(s, caller, Which(target_id=target_id))
        await _advance(s, part, action, caller.telegram_id, now)
        await _refresh(s, part, now)
        return _view(part, now)


async def acknowledge_all(db: Database, caller: Caller, round_ref: int, *, now: datetime, tz: ZoneInfo) -> int:
    """The morning nudge's 全部确认收到: every part of the caller's department that the round of
    `round_ref` asked to acknowledge (its notice went out by the round's cutoff) and that is still
    pending, acknowledged as by its own button. Returns how many."""
    day = round_of_ref(round_ref)
    if day is None:
        raise Refused("button.stale")
    if caller.appointment is None:
        raise Refused("task.not_liaison")
    acknowledged = 0
    async with db.transaction() as s:
        for target_id in await reminder_repo.unacknowledged_of(s, caller.appointment.department_id,
                                                              ack_nudge_cutoff(day, tz)):
            part = await _caller_part(s, caller, Which(target_id=target_id))
            if part.target.status == TargetStatus.PENDING:
                await _advance(s, part, Action.ACK, caller.telegram_id, now)
                await _refresh(s, part, now)
                acknowledged += 1
    return acknowledged


@dataclass(frozen=True)
class ProgressResult:
    view: TargetView
    stored: bool  # False: this message had been recorded before


def _progress_row(incoming: Incoming, now: datetime) -> TaskProgress:
    return TaskProgress(sender_id=incoming.sender_id, at=now, text=incoming.text, kind=incoming.kind,
                        file_id=incoming.file_id, file_name=incoming.file_name, file_size=incoming.file_size,
                        mime_type=incoming.mime_type, chat_id=incoming.chat_id, message_id=incoming.message_id)


async def record_progress(
    db: Database, caller: Caller, incoming: Incoming, *, now: datetime, task_id: int | None = None,
    target_id: int | None = None, done: bool = False, for_department: int | None = None,
    inside: Callable[[AsyncSession], Awaitable[object]] | None = None,
) -> ProgressResult:
    """Keep a progress report (text and/or file) for the caller's department; `done` also finishes.

    Filing a kept message (bot/usecases/inbox.py) comes through here too: `inside` runs first in the
    same transaction (it marks the message filed, or refuses), and with `for_department` the office
    files a liaison's message for that liaison's department (the caller, an admin, is the actor; the
    progress keeps the message's sender).

    At most four statements besides `inside`: storing the report returns the part with it (task,
    department, notice copies), then the status and its event when it changes, then the notice's
    copies when they show something else now."""
    result = await _record(db, caller, incoming, Which(target_id=target_id, task_id=task_id), now=now, done=done,
                           for_department=for_department if target_id is not None else None, inside=inside)
    assert result is not None
    return result


async def record_reply(db: Database, caller: Caller, incoming: Incoming, replied_to: int, *,
                       now: datetime) -> ProgressResult | None:
    """A reply (in the caller's chat) to message `replied_to` the bot sent: progress on the task
    part that message was about (a notice, a reminder, a file). None when it was about no task
    part: nothing was done, and the message is something else. Refusals as `record_progress`."""
    return await _record(db, caller, incoming, Which(reply_to=(incoming.chat_id, replied_to)), now=now, done=False)


async def _record(
    db: Database, caller: Caller, incoming: Incoming, which: Which, *, now: datetime, done: bool,
    for_department: int | None = None, inside: Callable[[AsyncSession], Awaitable[object]] | None = None,
) -> ProgressResult | None:
    department = for_department if for_department is not None else (
        caller.appointment.department_id if caller.appointment is not None else None)
    # the office whose tasks count: the one the office acts in when it files a liaison's message,
    # else the liaison's department's
    office = caller.office_id if for_department is not None or caller.appointment is None \
        else caller.appointment.office_id
    content = bool(incoming.text or incoming.file_id)
    async with db.transaction() as s:
        if inside is not None:
            await inside(s)
        if department is None:
            if which.reply_to is not None and (await task_repo.find(s, which)).part is None:
                return None  # not a reply about a task: no refusal, it is something else
            raise Refused("task.not_liaison")
        which = replace(which, department_id=department, office_id=office)
        part = await task_repo.add_progress(s, which, _progress_row(incoming, now)) if content else None
        if part is None:
            found = await task_repo.find(s, which, message=(incoming.chat_id, incoming.message_id) if content else None)
            if found.task is not None and found.task.office_id != office:
                found = task_repo.Found(None, None, found.stored_before)
            if which.reply_to is not None and found.part is None:
                return None
            part = _checked(found, which, department, office)
            if content and found.stored_before:
                return ProgressResult(_view(part, now), stored=False)
            if content:  # not stored before, yet not stored now: only a concurrent change explains it
                part = await task_repo.add_progress(s, which, _progress_row(incoming, now))
                if part is None:
                    raise RuntimeError("a progress report could not be stored")
        await _advance(s, part, Action.DONE if done else Action.PROGRESS, caller.telegram_id, now)
        await _refresh(s, part, now)
        return ProgressResult(_view(part, now), stored=True)


async def keep_refused(db: Database, incoming: Incoming, *, now: datetime, office_id: int = ROOT_OFFICE_ID) -> None:
    """Progress from someone who may not report on the task: kept, not counted, in `office_id`'s
    inbox (the sender's office)."""
    async with db.transaction() as s:
        await inbox_repo.add_once(s, InboundMessage(
            office_id=office_id, chat_id=incoming.chat_id, message_id=incoming.message_id, sender_id=incoming.sender_id,
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
        part = await _caller_part(s, caller, Which(target_id=target_id))
        await inputs.expect_in(s, caller.telegram_id, kind, target_id, now)
        return _view(part, now)


# ---------------------------------------------------------------- extensions


async def _admin_chats(s: AsyncSession, admin_ids: frozenset[int], office_id: int) -> list[tuple[int, str | None]]:
    """The admins of the task's office; an office without any: the nearest office above it that has
    some (the root's include the configured admins)."""
    return await offices.office_staff(s, office_id, admin_ids, roles=("admin",))


async def _reaches(s: AsyncSession, caller: Caller, office_id: int) -> bool:
    """Whether the office the caller acts in is `office_id` or above it (their roles reach it)."""
    return office_id == caller.office_id or parse_tree(await people_repo.tree(s)).within(office_id, caller.office_id)


async def request_extension(
    db: Database, caller: Caller, target_id: int, until: datetime, reason: str, *, now: datetime, tz: ZoneInfo,
    admin_ids: frozenset[int], default_language: str,
) -> TargetView:
    async with db.transaction() as s:
        part = await _caller_part(s, caller, Which(target_id=target_id))
        await _advance(s, part, Action.ACK, caller.telegram_id, now)  # asking shows the notice arrived
        target = part.target
        target.extension_until, target.extension_reason = until, reason
        await task_repo.update_target(s, target.id, extension_until=until, extension_reason=reason)  # type: ignore[arg-type]
        await task_repo.event(s, task_id=part.task.id, target_id=target.id, kind="extension_requested", at=now,  # type: ignore[arg-type]
                              actor_id=caller.telegram_id, note=f"{until.isoformat()} {reason}")
        await _refresh(s, part, now)
        view = _view(part, now)
        stamp = int(now.timestamp())
        items = []
        office = await offices.named(s, part.task.office_id)  # every district has a 区财政局
        for chat, lang in await _admin_chats(s, admin_ids, part.task.office_id):
            text, keyboard = extension_request(view, part.task.due_at, lang or default_language, tz, office=office)
            items.append(Outgoing(chat_id=chat, dedup_key=f"task:{part.task.id}:target:{target.id}:ext:{stamp}:admin:{chat}",
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
        part = (await task_repo.find(s, Which(target_id=target_id))).part
        if part is None or not await _reaches(s, admin, part.task.office_id):  # another office's: as none
            raise Refused("button.stale")
        target = part.target
        if target.extension_until is None:
            raise Refused("extension.none_pending")
        if approve:
            target.due_at = target.extension_until
        target.extension_until, target.extension_reason = None, None
        await task_repo.update_target(s, target.id, due_at=target.due_at, extension_until=None,  # type: ignore[arg-type]
                                      extension_reason=None)
        kind = "extension_granted" if approve else "extension_denied"
        await task_repo.event(s, task_id=part.task.id, target_id=target.id, kind=kind, at=now, actor_id=admin.telegram_id)  # type: ignore[arg-type]
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action=f"task.{kind}",
                             target=f"#{part.task.id}:{part.department.name}", office_id=part.task.office_id)
        await _refresh(s, part, now)
        view = _view(part, now)
        chats = (await task_repo.liaison_chats(s, [target.department_id])).get(target.department_id, [])
        key = "extension.granted" if approve else "extension.denied"
        await enqueue_in(s, [
            Outgoing(chat_id=chat, dedup_key=f"task:{part.task.id}:target:{target.id}:{kind}:{int(now.timestamp())}:{person}",
                     text=t(lang or default_language, key, id=part.task.id, due=fmt_due(view.due, tz, lang or default_language)),
                     ref_kind="target", ref_id=target.id)
            for person, chat, lang in chats
        ], now)
    return Decision(view, approve)


# ---------------------------------------------------------------- the office


async def _liaisons_of_task(s: AsyncSession, task: Task) -> list[tuple[TaskTarget, int, int, str | None]]:
    rows = await task_repo.targets_with_departments(s, [task.id])  # type: ignore[list-item]
    chats = await task_repo.liaison_chats(s, [tg.department_id for tg, _ in rows])
    return [(tg, person, chat, lang) for tg, _ in rows for person, chat, lang in chats.get(tg.department_id, [])]


async def _office_task(s: AsyncSession, task_id: int, office_id: int) -> Task:
    task = await task_repo.task(s, task_id, office_id)
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
        task = await _office_task(s, task_id, admin.office_id)
        task.due_at = due
        s.add(task)
        await task_repo.clear_target_dues(s, task_id)  # departments' own extensions are superseded
        await task_repo.event(s, task_id=task_id, kind="extended", at=now, actor_id=admin.telegram_id, note=due.isoformat())
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action="task.extend", target=f"#{task_id}",
                             detail=due.isoformat(), office_id=task.office_id)
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
        task = await _office_task(s, task_id, admin.office_id)
        task.closed_at, task.closed_by = now, admin.telegram_id
        s.add(task)
        await task_repo.event(s, task_id=task_id, kind="closed", at=now, actor_id=admin.telegram_id)
        await audit_repo.add(s, at=now, actor_id=admin.telegram_id, action="task.close", target=f"#{task_id}",
                             office_id=task.office_id)
        await refresh_task_notices(s, task, now=now)
        recipients = [r for r in await _liaisons_of_task(s, task) if r[0].status != TargetStatus.DONE]
        return await enqueue_in(s, [
            Outgoing(chat_id=chat, dedup_key=f"task:{task_id}:closed:{person}",
                     text=t(lang or default_language, "close.notice", id=task_id, title=task.title))
            for _, person, chat, lang in recipients
        ], now)
