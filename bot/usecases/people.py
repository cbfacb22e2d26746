"""Who is talking to the bot, their language, and the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import Refused
from bot.rules.people import Appointment, Caller, UserInfo, preferred_language, roles_of
from bot.rules.roles import Role
from storage.db import Database
from storage.repos import audit as audit_repo
from storage.repos import liaisons as liaison_repo
from storage.repos import people as people_repo
from storage.models import Person
from sqlmodel.ext.asyncio.session import AsyncSession


async def _caller(
    s: AsyncSession, person: Person, admin_ids: frozenset[int], default_language: str, *, first_contact: bool = False
) -> Caller:
    granted = await people_repo.active_roles(s, person.telegram_id)
    row = await liaison_repo.active_for_person(s, person.id)  # type: ignore[arg-type]
    appointment = (
        Appointment(row.department.id, row.department.name, row.appointment.kind, row.appointment.started_at)  # type: ignore[arg-type]
        if row
        else None
    )
    config_admin = person.telegram_id in admin_ids
    return Caller(
        telegram_id=person.telegram_id,
        person_id=person.id,
        full_name=person.full_name,
        language=preferred_language(person.language, None, default_language),
        roles=roles_of(config_admin=config_admin, granted=granted, is_liaison=row is not None),
        appointment=appointment,
        config_admin=config_admin,
        first_contact=first_contact,
    )


async def identify(
    db: Database, user: UserInfo, *, admin_ids: frozenset[int], default_language: str, now: datetime
) -> Caller:
    """Record (or refresh) the sender and return who they are to the bot."""
    async with db.transaction() as s:
        person = await people_repo.upsert(
            s, telegram_id=user.telegram_id, chat_id=user.chat_id, full_name=user.full_name,
            username=user.username, now=now,
        )
        return await _caller(s, person, admin_ids, default_language, first_contact=person.created_at == now)


async def language_of(db: Database, telegram_id: int, *, default: str) -> str:
    async with db.session() as s:
        person = await people_repo.by_telegram_id(s, telegram_id)
    return preferred_language(person.language if person else None, None, default)


async def set_language(db: Database, telegram_id: int, language: str) -> None:
    async with db.transaction() as s:
        person = await people_repo.by_telegram_id(s, telegram_id)
        if person is None:
            raise Refused("error.start_first")
        await people_repo.set_language(s, person, language)


@dataclass(frozen=True)
class MenuProfile:
    """What deciding a chat's command menu needs."""

    chat_id: int
    roles: frozenset[Role]
    language: str


async def menu_profile(
    db: Database, telegram_id: int, *, admin_ids: frozenset[int], default_language: str
) -> MenuProfile | None:
    async with db.session() as s:
        person = await people_repo.by_telegram_id(s, telegram_id)
        if person is None or person.chat_id is None:
            return None
        caller = await _caller(s, person, admin_ids, default_language)
        return MenuProfile(person.chat_id, caller.roles, caller.language)


async def menu_profiles(db: Database, *, admin_ids: frozenset[int], default_language: str) -> list[MenuProfile]:
    """Every known chat whose menu differs from the everyone-menu (liaisons, directors, admins)."""
    async with db.session() as s:
        out = []
        for person in await people_repo.with_chats(s):
            caller = await _caller(s, person, admin_ids, default_language)
            if caller.roles:
                out.append(MenuProfile(person.chat_id, caller.roles, caller.language))  # type: ignore[arg-type]
        return out


async def grant_role(db: Database, actor: Caller, telegram_id: int, role: Role, *, now: datetime) -> bool:
    """Give a role. False when the user already had it (nothing changes)."""
    async with db.transaction() as s:
        if await people_repo.active_grant(s, telegram_id, role) is not None:
            return False
        await people_repo.add_grant(s, telegram_id, role, actor.telegram_id, now)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="role.grant", target=f"{telegram_id}:{role}")
    return True


async def revoke_role(
    db: Database, actor: Caller, telegram_id: int, role: Role, *, admin_ids: frozenset[int], now: datetime
) -> None:
    if role == Role.ADMIN and telegram_id in admin_ids:
        raise Refused("revoke.config_admin", user_id=telegram_id)
    async with db.transaction() as s:
        grant = await people_repo.active_grant(s, telegram_id, role)
        if grant is None:
            raise Refused("revoke.not_held", user_id=telegram_id, role=role)
        if role == Role.ADMIN and not admin_ids and len(await people_repo.holders(s, Role.ADMIN)) <= 1:
            raise Refused("revoke.last_admin")
        await people_repo.end_grant(s, grant, actor.telegram_id, now)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="role.revoke", target=f"{telegram_id}:{role}")
