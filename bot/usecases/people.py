"""Who is talking to the bot, their language, and the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.errors import Refused
from bot.rules.offices import ROOT, parse_grants, parse_tree, standing
from bot.rules.people import Appointment, Caller, UserInfo, preferred_language
from bot.rules.roles import Role
from storage.db import Database
from bot.usecases import offices
from storage.models import Office
from storage.repos import audit as audit_repo
from storage.repos import org as org_repo
from storage.repos import people as people_repo
from storage.repos import updates as updates_repo
from sqlmodel.ext.asyncio.session import AsyncSession


def _caller(known: people_repo.Known, telegram_id: int, admin_ids: frozenset[int], default_language: str, *,
            person_id: int | None = None, full_name: str | None = None, first_contact: bool = False) -> Caller:
    appointment = (
        Appointment(known.department_id, known.department or "", known.kind or "primary", known.since,  # type: ignore[arg-type]
                    known.department_office or ROOT)
        if known.department_id is not None
        else None
    )
    config_admin = telegram_id in admin_ids
    tree = parse_tree(known.offices)
    where = standing(tree, grants=parse_grants(known.grants), config_admin=config_admin,
                     liaison_office=appointment.office_id if appointment else None, chosen=known.chosen_office)
    return Caller(
        telegram_id=telegram_id,
        person_id=person_id if person_id is not None else known.person_id,
        full_name=full_name if full_name is not None else known.full_name or "",
        language=preferred_language(known.language, None, default_language),
        roles=where.roles,
        appointment=appointment,
        config_admin=config_admin,
        first_contact=first_contact,
        office_id=where.office,
        offices=where.offices,
        several_offices=len(tree.ids) > 1,
    )


async def _identified(
    s: AsyncSession, user: UserInfo, known: people_repo.Known, admin_ids: frozenset[int], default_language: str,
    now: datetime,
) -> Caller:
    """Record a first contact, or refresh what Telegram tells about the sender only when it
    changed (or they were flagged unreachable): nothing is written for a known, unchanged sender."""
    full_name, username = people_repo.clean(user.full_name, user.username)
    if known.person_id is None:
        person_id = await people_repo.add(s, telegram_id=user.telegram_id, chat_id=user.chat_id, full_name=full_name,
                                          username=username, now=now)
        return _caller(known, user.telegram_id, admin_ids, default_language, person_id=person_id,
                       full_name=full_name, first_contact=True)
    chat_id = user.chat_id if user.chat_id is not None else known.chat_id
    if (known.chat_id, known.full_name, known.username) != (chat_id, full_name, username) or known.blocked:
        await people_repo.refresh(s, telegram_id=user.telegram_id, chat_id=chat_id, full_name=full_name,
                                  username=username)
    return _caller(known, user.telegram_id, admin_ids, default_language, full_name=full_name)


async def admit(
    db: Database, update_id: int, user: UserInfo, *, admin_ids: frozenset[int], default_language: str, now: datetime
) -> Caller | None:
    """The access gate's database work, in one transaction: record the update's id (None when it
    was handled before: a redelivery) and identify its sender. The id's INSERT returns the sender's
    person row, roles and appointment with it, so a known sender whose name and chat are unchanged
    costs one statement; a first contact or a changed name one more."""
    async with db.transaction() as s:
        row = await updates_repo.record_and_identify(s, update_id, now, user.telegram_id)
        if row is None:
            return None
        return await _identified(s, user, people_repo.known_from(row), admin_ids, default_language, now)


async def identify(
    db: Database, user: UserInfo, *, admin_ids: frozenset[int], default_language: str, now: datetime
) -> Caller:
    """Record (or refresh) the sender and return who they are to the bot."""
    async with db.transaction() as s:
        known = await people_repo.known(s, user.telegram_id)
        return await _identified(s, user, known, admin_ids, default_language, now)


async def as_viewer(db: Database, telegram_id: int, *, office_id: int | None, admin_ids: frozenset[int],
                    default_language: str) -> Caller:
    """Who a signed-in visitor (the dashboard) is, without writing anything: their roles in
    `office_id` when they may act there, else in their own office (`Caller.office_id` then differs
    from `office_id`). One statement."""
    async with db.session() as s:
        known = await people_repo.known(s, telegram_id)
    if office_id is not None:
        known = replace(known, chosen_office=office_id)
    return _caller(known, telegram_id, admin_ids, default_language)


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
        known = await people_repo.known(s, telegram_id)
    if known.person_id is None or known.chat_id is None:
        return None
    caller = _caller(known, telegram_id, admin_ids, default_language)
    return MenuProfile(known.chat_id, caller.roles, caller.language)


async def menu_profiles(db: Database, *, admin_ids: frozenset[int], default_language: str) -> list[MenuProfile]:
    """Every known chat whose menu differs from the everyone-menu (liaisons, directors, admins)."""
    async with db.session() as s:
        out = []
        for person in await people_repo.with_chats(s):
            caller = _caller(await people_repo.known(s, person.telegram_id), person.telegram_id, admin_ids,
                             default_language)
            if caller.roles:
                out.append(MenuProfile(person.chat_id, caller.roles, caller.language))  # type: ignore[arg-type]
        return out


async def _office_for(s: AsyncSession, actor: Caller, office: str | None) -> Office:
    """The office a role change is about: the actor's own, or one named below it."""
    if office is None:
        row = await org_repo.office(s, actor.office_id)
        assert row is not None
        return row
    return await offices.find_within(s, office, await offices.below(s, actor.office_id))


@dataclass(frozen=True)
class RoleChanged:
    changed: bool  # False: the user already had the role (nothing changed)
    office: str | None  # the office it was changed in, when the deployment holds several


def _changed_in(actor: Caller, office: Office, changed: bool = True) -> RoleChanged:
    return RoleChanged(changed, offices.label(office) if actor.several_offices else None)


async def grant_role(db: Database, actor: Caller, telegram_id: int, role: Role, *, now: datetime,
                     office: str | None = None) -> RoleChanged:
    """Give a role in the actor's office, or in an office `office` names below it."""
    async with db.transaction() as s:
        where = await _office_for(s, actor, office)
        if await people_repo.active_grant(s, telegram_id, role, where.id) is not None:  # type: ignore[arg-type]
            return _changed_in(actor, where, changed=False)
        await people_repo.add_grant(s, telegram_id, role, actor.telegram_id, now, where.id)  # type: ignore[arg-type]
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="role.grant", target=f"{telegram_id}:{role}",
                             office_id=where.id)
    return _changed_in(actor, where)


async def revoke_role(
    db: Database, actor: Caller, telegram_id: int, role: Role, *, admin_ids: frozenset[int], now: datetime,
    office: str | None = None,
) -> RoleChanged:
    if role == Role.ADMIN and telegram_id in admin_ids:
        raise Refused("revoke.config_admin", user_id=telegram_id)
    async with db.transaction() as s:
        where = await _office_for(s, actor, office)
        grant = await people_repo.active_grant(s, telegram_id, role, where.id)  # type: ignore[arg-type]
        if grant is None:
            raise Refused("revoke.not_held", user_id=telegram_id, role=role)
        if (role == Role.ADMIN and not admin_ids and where.parent_id is None
                and len(await people_repo.holders(s, Role.ADMIN, where.id)) <= 1):  # type: ignore[arg-type]
            raise Refused("revoke.last_admin")
        await people_repo.end_grant(s, grant, actor.telegram_id, now)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="role.revoke", target=f"{telegram_id}:{role}",
                             office_id=where.id)
    return _changed_in(actor, where)


async def office_label(db: Database, caller: Caller) -> str | None:
    """The name of the office the caller acts in, for a reply, when the deployment holds several
    offices (else None, and no statement)."""
    if not caller.several_offices:
        return None
    return await offices.name_of(db, caller.office_id)
