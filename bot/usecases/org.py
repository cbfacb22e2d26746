"""Importing the org file: departments, working groups, reporting rule — all or nothing."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from bot.rules.org import OrgFileError, OrgSpec, alias_conflicts, parse_org, unknown_departments
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import ROOT_OFFICE_ID, Office
from storage.repos import audit as audit_repo
from storage.repos import org as org_repo
from storage.repos import schedule as schedule_repo


@dataclass
class ImportReport:
    departments_created: list[str] = field(default_factory=list)
    groups_created: list[str] = field(default_factory=list)
    groups_changed: list[str] = field(default_factory=list)
    settings_changed: list[str] = field(default_factory=list)
    aliases_changed: list[str] = field(default_factory=list)  # "区经济信息委: 经信委, 区经信委" ("…: none" when removed)
    offices_created: list[str] = field(default_factory=list)  # codes

    @property
    def changed(self) -> bool:
        return any((self.departments_created, self.groups_created, self.groups_changed, self.settings_changed,
                    self.aliases_changed, self.offices_created))


def read_org_file(path: Path) -> OrgSpec:
    """Read and validate an org file. Raises OrgFileError with a one-line reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OrgFileError([f"org file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgFileError([f"cannot read org file {path}: {exc}"]) from None
    return parse_org_text(text)


def parse_org_text(text: str) -> OrgSpec:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise OrgFileError([f"invalid YAML{where}: {getattr(exc, 'problem', None) or exc}"]) from None
    except ValueError as exc:  # a date-like value YAML cannot make a date of: `2027-13-01` in calendar:
        raise OrgFileError([f"invalid date in the file: {exc} (dates are written like 2027-02-07)"]) from None
    try:
        return parse_org(raw)
    except OrgFileError as error:
        raise OrgFileError(_with_lines(text, error.problems)) from None


_ENTRY = re.compile(r"^(departments|working_groups|offices)\[(\d+)\]")


def _with_lines(text: str, problems: list[str]) -> list[str]:
    """Problems about one entry (`departments[5]: …`) get the entry's line in the file."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return problems
    lines: dict[str, int] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode):
                for index, item in enumerate(value.value):
                    lines[f"{key.value}[{index}]"] = item.start_mark.line + 1
    out = []
    for problem in problems:
        entry = _ENTRY.match(problem)
        line = lines.get(entry.group(0)) if entry else None
        out.append(f"line {line}: {problem}" if line else problem)
    return out


def _describe_members(members: dict[int, bool], names: dict[int, str]) -> str:
    lead = [names[d] for d, is_lead in members.items() if is_lead]
    rest = [names[d] for d, is_lead in members.items() if not is_lead]
    return f"lead {', '.join(sorted(lead))}; members {', '.join(sorted(rest))}"


async def _office_of(s: AsyncSession, spec: OrgSpec, now: datetime, report: ImportReport) -> Office:
    """The office the file describes: found by its code, or the only office there is (a
    single-office database takes the file's code), or created under its parent."""
    offices = await org_repo.offices(s)
    by_code = {o.code: o for o in offices if o.code}
    parent = None
    if spec.parent is not None:
        parent = by_code.get(spec.parent)
        if parent is None:
            raise OrgFileError([f"parent office {spec.parent} is unknown (import the parent's org file first)"])
    office = by_code.get(spec.code) if spec.code else None
    if office is None and spec.code is None:
        if len(offices) > 1:
            raise OrgFileError(["this database holds several offices: give the file's code"])
        office = offices[0]
    if office is None and len(offices) == 1 and offices[0].code is None:
        office = offices[0]  # the database's one office so far gets its code
        if parent is not None:
            raise OrgFileError([f"office {spec.code} would be the child of {spec.parent}, but it is the root office"])
        office.code = spec.code
        report.settings_changed.append("code")
    if office is None:
        if parent is None:
            raise OrgFileError([f"office {spec.code} is new and has no parent: name its parent office's code"])
        office = await org_repo.add_office(s, code=spec.code, name=spec.office or "", short_name=spec.short_name,
                                           parent_id=parent.id, now=now)
        report.offices_created.append(spec.code or "")
    elif spec.parent is not None and office.parent_id != (parent.id if parent else None):
        raise OrgFileError([f"office {spec.code} already reports to another office; its parent cannot change"])
    wanted = (spec.office or office.name, spec.short_name if spec.short_name is not None else office.short_name)
    if (office.name, office.short_name) != wanted:
        office.name, office.short_name = wanted
        report.settings_changed.append("office")
    await org_repo.save(s, office)
    return office


async def _ensure_unit(s: AsyncSession, child: Office, name: str, now: datetime, report: ImportReport) -> None:
    """The child office's member unit in its parent office, named as the parent names it; its
    full name and its code are its aliases there."""
    assert child.parent_id is not None and child.id is not None
    unit = await org_repo.unit_of(s, child.id)
    clash = await org_repo.department_by_name(s, name, child.parent_id)
    if clash is not None and clash.unit_of != child.id:
        raise OrgFileError([f"office {child.code}: {name} is already a department of the parent office"])
    if unit is None:
        unit = await org_repo.add_department(s, name, now, child.parent_id, unit_of=child.id)
        report.departments_created.append(name)
    elif unit.name != name:
        unit.name = name
        await org_repo.save(s, unit)
        report.settings_changed.append(f"unit {name}")
    taken = await org_repo.aliases(s, child.parent_id)
    names = {d.name for d in await org_repo.departments(s, child.parent_id)}
    wanted = tuple(a for a in dict.fromkeys((child.name, child.code or "")) if a and a != name and a not in names
                   and taken.get(a, unit.id) == unit.id)
    if set(wanted) != {a for a, d in taken.items() if d == unit.id}:
        await org_repo.set_aliases(s, {unit.id: wanted}, child.parent_id)  # type: ignore[dict-item]


async def import_org(db: Database, spec: OrgSpec, *, now: datetime, actor_id: int | None = None) -> ImportReport:
    """Create or update the office, its departments and working groups. Idempotent; nothing is
    written on error."""
    report = ImportReport()
    async with db.transaction() as s:
        office = await _office_of(s, spec, now, report)
        office_id = office.id
        assert office_id is not None
        if office.parent_id is not None:
            await _ensure_unit(s, office, spec.unit_name or "", now, report)
        for child in spec.offices:
            row = await org_repo.office_by_code(s, child.code)
            if row is None:
                row = await org_repo.add_office(s, code=child.code, name=child.name, short_name=child.name,
                                                parent_id=office_id, now=now)
                report.offices_created.append(child.code)
            elif row.parent_id != office_id:
                raise OrgFileError([f"office {child.code} already reports to another office"])
            await _ensure_unit(s, row, row.short_name or child.name, now, report)
        depts = {d.name: d for d in await org_repo.departments(s, office_id)}
        groups = {g.name: g for g in await org_repo.groups(s, office_id)}
        stored_aliases = await org_repo.aliases(s, office_id)
        owner = {d.id: n for n, d in depts.items()}
        problems = unknown_departments(spec, depts) + alias_conflicts(
            spec, depts, groups, {alias: owner[dept_id] for alias, dept_id in stored_aliases.items()})
        if problems:
            raise OrgFileError(problems)
        for name in spec.departments:
            if name not in depts:
                depts[name] = await org_repo.add_department(s, name, now, office_id)
                report.departments_created.append(name)
        names = {d.id: n for n, d in depts.items()}
        current = await org_repo.memberships(s, office_id)
        for g in spec.working_groups:
            wanted = {depts[n].id: True for n in g.lead} | {depts[n].id: False for n in g.members}
            group = groups.get(g.name)
            if group is None:
                group = await org_repo.add_group(s, g.name, now, office_id)
                report.groups_created.append(g.name)
            elif current.get(group.id, {}) == wanted:
                continue
            else:
                report.groups_changed.append(f"{g.name}: {_describe_members(wanted, names)}")
            await org_repo.set_members(s, group.id, wanted)  # type: ignore[arg-type]
        # each department the file lists has exactly the file's aliases; the others keep theirs
        had: dict[int, set[str]] = {}
        for alias, dept_id in stored_aliases.items():
            had.setdefault(dept_id, set()).add(alias)
        new_aliases: dict[int, tuple[str, ...]] = {}
        for name in spec.departments:
            dept_id, aliases = depts[name].id, spec.aliases_of(name)
            if set(aliases) != had.get(dept_id, set()):  # type: ignore[arg-type]
                new_aliases[dept_id] = aliases  # type: ignore[index]
                report.aliases_changed.append(f"{name}: {', '.join(aliases) or 'none'}")
        await org_repo.set_aliases(s, new_aliases, office_id)
        meta = await org_repo.meta(s, office_id)
        wanted_meta = {"reporting": json.dumps(asdict(spec.reporting), sort_keys=True), **spec.extras.meta()}
        if spec.office:
            wanted_meta["office"] = spec.office
        for key, value in wanted_meta.items():
            if meta.get(key) != value:
                await org_repo.set_meta(s, key, value, office_id)
                report.settings_changed.append(key)
        if report.changed:
            await schedule_repo.clear(s)  # new departments join the open cycle at the next tick
            await audit_repo.add(
                s, at=now, actor_id=actor_id, action="org.import", target=spec.office or "org file",
                detail=f"+{len(report.departments_created)} departments, +{len(report.groups_created)} groups, "
                f"~{len(report.groups_changed)} groups, ~{len(report.aliases_changed)} aliases"
                + (f", +{len(report.offices_created)} offices" if report.offices_created else ""),
                office_id=office_id,
            )
    return report


async def office_name(db: Database, office_id: int = ROOT_OFFICE_ID) -> str | None:
    async with db.session() as s:
        return (await org_repo.meta(s, office_id)).get("office")
