"""Keeping what users send that the bot cannot attach to anything else, offering the liaison the
open work it could belong to, and the office's view of what was only kept (/inbox).

A kept message belongs to the office its sender wrote to: their department's office, else the
office they act in. Only that office's /inbox lists it, with that office's departments' tasks.

Filing a kept message somewhere (a button press) is bot/usecases/filing.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound
from bot.rules.offices import ROOT
from bot.rules.people import Caller, display_name
from storage.db import Database
from storage.models import InboundMessage
from storage.repos import cycles as cycle_repo
from storage.repos import inbox as inbox_repo

MAX_TASKS = 8  # task buttons under one message (newest first)
PAGE_SIZE = 10  # messages per /inbox page
FILEABLE = frozenset({"text", "photo", "document"})  # what can be filed as progress or report content


@dataclass(frozen=True)
class Incoming:
    chat_id: int
    message_id: int
    sender_id: int
    kind: str  # text | photo | document | other
    text: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    mime_type: str | None = None


def office_of(caller: Caller) -> int:
    """The office a person's message goes to: their department's, else the office they act in."""
    return caller.appointment.office_id if caller.appointment is not None else caller.office_id


def _row(msg: Incoming, now: datetime, office_id: int = ROOT) -> InboundMessage:
    return InboundMessage(
        office_id=office_id, chat_id=msg.chat_id, message_id=msg.message_id, sender_id=msg.sender_id,
        kind=msg.kind[:16],
        text=msg.text, file_id=(msg.file_id or None) and msg.file_id[:200],
        file_name=(msg.file_name or None) and msg.file_name[:255], file_size=msg.file_size,
        mime_type=(msg.mime_type or None) and msg.mime_type[:100], received_at=now,
    )


async def keep(db: Database, msg: Incoming, *, now: datetime, office_id: int = ROOT) -> bool:
    """Store the message once, in the office's inbox. True when it was new, False for a redelivery."""
    async with db.transaction() as s:
        return await inbox_repo.add_once(s, _row(msg, now, office_id)) is not None


def incoming_of(row: InboundMessage) -> Incoming:
    """A kept message, as the use cases that file it take it."""
    return Incoming(chat_id=row.chat_id, message_id=row.message_id, sender_id=row.sender_id, kind=row.kind,
                    text=row.text, file_id=row.file_id, file_name=row.file_name, file_size=row.file_size,
                    mime_type=row.mime_type)


# ---------------------------------------------------------------- a liaison's plain message


@dataclass(frozen=True)
class OpenTask:
    target_id: int
    task_id: int
    title: str


@dataclass(frozen=True)
class Offer:
    """A plain message, stored; and where it could be filed (nothing: kept and acknowledged)."""

    inbound_id: int | None
    fresh: bool  # False: this (chat, message) had been stored before
    filed: bool  # it had been filed already (a redelivery after the press)
    tasks: tuple[OpenTask, ...] = ()
    report: str | None = None  # the open cycle's label, while the department has not submitted

    @property
    def has_choices(self) -> bool:
        return bool(self.tasks) or self.report is not None


async def open_tasks(s: AsyncSession, department_ids: list[int]) -> dict[int, tuple[OpenTask, ...]]:
    """department id → its parts in open tasks (not done, task not closed), newest first, at most 8."""
    out: dict[int, list[OpenTask]] = {}
    for task, target in await inbox_repo.open_targets(s, department_ids):
        mine = out.setdefault(target.department_id, [])
        if len(mine) < MAX_TASKS:
            mine.append(OpenTask(target.id, task.id, task.title))  # type: ignore[arg-type]
    return {dept: tuple(tasks) for dept, tasks in out.items()}


async def open_report(s: AsyncSession, department_id: int, now: datetime) -> str | None:
    """The open cycle's label, if the department has not submitted in it yet (one statement)."""
    return await cycle_repo.current_label_unsubmitted(s, department_id, now)


async def keep_and_offer(db: Database, caller: Caller, msg: Incoming, *, now: datetime) -> Offer:
    """Store the message first (once per chat and message id); then, for a liaison whose department
    has open work, the tasks and the report it could be filed under."""
    async with db.transaction() as s:
        row = _row(msg, now, office_of(caller))
        row.id = await inbox_repo.add_once(s, row)
        fresh = row.id is not None
        if not fresh:  # delivered before: how it was left
            found = await inbox_repo.find(s, msg.chat_id, msg.message_id)
            if found is None:  # a concurrent delivery of the same message is storing it right now
                return Offer(None, False, False)
            if found.filed_as is not None:
                return Offer(found.id, False, True)
            row = found
        if caller.appointment is None or row.kind not in FILEABLE or row.sender_id != caller.telegram_id:
            return Offer(row.id, fresh, False)
        department_id = caller.appointment.department_id
        tasks = (await open_tasks(s, [department_id])).get(department_id, ())
        return Offer(row.id, fresh, False, tasks, await open_report(s, department_id, now))


# ---------------------------------------------------------------- the office's /inbox


@dataclass(frozen=True)
class KeptItem:
    inbound_id: int
    sender: str
    department: str | None  # None: the sender is not a liaison (now)
    at: datetime
    kind: str
    text: str | None
    file_name: str | None
    on_purpose: bool  # the sender pressed 仅存档
    tasks: tuple[OpenTask, ...]  # where the office may file it (the sender's department's open tasks)


@dataclass(frozen=True)
class InboxPage:
    items: tuple[KeptItem, ...]
    page: int
    pages: int
    total: int


async def kept_page(db: Database, page: int = 1, office_id: int = ROOT) -> InboxPage:
    """What was only kept in the office (never filed, or kept on purpose), newest first, PAGE_SIZE
    a page. A sender's department shows (and its tasks are offered) only while it is the office's."""
    async with db.session() as s:
        total = await inbox_repo.count_kept(s, office_id)
        pages = max(1, -(-total // PAGE_SIZE))
        if page < 1 or page > pages:
            raise NotFound("inbox.no_page", page=page, pages=pages)
        rows = await inbox_repo.kept(s, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, office_id=office_id)
        who = await inbox_repo.senders(s, sorted({r.sender_id for r in rows}))
        departments = sorted({w.department_id for w in who.values()
                              if w.department_id is not None and w.office_id == office_id})
        tasks = await open_tasks(s, departments)
    items = []
    for row in rows:
        sender = who.get(row.sender_id)
        ours = sender is not None and sender.department_id is not None and sender.office_id == office_id
        dept_id = sender.department_id if ours and sender else None
        fileable = dept_id is not None and row.kind in FILEABLE
        items.append(KeptItem(
            row.id, display_name(sender.name, sender.username) if sender else str(row.sender_id),  # type: ignore[arg-type]
            sender.department if ours and sender else None, row.received_at, row.kind, row.text, row.file_name,
            row.filed_as == "kept", tasks.get(dept_id, ()) if fileable else ()))  # type: ignore[arg-type]
    return InboxPage(tuple(items), page, pages, total)
