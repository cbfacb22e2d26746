"""Annual targets against the year-to-date figures (`/targets [YEAR]`, the digest's targets
section, the work report's target column, the assessment's "targets met").

Two statements, whatever the number of departments, cycles and reports: the office's org_meta
(its `targets` as the org import stored them) and the year's figures (storage/repos/targets.py).
The rule is bot/rules/targets.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.rules.org_extras import TargetSpec, targets_from_json
from bot.rules.people import Caller
from bot.rules.targets import Reported, TargetsReport, TargetStanding, met_per_department, standings, year_share
from storage.db import Database
from storage.repos import org as org_repo
from storage.repos import targets as target_repo


async def specs_of(s: AsyncSession, office_id: int, year: int) -> list[TargetSpec]:
    """The office's targets for `year`, in the org file's order (one statement)."""
    meta = await org_repo.meta(s, office_id)
    return [t for t in targets_from_json(meta.get("targets")) if t.year == year]


async def reported_in(s: AsyncSession, office_id: int, year: int) -> list[Reported]:
    """Every figure of the year's latest report versions, each tagged with its cycle's place in
    time (one statement)."""
    ranks: dict[int, int] = {}
    out: list[Reported] = []
    for row in await target_repo.year_figures(s, office_id, year):
        try:
            value = Decimal(row.value)
        except InvalidOperation:
            continue
        rank = ranks.setdefault(row.cycle_id, len(ranks))  # rows come in the cycles' time order
        out.append(Reported(row.department, rank, row.label, row.name, value, row.unit))
    return out


async def standings_in(s: AsyncSession, office_id: int, year: int, at: datetime, tz: ZoneInfo) -> list[TargetStanding]:
    """Every target of the office for `year` as of `at`; no statement about figures when the
    office has no target that year."""
    specs = await specs_of(s, office_id, year)
    if not specs:
        return []
    return standings(specs, year, await reported_in(s, office_id, year), at, tz)


async def report(db: Database, caller: Caller, year: int, *, at: datetime, tz: ZoneInfo) -> TargetsReport:
    """`/targets [YEAR]`: the acting office's targets of `year`."""
    async with db.session() as s:
        found = await standings_in(s, caller.office_id, year, at, tz)
    return TargetsReport(year, year_share(year, at, tz), found)


async def targets_met(s: AsyncSession, office_id: int, year: int, at: datetime,
                      tz: ZoneInfo | None = None) -> dict[str, tuple[int, int]]:
    """For the annual assessment: department name → (targets met, targets it has) in `year` as of
    `at` — met is on pace at `at` (for a year that is over: the whole target reached; a rate: the
    figure reaches the target). Departments without targets of their own are not in the map. Two
    statements. `tz` (default: `at`'s own zone) decides which day `at` is."""
    zone = tz or at.tzinfo or ZoneInfo("UTC")
    return met_per_department(await standings_in(s, office_id, year, at, zone))  # type: ignore[arg-type]
