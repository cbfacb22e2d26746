"""The org file's shape (CONTRACT.md, "Org file"), validated into plain data.

Loading YAML is the caller's business; this module takes the parsed mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.rules.names import normalize_name
from bot.rules.org_extras import KEYS as EXTRA_KEYS
from bot.rules.org_extras import Extras, parse_extras


class OrgFileError(ValueError):
    """The org file is not valid; `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ReportingRule:
    quarterly_day: int = 25
    deadline_time: str = "18:00"
    shift: str = "previous_workday"
    reminders_days_before: tuple[int, ...] = (7, 3, 1, 0)


@dataclass(frozen=True)
class GroupSpec:
    name: str
    lead: tuple[str, ...]
    members: tuple[str, ...]


@dataclass(frozen=True)
class ChildSpec:
    """A child office the parent's file declares, so its unit exists (and can be invited, given
    tasks, expected in cycles) before the child imports its own file."""

    code: str
    name: str  # how the parent names it (the child's short_name)


@dataclass(frozen=True)
class OrgSpec:
    office: str | None
    departments: tuple[str, ...]
    working_groups: tuple[GroupSpec, ...] = ()
    reporting: ReportingRule = field(default_factory=ReportingRule)
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, department name), in file order
    code: str | None = None  # this office's code
    parent: str | None = None  # the parent office's code
    short_name: str | None = None  # how the parent office names this one
    offices: tuple[ChildSpec, ...] = ()  # child offices declared here
    extras: Extras = field(default_factory=Extras)  # calendar, targets, monthly, assessment

    @property
    def unit_name(self) -> str | None:
        """The name of this office's unit in its parent office."""
        return self.short_name or self.office or self.code

    def referenced_departments(self) -> set[str]:
        return {d for g in self.working_groups for d in (*g.lead, *g.members)}

    def aliases_of(self, department: str) -> tuple[str, ...]:
        return tuple(alias for alias, name in self.aliases if name == department)


NAME_MAX = 100  # the database keeps up to 120 characters
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_SHIFTS = ("previous_workday", "none")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
SHORT_NAME_MAX = 60


def _code(value: Any, where: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    code = str(value).strip()
    if not _CODE.match(code):
        problems.append(f"{where} must be letters, digits, - or _ (at most 40), not {value!r}")
        return None
    return code


def _short(value: Any, where: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    name = normalize_name(str(value))
    if not name or len(name) > SHORT_NAME_MAX:
        problems.append(f"{where} must be a name of 1 to {SHORT_NAME_MAX} characters")
        return None
    return name


def _children(value: Any, problems: list[str]) -> tuple[ChildSpec, ...]:
    """`offices:` entries: `{code: yongchuan, name: 永川区}`."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append("offices must be a list of {code, name}")
        return ()
    out: list[ChildSpec] = []
    for index, item in enumerate(value):
        where = f"offices[{index}]"
        if not isinstance(item, Mapping) or set(map(str, item)) - {"code", "name"}:
            problems.append(f"{where} must be a mapping with code and name")
            continue
        code = _code(item.get("code"), f"{where}: code", problems)
        name = _short(item.get("name"), f"{where}: name", problems)
        if code is None or name is None:
            if item.get("code") is None or item.get("name") is None:
                problems.append(f"{where} needs both code and name")
            continue
        if any(c.code == code for c in out) or any(c.name == name for c in out):
            problems.append(f"{where}: office {code} ({name}) is listed twice")
            continue
        out.append(ChildSpec(code, name))
    return tuple(out)


def _names(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problems.append(f"{where} must be a list of names")
        return ()
    out: list[str] = []
    for item in value:
        if not isinstance(item, (str, int)) or not normalize_name(str(item)):
            problems.append(f"{where} contains an empty or non-text entry: {item!r}")
            continue
        name = normalize_name(str(item))
        if len(name) > NAME_MAX:
            problems.append(f"{where}: name longer than {NAME_MAX} characters: {name[:30]}…")
            continue
        if name not in out:
            out.append(name)
    return tuple(out)


_DEPARTMENT_KEYS = {"name", "aliases"}


def _departments(value: Any, problems: list[str], places: dict[tuple[str, str], str]
                 ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """`departments:` entries: a plain name, or `{name: 区经济信息委, aliases: [经信委, 区经信委]}`.
    `places` gets where each (alias, department) was given, e.g. `departments[5]`."""
    if value is None:
        return (), ()
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, list):
        problems.append("departments must be a list of names")
        return (), ()
    names: list[str] = []
    aliases: list[tuple[str, str]] = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            names.extend(n for n in _names([item], "departments", problems) if n not in names)
            continue
        where = f"departments[{index}]"
        extra = sorted(str(k) for k in item if k not in _DEPARTMENT_KEYS)
        if extra:
            problems.append(f"{where}: unknown keys {', '.join(extra)} (a department has name and aliases)")
        found = _names([item.get("name")], f"{where}: name", problems) if item.get("name") is not None else ()
        if not found:
            if item.get("name") is None:
                problems.append(f"{where} has no name")
            continue
        name = found[0]
        if name not in names:
            names.append(name)
        raw_aliases = item.get("aliases")
        if raw_aliases is not None and not isinstance(raw_aliases, (str, int, list)):
            problems.append(f"{where}: department {name}: aliases must be a list of names")
            continue
        for alias in _names(raw_aliases, f"{where}: department {name}: aliases", problems):
            if alias != name and (alias, name) not in aliases:
                aliases.append((alias, name))
                places[(alias, name)] = where
    return tuple(names), tuple(aliases)


def _alias_clashes(departments: tuple[str, ...], aliases: tuple[tuple[str, str], ...],
                   groups: Iterable[str], places: Mapping[tuple[str, str], str]) -> list[str]:
    """An alias must name one department only: not another department, a working group, or a
    second department's alias."""
    problems: list[str] = []
    group_names = set(groups)
    owner: dict[str, str] = {}
    for alias, name in aliases:
        where = places.get((alias, name), "departments")
        if alias in departments:
            problems.append(f"{where}: alias {alias} of {name} is the name of another department")
        elif alias in group_names:
            problems.append(f"{where}: alias {alias} of {name} is the name of a working group")
        elif alias in owner and owner[alias] != name:
            problems.append(f"{where}: alias {alias} is given to both {owner[alias]} and {name}")
        owner.setdefault(alias, name)
    return problems


def _group(raw: Any, index: int, problems: list[str]) -> GroupSpec | None:
    where = f"working_groups[{index}]"
    if not isinstance(raw, Mapping):
        problems.append(f"{where} must be a mapping with name, lead and members")
        return None
    name = normalize_name(str(raw.get("name") or ""))
    if not name:
        problems.append(f"{where} has no name")
        return None
    if len(name) > NAME_MAX:
        problems.append(f"{where}: name longer than {NAME_MAX} characters: {name[:30]}…")
        return None
    lead = _names(raw.get("lead"), f"working group {name}: lead", problems)
    if not lead:
        problems.append(f"working group {name} has no lead department")
    members = tuple(m for m in _names(raw.get("members"), f"working group {name}: members", problems) if m not in lead)
    return GroupSpec(name, lead, members)


def _reporting(raw: Any, problems: list[str]) -> ReportingRule:
    if raw is None:
        return ReportingRule()
    if not isinstance(raw, Mapping):
        problems.append("reporting must be a mapping")
        return ReportingRule()
    default = ReportingRule()
    day = raw.get("quarterly_day", default.quarterly_day)
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
        problems.append(f"reporting.quarterly_day must be a whole number from 1 to 28, not {day!r}")
        day = default.quarterly_day
    at = str(raw.get("deadline_time", default.deadline_time))
    if not _TIME.match(at):
        problems.append(f"reporting.deadline_time must look like 18:00, not {at!r}")
        at = default.deadline_time
    shift = raw.get("shift", default.shift)
    if shift not in _SHIFTS:
        problems.append(f"reporting.shift must be one of {', '.join(_SHIFTS)}, not {shift!r}")
        shift = default.shift
    days = raw.get("reminders_days_before", list(default.reminders_days_before))
    if not isinstance(days, list) or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 60 for d in days):
        problems.append("reporting.reminders_days_before must be a list of whole numbers from 0 to 60")
        days = list(default.reminders_days_before)
    return ReportingRule(day, at, shift, tuple(sorted(set(days), reverse=True)))


def parse_org(raw: Any) -> OrgSpec:
    """Validate a parsed org file. Raises OrgFileError naming every problem found."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise OrgFileError(["the file must be a YAML mapping with departments and working_groups"])
    unknown_keys = sorted({str(k) for k in raw} - {"office", "departments", "working_groups", "reporting", "code",
                                                  "parent", "short_name", "offices", *EXTRA_KEYS})
    if unknown_keys:
        problems.append(f"unknown top-level keys: {', '.join(map(str, unknown_keys))}")
    office = normalize_name(str(raw["office"]))[:200] if raw.get("office") else None
    places: dict[tuple[str, str], str] = {}
    departments, aliases = _departments(raw.get("departments"), problems, places)
    groups_raw = raw.get("working_groups") or []
    if not isinstance(groups_raw, list):
        problems.append("working_groups must be a list")
        groups_raw = []
    groups = [g for i, raw_g in enumerate(groups_raw) if (g := _group(raw_g, i, problems))]
    seen: set[str] = set()
    for g in groups:
        if g.name in seen:
            problems.append(f"working group {g.name} is listed twice")
        seen.add(g.name)
    problems += _alias_clashes(departments, aliases, seen, places)
    reporting = _reporting(raw.get("reporting"), problems)
    code = _code(raw.get("code"), "code", problems)
    parent = _code(raw.get("parent"), "parent", problems)
    short_name = _short(raw.get("short_name"), "short_name", problems)
    children = _children(raw.get("offices"), problems)
    extras = parse_extras(raw, problems)
    units = set(departments) | {c.name for c in children}  # a district's target at the city: its unit
    unknown_targets = sorted({name for t in extras.targets for name, _ in t.departments} - units)
    if unknown_targets:
        problems.append(f"targets: {', '.join(unknown_targets)} not listed under departments or offices")
    if parent is not None and code is None and "code" not in raw:
        problems.append("an office with a parent needs its own code")
    if code is not None and (code == parent or any(c.code == code for c in children)):
        problems.append(f"office {code} cannot be its own parent or child")
    if parent is not None and any(c.code == parent for c in children):
        problems.append(f"office {parent} cannot be both the parent and a child")
    problems += [f"offices: {c.name} is also the name of a department" for c in children if c.name in departments]
    if problems:
        raise OrgFileError(problems)
    return OrgSpec(office, departments, tuple(groups), reporting, aliases, code=code, parent=parent,
                   short_name=short_name, offices=children, extras=extras)


def unknown_departments(spec: OrgSpec, existing: Iterable[str]) -> list[str]:
    """Problems for each department a working group names that is neither in the file nor known."""
    known = set(spec.departments) | {normalize_name(n) for n in existing}
    alias_of = dict(spec.aliases)
    return [
        f"unknown department {name} in working group {g.name} (use the full name {alias_of[name]})"
        if name in alias_of else f"unknown department {name} in working group {g.name} (list it under departments)"
        for g in spec.working_groups
        for name in (*g.lead, *g.members)
        if name not in known
    ]


def alias_conflicts(spec: OrgSpec, departments: Iterable[str], groups: Iterable[str],
                    aliases: Mapping[str, str]) -> list[str]:
    """Problems between the file and the database: an alias that is already the name of a
    department or working group the file does not list, or another department's alias (one the
    file does not take away); a new department named like an existing alias. `aliases` maps each
    stored alias to its department's name."""
    listed = set(spec.departments)
    listed_groups = {g.name for g in spec.working_groups}
    kept = {alias: name for alias, name in aliases.items() if name not in listed}
    problems: list[str] = []
    for alias, name in spec.aliases:
        if alias in set(departments) - listed:
            problems.append(f"alias {alias} of {name} is the name of another department")
        elif alias in set(groups) - listed_groups:
            problems.append(f"alias {alias} of {name} is the name of a working group")
        elif alias in kept and kept[alias] != name:
            problems.append(f"alias {alias} of {name} is already an alias of {kept[alias]}")
    problems += [f"department {name} is already an alias of {kept[name]}" for name in spec.departments if name in kept]
    problems += [f"working group {g} is already an alias of {kept[g]}" for g in listed_groups if g in kept]
    return problems
