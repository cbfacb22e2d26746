"""Importing the org file: departments, working groups, reporting rule — all or nothing."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from bot.rules.org import OrgFileError, OrgSpec, alias_conflicts, parse_org, unknown_departments
from storage.db import Database
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

    @property
    def changed(self) -> bool:
        return any((self.departments_created, self.groups_created, self.groups_changed, self.settings_changed,
                    self.aliases_changed))


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
    try:
        return parse_org(raw)
    except OrgFileError as error:
        raise OrgFileError(_with_lines(text, error.problems)) from None


_ENTRY = re.compile(r"^(departments|working_groups)\[(\d+)\]")


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


async def import_org(db: Database, spec: OrgSpec, *, now: datetime, actor_id: int | None = None) -> ImportReport:
    """Create or update departments and working groups. Idempotent; nothing is written on error."""
    report = ImportReport()
    async with db.transaction() as s:
        depts = {d.name: d for d in await org_repo.departments(s)}
        groups = {g.name: g for g in await org_repo.groups(s)}
        stored_aliases = await org_repo.aliases(s)
        owner = {d.id: n for n, d in depts.items()}
        problems = unknown_departments(spec, depts) + alias_conflicts(
            spec, depts, groups, {alias: owner[dept_id] for alias, dept_id in stored_aliases.items()})
        if problems:
            raise OrgFileError(problems)
        for name in spec.departments:
            if name not in depts:
                depts[name] = await org_repo.add_department(s, name, now)
                report.departments_created.append(name)
        names = {d.id: n for n, d in depts.items()}
        current = await org_repo.memberships(s)
        for g in spec.working_groups:
            wanted = {depts[n].id: True for n in g.lead} | {depts[n].id: False for n in g.members}
            group = groups.get(g.name)
            if group is None:
                group = await org_repo.add_group(s, g.name, now)
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
        await org_repo.set_aliases(s, new_aliases)
        meta = await org_repo.meta(s)
        wanted_meta = {"reporting": json.dumps(asdict(spec.reporting), sort_keys=True)}
        if spec.office:
            wanted_meta["office"] = spec.office
        for key, value in wanted_meta.items():
            if meta.get(key) != value:
                await org_repo.set_meta(s, key, value)
                report.settings_changed.append(key)
        if report.changed:
            await schedule_repo.clear(s)  # new departments join the open cycle at the next tick
            await audit_repo.add(
                s, at=now, actor_id=actor_id, action="org.import", target=spec.office or "org file",
                detail=f"+{len(report.departments_created)} departments, +{len(report.groups_created)} groups, "
                f"~{len(report.groups_changed)} groups, ~{len(report.aliases_changed)} aliases",
            )
    return report


async def office_name(db: Database) -> str | None:
    async with db.session() as s:
        return (await org_repo.meta(s)).get("office")
