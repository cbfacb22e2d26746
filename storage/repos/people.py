"""People and their granted roles."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, RoleGrant


async def by_telegram_id(s: AsyncSession, telegram_id: int) -> Person | None:
    return (await s.exec(select(Person).where(Person.telegram_id == telegram_id))).first()


async def upsert(
    s: AsyncSession, *, telegram_id: int, chat_id: int | None, full_name: str, username: str | None, now: datetime
) -> Person:
    """Create the person or refresh what Telegram tells us about them (only when it changed).

    A person created now has `created_at == now`."""
    person = await by_telegram_id(s, telegram_id)
    full_name, username = full_name[:200], (username or None) and username[:64]
    if person is None:
        person = Person(telegram_id=telegram_id, chat_id=chat_id, full_name=full_name, username=username, created_at=now)
        s.add(person)
        await s.flush()
        return person
    fresh = (chat_id if chat_id is not None else person.chat_id, full_name, username)
    if (person.chat_id, person.full_name, person.username) != fresh or person.blocked_at is not None:
        person.chat_id, person.full_name, person.username = fresh
        person.blocked_at = None  # they wrote to us, so they have not blocked the bot
        s.add(person)
        await s.flush()
    return person


async def set_language(s: AsyncSession, person: Person, language: str) -> None:
    person.language = language
    s.add(person)
    await s.flush()


async def active_roles(s: AsyncSession, telegram_id: int) -> set[str]:
    rows = await s.exec(
        select(RoleGrant.role).where(RoleGrant.telegram_id == telegram_id, col(RoleGrant.revoked_at).is_(None))
    )
    return set(rows)


async def active_grant(s: AsyncSession, telegram_id: int, role: str) -> RoleGrant | None:
    return (
        await s.exec(
            select(RoleGrant).where(
                RoleGrant.telegram_id == telegram_id, RoleGrant.role == role, col(RoleGrant.revoked_at).is_(None)
            )
        )
    ).first()


async def add_grant(s: AsyncSession, telegram_id: int, role: str, by: int, now: datetime) -> RoleGrant:
    grant = RoleGrant(telegram_id=telegram_id, role=role, granted_by=by, granted_at=now)
    s.add(grant)
    await s.flush()
    return grant


async def end_grant(s: AsyncSession, grant: RoleGrant, by: int, now: datetime) -> None:
    grant.revoked_at, grant.revoked_by = now, by
    s.add(grant)
    await s.flush()


async def holders(s: AsyncSession, role: str) -> list[int]:
    rows = await s.exec(select(RoleGrant.telegram_id).where(RoleGrant.role == role, col(RoleGrant.revoked_at).is_(None)))
    return sorted(set(rows))


async def with_chats(s: AsyncSession) -> list[Person]:
    return list(await s.exec(select(Person).where(col(Person.chat_id).is_not(None)).order_by(Person.id)))


async def flag_unreachable(s: AsyncSession, chat_id: int, now: datetime) -> None:
    """The bot cannot reach this chat (blocked, deleted): admins see it in /liaisons."""
    await s.exec(
        update(Person).where(col(Person.chat_id) == chat_id, col(Person.blocked_at).is_(None)).values(blocked_at=now)
    )


async def chats_with_role(s: AsyncSession, role: str, extra_ids: frozenset[int] = frozenset()) -> list[tuple[int, str | None]]:
    """(chat id, language) of everyone holding `role` (plus `extra_ids`, e.g. configured admins)
    who has a private chat with the bot."""
    ids = set(await holders(s, role)) | set(extra_ids)
    if not ids:
        return []
    rows = await s.exec(select(Person.chat_id, Person.language).where(
        col(Person.telegram_id).in_(sorted(ids)), col(Person.chat_id).is_not(None)).order_by(Person.id))
    return [(int(chat), lang) for chat, lang in rows]
