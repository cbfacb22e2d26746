"""Inviting a department's liaison and registering with the code (handover included).

An admin invites for the departments (and child-office units) of the office they act in; the code
registers its holder in that department, in its office; that office's admins are told, with that
office's count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row

from bot.errors import Refused
from bot.rules import invites as rules
from bot.rules.offices import ROOT
from bot.rules.people import Caller, UserInfo
from bot.rules.delivery import Outgoing
from bot.rules.tasks import TargetStatus
from bot.texts import t
from bot.usecases import offices, tasks
from bot.usecases.names import resolve_department
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.models import Department, InviteCode, Task, TaskTarget
from storage.repos import audit as audit_repo
from storage.repos import invites as invite_repo
from storage.repos import liaisons as liaison_repo
from storage.repos import people as people_repo
from storage.repos.returning import returned
from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    department: str
    kind: str
    expires_at: datetime
    withdrawn: int  # earlier unused codes of the same department and kind, now void


__all__ = ["IssuedInvite", "Registration", "create_invite", "redeem", "resolve_department"]


async def create_invite(db: Database, actor: Caller, department: str, *, deputy: bool, now: datetime) -> IssuedInvite:
    kind = "deputy" if deputy else "primary"
    code = rules.new_code()
    async with db.transaction() as s:
        dept = await resolve_department(s, department, actor.office_id)
        withdrawn = await invite_repo.revoke_open(s, dept.id, kind, now)  # type: ignore[arg-type]
        expires = rules.expires_at(now)
        await invite_repo.add(
            s, digest=rules.code_digest(code), department_id=dept.id, kind=kind,  # type: ignore[arg-type]
            created_by=actor.telegram_id, now=now, expires=expires,
        )
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="invite", target=f"{dept.name}:{kind}",
                             office_id=dept.office_id)
    return IssuedInvite(code, dept.name, kind, expires, withdrawn)


@dataclass(frozen=True)
class Registration:
    department: str
    kind: str
    already: bool = False
    replaced_name: str | None = None
    replaced_telegram_id: int | None = None
    left_department: str | None = None


async def redeem(db: Database, user: UserInfo, code: str, *, now: datetime, admin_ids: frozenset[int] = frozenset(),
                 default_language: str = "zh", tz: ZoneInfo | None = None,
                 person_id: int | None = None) -> Registration:
    """Register `user` as the liaison of the code's department. The previous liaison's appointment
    ends (kept as history). A code works once, for 7 days; repeated wrong codes lock the user out
    for a while. A refusal is audited and raised as `Refused`. Every admin (granted, or one of
    `admin_ids` with a chat) is told through the outbox, with how many departments now have one.
    With `tz`, the notices of the department's open tasks are queued for the newcomer in the same
    transaction (without it, the tick's `tasks.notify_late_registrations` finds them).

    `person_id`: the sender's person row, when the access gate has recorded them already. In the
    common case (a first appointment, no open task) this is four statements: the code's claim,
    which also returns everything the rest needs, the appointment, the audit entry and the admins'
    note."""
    async with db.transaction() as s:
        if person_id is None:
            person_id = (await people_repo.upsert(s, telegram_id=user.telegram_id, chat_id=user.chat_id,
                                                  full_name=user.full_name, username=user.username, now=now)).id
        assert person_id is not None
        claimed = await _claim(s, user, person_id, code, now, admin_ids) if rules.looks_like_code(code) else None
        if claimed is not None:
            result = await _appoint(s, user, person_id, claimed, now)
            if not result.already:
                await _tell_admins(s, user, result, claimed, now=now, default_language=default_language,
                                   admin_ids=admin_ids)
                if tz is not None and claimed.open_parts:
                    await _owed_notices(s, claimed.department_id, now=now, tz=tz, default_language=default_language)
            return result
    raise await _refuse(db, user, code, now)


async def _claim(s: AsyncSession, user: UserInfo, person_id: int, code: str, now: datetime,
                 admin_ids: frozenset[int]) -> Row[Any] | None:
    """The code's claim, returning its department's facts, its office and that office's admins'
    chats with it."""
    office = liaison_repo.office_of(InviteCode.department_id)
    return await invite_repo.claim_valid(
        s, digest=rules.code_digest(code), person_id=person_id, now=now, telegram_id=user.telegram_id,
        failed_since=now - rules.FAILED_ATTEMPT_WINDOW, max_failed=rules.MAX_FAILED_ATTEMPTS,
        also=[*liaison_repo.appointment_facts(person_id, InviteCode.department_id, InviteCode.kind,
                                              done=TargetStatus.DONE.value),
              returned(office, "office_id"),
              people_repo.admin_chats_column(admin_ids, office_id=office)],
    )


async def _refuse(db: Database, user: UserInfo, code: str, now: datetime) -> Refused:
    """Why the code did not work (locked out, unknown, used, withdrawn, expired), audited."""
    async with db.transaction() as s:
        state, office_id = await _state(s, user, code, now)
        await audit_repo.add(s, at=now, actor_id=user.telegram_id, action="register", outcome="refused", detail=state,
                             office_id=office_id)
    return Refused(f"invite.{state}")


async def _state(s: AsyncSession, user: UserInfo, code: str, now: datetime) -> tuple[str, int]:
    """Why the code did not work, and the office the refusal is recorded in: the code's
    department's, or the root office for a code that names none."""
    since = now - rules.FAILED_ATTEMPT_WINDOW
    if rules.attempts_exhausted(await invite_repo.failed_attempts(s, user.telegram_id, since)):
        return "locked", ROOT
    invite = await invite_repo.by_digest(s, rules.code_digest(code)) if rules.looks_like_code(code) else None
    facts = rules.InviteFacts(invite.expires_at, invite.used_at, invite.revoked_at) if invite else None
    state = rules.invite_state(facts, now)
    office_id = ROOT
    if invite is not None:
        dept = await s.get(Department, invite.department_id)
        office_id = dept.office_id if dept is not None else ROOT
    valid = state == rules.InviteState.VALID  # it was claimed a moment ago
    return str(rules.InviteState.USED if valid else state), office_id


async def _appoint(s: AsyncSession, user: UserInfo, person_id: int, claimed: Row[Any], now: datetime) -> Registration:
    department_id, kind, name = claimed.department_id, claimed.kind, claimed.department
    if claimed.holds:
        await audit_repo.add(s, at=now, actor_id=user.telegram_id, action="register", target=name, detail="already",
                             office_id=claimed.office_id)
        return Registration(name, kind, already=True)
    ended = await liaison_repo.end_for(s, person_id=person_id, department_id=department_id, kind=kind, now=now) \
        if claimed.to_end else []
    left = next((e.department for e in ended if e.reason == "moved"), None)
    replaced = next((e for e in ended if e.reason == "replaced"), None)
    await liaison_repo.start(s, department_id=department_id, person_id=person_id, kind=kind, invite_id=claimed.id,
                             now=now)
    await audit_repo.add(
        s, at=now, actor_id=user.telegram_id, action="register", target=f"{name}:{kind}",
        detail=f"replaced {replaced.full_name}" if replaced else None, office_id=claimed.office_id,
    )
    return Registration(name, kind, replaced_name=replaced.full_name if replaced else None,
                        replaced_telegram_id=replaced.telegram_id if replaced else None, left_department=left)


async def _tell_admins(s: AsyncSession, user: UserInfo, result: Registration, claimed: Row[Any], *, now: datetime,
                       default_language: str, admin_ids: frozenset[int]) -> None:
    """`区财政局：张三 已登记为联络员（已登记 5/24）` to every admin of the department's office: the
    office's member units with a liaison of all of them (both counted by the claim, as they are once
    this registration is made). A district's note names the district (`区财政局（璧山区）：…`), and
    goes to the nearest office above when the district has no admin yet."""
    chats = people_repo.chats_from(claimed.admin_chats)
    office = await offices.named(s, claimed.office_id)  # nothing for the root office: no statement
    if not chats and office is not None:
        chats = await offices.office_staff(s, claimed.office_id, admin_ids, roles=("admin",))
    items = []
    for chat, lang in chats:
        language = lang or default_language
        department = result.department + (t(language, "forward.escalate_office", office=office) if office else "")
        items.append(Outgoing(chat_id=chat, dedup_key=f"register:invite:{claimed.id}:admin:{chat}", text=t(
            language, "register.admin_note", department=department, name=user.full_name.strip() or "?",
            kind=t(language, f"kind.{result.kind}"), registered=claimed.registered, total=claimed.departments)))
    await enqueue_in(s, items, now)


async def _owed_notices(s: AsyncSession, department_id: int, *, now: datetime, tz: ZoneInfo,
                        default_language: str) -> int:
    """The notices (and files) of the department's open tasks, for the newcomer, composed and
    queued as every notice is (`tasks.queue_notices`; its dedup keys spare the department's other
    liaisons a second copy). Returns how many messages were queued."""
    by_task: dict[int, tuple[Task, list[tuple[TaskTarget, Department]]]] = {}
    for target, task, dept in await liaison_repo.open_parts(s, department_id, TargetStatus.DONE.value):
        by_task.setdefault(task.id, (task, []))[1].append((target, dept))  # type: ignore[index]
    queued = 0
    for task, pairs in by_task.values():
        queued += (await tasks.queue_notices(s, task, pairs, now=now, tz=tz, default_language=default_language))[1]
    return queued
