"""The morning round (09:00 on working days): everything the scheduler tells people about tasks,
one message per person and kind a day.

- each liaison: one reminder naming every part of their department(s) due in 3 days, in 1 day or
  today, or overdue (bot.rules.tasks.reminder_on), and one nudge naming every notice they have
  not acknowledged 24 hours after it went out (each notice nudged once: `ack_nudged_at`);
- each director (the admins when there is none): one escalation naming every task that reached
  its escalation since the last round (`escalated_at`), with each overdue department and those
  never notified, and a count of the tasks reported earlier that are still overdue. Per office:
  each office's tasks go to that office's directors (its admins when it has none; the configured
  admins are the root office's), and a child office's escalation names its office.

A standing item (长期坚持) is reminded before each month's checkpoint (its due time) as any task
before its due day, and is never overdue nor escalated; the tick moves its checkpoint on
(bot/usecases/standing.py) before the round runs.

What a round holds is derived from the rows and the round's day, and recorded in the same
transaction as the messages are queued, with dedup keys per person and day: a second pass on the
same day queues nothing new. A long message is split between lines (4,096 characters)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.rules import tasks as rules
from bot.rules.chunks import split_text
from bot.rules.delivery import Outgoing
from bot.rules.tasks import Calendar
from bot.texts import t
from bot.usecases import calendar as calendars
from bot.usecases import offices
from bot.usecases.outbox import enqueue_in
from bot.views import reminders as views
from bot.views.reminders import Escalated, Item
from bot.views.tasks import Overdue
from storage.db import Database
from storage.models import ROOT_OFFICE_ID
from storage.repos import org as org_repo
from storage.repos import people as people_repo
from storage.repos import reminders as repo
from storage.repos import tasks as task_repo

Chats = dict[int, list[tuple[int, int, str | None]]]


async def queue_reminders(
    db: Database, *, at: datetime, tz: ZoneInfo, calendar: Calendar, default_language: str,
    admin_ids: frozenset[int],
) -> int:
    """Queue today's round if it is due at `at` (a working day, from 09:00); 0 otherwise. Each
    office's tasks by that office's calendar (`calendar`, the holiday library, with its org files'
    days): the round runs when today is a working day of any office, and an office on a day off
    (a local holiday) gets no reminder nor escalation that day."""
    office_cals = await calendars.office_calendars(db, calendar)
    day = rules.round_day(at, tz, calendars.AnyOffice(office_cals))
    if day is None:
        return 0
    moment = rules.round_at(day, tz)
    async with db.transaction() as s:
        parts = await repo.open_parts_due_before(s, moment + rules.ROUND_HORIZON)
        unacked = await repo.unacknowledged(s, rules.ack_nudge_cutoff(day, tz))
        chats = await task_repo.liaison_chats(s, None)
        items: list[Outgoing] = []
        items += _liaison_messages("remind", _due_items(parts, day, tz, office_cals), chats, day, default_language, tz)
        acks = [(r.department_id, Item(r.target_id, r.task_id, r.title, r.due, r.department, "ack",
                                       standing=r.standing)) for r in unacked if chats.get(r.department_id)]
        items += _liaison_messages("ack", acks, chats, day, default_language, tz)
        by_office: dict[int, list[Any]] = defaultdict(list)
        for r in parts:
            by_office[r.office_id].append(r)
        told: list[int] = []  # tasks escalated to someone
        names: dict[int, str] | None = None
        for office_id in sorted(by_office):
            if not office_cals[office_id].is_workday(day):
                continue
            escalated, earlier = _escalations(by_office[office_id], day, tz, office_cals[office_id])
            if not escalated:
                continue
            office: Sequence[tuple[int, str | None]] = await offices.office_staff(s, office_id, admin_ids)
            if not office:
                continue
            told += [e.task_id for e in escalated]
            key, name = f"escalation:{day.isoformat()}", None
            if office_id != ROOT_OFFICE_ID:  # a child office's: its own key, and its name in the header
                names = names if names is not None else {o.id: o.short_name or o.name for o in await org_repo.offices(s)}  # type: ignore[misc]
                key, name = f"{key}:office:{office_id}", names.get(office_id)
            for chat, lang in office:
                text = views.escalation(escalated, earlier, day, lang or default_language, tz, office=name)
                items += _pieces(text, chat, f"{key}:{chat}")
        if not office_cals[ROOT_OFFICE_ID].covers(day.year):  # the national schedule: library or root org file
            for chat, lang in await people_repo.chats_with_role(s, "admin", admin_ids):
                items.append(Outgoing(chat_id=chat, dedup_key=f"calendar:uncovered:{day.year}:{chat}",
                                      text=t(lang or default_language, "calendar.uncovered", year=day.year)))
        queued = await enqueue_in(s, items, at)
        await repo.mark_ack_nudged(s, [i.target_id for _, i in acks], at)
        if told:
            await repo.mark_escalated(s, told, at)
        return queued


def _due_items(parts: Sequence, day: date, tz: ZoneInfo, office_cals: Mapping[int, Calendar]) -> list[tuple[int, Item]]:  # type: ignore[type-arg]
    """(department id, item) for every part that has something to hear in `day`'s round, by the
    calendar of the task's office."""
    items = []
    for r in parts:
        if r.notified_at is None:
            continue  # never notified (no liaison): named to the directors, not reminded
        said = rules.reminder_on(day, r.due, r.created_at, tz, office_cals[r.office_id], standing=r.standing)
        if said is not None:
            items.append((r.department_id, Item(r.target_id, r.task_id, r.title, r.due, r.department, *said,
                                                standing=r.standing)))
    return items


def _escalations(parts: Sequence, day: date, tz: ZoneInfo, calendar: Calendar) -> tuple[list[Escalated], int]:  # type: ignore[type-arg]
    """Tasks to report in `day`'s round, and how many reported earlier are still overdue. A standing
    item (长期坚持) is never overdue: its due time is only the month's checkpoint (the tick moves it
    on when it passes)."""
    moment = rules.round_at(day, tz)
    overdue: dict[int, list[Overdue]] = defaultdict(list)
    unnotified: dict[int, list[str]] = defaultdict(list)
    task_of = {}
    for r in parts:
        if r.due >= moment or r.standing:
            continue
        task_of[r.task_id] = r
        if r.notified_at is None:
            unnotified[r.task_id].append(r.department)
        else:
            overdue[r.task_id].append(Overdue(r.department, r.is_lead, rules.days_overdue(r.due, moment, tz), r.status))
    new: list[Escalated] = []
    earlier = 0
    for task_id in sorted(task_of):
        r = task_of[task_id]
        if r.escalated_at is not None:
            earlier += bool(overdue.get(task_id))
        elif rules.escalates_by(r.task_due, day, tz, calendar):
            new.append(Escalated(task_id, r.title, r.task_due, tuple(overdue.get(task_id, ())),
                                 tuple(unnotified.get(task_id, ()))))
    return new, earlier


def _liaison_messages(kind: str, items: Sequence[tuple[int, Item]], chats: Chats, day: date, default_language: str,
                      tz: ZoneInfo) -> list[Outgoing]:
    """One message (split if long) per liaison of the departments concerned."""
    by_person: dict[int, tuple[int, str | None, list[Item]]] = {}
    for department_id, item in items:
        for person, chat, lang in chats.get(department_id, []):
            by_person.setdefault(person, (chat, lang, []))[2].append(item)
    out: list[Outgoing] = []
    for person, (chat, lang, mine) in sorted(by_person.items()):
        language = lang or default_language
        if kind == "remind":
            out += _pieces(views.reminder(mine, language, tz), chat, f"remind:{day.isoformat()}:{person}",
                           mine[0].target_id if len(mine) == 1 else None)
        else:
            out += _pieces(views.ack_nudge(mine, language, tz), chat, f"ack:{day.isoformat()}:{person}",
                           buttons=views.ack_all_button(day, language))
    return out


def _pieces(text: str, chat: int, key: str, target_id: int | None = None,
            buttons: dict[str, Any] | None = None) -> list[Outgoing]:
    """The message as Telegram takes it (4,096 characters each, cut between lines), each piece with
    its own key, `buttons` under the last. A message about one part answers a reply as a progress
    report of that part."""
    pieces = split_text(text)
    return [Outgoing(chat_id=chat, dedup_key=f"{key}:{n}" if len(pieces) > 1 else key, text=piece,
                     ref_kind="target" if target_id is not None else None, ref_id=target_id,
                     reply_markup=buttons if n == len(pieces) else None)
            for n, piece in enumerate(pieces, 1)]
