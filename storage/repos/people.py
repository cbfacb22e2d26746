"""People and their granted roles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, literal, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ROOT_OFFICE_ID, Department, LiaisonAppointment, Office, Person, RoleGrant
from storage.repos.returning import returned


async def by_telegram_id(s: AsyncSession, telegram_id: int) -> Person | None:
    return (await s.exec(select(Person).where(Person.telegram_id == telegram_id))).first()


@dataclass(frozen=True)
class Known:
    """What the bot knows of a Telegram user, as every update needs it: their person row (None
    fields when they never wrote), the roles granted to their id and their active appointment."""

    person_id: int | None
    chat_id: int | None
    full_name: str | None
    username: str | None
    language: str | None
    blocked: bool
    grants: str | None  # `role@office,…`
    offices: str | None  # the office tree, `id:parent,…`
    chosen_office: int | None
    department_id: int | None
    department_office: int | None
    department: str | None
    kind: str | None
    since: datetime | None


_PERSON = ("id", "chat_id", "full_name", "username", "language", "blocked_at", "office_id")
_APPOINTMENT = ((LiaisonAppointment.department_id, "department_id"), (Department.name, "department"),
                (Department.office_id, "department_office"),
                (LiaisonAppointment.kind, "kind"), (LiaisonAppointment.started_at, "since"))


def known_columns(telegram_id: Any) -> list[Any]:
    """`Known` as labelled scalar subqueries (each an index lookup): a statement about something
    else (the update's id) returns them along with its own work, so identifying the sender of an
    update costs no statement of its own. Read them back with `known_from`. `telegram_id` is an id
    or a `bindparam` (a statement built once and run for every update: storage/repos/updates.py)."""
    columns: list[Any] = [
        returned(select(getattr(Person, name)).where(Person.telegram_id == telegram_id).scalar_subquery(), f"k_{name}")
        for name in _PERSON
    ]
    grant = RoleGrant.role + "@" + cast(RoleGrant.office_id, String)
    columns.append(returned(select(func.aggregate_strings(grant, ",")).where(
        RoleGrant.telegram_id == telegram_id, col(RoleGrant.revoked_at).is_(None)).scalar_subquery(), "k_roles"))
    columns.append(returned(tree_column(), "k_offices"))
    for column, name in _APPOINTMENT:
        columns.append(returned(
            select(column).select_from(LiaisonAppointment)
            .join(Person, col(Person.id) == LiaisonAppointment.person_id)
            .join(Department, col(Department.id) == LiaisonAppointment.department_id)
            .where(Person.telegram_id == telegram_id, col(LiaisonAppointment.ended_at).is_(None))
            .scalar_subquery(), f"k_{name}"))
    return columns


def tree_column() -> Any:
    """The office tree as `id:parent,…`, one scalar subquery (a handful of rows)."""
    entry = cast(Office.id, String) + ":" + func.coalesce(cast(Office.parent_id, String), "")
    return select(func.aggregate_strings(entry, ",")).scalar_subquery()


async def tree(s: AsyncSession) -> str | None:
    return (await s.exec(select(tree_column()))).one()  # type: ignore[call-overload]


def known_from(row: Any) -> Known:
    values = row._mapping
    return Known(
        person_id=values["k_id"], chat_id=values["k_chat_id"], full_name=values["k_full_name"],
        username=values["k_username"], language=values["k_language"], blocked=values["k_blocked_at"] is not None,
        grants=values["k_roles"], offices=values["k_offices"], chosen_office=values["k_office_id"],
        department_id=values["k_department_id"], department_office=values["k_department_office"],
        department=values["k_department"], kind=values["k_kind"],
        since=values["k_since"],
    )


async def known(s: AsyncSession, telegram_id: int) -> Known:
    """One statement: the person, their roles and their active appointment."""
    return known_from((await s.exec(select(*known_columns(telegram_id)))).one())  # type: ignore[call-overload]


def clean(full_name: str, username: str | None) -> tuple[str, str | None]:
    """Names as stored: cut to the columns' sizes; an empty username is none."""
    return full_name[:200], (username or None) and username[:64]


async def add(s: AsyncSession, *, telegram_id: int, chat_id: int | None, full_name: str, username: str | None,
              now: datetime) -> int:
    """Record someone writing for the first time; returns their person id (theirs already, when
    another process recorded them a moment ago)."""
    full_name, username = clean(full_name, username)
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Person).values(telegram_id=telegram_id, chat_id=chat_id, full_name=full_name, username=username,
                              created_at=now)
        .on_conflict_do_nothing(index_elements=["telegram_id"]).returning(Person.id)
    )
    added = (await s.exec(statement)).first()  # type: ignore[call-overload]
    if added is not None:
        return int(added[0])
    return int((await s.exec(select(Person.id).where(Person.telegram_id == telegram_id))).one())


async def refresh(s: AsyncSession, *, telegram_id: int, chat_id: int | None, full_name: str,
                  username: str | None) -> None:
    """What Telegram now says of them; they wrote, so they have not blocked the bot."""
    values: dict[str, Any] = {"full_name": full_name, "username": username, "blocked_at": None}
    if chat_id is not None:
        values["chat_id"] = chat_id
    await s.exec(update(Person).where(col(Person.telegram_id) == telegram_id).values(**values))  # type: ignore[call-overload]


def admin_chats_column(extra_ids: Iterable[int], role: str = "admin", office_id: Any = ROOT_OFFICE_ID) -> Any:
    """`chat:language,…` of everyone holding `role` in the office (or one of `extra_ids`, the
    configured admins, for the root office) who has a private chat with the bot, as one scalar
    subquery (read it back with `chats_from`), for a statement that also tells them something.
    `office_id` may be a column expression (the office of the row the statement is about)."""
    held = select(RoleGrant.telegram_id).where(RoleGrant.role == role, col(RoleGrant.revoked_at).is_(None),
                                               RoleGrant.office_id == office_id)
    ids = sorted(set(extra_ids))
    who = col(Person.telegram_id).in_(held)
    if ids:
        office = literal(office_id) if isinstance(office_id, int) else office_id
        who = or_(who, and_(office == ROOT_OFFICE_ID, col(Person.telegram_id).in_(ids)))
    entry = cast(Person.chat_id, String) + ":" + func.coalesce(Person.language, "")
    return returned(select(func.aggregate_strings(entry, ",")).where(who, col(Person.chat_id).is_not(None))
                    .scalar_subquery(), "admin_chats")


def chats_from(value: str | None) -> list[tuple[int, str | None]]:
    """[(chat id, language)] from `admin_chats_column`'s value, in chat order."""
    out = []
    for entry in sorted(set((value or "").split(",")) - {""}):
        chat, _, lang = entry.partition(":")
        out.append((int(chat), lang or None))
    return sorted(out)


async def upsert(
    s: AsyncSession, *, telegram_id: int, chat_id: int | None, full_name: str, username: str | None, now: datetime
) -> Person:
    """Create the person or refresh what Telegram tells us about them (only when it changed).

    A person created now has `created_at == now`."""
    person = await by_telegram_id(s, telegram_id)
    full_name, username = clean(full_name, username)
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


async def active_grant(s: AsyncSession, telegram_id: int, role: str, office_id: int = ROOT_OFFICE_ID) -> RoleGrant | None:
    return (
        await s.exec(
            select(RoleGrant).where(
                RoleGrant.telegram_id == telegram_id, RoleGrant.role == role, col(RoleGrant.revoked_at).is_(None),
                RoleGrant.office_id == office_id,
            )
        )
    ).first()


async def add_grant(s: AsyncSession, telegram_id: int, role: str, by: int, now: datetime,
                    office_id: int = ROOT_OFFICE_ID) -> RoleGrant:
    grant = RoleGrant(telegram_id=telegram_id, role=role, granted_by=by, granted_at=now, office_id=office_id)
    s.add(grant)
    await s.flush()
    return grant


async def end_grant(s: AsyncSession, grant: RoleGrant, by: int, now: datetime) -> None:
    grant.revoked_at, grant.revoked_by = now, by
    s.add(grant)
    await s.flush()


async def holders(s: AsyncSession, role: str, office_id: int = ROOT_OFFICE_ID) -> list[int]:
    rows = await s.exec(select(RoleGrant.telegram_id).where(RoleGrant.role == role, col(RoleGrant.revoked_at).is_(None),
                                                            RoleGrant.office_id == office_id))
    return sorted(set(rows))


async def choose_office(s: AsyncSession, telegram_id: int, office_id: int) -> None:
    await s.exec(update(Person).where(col(Person.telegram_id) == telegram_id).values(office_id=office_id))  # type: ignore[call-overload]


async def with_chats(s: AsyncSession) -> list[Person]:
    return list(await s.exec(select(Person).where(col(Person.chat_id).is_not(None)).order_by(Person.id)))


async def flag_unreachable(s: AsyncSession, chat_id: int, now: datetime) -> None:
    """The bot cannot reach this chat (blocked, deleted): admins see it in /liaisons."""
    await s.exec(
        update(Person).where(col(Person.chat_id) == chat_id, col(Person.blocked_at).is_(None)).values(blocked_at=now)
    )


async def chats_with_role(s: AsyncSession, role: str, extra_ids: frozenset[int] = frozenset(),
                          office_id: int = ROOT_OFFICE_ID) -> list[tuple[int, str | None]]:
    """(chat id, language) of everyone holding `role` in the office (plus `extra_ids`, the
    configured admins, in the root office) who has a private chat with the bot."""
    ids = set(await holders(s, role, office_id)) | (set(extra_ids) if office_id == ROOT_OFFICE_ID else set())
    if not ids:
        return []
    rows = await s.exec(select(Person.chat_id, Person.language).where(
        col(Person.telegram_id).in_(sorted(ids)), col(Person.chat_id).is_not(None)).order_by(Person.id))
    return [(int(chat), lang) for chat, lang in rows]
