"""Importing the org file into the database: idempotent, all or nothing."""

from pathlib import Path

import pytest
from sqlmodel import func, select

from bot.rules.org import OrgFileError, parse_org
from bot.usecases import org
from storage.models import AuditEntry, Department, GroupMember, WorkingGroup

EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"


async def count(db, model) -> int:
    async with db.session() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


async def test_importing_the_example_twice_changes_nothing_the_second_time(db, clock):
    spec = org.read_org_file(EXAMPLE)
    first = await org.import_org(db, spec, now=clock())
    assert len(first.departments_created) == 24 and len(first.groups_created) == 7
    second = await org.import_org(db, spec, now=clock())
    assert not second.changed
    assert await count(db, Department) == 24
    assert await count(db, WorkingGroup) == 7
    assert await count(db, AuditEntry) == 1  # only the import that changed something


async def test_a_file_with_an_unknown_department_imports_nothing(db, clock):
    spec = parse_org({"departments": ["区财政局"], "working_groups": [
        {"name": "资金保障工作专班", "lead": ["区财政局"], "members": ["区不存在局"]}]})
    with pytest.raises(OrgFileError) as err:
        await org.import_org(db, spec, now=clock())
    assert "区不存在局" in str(err.value)
    assert await count(db, Department) == 0
    assert await count(db, WorkingGroup) == 0


async def test_a_later_file_may_name_departments_that_already_exist(db, clock):
    await org.import_org(db, parse_org({"departments": ["甲", "乙"]}), now=clock())
    report = await org.import_org(db, parse_org({"departments": ["丙"], "working_groups": [
        {"name": "组", "lead": ["甲"], "members": ["乙", "丙"]}]}), now=clock())
    assert report.departments_created == ["丙"] and report.groups_created == ["组"]


async def test_changing_a_group_reports_and_replaces_its_membership(db, clock):
    await org.import_org(db, parse_org({"departments": ["甲", "乙", "丙"], "working_groups": [
        {"name": "组", "lead": ["甲"], "members": ["乙"]}]}), now=clock())
    report = await org.import_org(db, parse_org({"departments": ["甲", "乙", "丙"], "working_groups": [
        {"name": "组", "lead": ["乙"], "members": ["丙"]}]}), now=clock())
    assert report.groups_changed == ["组: lead 乙; members 丙"]
    async with db.session() as s:
        rows = list(await s.exec(select(Department.name, GroupMember.is_lead).join(GroupMember)))
    assert sorted(rows) == [("丙", False), ("乙", True)]


async def test_office_name_and_reporting_rule_are_kept(db, clock):
    await org.import_org(db, org.read_org_file(EXAMPLE), now=clock())
    assert await org.office_name(db) == "永川区智能网联新能源汽车特色产业发展领导小组办公室"
