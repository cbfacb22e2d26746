"""The annual assessment (年度考核) of an office: read in a constant number of statements
(storage/repos/assessment.py), computed by bot/rules/assessment.py, sent to the directors once a
year on the org file's `assessment.send_on` (jobs/assessment.py).

Everything comes from the database and the moment `as_of`: the same database and `as_of` give the
same assessment (`python -m bot assessment --at …` reproduces what was sent)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.rules.assessment import Assessment, CycleRow, PartRow, ReportRow, Unit, assess, year_bounds
from bot.rules.delivery import Outgoing
from bot.rules.org_extras import AssessmentWeights, assessment_from_json
from bot.usecases import targets as target_cases
from bot.usecases.cycles import scope
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.models import ROOT_OFFICE_ID
from storage.repos import assessment as repo
from storage.repos import digests as digest_repo
from storage.repos import org as org_repo
from storage.repos import people as people_repo

SEND_AT = time(9, 0)
SEND_WINDOW = timedelta(days=7)  # a bot that was down on send_on still sends within the week after
RUN_KIND = "assessment"  # its digest_runs record: kind, and the year as the label

# unit id → (targets met, targets) for the year; None when the office has no targets at all
TargetCounts = Mapping[int, tuple[int, int]] | None
# (assessment, language) → (text pieces, workbook bytes, workbook file name, chart PNG, caption)
Renderer = Callable[[Assessment, str], tuple[list[str], bytes, str, bytes, str]]


def send_on_day(weights: AssessmentWeights, year: int) -> date:
    month, day = (int(x) for x in weights.send_on.split("-"))
    if (month, day) == (2, 29):  # a leap day in a year without one: the day before
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, month, day)


def default_year(now: datetime, tz: tzinfo, weights: AssessmentWeights) -> int:
    """Up to and including this year's send_on day, last year's assessment (complete: the one the
    directors receive that day); after it, the current year so far."""
    today = now.astimezone(tz).date()
    return today.year - 1 if today <= send_on_day(weights, today.year) else today.year


async def weights_of(db: Database, office_id: int) -> AssessmentWeights:
    async with db.session() as s:
        return assessment_from_json((await org_repo.meta(s, office_id)).get("assessment"))


async def build(db: Database, year: int | None, *, now: datetime, tz: ZoneInfo, office_id: int = ROOT_OFFICE_ID,
                targets: TargetCounts = None) -> Assessment:
    """The office's assessment of `year` (None: `default_year`) as of `now`. Targets met come from
    bot.usecases.targets (by department name); `targets` given instead (unit id → (met, total))
    overrides them. A constant number of statements: the office's settings, the year's rows (six),
    the targets (two)."""
    async with db.session() as s:
        weights = assessment_from_json((await org_repo.meta(s, office_id)).get("assessment"))
        year = default_year(now, tz, weights) if year is None else year
        start, end = year_bounds(year, tz)
        rows = await repo.year_rows(s, office_id, year, start, end, now)
        if targets is None:
            by_name = await target_cases.targets_met(s, office_id, year, now, tz)
            ids = {name: i for i, name, _unit in rows.units}
            targets = {ids[name]: counts for name, counts in by_name.items() if name in ids} if by_name else None
    return compute(year, rows, weights, now=now, tz=tz, targets=targets)


def compute(year: int, rows: repo.YearRows, weights: AssessmentWeights, *, now: datetime, tz: tzinfo,
            targets: TargetCounts) -> Assessment:
    members: dict[int, set[int]] = {}
    for cycle_id, dept in rows.members:
        members.setdefault(cycle_id, set()).add(dept)
    cycles = [CycleRow(cid, label, deadline, tuple((n, u) for n, u in json.loads(expected or "[]")),
                       frozenset(members.get(cid, ()))) for cid, label, deadline, expected in rows.cycles]
    first_late: dict[tuple[int, int], bool] = {}
    for cycle_id, dept, _version, late in rows.versions:  # ordered by version: the first one decides
        first_late.setdefault((cycle_id, dept), late)
    indicators: dict[tuple[int, int], list[tuple[str, str]]] = {}
    for cycle_id, dept, name, unit in rows.indicators:
        indicators.setdefault((cycle_id, dept), []).append((name, unit))
    reports = [ReportRow(c, d, late, tuple(indicators.get((c, d), ()))) for (c, d), late in first_late.items()]
    units = [Unit(i, name, unit_of is not None) for i, name, unit_of in rows.units]
    parts = [PartRow(*row) for row in rows.parts]
    return assess(year, as_of=now, tz=tz, weights=weights, units=units, parts=parts, cycles=cycles, reports=reports,
                  targets=targets)


# ---------------------------------------------------------------- the yearly send


def due_year(now: datetime, tz: tzinfo, weights: AssessmentWeights) -> int | None:
    """The year whose assessment is due to the directors at `now`: last year's, from send_on 09:00
    for SEND_WINDOW; None outside it."""
    today = now.astimezone(tz)
    moment = datetime.combine(send_on_day(weights, today.year), SEND_AT, tzinfo=tz)
    return today.year - 1 if moment <= now < moment + SEND_WINDOW else None


def next_send(now: datetime, tz: tzinfo, every: list[AssessmentWeights]) -> datetime:
    """The next send_on 09:00 after `now` over the offices' settings (the default one included)."""
    year = now.astimezone(tz).year
    moments = [datetime.combine(send_on_day(w, y), SEND_AT, tzinfo=tz)
               for w in [*every, AssessmentWeights()] for y in (year, year + 1)]
    return min(m for m in moments if m > now)


async def offices_settings(db: Database) -> dict[int, AssessmentWeights]:
    """Every office's weights and send_on (defaults for an office without the section): two
    statements."""
    async with db.session() as s:
        offices = [o.id for o in await org_repo.offices(s)] or [ROOT_OFFICE_ID]
        stored = await repo.assessment_settings(s)
    return {int(o): assessment_from_json(stored.get(int(o))) for o in offices}  # type: ignore[arg-type]


async def already_sent(db: Database, year: int, office_id: int) -> bool:
    async with db.session() as s:
        return await digest_repo.run(s, RUN_KIND, str(year), office_id) is not None


async def directors(db: Database, office_id: int) -> list[tuple[int, str | None]]:
    async with db.session() as s:
        return await people_repo.chats_with_role(s, "director", office_id=office_id)


async def send(db: Database, built: Assessment, render: Renderer, *, default_language: str, now: datetime,
               office_id: int) -> int:
    """Queue the year's assessment for every director of the office and record it, in one
    transaction (text, workbook, chart; rendered once per language); a year already recorded for
    the office queues nothing. Returns how many messages were queued."""
    label = str(built.year)
    async with db.transaction() as s:
        if await digest_repo.run(s, RUN_KIND, label, office_id) is not None:
            return 0
        rendered: dict[str, tuple[list[str], bytes, str, bytes, str]] = {}
        items: list[Outgoing] = []
        for chat, lang in await people_repo.chats_with_role(s, "director", office_id=office_id):
            language = lang or default_language
            if language not in rendered:
                rendered[language] = render(built, language)
            pieces, book, book_name, chart, caption = rendered[language]
            key = f"assessment:{scope(office_id)}{label}:{chat}"
            items += [Outgoing(chat_id=chat, dedup_key=f"{key}:text:{i}", text=p) for i, p in enumerate(pieces)]
            items.append(Outgoing(chat_id=chat, dedup_key=f"{key}:chart", photo=chart, text=caption,
                                  filename=f"assessment-{label}.png"))
            items.append(Outgoing(chat_id=chat, dedup_key=f"{key}:book", document=book, filename=book_name))
        await digest_repo.add_run(s, RUN_KIND, label, json.dumps(built.snapshot(), ensure_ascii=False), now, office_id)
        return await enqueue_in(s, items, now)
