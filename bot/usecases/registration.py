"""Inviting a department's liaison and registering with the code (handover included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import Refused
from bot.rules import invites as rules
from bot.rules.people import Caller, UserInfo
from bot.rules.delivery import Outgoing
from bot.texts import t
from bot.usecases.names import resolve_department
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.models import Department, InviteCode, Person
from storage.repos import audit as audit_repo
from storage.repos import invites as invite_repo
from storage.repos import liaisons as liaison_repo
from storage.repos import people as people_repo
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
        dept = await resolve_department(s, department)
        withdrawn = await invite_repo.revoke_open(s, dept.id, kind, now)  # type: ignore[arg-type]
        expires = rules.expires_at(now)
        await invite_repo.add(
            s, digest=rules.code_digest(code), department_id=dept.id, kind=kind,  # type: ignore[arg-type]
            created_by=actor.telegram_id, now=now, expires=expires,
        )
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="invite", target=f"{dept.name}:{kind}")
    return IssuedInvite(code, dept.name, kind, expires, withdrawn)


@dataclass(frozen=True)
class Registration:
    department: str
    kind: str
    already: bool = False
    replaced_name: str | None = None
    replaced_telegram_id: int | None = None
    left_department: str | None = None


async def _refuse(db: Database, user: UserInfo, state: str, now: datetime) -> Refused:
    async with db.transaction() as s:
        await audit_repo.add(s, at=now, actor_id=user.telegram_id, action="register", outcome="refused", detail=state)
    return Refused(f"invite.{state}")


async def redeem(db: Database, user: UserInfo, code: str, *, now: datetime, admin_ids: frozenset[int] = frozenset(),
                 default_language: str = "zh") -> Registration:
    """Register `user` as the liaison of the code's department. The previous liaison's appointment
    ends (kept as history). A code works once, for 7 days; repeated wrong codes lock the user out
    for a while. A refusal is audited and raised as `Refused`. Every admin (granted, or one of
    `admin_ids` with a chat) is told through the outbox, with how many departments now have one."""
    async with db.transaction() as s:
        state, invite = await _check(s, user, code, now)
        if invite is not None and state == rules.InviteState.VALID:
            result = await _appoint(s, user, invite.id, invite.department_id, invite.kind, now)  # type: ignore[arg-type]
            if result is not None:
                if not result.already:
                    await _tell_admins(s, user, result, invite.id, now=now, admin_ids=admin_ids,  # type: ignore[arg-type]
                                       default_language=default_language)
                return result
            state = rules.InviteState.USED  # another user claimed it a moment ago
    raise await _refuse(db, user, str(state), now)


async def _tell_admins(s: AsyncSession, user: UserInfo, result: Registration, invite_id: int, *, now: datetime,
                       admin_ids: frozenset[int], default_language: str) -> None:
    """`区财政局：张三 已登记为联络员（已登记 5/24）` to every admin: departments with a liaison of
    all departments."""
    roster = await liaison_repo.roster(s)
    total = len({dept.id for dept, _, _ in roster})
    registered = len({dept.id for dept, appointment, _ in roster if appointment is not None})
    items = []
    for chat, lang in await people_repo.chats_with_role(s, "admin", admin_ids):
        language = lang or default_language
        items.append(Outgoing(chat_id=chat, dedup_key=f"register:invite:{invite_id}:admin:{chat}", text=t(
            language, "register.admin_note", department=result.department, name=user.full_name.strip() or "?",
            kind=t(language, f"kind.{result.kind}"), registered=registered, total=total)))
    await enqueue_in(s, items, now)


async def _check(s: AsyncSession, user: UserInfo, code: str, now: datetime) -> tuple[str, InviteCode | None]:
    since = now - rules.FAILED_ATTEMPT_WINDOW
    if rules.attempts_exhausted(await invite_repo.failed_attempts(s, user.telegram_id, since)):
        return "locked", None
    invite = await invite_repo.by_digest(s, rules.code_digest(code)) if rules.looks_like_code(code) else None
    facts = rules.InviteFacts(invite.expires_at, invite.used_at, invite.revoked_at) if invite else None
    return rules.invite_state(facts, now), invite


async def _appoint(
    s: AsyncSession, user: UserInfo, invite_id: int, department_id: int, kind: str, now: datetime
) -> Registration | None:
    person = await people_repo.upsert(
        s, telegram_id=user.telegram_id, chat_id=user.chat_id, full_name=user.full_name, username=user.username, now=now
    )
    if not await invite_repo.claim(s, invite_id, person.id, now):  # type: ignore[arg-type]
        return None
    dept = await s.get(Department, department_id)
    assert dept is not None
    own = await liaison_repo.active_for_person(s, person.id)  # type: ignore[arg-type]
    if own is not None and own.department.id == department_id and own.appointment.kind == kind:
        await audit_repo.add(s, at=now, actor_id=user.telegram_id, action="register", target=dept.name, detail="already")
        return Registration(dept.name, kind, already=True)
    left = None
    if own is not None:
        left = own.department.name
        await liaison_repo.end(s, own.appointment, now, "moved")
    replaced_name = replaced_id = None
    current = await liaison_repo.active_in(s, department_id, kind)
    if current is not None:
        await liaison_repo.end(s, current, now, "replaced")
        previous = await s.get(Person, current.person_id)
        if previous is not None:
            replaced_name, replaced_id = previous.full_name, previous.telegram_id
    await liaison_repo.start(s, department_id=department_id, person_id=person.id, kind=kind, invite_id=invite_id, now=now)  # type: ignore[arg-type]
    await audit_repo.add(
        s, at=now, actor_id=user.telegram_id, action="register", target=f"{dept.name}:{kind}",
        detail=f"replaced {replaced_name}" if replaced_name else None,
    )
    return Registration(dept.name, kind, replaced_name=replaced_name, replaced_telegram_id=replaced_id, left_department=left)
