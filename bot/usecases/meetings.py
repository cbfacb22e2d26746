"""Meetings and their agreed items (议定事项): recording a meeting, receiving its minutes, the proposal
the office confirms item by item, and how far the confirmed items (tasks) have got.

The dialogue lives in the database: the meeting row holds the proposal (bot/rules/meetings.py,
JSON), and the admin's next message is expected as a `PendingInput` (`EXPECT_MINUTES` while the
minutes may still grow, `EXPECT_DUE`/`EXPECT_DEPARTMENTS` after a fix button; the item being fixed
is in the proposal, by telegram id). A message the bot asked for and could not use (a malformed
date, an unknown department, a document that is not a readable .docx) is answered and asked for
again: the expectation is written back in the same transaction that finds the input wrong.

Everything is of the office the caller acts in: another office's meeting answers exactly as a
missing one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import DomainError, NotFound, Refused
from bot.readers.docx_minutes import docx_blocks
from bot.rules.digest import MeetingStanding, agreed_item, meeting_standing
from bot.rules.meetings import Proposal, ProposedItem, blockers, dump, load, propose, task_details
from bot.rules.minutes import departments_in, due_in, extract_items, split_blocks
from bot.rules.names import find_name
from bot.rules.people import Caller
from bot.rules.tasks import DEFAULT_DUE_TIME, AssignRequest, TargetStatus, split_targets, standing_checkpoint
from bot.usecases import inputs
from bot.usecases import names as name_lookup
from bot.usecases.tasks import create_in
from bot.views.meetings import ItemLine, MeetingDetail, MeetingRow, ProposalView
from storage.db import Database
from storage.models import Meeting, PendingInput
from storage.repos import audit as audit_repo
from storage.repos import meetings as repo

EXPECT_MINUTES, EXPECT_DUE, EXPECT_DEPARTMENTS = "meeting", "meeting_due", "meeting_dep"
EXPECTED_KINDS = (EXPECT_MINUTES, EXPECT_DUE, EXPECT_DEPARTMENTS)
MINUTES, PROPOSED, CONFIRMED, CANCELLED = "minutes", "proposed", "confirmed", "cancelled"
WAITING = (MINUTES, PROPOSED)
FIX_KINDS = {"due": EXPECT_DUE, "dep": EXPECT_DEPARTMENTS}


@dataclass(frozen=True)
class Started:
    meeting_id: int
    title: str
    held_on: date


@dataclass(frozen=True)
class Confirmed:
    meeting_id: int
    title: str
    task_ids: tuple[int, ...]
    notified: int  # departments told (they have a liaison)
    without_liaison: tuple[str, ...]


# ---------------------------------------------------------------- reading the meeting


async def _meeting(s: AsyncSession, caller: Caller, meeting_id: int) -> Meeting:
    found = await repo.get(s, meeting_id, caller.office_id)
    if found is None:
        raise NotFound("meeting.not_found", id=meeting_id)
    return found


async def _waiting(s: AsyncSession, caller: Caller, meeting_id: int) -> Meeting:
    """The meeting, while its minutes or proposal are still open; a confirmed or cancelled one says
    so (a stale button, a late message)."""
    meeting = await _meeting(s, caller, meeting_id)
    if meeting.state == CONFIRMED:
        raise Refused("meeting.already_confirmed", id=meeting_id, title=meeting.title)
    if meeting.state == CANCELLED:
        raise Refused("meeting.already_cancelled", id=meeting_id, title=meeting.title)
    return meeting


async def spellings(s: AsyncSession, office_id: int) -> dict[str, str]:
    """Every way the office names a member unit (full name, alias) → its name."""
    known = await name_lookup.directory(s, office_id, groups=False)
    return {**known.aliases, **{name: name for name in known.departments}}


def _view(meeting: Meeting, proposal: Proposal, *, today: date, selected: int | None = None,
          replaces: tuple[int, int] | None = None) -> ProposalView:
    return ProposalView(meeting.id, meeting.title, meeting.held_on, proposal.remaining,  # type: ignore[arg-type]
                        len(proposal.items) - len(proposal.remaining), tuple(blockers(proposal, today=today)),
                        meeting.minutes_file_name, selected, replaces)


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


# ---------------------------------------------------------------- recording a meeting and its minutes


async def start(db: Database, caller: Caller, title: str, held_on: date, *, now: datetime) -> Started:
    """`/meeting TITLE [| DATE]`: the meeting, in the office the admin acts in; their next messages
    are its minutes."""
    async with db.transaction() as s:
        meeting = await repo.add(s, Meeting(office_id=caller.office_id, title=title, held_on=held_on,
                                            created_by=caller.telegram_id, created_at=now, state=MINUTES))
        await inputs.expect_in(s, caller.telegram_id, EXPECT_MINUTES, meeting.id, now)
        await audit_repo.add(s, at=now, actor_id=caller.telegram_id, action="meeting.create",
                             target=f"meeting:{meeting.id}", detail=f"{title} {held_on.isoformat()}",
                             office_id=caller.office_id)
    return Started(meeting.id, title, held_on)  # type: ignore[arg-type]


async def keep_waiting(db: Database, caller: Caller, meeting_id: int, *, now: datetime) -> None:
    """The admin's next message is (more of) the minutes again: after `/meeting N` of a meeting
    still open, and after a message that could not be used."""
    async with db.transaction() as s:
        await _waiting(s, caller, meeting_id)
        await inputs.expect_in(s, caller.telegram_id, EXPECT_MINUTES, meeting_id, now)


async def add_minutes(db: Database, caller: Caller, meeting_id: int, *, now: datetime, tz: ZoneInfo,
                      text: str | None = None, document: bytes | None = None,
                      file_name: str | None = None) -> ProposalView:
    """A piece of the minutes: a text message, or a .docx document's bytes. The items are found
    again in all the minutes so far (an item cut between two messages joins up), keeping what the
    office did to each item found before; the admin's next message is more of the minutes.
    Nothing is kept of a document that cannot be read (DomainError), and it is asked for again."""
    error: DomainError | None = None
    async with db.transaction() as s:
        meeting = await _waiting(s, caller, meeting_id)
        await inputs.expect_in(s, caller.telegram_id, EXPECT_MINUTES, meeting_id, now)
        before = load(meeting.proposal)
        try:
            blocks = docx_blocks(document) if document is not None else split_blocks(text or "")
        except DomainError as refused:
            error = refused
        else:
            every = (*before.blocks, *blocks)
            found = extract_items(every, await spellings(s, caller.office_id), held_on=meeting.held_on)
            proposal = propose(found, before, every)
            piece = (text or "") if document is None else "\n".join(blocks)
            meeting.minutes = f"{meeting.minutes}\n\n{piece}" if meeting.minutes else piece
            if document is not None:
                meeting.minutes_file_name = (file_name or "")[:255] or None
            meeting.state = PROPOSED
            meeting.proposal = dump(proposal)
            s.add(meeting)
            await s.flush()
    if error is not None:
        raise error
    return _view(meeting, proposal, today=_today(now, tz), replaces=before.message)


async def remember_message(db: Database, caller: Caller, meeting_id: int, chat_id: int, message_id: int) -> None:
    """The message that now shows the proposal: the next piece of the minutes replaces it."""
    async with db.transaction() as s:
        meeting = await repo.get(s, meeting_id, caller.office_id)
        if meeting is None or meeting.state not in WAITING:
            return
        proposal = replace(load(meeting.proposal), message=(chat_id, message_id))
        await repo.save(s, meeting_id, states=WAITING, proposal=dump(proposal))


# ---------------------------------------------------------------- the proposal's buttons


async def _open_item(s: AsyncSession, caller: Caller, meeting_id: int, number: int) -> tuple[Meeting, Proposal, ProposedItem]:
    meeting = await _waiting(s, caller, meeting_id)
    proposal = load(meeting.proposal)
    item = proposal.item(number)
    if item is None or item.dropped:
        raise Refused("meeting.item_gone", number=number)
    return meeting, proposal, item


async def proposal(db: Database, caller: Caller, meeting_id: int, *, now: datetime, tz: ZoneInfo,
                   selected: int | None = None) -> ProposalView:
    """The proposal as it stands (an item's menu with `selected`)."""
    async with db.session() as s:
        if selected is not None:
            meeting, found, _ = await _open_item(s, caller, meeting_id, selected)
        else:
            meeting = await _waiting(s, caller, meeting_id)
            found = load(meeting.proposal)
    return _view(meeting, found, today=_today(now, tz), selected=selected)


async def drop(db: Database, caller: Caller, meeting_id: int, number: int, *, now: datetime,
               tz: ZoneInfo) -> ProposalView:
    """Drop an item: it stays in the proposal marked dropped (found again in later minutes, it stays
    dropped) and becomes no task."""
    async with db.transaction() as s:
        meeting, found, item = await _open_item(s, caller, meeting_id, number)
        changed = found.with_item(replace(item, dropped=True))
        await repo.save(s, meeting_id, states=WAITING, proposal=dump(changed))
    return _view(meeting, changed, today=_today(now, tz))


async def ask_fix(db: Database, caller: Caller, meeting_id: int, number: int, what: str, *,
                  now: datetime) -> ProposedItem:
    """改时限 (`what` = "due") or 改单位 ("dep"): the admin's next message is the item's new date or
    departments."""
    async with db.transaction() as s:
        meeting, found, item = await _open_item(s, caller, meeting_id, number)
        fixing = {**found.fixing, str(caller.telegram_id): (number, what)}
        await repo.save(s, meeting_id, states=WAITING, proposal=dump(replace(found, fixing=fixing)))
        await inputs.expect_in(s, caller.telegram_id, FIX_KINDS[what], meeting_id, now)
    return item


_PHRASED = re.compile(r"牵头|负责|配合|协同|协助|会同|参与|责任|单位|部门|[:：]")


def _departments(text: str, known: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An item's departments as the admin typed them: the minutes' phrasings (`由X牵头，Y配合`,
    `牵头单位：X；配合单位：Y`), or just names (the first leads), each found as everywhere (full
    name, alias, a fragment only one name has); a name found no way raises with "did you mean"
    suggestions, as /assign does."""
    if _PHRASED.search(text):
        lead, cooperating = departments_in(text, known)
        if lead or cooperating:
            return lead, cooperating
    typed = [word for part in split_targets(text) for word in part.split()]
    canonical = sorted(set(known.values()))
    aliases = {k: v for k, v in known.items() if k != v}
    found: list[str] = []
    for word in typed:
        match = find_name(word, canonical, aliases)
        if match.found is None:
            raise name_lookup.not_found(word, match)
        found.append(match.found)
    if not found:
        raise DomainError("meeting.no_departments_typed")
    chosen = tuple(dict.fromkeys(found))
    return chosen[:1], chosen[1:]


async def fix(db: Database, caller: Caller, meeting_id: int, what: str, text: str, *, now: datetime,
              tz: ZoneInfo) -> ProposalView:
    """The admin's answer to 改时限 / 改单位. Understood: the item changes and the next message is
    more of the minutes again; not understood: DomainError, and the answer is asked for again."""
    error: DomainError | None = None
    async with db.transaction() as s:
        meeting = await _waiting(s, caller, meeting_id)
        found = load(meeting.proposal)
        fixing = found.fixing.get(str(caller.telegram_id))
        item = found.item(fixing[0]) if fixing is not None and fixing[1] == what else None
        if item is None or item.dropped:  # the minutes changed meanwhile, or another admin dropped it
            await inputs.expect_in(s, caller.telegram_id, EXPECT_MINUTES, meeting_id, now)
            error = Refused("meeting.fix_gone")
        else:
            try:
                if what == "due":
                    due, standing = due_in(text, held_on=meeting.held_on)
                    if due is None and not standing:
                        raise DomainError("meeting.bad_due", value=text.strip()[:40])
                    changed = replace(item, due=due, standing=standing)
                else:
                    lead, cooperating = _departments(text, await spellings(s, caller.office_id))
                    changed = replace(item, lead=lead, cooperating=cooperating)
            except DomainError as refused:
                error = refused
                await inputs.expect_in(s, caller.telegram_id, FIX_KINDS[what], meeting_id, now)
            else:
                rest = {k: v for k, v in found.fixing.items() if k != str(caller.telegram_id)}
                found = replace(found.with_item(changed), fixing=rest)
                await repo.save(s, meeting_id, states=WAITING, proposal=dump(found))
                await inputs.expect_in(s, caller.telegram_id, EXPECT_MINUTES, meeting_id, now)
    if error is not None:
        raise error
    return _view(meeting, found, today=_today(now, tz), replaces=found.message)


async def _stop_expecting(s: AsyncSession, telegram_id: int, meeting_id: int) -> None:
    """The caller's next message is no longer this meeting's (their expectation of another is kept)."""
    row = await s.get(PendingInput, telegram_id)
    if row is not None and row.kind in EXPECTED_KINDS and row.ref_id == meeting_id:
        await inputs.clear_in(s, telegram_id)


async def confirm(db: Database, caller: Caller, meeting_id: int, *, now: datetime, tz: ZoneInfo,
                  default_language: str) -> Confirmed:
    """✅ 确认全部: one task per remaining item, all in one transaction (all or none): its title, its
    departments, due at 18:00 of its day or, for a standing item, at the month's end checkpoint;
    the details name the meeting and the item, so the liaisons' notices do. The meeting is
    confirmed once: a second press finds it so."""
    async with db.transaction() as s:
        meeting = await _waiting(s, caller, meeting_id)
        found = load(meeting.proposal)
        today = _today(now, tz)
        blocked = blockers(found, today=today)
        if blocked:
            number, why = blocked[0]
            raise Refused(f"meeting.blocked.{why}", number=number)
        if not found.remaining:
            raise Refused("meeting.nothing_to_confirm")
        if not await repo.save(s, meeting_id, states=WAITING, state=CONFIRMED, confirmed_at=now):
            raise Refused("meeting.already_confirmed", id=meeting_id, title=meeting.title)
        created = []
        for item in found.remaining:
            departments = item.departments
            due = (standing_checkpoint(now, tz) if item.standing
                   else datetime.combine(item.due, DEFAULT_DUE_TIME, tzinfo=tz))  # type: ignore[arg-type]
            request = AssignRequest(
                targets=item.lead or departments[:1], due=due,
                title=item.title.strip() or item.text[:60] or f"{meeting.title}·{item.number}",
                details=task_details(meeting.title, meeting.held_on, item.number, item.text),
                cooperating=item.cooperating if item.lead else departments[1:])
            created.append(await create_in(s, caller, request, now=now, tz=tz, default_language=default_language,
                                           meeting_id=meeting_id, standing=item.standing))
        await _stop_expecting(s, caller.telegram_id, meeting_id)
        ids = tuple(c.task_id for c in created)
        await audit_repo.add(s, at=now, actor_id=caller.telegram_id, action="meeting.confirm",
                             target=f"meeting:{meeting_id}",
                             detail=f"{meeting.title}: " + ",".join(f"#{i}" for i in ids), office_id=caller.office_id)
    silent = tuple(dict.fromkeys(d for c in created for d in c.without_liaison))
    named = {d for item in found.remaining for d in item.departments}
    return Confirmed(meeting_id, meeting.title, ids, len(named - set(silent)), silent)


async def cancel(db: Database, caller: Caller, meeting_id: int, *, now: datetime) -> str:
    """取消: the meeting is kept as cancelled (its minutes too), and creates no task."""
    async with db.transaction() as s:
        meeting = await _waiting(s, caller, meeting_id)
        if not await repo.save(s, meeting_id, states=WAITING, state=CANCELLED):
            raise Refused("meeting.already_confirmed", id=meeting_id, title=meeting.title)
        await _stop_expecting(s, caller.telegram_id, meeting_id)
        await audit_repo.add(s, at=now, actor_id=caller.telegram_id, action="meeting.cancel",
                             target=f"meeting:{meeting_id}", detail=meeting.title, office_id=caller.office_id)
    return meeting.title


# ---------------------------------------------------------------- /meeting N, /meetings and the digest


def _lines(rows: Sequence[tuple], *, now: datetime, tz: ZoneInfo) -> dict[int, list[ItemLine]]:  # type: ignore[type-arg]
    """meeting id → its items (tasks) with their departments and state, in task order; the state
    by the digest's rule (`agreed_item`), so every place counts an item alike."""
    by_task: dict[int, list] = {}  # type: ignore[type-arg]
    for task, target, dept in rows:
        by_task.setdefault(task.id, []).append((target, dept))
    tasks = {task.id: task for task, _, _ in rows}
    out: dict[int, list[ItemLine]] = {}
    for task_id, parts in by_task.items():
        task = tasks[task_id]
        item = agreed_item(task_id, task.title, task.due_at, standing=task.standing, closed=task.closed_at is not None,
                           parts=[(d.name, tg.is_lead, tg.status, tg.due_at or task.due_at) for tg, d in parts],
                           at=now, tz=tz)
        out.setdefault(task.meeting_id, []).append(ItemLine(
            item, tuple(d.name for tg, d in parts if tg.is_lead), tuple(d.name for tg, d in parts if not tg.is_lead),
            sum(tg.status == TargetStatus.DONE for tg, _ in parts), len(parts)))
    return out


async def _standings(s: AsyncSession, meetings: Sequence[Meeting], *, now: datetime,
                     tz: ZoneInfo) -> list[MeetingStanding]:
    confirmed = [m for m in meetings if m.state == CONFIRMED]
    lines = _lines(await repo.parts(s, [m.id for m in confirmed]), now=now, tz=tz) if confirmed else {}  # type: ignore[misc]
    return [meeting_standing(m.id, m.title, m.held_on, [line.item for line in lines.get(m.id, [])])  # type: ignore[arg-type]
            for m in confirmed]


async def detail(db: Database, caller: Caller, meeting_id: int, *, now: datetime, tz: ZoneInfo) -> MeetingDetail:
    """`/meeting N`: a confirmed meeting's items and their state; one still open, its proposal."""
    async with db.session() as s:
        meeting = await _meeting(s, caller, meeting_id)
        rows = await repo.parts(s, [meeting_id]) if meeting.state == CONFIRMED else []
    if meeting.state == PROPOSED:
        shown = _view(meeting, load(meeting.proposal), today=_today(now, tz))
        return MeetingDetail(meeting_id, meeting.title, meeting.held_on, meeting.state, proposal=shown)
    items = tuple(_lines(rows, now=now, tz=tz).get(meeting_id, []))
    return MeetingDetail(meeting_id, meeting.title, meeting.held_on, meeting.state, items)


async def listing(db: Database, office_id: int, *, now: datetime, tz: ZoneInfo) -> list[MeetingRow]:
    """`/meetings`: the office's meetings, the latest held first, each with its items done/total and
    overdue (confirmed), or how many are proposed, or that the minutes are awaited. Two statements."""
    async with db.session() as s:
        meetings = await repo.of_office(s, office_id)
        counted = {m.meeting_id: m for m in await _standings(s, meetings, now=now, tz=tz)}
    out = []
    for m in meetings:
        standing = counted.get(m.id)  # type: ignore[arg-type]
        if standing is not None:
            out.append(MeetingRow(m.id, m.title, m.held_on, m.state, standing.total, standing.done,  # type: ignore[arg-type]
                                  len(standing.overdue)))
        else:
            out.append(MeetingRow(m.id, m.title, m.held_on, m.state, len(load(m.proposal).remaining)))  # type: ignore[arg-type]
    return out


async def standings(s: AsyncSession, office_id: int, *, now: datetime, tz: ZoneInfo,
                    meeting_ids: Sequence[int] | None = None,
                    held: tuple[date, date] | None = None) -> list[MeetingStanding]:
    """The confirmed meetings of the office — those of `meeting_ids`, or those held from `held[0]`
    to `held[1]` (both included) — each with its items done/total and the overdue ones (most
    overdue first), as of `now`; earliest held first. The same numbers as `/meeting N`,
    `/meetings` and the digest (bot/rules/digest.py `meeting_standing`). Two statements (one more
    per thousand meetings), whatever the number of items."""
    if meeting_ids is not None:
        meetings = await repo.by_ids(s, office_id, meeting_ids)
    elif held is not None:
        meetings = await repo.held_between(s, office_id, held[0], held[1], (CONFIRMED,))
    else:
        raise ValueError("standings: give meeting_ids or held")
    return await _standings(s, meetings, now=now, tz=tz)
