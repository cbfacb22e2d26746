"""The org file's optional sections for targets, monthly figures, the annual assessment and the
working-day calendar (CONTRACT.md "Org file"): parsed and validated here, each problem named, so
`parse_org` can refuse the whole file; stored per office as JSON in `org_meta` (bot/usecases/org.py)
under the keys `targets`, `monthly`, `assessment`, `calendar`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.rules.names import normalize_name


@dataclass(frozen=True)
class CalendarSpec:
    """Days that override the holiday library: `holidays` are days off, `workdays` make-up working
    days (调休上班), both ISO dates, sorted."""

    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"holidays": [d.isoformat() for d in self.holidays],
                           "workdays": [d.isoformat() for d in self.workdays]}, sort_keys=True)

    @staticmethod
    def from_json(text: str | None) -> CalendarSpec:
        data = json.loads(text) if text else {}
        return CalendarSpec(tuple(date.fromisoformat(d) for d in data.get("holidays", ())),
                            tuple(date.fromisoformat(d) for d in data.get("workdays", ())))


@dataclass(frozen=True)
class TargetSpec:
    """One indicator's annual target: the office's `total` and, optionally, per department (by name)."""

    year: int
    indicator: str
    unit: str
    total: Decimal | None
    departments: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class MonthlySpec:
    """Monthly collection (月报): due on `day` of the following month at the quarter's deadline
    time, shifted like the quarter; `indicators` as (name, unit)."""

    day: int = 5
    indicators: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AssessmentWeights:
    """Weights of the annual assessment's four parts (sum 100) and the day (MM-DD) directors
    receive last year's assessment."""

    tasks_on_time: int = 40
    reports_on_time: int = 30
    indicators_complete: int = 15
    targets_met: int = 15
    send_on: str = "01-10"


@dataclass(frozen=True)
class Extras:
    calendar: CalendarSpec = field(default_factory=CalendarSpec)
    targets: tuple[TargetSpec, ...] = ()
    monthly: MonthlySpec | None = None
    assessment: AssessmentWeights = field(default_factory=AssessmentWeights)

    def meta(self) -> dict[str, str]:
        """What the import stores in org_meta (every key, so a section removed from the file is
        removed from the office too)."""
        return {
            "calendar": self.calendar.to_json(),
            "targets": targets_json(self.targets),
            "monthly": json.dumps(asdict(self.monthly), sort_keys=True, ensure_ascii=False) if self.monthly else "",
            "assessment": json.dumps(asdict(self.assessment), sort_keys=True),
        }


KEYS = ("calendar", "targets", "monthly", "assessment")


def targets_json(targets: tuple[TargetSpec, ...]) -> str:
    return json.dumps([{"year": t.year, "indicator": t.indicator, "unit": t.unit,
                        "total": None if t.total is None else str(t.total),
                        "departments": [[name, str(value)] for name, value in t.departments]} for t in targets],
                      sort_keys=True, ensure_ascii=False)


def targets_from_json(text: str | None) -> tuple[TargetSpec, ...]:
    if not text:
        return ()
    return tuple(TargetSpec(int(t["year"]), t["indicator"], t["unit"],
                            None if t["total"] is None else Decimal(t["total"]),
                            tuple((name, Decimal(value)) for name, value in t["departments"]))
                 for t in json.loads(text))


def monthly_from_json(text: str | None) -> MonthlySpec | None:
    if not text:
        return None
    data = json.loads(text)
    return MonthlySpec(int(data["day"]), tuple((n, u) for n, u in data["indicators"]))


def assessment_from_json(text: str | None) -> AssessmentWeights:
    return AssessmentWeights(**json.loads(text)) if text else AssessmentWeights()


# ---------------------------------------------------------------- parsing the file's sections


def _day(value: Any, where: str, problems: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(f"{where}: {value!r} is not a date like 2027-02-07")
        return None


def _days(value: Any, where: str, problems: list[str]) -> tuple[date, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where} must be a list of dates like 2027-02-07")
        return ()
    found = [d for i, v in enumerate(value) if (d := _day(v, f"{where}[{i}]", problems)) is not None]
    return tuple(sorted(set(found)))


def parse_calendar(raw: Any, problems: list[str]) -> CalendarSpec:
    if raw is None:
        return CalendarSpec()
    if not isinstance(raw, Mapping):
        problems.append("calendar must be a mapping with holidays and workdays")
        return CalendarSpec()
    unknown = sorted({str(k) for k in raw} - {"holidays", "workdays"})
    if unknown:
        problems.append(f"calendar: unknown keys {', '.join(unknown)} (holidays, workdays)")
    holidays = _days(raw.get("holidays"), "calendar.holidays", problems)
    workdays = _days(raw.get("workdays"), "calendar.workdays", problems)
    both = sorted(set(holidays) & set(workdays))
    if both:
        problems.append(f"calendar: {', '.join(d.isoformat() for d in both)} is both a holiday and a workday")
    return CalendarSpec(holidays, workdays)


def _number(value: Any, where: str, problems: list[str]) -> Decimal | None:
    if isinstance(value, bool):
        problems.append(f"{where} must be a number, not {value!r}")
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        problems.append(f"{where} must be a number, not {value!r}")
        return None
    if not number.is_finite() or number < 0:
        problems.append(f"{where} must be a number not below 0, not {value!r}")
        return None
    return number


_UNIT = re.compile(r"^[^\s\d:：]{1,10}$")


def parse_targets(raw: Any, problems: list[str]) -> tuple[TargetSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        problems.append("targets must be a mapping of years to indicators")
        return ()
    found: list[TargetSpec] = []
    for year_raw, indicators in raw.items():
        year = year_raw if isinstance(year_raw, int) and not isinstance(year_raw, bool) else None
        if year is None and str(year_raw).isdigit():
            year = int(str(year_raw))
        if year is None or not 2000 <= year <= 2100:
            problems.append(f"targets: {year_raw!r} is not a year like 2026")
            continue
        if not isinstance(indicators, Mapping):
            problems.append(f"targets.{year} must be a mapping of indicators to {{unit, total, departments}}")
            continue
        for name_raw, spec in indicators.items():
            name = normalize_name(str(name_raw))
            where = f"targets.{year}.{name}"
            if not name or len(name) > 12:
                problems.append(f"{where}: an indicator's name has 1 to 12 characters")
                continue
            if not isinstance(spec, Mapping):
                problems.append(f"{where} must be a mapping with unit, total and optionally departments")
                continue
            unit = str(spec.get("unit") or "").strip()
            if not _UNIT.match(unit):
                problems.append(f"{where}.unit must be a unit such as 亿元 or 个, not {spec.get('unit')!r}")
                continue
            total = _number(spec["total"], f"{where}.total", problems) if spec.get("total") is not None else None
            departments: list[tuple[str, Decimal]] = []
            per = spec.get("departments") or {}
            if not isinstance(per, Mapping):
                problems.append(f"{where}.departments must be a mapping of department names to numbers")
                per = {}
            for dept, value in per.items():
                number = _number(value, f"{where}.departments.{dept}", problems)
                if number is not None:
                    departments.append((normalize_name(str(dept)), number))
            if total is None and not departments:
                problems.append(f"{where} needs a total or departments' targets")
                continue
            found.append(TargetSpec(year, name, unit, total, tuple(departments)))
    return tuple(found)


def parse_monthly(raw: Any, problems: list[str]) -> MonthlySpec | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append("monthly must be a mapping with day and indicators")
        return None
    day = raw.get("day", MonthlySpec.day)
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
        problems.append(f"monthly.day must be a whole number from 1 to 28, not {day!r}")
        day = MonthlySpec.day
    items = raw.get("indicators") or []
    if not isinstance(items, list) or not items:
        problems.append("monthly.indicators must list the indicators asked for, e.g. [产值 亿元, 引进项目 个]")
        items = []
    indicators: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        parts = str(item).split()
        if len(parts) != 2 or len(parts[0]) > 12 or not _UNIT.match(parts[1]):
            problems.append(f"monthly.indicators[{i}]: {item!r} must read NAME UNIT, e.g. 产值 亿元")
            continue
        indicators.append((normalize_name(parts[0]), parts[1]))
    return MonthlySpec(day, tuple(indicators))


_MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def parse_assessment(raw: Any, problems: list[str]) -> AssessmentWeights:
    if raw is None:
        return AssessmentWeights()
    if not isinstance(raw, Mapping):
        problems.append("assessment must be a mapping of weights (and send_on)")
        return AssessmentWeights()
    default = AssessmentWeights()
    names = ("tasks_on_time", "reports_on_time", "indicators_complete", "targets_met")
    unknown = sorted({str(k) for k in raw} - {*names, "send_on"})
    if unknown:
        problems.append(f"assessment: unknown keys {', '.join(unknown)} ({', '.join(names)}, send_on)")
    weights: dict[str, int] = {}
    for name in names:
        value = raw.get(name, getattr(default, name))
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            problems.append(f"assessment.{name} must be a whole number from 0 to 100, not {value!r}")
            value = getattr(default, name)
        weights[name] = value
    if sum(weights.values()) != 100:
        problems.append(f"assessment: the weights must sum to 100, not {sum(weights.values())}")
    send_on = str(raw.get("send_on", default.send_on)).strip()
    if not _MONTH_DAY.match(send_on):
        problems.append(f"assessment.send_on must look like 01-10, not {raw.get('send_on')!r}")
        send_on = default.send_on
    return AssessmentWeights(**weights, send_on=send_on)


def parse_extras(raw: Mapping[str, Any], problems: list[str]) -> Extras:
    return Extras(parse_calendar(raw.get("calendar"), problems), parse_targets(raw.get("targets"), problems),
                  parse_monthly(raw.get("monthly"), problems), parse_assessment(raw.get("assessment"), problems))
