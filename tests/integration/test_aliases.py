"""Department aliases from the org file: imported idempotently, and working wherever a department
name is typed (here: /assign's targets, /invite's department, /status's department)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.errors import NotFound
from bot.rules.org import OrgFileError, parse_org
from bot.usecases import digests, org
from bot.usecases.names import resolve_department
from bot.usecases.tasks import resolve_targets
from storage.models import Department, DepartmentAlias

EXAMPLE = Path(__file__).parents[2] / "examples" / "org.yaml"
TZ = ZoneInfo("Asia/Shanghai")


async def stored_aliases(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    async with db.session() as s:
        rows = await s.exec(select(DepartmentAlias.alias, Department.name).join(Department))
        return dict(rows.all())


async def test_the_example_aliases_import_once(db, clock):  # type: ignore[no-untyped-def]
    spec = org.read_org_file(EXAMPLE)
    first = await org.import_org(db, spec, now=clock())
    assert "区经济信息委: 经信委, 区经信委" in first.aliases_changed
    assert (await stored_aliases(db))["发改委"] == "区发展改革委"
    again = await org.import_org(db, spec, now=clock())
    assert not again.changed and again.aliases_changed == []
    assert await stored_aliases(db) == dict(spec.aliases)


async def test_aliases_are_replaced_for_listed_departments_and_may_move(db, clock):  # type: ignore[no-untyped-def]
    await org.import_org(db, parse_org({"departments": [
        {"name": "甲局", "aliases": ["甲", "老甲"]}, {"name": "乙局", "aliases": ["乙"]}, "丙局"]}), now=clock())
    # 老甲 moves from 甲局 to 丙局; 乙局 is not in this file, so it keeps its alias
    report = await org.import_org(db, parse_org({"departments": [
        {"name": "甲局", "aliases": ["甲"]}, {"name": "丙局", "aliases": ["老甲"]}]}), now=clock())
    assert sorted(report.aliases_changed) == ["丙局: 老甲", "甲局: 甲"]
    assert await stored_aliases(db) == {"甲": "甲局", "乙": "乙局", "老甲": "丙局"}
    # listed without aliases: its aliases go
    report = await org.import_org(db, parse_org({"departments": ["丙局"]}), now=clock())
    assert report.aliases_changed == ["丙局: none"]
    assert await stored_aliases(db) == {"甲": "甲局", "乙": "乙局"}


async def test_an_alias_clashing_with_the_database_imports_nothing(db, clock):  # type: ignore[no-untyped-def]
    await org.import_org(db, parse_org({"departments": [{"name": "甲局", "aliases": ["甲"]}, "乙局"]}), now=clock())
    with pytest.raises(OrgFileError) as err:
        await org.import_org(db, parse_org({"departments": [{"name": "丙局", "aliases": ["甲", "乙局"]}]}), now=clock())
    assert "alias 甲 of 丙局 is already an alias of 甲局" in err.value.problems
    assert "alias 乙局 of 丙局 is the name of another department" in err.value.problems
    async with db.session() as s:
        assert (await s.exec(select(Department).where(Department.name == "丙局"))).first() is None
    assert await stored_aliases(db) == {"甲": "甲局"}


async def test_an_alias_works_as_an_assign_target_and_a_typo_is_refused_with_a_suggestion(db, clock):  # type: ignore[no-untyped-def]
    await org.import_org(db, org.read_org_file(EXAMPLE), now=clock())
    async with db.session() as s:
        ids = {d.name: d.id for d in await s.exec(select(Department))}
        chosen = await resolve_targets(s, ("经信委", "发改委"))
        assert chosen == {ids["区经济信息委"]: True, ids["区发展改革委"]: True}
        # an alias beside a working group: the group's members, the alias's department as lead
        chosen = await resolve_targets(s, ("人力资源工作专班", "卫健委"))
        assert chosen[ids["区卫生健康委"]] is True and chosen[ids["区人力社保局"]] is True
        assert chosen[ids["区教委"]] is False
        with pytest.raises(NotFound) as err:
            await resolve_targets(s, ("区财正局", "经信委"))
        assert err.value.key == "assign.unknown_suggest"
        assert err.value.params == {"names": "“区财正局”", "suggestions": "区财政局"}
        with pytest.raises(NotFound) as err:
            await resolve_targets(s, ("区不存在的单位",))
        assert err.value.key == "assign.unknown_target"
        with pytest.raises(NotFound) as err:
            await resolve_targets(s, ("专班",))
        assert err.value.key == "dept.ambiguous"
        assert (await resolve_department(s, "区人社局")).name == "区人力社保局"
        with pytest.raises(NotFound) as err:
            await resolve_department(s, "区财正局")
        assert (err.value.key, err.value.params["suggestions"]) == ("name.suggest", "区财政局")


async def test_status_finds_a_department_by_alias(db, clock):  # type: ignore[no-untyped-def]
    await org.import_org(db, org.read_org_file(EXAMPLE), now=clock())
    standing = await digests.status(db, "经信委", at=clock(), tz=TZ)
    assert standing.department == "区经济信息委" and standing.tasks_open == 0
    with pytest.raises(NotFound) as err:
        await digests.status(db, "区水务局", at=clock(), tz=TZ)
    assert err.value.params["suggestions"] == "区水利局"
