"""The annual assessment (年度考核): per member unit of an office (its departments, and at a parent
its child offices' units), for one calendar year, the counts the contract lists and a weighted score
out of 100 with a rank. Pure: everything comes in as plain rows read from the database
(storage/repos/assessment.py), so the same rows and the same `as_of` always give the same result.

What is counted (the office's time zone decides which year a moment falls in):

- Task parts. `assigned`: parts of tasks created in the year (standing items 长期坚持 included).
  A part's due time is its own after an extension was granted, else the task's. The parts *due in
  the year* are those, standing items excepted (their due time is only a monthly checkpoint), due
  in the year and no later than the tasks' cutoff, `min(as_of, the year's end)`; a part of a task
  the office closed at or before that due time without the part done was withdrawn and is left
  out. Each part due is exactly one of: `on_time` (done at or before its due time), `late` (done
  after it, by the cutoff) or `overdue` (not done by the cutoff). So a past year's task figures are
  fixed at the year's end: work finished in January is late-and-not-done for the year before.
- `ack_hours`: the mean of (acknowledged − notified), in hours, over the parts assigned in the year
  that were notified and acknowledged by `as_of` (a negative difference counts as 0); None without
  such parts.
- Reports. The cycles of the office whose period is in the year (quarterly `2026-Q1`…, monthly
  `2026-11`… once they exist) and whose deadline has passed by `as_of`. For each, the unit is
  expected when it is a member of the cycle (or reported in it). Its report is `on time` when its
  first version was submitted in time (the bot's own verdict stored with it, as the digests show),
  `late` when it was late, and `missing` when there is no version submitted by `as_of`.
- Indicators. For each expected cycle, the indicators the cycle asked for (`expected_indicators`)
  are `asked`; those the newest version of the unit's report satisfies (bot.rules.indicators:
  the name contained, a compatible unit) are `supplied`. A missing report supplies none.
- Targets: (met, total) per unit, from the targets module when there is one; nothing otherwise.

The score (`score`): each part k has a ratio r_k in [0, 1] and the org file's weight w_k:
tasks_on_time = on_time / parts due; reports_on_time = reports on time / reports expected;
indicators_complete = supplied / asked; targets_met = met / targets. A part whose denominator is 0
has nothing to measure: it is left out and its weight is shared among the parts that apply, pro
rata — with A the parts that apply, part k's points are w_k × 100 / Σ_{j∈A} w_j × r_k, and the
score is their sum, computed exactly (fractions) and rounded half up to one decimal only at the
end. A unit with no part to measure (or whose applying parts all weigh 0) has no score and no rank.
Ranks: by score, highest first; equal (rounded) scores share a rank and the next rank skips
(1, 2, 2, 4); equal scores are listed by name; unscored units come last, by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from bot.errors import UsageError
from bot.rules.indicators import Indicator, expected_missing
from bot.rules.org_extras import AssessmentWeights

def parse_year(args: Sequence[str]) -> int | None:
    """`/assessment [YEAR]`: `2026` or `2026年`; nothing means the default year."""
    if not args:
        return None
    raw = "".join(args).strip().removesuffix("度").removesuffix("年")
    if len(args) > 1 or not (raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise UsageError("assessment")
    return int(raw)


PARTS = ("tasks_on_time", "reports_on_time", "indicators_complete", "targets_met")


def weight(weights: AssessmentWeights, part: str) -> int:
    return int(getattr(weights, part))


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    child_office: bool = False  # a child office's unit at its parent


@dataclass(frozen=True)
class PartRow:
    """One department's part in a task, as stored."""

    department_id: int
    created_at: datetime  # the task's
    due_at: datetime  # the part's own (after an extension) or the task's
    standing: bool
    closed_at: datetime | None
    notified_at: datetime | None
    acknowledged_at: datetime | None
    done_at: datetime | None


@dataclass(frozen=True)
class CycleRow:
    id: int
    label: str
    deadline_at: datetime
    expected: tuple[tuple[str, str], ...]  # (name, unit) the cycle asked for
    members: frozenset[int]


@dataclass(frozen=True)
class ReportRow:
    """A unit's submission in a cycle: whether its first version was late, and the indicators
    (name, unit) of its newest version — versions submitted by `as_of` only."""

    cycle_id: int
    department_id: int
    first_late: bool
    indicators: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Counts:
    assigned: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    ack_hours: float | None = None
    reports_expected: int = 0
    reports_on_time: int = 0
    reports_late: int = 0
    reports_missing: int = 0
    indicators_asked: int = 0
    indicators_supplied: int = 0
    targets_total: int = 0
    targets_met: int = 0


@dataclass(frozen=True)
class Standing:
    unit: Unit
    counts: Counts
    ratios: dict[str, Fraction | None]  # part → ratio, None when it has nothing to measure
    points: dict[str, Fraction | None]  # part → points after sharing out the weights
    score: Decimal | None  # rounded half up to 0.1; None: nothing to measure
    rank: int | None = None


@dataclass(frozen=True)
class Assessment:
    year: int
    as_of: datetime
    weights: AssessmentWeights
    standings: list[Standing] = field(default_factory=list)  # ranked order
    cycles: tuple[str, ...] = ()  # labels of the cycles counted
    targets_known: bool = False  # whether targets were available at all

    @property
    def scored(self) -> list[Standing]:
        return [s for s in self.standings if s.score is not None]

    def snapshot(self) -> dict[str, object]:
        """What the scheduled send records (JSON), so a sent assessment can be compared later."""
        return {"year": self.year, "as_of": self.as_of.isoformat(), "weights": [weight(self.weights, p) for p in PARTS],
                "units": [{"id": s.unit.id, "name": s.unit.name, "score": None if s.score is None else str(s.score),
                           "rank": s.rank, **{k: v for k, v in s.counts.__dict__.items()}} for s in self.standings]}


def year_bounds(year: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """[1 January 00:00, next 1 January 00:00) in the office's zone."""
    return (datetime.combine(date(year, 1, 1), time(0), tzinfo=tz),
            datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=tz))


def task_cutoff(year: int, as_of: datetime, tz: tzinfo) -> datetime:
    return min(as_of, year_bounds(year, tz)[1])


def _task_counts(parts: Iterable[PartRow], start: datetime, end: datetime, cutoff: datetime,
                 as_of: datetime) -> tuple[int, int, int, int, int, float | None]:
    assigned = due = on_time = late = overdue = 0
    waits: list[float] = []
    for p in parts:
        if start <= p.created_at < end and p.created_at <= as_of:
            assigned += 1
            if p.notified_at is not None and p.acknowledged_at is not None and p.acknowledged_at <= as_of:
                waits.append(max((p.acknowledged_at - p.notified_at).total_seconds(), 0.0) / 3600)
        if p.standing or not (start <= p.due_at < end) or p.due_at > cutoff:
            continue
        done = p.done_at if p.done_at is not None and p.done_at <= cutoff else None
        if done is None and p.closed_at is not None and p.closed_at <= p.due_at:
            continue  # withdrawn before it was due
        due += 1
        if done is None:
            overdue += 1
        elif done <= p.due_at:
            on_time += 1
        else:
            late += 1
    mean = sum(waits) / len(waits) if waits else None
    return assigned, due, on_time, late, overdue, mean


@lru_cache(maxsize=4096)
def supplied_count(expected: tuple[tuple[str, str], ...], given: tuple[tuple[str, str], ...]) -> int:
    """How many of the (name, unit) asked the given indicators satisfy (bot.rules.indicators'
    matching); cached, since most reports give the same names."""
    got = [Indicator(name, Decimal(0), unit, "") for name, unit in given]
    return len(expected) - len(expected_missing(expected, got))


def _ratio(num: int, den: int) -> Fraction | None:
    return Fraction(num, den) if den else None


def score_of(ratios: Mapping[str, Fraction | None], weights: AssessmentWeights) -> tuple[dict[str, Fraction | None], Decimal | None]:
    """Points per part and the rounded score (the module docstring's formula)."""
    applying = [p for p in PARTS if ratios.get(p) is not None]
    total = sum(weight(weights, p) for p in applying)
    if not applying or total == 0:
        return {p: None for p in PARTS}, None
    points: dict[str, Fraction | None] = {}
    for p in PARTS:
        ratio = ratios.get(p)
        points[p] = None if ratio is None else Fraction(weight(weights, p) * 100, total) * ratio
    exact = sum((v for v in points.values() if v is not None), Fraction(0))
    score = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return points, score


def rank(standings: Sequence[Standing]) -> list[Standing]:
    """Scored units by score (highest first, then name), each with its competition rank (1, 2, 2,
    4); unscored units after them by name, without a rank."""
    scored = sorted((s for s in standings if s.score is not None), key=lambda s: (-s.score, s.unit.name))  # type: ignore[operator]
    out: list[Standing] = []
    for i, s in enumerate(scored):
        place = out[-1].rank if out and out[-1].score == s.score else i + 1
        out.append(Standing(s.unit, s.counts, s.ratios, s.points, s.score, place))
    out += sorted((s for s in standings if s.score is None), key=lambda s: s.unit.name)
    return out


def assess(year: int, *, as_of: datetime, tz: tzinfo, weights: AssessmentWeights, units: Sequence[Unit],
           parts: Iterable[PartRow], cycles: Sequence[CycleRow], reports: Iterable[ReportRow],
           targets: Mapping[int, tuple[int, int]] | None = None) -> Assessment:
    """The year's assessment of `units` as of `as_of`. `targets`: unit id → (met, total), or None
    when no targets are known at all (the part then never applies)."""
    start, end = year_bounds(year, tz)
    cutoff = min(as_of, end)
    by_unit: dict[int, list[PartRow]] = {}
    for p in parts:
        by_unit.setdefault(p.department_id, []).append(p)
    counted = [c for c in cycles if c.deadline_at <= as_of]
    submitted = {(r.cycle_id, r.department_id): r for r in reports}
    standings = []
    for unit in units:
        assigned, due, on_time, late, overdue, ack = _task_counts(by_unit.get(unit.id, ()), start, end, cutoff, as_of)
        expected = r_on = r_late = missing = asked = supplied = 0
        for c in counted:
            report = submitted.get((c.id, unit.id))
            if unit.id not in c.members and report is None:
                continue
            expected += 1
            asked += len(c.expected)
            if report is None:
                missing += 1
                continue
            if report.first_late:
                r_late += 1
            else:
                r_on += 1
            supplied += supplied_count(c.expected, report.indicators)
        met, total = (targets or {}).get(unit.id, (0, 0))
        counts = Counts(assigned, due, on_time, late, overdue, ack, expected, r_on, r_late, missing, asked, supplied,
                        total, met)
        ratios = {"tasks_on_time": _ratio(on_time, due), "reports_on_time": _ratio(r_on, expected),
                  "indicators_complete": _ratio(supplied, asked), "targets_met": _ratio(met, total)}
        points, score = score_of(ratios, weights)
        standings.append(Standing(unit, counts, ratios, points, score))
    return Assessment(year, as_of, weights, rank(standings), tuple(c.label for c in counted), targets is not None)
