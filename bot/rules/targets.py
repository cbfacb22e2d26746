"""Annual targets against the year-to-date figures of the reports (`/targets`, the digest's and the
workbook's targets section, the work report's target column, the assessment's "targets met").

Pure: the use case (bot/usecases/targets.py) hands in the office's TargetSpecs (org file
`targets:`) and every figure of the year's reports, each department's latest version in each cycle
of the year, tagged with the cycle's place in time.

- **Year-to-date.** A figure is year-to-date unless its name says `本季度`, `当季` or `本月` (the
  quarter's or the month's own figure is not a YTD figure for an annual target).
- **Matching** as the digest matches expected indicators: a figure belongs to a target when its
  name (spaces and case aside) contains the target's name and its unit is compatible (亿元 and
  万元; 个 and 项). Among several such figures in one report the one named exactly as the target
  wins, else the shortest name, else the first.
- **Latest.** A department's figure is the one from the latest cycle of the year (by the cycle's
  deadline) whose latest version carries it: a correction of an earlier quarter sent later does not
  replace a later quarter's figure; a later report without the figure leaves the earlier one.
- **Units.** Figures arrive in the canonical unit (万元) and are converted to the target's (亿元).
- **Completion** = figure / target × 100, one decimal, half up (310.4 of 500 → 62.1%).
- **On pace** (additive units: money, counts, people …): the completion reaches the share of the
  year gone — calendar days of the year passed before the day of `at` (in the office's zone) over
  the days of the year, as a percentage with one decimal; both numbers are compared as shown (one
  decimal). A year over counts as 100%, a year not begun as 0%.
- **Rates** (`%`, `‰`, 个百分点, 倍 …) are not accumulated over the year: a rate target is *met*
  when the figure reaches the target, whatever the date; higher is better.
- **The office.** For an additive unit, the office's figure is the sum of every department's
  latest YTD figure (departments without a target of their own included; at a city, the districts'
  units with what they reported upward), against the `total`. For a rate nothing is added up: the
  office shows the departments' range (lowest～highest), met when the lowest reaches the target.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bot.errors import UsageError
from bot.rules.indicators import convert, is_additive, name_key, units_compatible
from bot.rules.org_extras import TargetSpec

PERIOD_WORDS = ("本季度", "当季", "本月")  # a figure so named is the period's own, not year-to-date
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Reported:
    """One figure of a department's latest version in one cycle of the year. `rank` orders the
    cycles in time (a later cycle, a higher rank); `value` is in the canonical `unit` (万元)."""

    department: str
    rank: int
    cycle: str  # the cycle's label (2026-Q3), to say where a figure comes from
    name: str
    value: Decimal
    unit: str


@dataclass(frozen=True)
class Progress:
    """One line against a target: a department's (`name`), or the office's (`name` ""). `figure`
    is in the target's unit, None when nothing was reported; `rate` the completion in percent (one
    decimal), None without a figure or with a target of 0; `on_pace` None without a figure."""

    name: str
    target: Decimal | None
    figure: Decimal | None = None
    rate: Decimal | None = None
    on_pace: bool | None = None
    cycle: str | None = None


@dataclass(frozen=True)
class TargetStanding:
    """One target indicator of the year: the office's line and each department with a target of
    its own (in the org file's order). For a rate (`additive` False) `office.figure` stays None
    and `low`/`high` are the departments' range; `count` is how many departments' figures count."""

    year: int
    indicator: str
    unit: str
    additive: bool
    share: Decimal  # percent of the year gone, one decimal
    office: Progress
    departments: tuple[Progress, ...] = ()
    count: int = 0
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class TargetsReport:
    """What `/targets` shows: the year, the share of it gone (percent), every target's standing."""

    year: int
    share: Decimal
    targets: list[TargetStanding]


def is_year_to_date(name: str) -> bool:
    """`产值` and `1-9月产值` are; `本季度产值`, `当季产值`, `本月产值` are not."""
    key = name_key(name)
    return not any(word in key for word in PERIOD_WORDS)


def matches(indicator: str, unit: str, name: str, figure_unit: str) -> bool:
    """A figure named `name` in `figure_unit` is a YTD figure for the target `indicator` in `unit`."""
    wanted = name_key(indicator)
    return bool(wanted) and wanted in name_key(name) and units_compatible(unit, figure_unit) \
        and is_year_to_date(name)


def _closeness(indicator: str, name: str) -> tuple[int, int]:
    return (0 if name_key(name) == name_key(indicator) else 1, len(name_key(name)))


def year_share(year: int, at: datetime, tz: ZoneInfo) -> Decimal:
    """Percent of `year` gone on `at`'s day: whole days before that day over the year's days, one
    decimal (2026-11-15: 318/365 = 87.1)."""
    today = at.astimezone(tz).date()
    first, last = date(year, 1, 1), date(year + 1, 1, 1)
    if today >= last:
        return Decimal(100)
    if today <= first:
        return Decimal(0)
    gone = Decimal((today - first).days) / Decimal((last - first).days) * 100
    return gone.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def completion(figure: Decimal, target: Decimal) -> Decimal | None:
    """figure / target in percent, one decimal, half up; None for a target of 0."""
    if target == 0:
        return None
    return (figure / target * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def progress(name: str, target: Decimal | None, figure: Decimal | None, *, additive: bool, share: Decimal,
             cycle: str | None = None) -> Progress:
    """A line against a target: on pace (additive) when the completion reaches `share`; a rate
    met when the figure reaches the target; a target of 0 is reached by any figure."""
    if target is None or figure is None:
        return Progress(name, target, figure, None, None, cycle)
    rate = completion(figure, target)
    if not additive:
        return Progress(name, target, figure, rate, figure >= target, cycle)
    return Progress(name, target, figure, rate, rate is None or rate >= share, cycle)


def latest_figures(spec: TargetSpec, reported: Iterable[Reported]) -> dict[str, tuple[Decimal, str]]:
    """department → (its latest YTD figure for the target, in the target's unit; the cycle's label)."""
    best: dict[str, tuple[int, tuple[int, int], Reported]] = {}
    for r in reported:
        if not matches(spec.indicator, spec.unit, r.name, r.unit):
            continue
        close = _closeness(spec.indicator, r.name)
        held = best.get(r.department)
        if held is None or r.rank > held[0] or (r.rank == held[0] and close < held[1]):
            best[r.department] = (r.rank, close, r)
    return {dept: (convert(r.value, r.unit, spec.unit), r.cycle) for dept, (_, _, r) in best.items()}


def standings(specs: Sequence[TargetSpec], year: int, reported: Sequence[Reported], at: datetime,
              tz: ZoneInfo) -> list[TargetStanding]:
    """Every target of `year`, in the org file's order (see the module's docstring)."""
    share = year_share(year, at, tz)
    out: list[TargetStanding] = []
    for spec in (s for s in specs if s.year == year):
        additive = is_additive(spec.unit)
        latest = latest_figures(spec, reported)
        values = [v for v, _ in latest.values()]
        depts = tuple(progress(name, target, latest[name][0] if name in latest else None, additive=additive,
                               share=share, cycle=latest[name][1] if name in latest else None)
                      for name, target in spec.departments)
        low, high = (min(values), max(values)) if values else (None, None)
        if additive:
            office = progress("", spec.total, sum(values, Decimal(0)) if values else None, additive=True, share=share)
        elif spec.total is not None and low is not None:
            office = Progress("", spec.total, None, None, low >= spec.total)
        else:
            office = Progress("", spec.total)
        out.append(TargetStanding(year, spec.indicator, spec.unit, additive, share, office, depts, len(values),
                                  None if additive else low, None if additive else high))
    return out


def met_per_department(found: Sequence[TargetStanding]) -> dict[str, tuple[int, int]]:
    """department → (targets on pace or met, targets it has) — once the year is over, on pace means
    the whole target reached. A department without a figure has not met it."""
    out: dict[str, tuple[int, int]] = {}
    for standing in found:
        for p in standing.departments:
            met, total = out.get(p.name, (0, 0))
            out[p.name] = (met + (p.on_pace is True), total + 1)
    return out


def table_targets(rows: Sequence[tuple[str, str]], found: Sequence[TargetStanding]) -> dict[str, Decimal]:
    """For the work report's indicator table: row name → the office's target in the row's unit
    (`rows` as (name, unit)). Each target goes to its closest row (the same name, else the shortest
    that contains it); rows of a period's own figure (`本季度…`) get none."""
    out: dict[str, Decimal] = {}
    for standing in found:
        if standing.office.target is None:
            continue
        candidates = [(name, unit) for name, unit in rows if matches(standing.indicator, standing.unit, name, unit)]
        if candidates:
            name, unit = min(candidates, key=lambda row: _closeness(standing.indicator, row[0]))
            out.setdefault(name, convert(standing.office.target, standing.unit, unit))
    return out


_YEAR = re.compile(r"^(\d{4})年?$")


def parse_year(args: Sequence[str], this_year: int) -> int:
    """`/targets` → this year; `/targets 2026` or `2026年` → 2026 (2000–2100); else UsageError."""
    if not args:
        return this_year
    match = _YEAR.match(unicodedata.normalize("NFKC", args[0]).strip()) if len(args) == 1 else None
    if match is None or not 2000 <= int(match[1]) <= 2100:
        raise UsageError("targets")
    return int(match[1])


__all__ = ["PERIOD_WORDS", "Progress", "Reported", "TargetStanding", "TargetsReport", "completion", "is_year_to_date", "latest_figures",
           "matches", "met_per_department", "parse_year", "progress", "standings", "table_targets", "year_share"]
