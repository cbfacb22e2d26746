"""A department's report in a cycle — the quarter's, or the month's (月报): collected as a draft (text, photos, documents), shown back
with the indicators captured, and counted only when the liaison confirms. A later confirmed
report supersedes the earlier one, which is kept as a version; after the deadline it is late.

After a submitted version, the next draft starts as a copy of it (text and files): what the
liaison sends is added, an indicator line replacing the indicator of the same name
(`bot.rules.indicators.merge_text`), and the preview compares with that version. `fresh=True`
(`/report 重写`) starts from an empty draft. No schema change: the draft is still one text.

When a quarter's and a month's cycle are both open, `choose` says which one a `/report` is for:
the cycle whose request the liaison replied to, else the kind they named (`/report 月报`), else
the one their draft under way belongs to; otherwise the handler asks with one button per cycle."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotFound, Refused
from bot.rules.indicators import Change, Indicator, ParseResult, compare, expected_missing, merge_text, parse_indicators
from bot.rules.digest import GroupStanding
from bot.rules.people import Caller
from bot.rules.rollup import Compiled, compile_reports
from bot.rules.workdays import WorkCalendar
from bot.usecases import inputs
from bot.rules.cycles import kind_of
from bot.usecases.cycles import ensure_open, expected_of, figures_of, open_cycles_in
from bot.usecases.inbox import Incoming
from bot.views.reports import compiled_text
from storage.db import Database
from storage.models import Report, ReportDraft, ReportFile, ReportIndicator, ReportingCycle
from storage.repos import audit as audit_repo
from storage.repos import cycles as cycle_repo
from storage.repos import org as org_repo

TEXT_MAX = 20_000
EXPECT_KIND = "report"


@dataclass(frozen=True)
class DraftView:
    draft_id: int
    label: str
    deadline: datetime
    late: bool
    text: str
    files: int
    parsed: ParseResult
    missing: list[tuple[str, str]]
    version: int  # the version confirming would create
    base_version: int = 0  # the latest submitted version, which the changes are against (0: none)
    changes: list[Change] = field(default_factory=list)
    expected: list[tuple[str, str]] = field(default_factory=list)


def _office_of(caller: Caller) -> int:
    """A liaison reports in their department's office."""
    if caller.appointment is None:
        raise Refused("task.not_liaison")
    return caller.appointment.office_id


async def _cycle_for(s: AsyncSession, caller: Caller, now: datetime, cycle_id: int | None = None, *,
                     prefer: int | None = None) -> ReportingCycle:
    """The open cycle `cycle_id` of the caller's office (refused like a missing one otherwise);
    without it, `prefer` if that one is open (the cycle the pending input names), else the cycle
    of the caller's draft under way if it is open, else the quarter's (the month's when it is the
    only one open)."""
    found = await open_cycles_in(s, now, _office_of(caller))
    if cycle_id is not None:
        for cycle in found:
            if cycle.id == cycle_id:
                return cycle
        raise NotFound("cycle.none")
    if not found:
        raise NotFound("cycle.none")
    draft = await cycle_repo.draft_of(s, caller.telegram_id)
    for wanted in (prefer, draft.cycle_id if draft is not None else None):
        for cycle in found:
            if wanted is not None and cycle.id == wanted:
                return cycle
    return found[0]


@dataclass(frozen=True)
class Choice:
    """Which open cycle a `/report` is for (`cycle_id`), or None with the open cycles to ask about."""

    cycle_id: int | None
    options: list[tuple[int, str]] = field(default_factory=list)  # (cycle id, label)


async def choose(db: Database, caller: Caller, *, now: datetime, tz: ZoneInfo | None = None,
                 calendar: WorkCalendar | None = None, kind: str | None = None,
                 reply_to: tuple[int, int] | None = None) -> Choice:
    """The cycle a `/report` is for: the one whose request (the message `reply_to`, chat and
    message id) it answers; else the one of `kind` ('quarter' | 'month', as the liaison wrote
    `/report 月报`); else the only open one; else the one the liaison's draft under way belongs to.
    Otherwise None and the open cycles, to ask. A reply to a request of a cycle no longer open,
    or a kind with no open cycle, is refused in one line."""
    office = _office_of(caller)
    await ensure_open(db, now=now, tz=tz, calendar=calendar, office_id=office)
    async with db.session() as s:
        found = await open_cycles_in(s, now, office)
        if reply_to is not None:
            asked = await cycle_repo.cycle_of_message(s, *reply_to)
            if asked is not None:
                if asked not in {c.id for c in found}:
                    raise NotFound("report.no_monthly")
                return Choice(asked)
        if kind is not None:
            of_kind = [c for c in found if kind_of(c.label) == kind]
            if not of_kind:
                raise NotFound("report.no_monthly" if kind == "month" else "cycle.none")
            return Choice(of_kind[0].id)  # type: ignore[arg-type]
        if len(found) <= 1:
            return Choice(found[0].id if found else None)
        draft = await cycle_repo.draft_of(s, caller.telegram_id)
        if draft is not None and draft.department_id == caller.appointment.department_id:  # type: ignore[union-attr]
            for cycle in found:
                if cycle.id == draft.cycle_id:
                    return Choice(cycle.id)
        return Choice(None, [(c.id, c.label) for c in found])  # type: ignore[misc]


async def _latest(s: AsyncSession, cycle_id: int, department_id: int) -> Report | None:
    versions = await cycle_repo.versions(s, cycle_id, department_id)
    return versions[-1] if versions else None


async def _view(s: AsyncSession, draft: ReportDraft, cycle: ReportingCycle, now: datetime) -> DraftView:
    parsed = parse_indicators(draft.text)
    files = await cycle_repo.draft_files(s, draft.id)  # type: ignore[arg-type]
    latest = await _latest(s, cycle.id, draft.department_id)  # type: ignore[arg-type]
    version = latest.version + 1 if latest else 1
    expected = expected_of(cycle)
    previous = parse_indicators(latest.text).indicators if latest else []
    return DraftView(draft.id, cycle.label, cycle.deadline_at, now > cycle.deadline_at, draft.text, len(files),  # type: ignore[arg-type]
                     parsed, expected_missing(expected, parsed), version, latest.version if latest else 0,
                     compare(previous, parsed.indicators), expected)


async def _draft(s: AsyncSession, caller: Caller, cycle: ReportingCycle, now: datetime, *,
                 fresh: bool = False) -> tuple[ReportDraft, int]:
    """The caller's draft for this cycle, made now if there is none: a copy of the department's
    latest version (its text and files), or empty with `fresh` (which also drops a draft under
    way). Returns the draft and the version it was copied from now (0 when it was not made now
    or not copied)."""
    draft = await cycle_repo.draft_of(s, caller.telegram_id)
    department_id = caller.appointment.department_id  # type: ignore[union-attr]
    if draft is not None and (fresh or draft.cycle_id != cycle.id or draft.department_id != department_id):
        await s.delete(draft)  # a draft for an earlier cycle or department is stale
        await s.flush()
        draft = None
    if draft is not None:
        return draft, 0
    latest = None if fresh else await _latest(s, cycle.id, department_id)  # type: ignore[arg-type]
    draft = ReportDraft(telegram_id=caller.telegram_id, cycle_id=cycle.id, department_id=department_id,
                        created_at=now, text=latest.text if latest else "")
    s.add(draft)
    await s.flush()
    if latest is not None:
        for f in await cycle_repo.files_of_reports(s, [latest.id]):  # type: ignore[list-item]
            s.add(ReportFile(draft_id=draft.id, kind=f.kind, file_id=f.file_id, file_name=f.file_name,
                             file_size=f.file_size, mime_type=f.mime_type))
        await s.flush()
    return draft, latest.version if latest else 0


@dataclass(frozen=True)
class Begun:
    label: str
    copied_from: int  # the version the new draft copies (0: an empty draft, or one already under way)


async def begin(db: Database, caller: Caller, *, now: datetime, tz: ZoneInfo | None = None,
                calendar: WorkCalendar | None = None, fresh: bool = False, cycle_id: int | None = None) -> Begun:
    """/report without text: the next messages are the report. After a submitted version the
    draft starts as its copy; `fresh` (`/report 重写`) starts empty. With `tz` and `calendar` the
    quarter's cycle is opened first if the tick has not yet. `cycle_id`: the open cycle chosen
    (`choose`); the next messages go to it (the pending input names it)."""
    await ensure_open(db, now=now, tz=tz, calendar=calendar, office_id=_office_of(caller))
    async with db.transaction() as s:
        cycle = await _cycle_for(s, caller, now, cycle_id)
        _, copied = await _draft(s, caller, cycle, now, fresh=fresh)
        await inputs.expect_in(s, caller.telegram_id, EXPECT_KIND, cycle.id, now)
        return Begun(cycle.label, copied)


async def add(db: Database, caller: Caller, item: Incoming, *, now: datetime,
              inside: Callable[[AsyncSession], Awaitable[object]] | None = None, tz: ZoneInfo | None = None,
              calendar: WorkCalendar | None = None, collect: bool = True, fresh: bool = False,
              cycle_id: int | None = None, prefer: int | None = None) -> DraftView:
    """Add a message (text, or a photo/document with its caption) to the caller's draft. `inside`
    runs first in the same transaction (filing a kept message marks it filed there, or refuses);
    `collect=False` (one-tap filing) leaves the liaison's next messages to be asked about again.
    With `tz` and `calendar` the quarter's cycle is opened first if the tick has not yet; `fresh`
    starts from an empty draft (`/report 重写 TEXT`); `cycle_id` is the open cycle chosen (else
    `_cycle_for` decides, taking `prefer` — the cycle the pending input names — when it is open)."""
    await ensure_open(db, now=now, tz=tz, calendar=calendar, office_id=_office_of(caller))
    async with db.transaction() as s:
        if inside is not None:
            await inside(s)
        cycle = await _cycle_for(s, caller, now, cycle_id, prefer=prefer)
        draft, _ = await _draft(s, caller, cycle, now, fresh=fresh)
        first_time = True  # False: this message's file was added before (a redelivery)
        if item.file_id:
            first_time = await cycle_repo.add_file(s, ReportFile(
                draft_id=draft.id, kind=item.kind, file_id=item.file_id, file_name=item.file_name,
                file_size=item.file_size, mime_type=item.mime_type, chat_id=item.chat_id, message_id=item.message_id))
        if first_time and item.text:
            draft.text = merge_text(draft.text, item.text)
            if len(draft.text) > TEXT_MAX:
                raise Refused("report.too_long", limit=TEXT_MAX)
            s.add(draft)
        if collect:
            await inputs.expect_in(s, caller.telegram_id, EXPECT_KIND, cycle.id, now)  # keep collecting
        return await _view(s, draft, cycle, now)


@dataclass(frozen=True)
class Submitted:
    label: str
    version: int
    late: bool
    indicators: list[Indicator]
    files: int


async def submit(db: Database, caller: Caller, draft_id: int, *, now: datetime) -> Submitted:
    async with db.transaction() as s:
        draft = await s.get(ReportDraft, draft_id)
        if draft is None or draft.telegram_id != caller.telegram_id:
            raise Refused("report.draft_gone")
        cycle = await s.get(ReportingCycle, draft.cycle_id)
        assert cycle is not None
        files = await cycle_repo.draft_files(s, draft.id)  # type: ignore[arg-type]
        if not draft.text.strip() and not files:
            raise Refused("report.empty")
        parsed = parse_indicators(draft.text)
        version = await cycle_repo.next_version(s, cycle.id, draft.department_id)  # type: ignore[arg-type]
        late = now > cycle.deadline_at
        report = await cycle_repo.add_report(s, Report(
            cycle_id=cycle.id, department_id=draft.department_id, version=version, submitted_by=caller.telegram_id,  # type: ignore[arg-type]
            submitted_at=now, late=late, text=draft.text,
        ), [ReportIndicator(report_id=0, name=i.name[:100], value=str(i.value), unit=i.unit[:20], raw=i.raw[:300])
            for i in parsed.indicators])
        await cycle_repo.attach_files(s, draft.id, report.id)  # type: ignore[arg-type]
        await s.delete(draft)
        await inputs.clear_in(s, caller.telegram_id)
        await audit_repo.add(s, at=now, actor_id=caller.telegram_id, action="report.submit",
                             target=f"{cycle.label}:v{version}", detail="late" if late else None,
                             office_id=cycle.office_id)
        return Submitted(cycle.label, version, late, parsed.indicators, len(files))


async def discard(db: Database, caller: Caller, draft_id: int) -> None:
    async with db.transaction() as s:
        draft = await s.get(ReportDraft, draft_id)
        if draft is None or draft.telegram_id != caller.telegram_id:
            raise Refused("report.draft_gone")
        await s.delete(draft)
        await inputs.clear_in(s, caller.telegram_id)


@dataclass(frozen=True)
class CompiledDraft:
    office: str  # the office below, as its parent names it
    submitted: int
    total: int
    view: DraftView
    text: str  # the compiled draft, shown to the liaison so they can see what they will submit


async def compile_upward(db: Database, caller: Caller, *, now: datetime, lang: str, tz: ZoneInfo | None = None,
                         calendar: WorkCalendar | None = None) -> CompiledDraft:
    """`/report 汇总`: for the liaison of a unit standing for an office below, the draft of the
    unit's report compiled from that office's own departments' latest reports in its cycle of the
    same quarter (texts by working group, indicator totals, who has not reported). It replaces a
    draft under way and is edited and submitted like any draft. Anyone else is refused politely."""
    office_id = _office_of(caller)
    async with db.session() as s:
        unit = await org_repo.department(s, caller.appointment.department_id, office_id)  # type: ignore[union-attr]
    if unit is None or unit.unit_of is None:
        raise Refused("report.compile_not_unit")
    child = unit.unit_of
    for office in (office_id, child):  # both quarters' cycles exist, whatever the tick has done yet
        await ensure_open(db, now=now, tz=tz, calendar=calendar, office_id=office)
    async with db.transaction() as s:
        cycle = await cycle_repo.current(s, now, office_id)  # the quarter's: compiling is upward reporting
        if cycle is None:
            raise NotFound("cycle.none")
        compiled = await _compile(s, child, cycle)
        draft, _ = await _draft(s, caller, cycle, now, fresh=True)
        draft.text = compiled_text(compiled, lang, office=unit.name, label=cycle.label)
        s.add(draft)
        await s.flush()
        await inputs.expect_in(s, caller.telegram_id, EXPECT_KIND, cycle.id, now)
        await audit_repo.add(s, at=now, actor_id=caller.telegram_id, action="report.compile",
                             target=cycle.label, detail=f"{compiled.submitted}/{compiled.total}", office_id=office_id)
        return CompiledDraft(unit.name, compiled.submitted, compiled.total, await _view(s, draft, cycle, now), draft.text)


async def _compile(s: AsyncSession, child: int, parent_cycle: ReportingCycle) -> Compiled:
    """The office below's reports in its cycle of the parent cycle's label."""
    cycle = await cycle_repo.by_label(s, parent_cycle.label, child)
    if cycle is None:
        return compile_reports([], [], {}, [], expected_of(parent_cycle))
    members = await cycle_repo.members(s, cycle.id)  # type: ignore[arg-type]
    names = {d.id: d.name for d in await org_repo.departments(s, child)}
    texts = {names.get(r.department_id, "?"): r.text for r in await cycle_repo.latest_reports(s, [cycle.id])}  # type: ignore[list-item]
    figures = await figures_of(s, cycle.id, names)  # type: ignore[arg-type]
    membership = await org_repo.memberships(s, child)
    groups = [GroupStanding(g.name, [names[d] for d, lead in membership.get(g.id, {}).items() if lead and d in names],  # type: ignore[arg-type]
                            [names[d] for d, lead in membership.get(g.id, {}).items() if not lead and d in names], 0, 0)  # type: ignore[arg-type]
              for g in await org_repo.groups(s, child)]
    return compile_reports([d.name for d in members], groups, texts, figures,
                           [*expected_of(parent_cycle), *expected_of(cycle)], budget=TEXT_MAX - 4_000)


async def asked_for(db: Database, chat_id: int, message_id: int) -> int | None:
    """The cycle the bot's message (in that chat) asked for — a month's request — else None."""
    async with db.session() as s:
        return await cycle_repo.cycle_of_message(s, chat_id, message_id)
