"""Filing a kept message with one press: under a task (as the department's progress), into the
quarterly report draft, or kept on purpose. The liaison files their own message; the office files
a liaison's message from /inbox under one of that department's tasks.

The office files only what is its own: a kept message of another office, a department of another
office or a task part of another department answers as a stale button does (nothing of another
office is confirmed to exist).

Each press goes through the same use case a reply or /report would (task_actions.record_progress,
reports.add), which marks the message filed inside its own transaction: a second press, a stale
one or someone else's finds it filed (or not theirs) and nothing is written twice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import Refused
from bot.rules.people import Caller, display_name
from bot.usecases import reports, task_actions
from bot.usecases.inbox import FILEABLE, incoming_of, office_of
from storage.db import Database
from storage.models import InboundMessage
from storage.repos import audit as audit_repo
from storage.repos import cycles as cycle_repo
from storage.repos import inbox as inbox_repo

TASK, REPORT, KEPT = "task", "report", "kept"


@dataclass(frozen=True)
class Filed:
    as_: str  # task | report | kept
    task_id: int | None = None
    department: str | None = None
    draft: reports.DraftView | None = None  # filed into the report: the draft as it is now
    sender: str | None = None  # filed by the office: whose message it was


async def _message(db: Database, inbound_id: int, office_id: int | None = None) -> InboundMessage:
    """The kept message (with `office_id`: only when it is that office's)."""
    async with db.session() as s:
        row = await inbox_repo.get(s, inbound_id, office_id)
    if row is None:
        raise Refused("button.stale")
    return row


def _claim(inbound_id: int, as_: str, by: int, now: datetime, *, ref: int | None = None,
           office_id: int, office: bool = False, department_id: int | None = None,
           ) -> Callable[[AsyncSession], Awaitable[None]]:
    """Mark the message filed inside the filing transaction, or refuse when it already is. With
    `department_id`, the task part `ref` must be that department's: any other (another
    department's, another office's, none at all) is a stale button, which says nothing of the task
    it belongs to."""

    async def claim(s: AsyncSession) -> None:
        filed_ref = ref
        if as_ == REPORT:
            cycle = await cycle_repo.current(s, now, office_id)  # the liaison's office's
            filed_ref = cycle.id if cycle else None  # no cycle: reports.add refuses and all rolls back
        if not await inbox_repo.mark_filed(s, inbound_id, as_=as_, ref=filed_ref, by=by, at=now, refile_kept=office):
            raise Refused("inbox.already_filed")
        # after the mark (the first statement, which settles a race of presses): a refusal here
        # rolls the mark back with the rest
        if department_id is not None and not await inbox_repo.is_part_of(s, ref, department_id):  # type: ignore[arg-type]
            raise Refused("button.stale")
        if office:
            await audit_repo.add(s, at=now, actor_id=by, action="inbox.file", target=f"inbound:{inbound_id}",
                                 detail=f"target:{ref}", office_id=office_id)

    return claim


async def _own(db: Database, caller: Caller, inbound_id: int) -> InboundMessage:
    """The caller's own kept message, not yet filed."""
    row = await _message(db, inbound_id)
    if row.sender_id != caller.telegram_id:  # another office's message: as if it did not exist
        raise Refused("inbox.not_yours" if row.office_id == office_of(caller) else "button.stale")
    if row.filed_as is not None:
        raise Refused("inbox.already_filed")
    return row


async def under_task(db: Database, caller: Caller, inbound_id: int, target_id: int, *, now: datetime) -> Filed:
    """The liaison files their own message as progress of their department on a task."""
    row = await _own(db, caller, inbound_id)
    if row.kind not in FILEABLE:
        raise Refused("button.stale")
    department = caller.appointment.department_id if caller.appointment else None  # none: recording refuses
    result = await task_actions.record_progress(
        db, caller, incoming_of(row), now=now, target_id=target_id,
        inside=_claim(inbound_id, TASK, caller.telegram_id, now, ref=target_id, department_id=department,
                      office_id=office_of(caller)))
    return Filed(TASK, result.view.task_id, result.view.department)


async def into_report(db: Database, caller: Caller, inbound_id: int, *, now: datetime) -> Filed:
    """The liaison adds their own message to their department's draft of the open quarterly report."""
    row = await _own(db, caller, inbound_id)
    if row.kind not in FILEABLE:
        raise Refused("button.stale")
    view = await reports.add(db, caller, incoming_of(row), now=now, collect=False,
                             inside=_claim(inbound_id, REPORT, caller.telegram_id, now, office_id=office_of(caller)))
    return Filed(REPORT, draft=view)


async def keep_only(db: Database, caller: Caller, inbound_id: int, *, now: datetime) -> Filed:
    """The liaison says it is neither progress nor report: kept on purpose (the office still sees it)."""
    await _own(db, caller, inbound_id)
    async with db.transaction() as s:
        await _claim(inbound_id, KEPT, caller.telegram_id, now, office_id=office_of(caller))(s)
    return Filed(KEPT)


async def by_office(db: Database, admin: Caller, inbound_id: int, target_id: int, *, now: datetime) -> Filed:
    """An admin files a kept message (from their office's /inbox) as the progress of its sender's
    department, one of the office's: the admin is the actor, the progress keeps the liaison as its
    sender."""
    office_id = admin.office_id
    row = await _message(db, inbound_id, office_id)
    if row.filed_as not in (None, KEPT):
        raise Refused("inbox.already_filed")
    async with db.session() as s:
        sender = (await inbox_repo.senders(s, [row.sender_id])).get(row.sender_id)
    if sender is None or sender.department_id is None or sender.office_id != office_id or row.kind not in FILEABLE:
        raise Refused("inbox.no_department")
    result = await task_actions.record_progress(
        db, admin, incoming_of(row), now=now, target_id=target_id, for_department=sender.department_id,
        inside=_claim(inbound_id, TASK, admin.telegram_id, now, ref=target_id, office=True, office_id=office_id,
                      department_id=sender.department_id))
    return Filed(TASK, result.view.task_id, result.view.department, sender=display_name(sender.name, sender.username))
