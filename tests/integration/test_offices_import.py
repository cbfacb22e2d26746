"""Org files of a city and its districts in one database: offices, their member units, codes."""

from pathlib import Path

import pytest
from sqlmodel import select

from bot.rules.org import OrgFileError, parse_org
from bot.usecases import names, org
from storage.models import Department, Office
from storage.repos import org as org_repo
from tests.support.offices import CITY, district, seed_city

EXAMPLES = Path(__file__).parents[2] / "examples"


async def rows(db, model):
    async with db.session() as s:
        return list(await s.exec(select(model).order_by(model.id)))


async def test_a_city_and_two_districts_each_keep_their_own_departments(db, clock):
    city = await seed_city(db, clock())
    assert set(city.office) == {"cq-city", "yongchuan", "bishan"}
    offices = {o.code: o for o in await rows(db, Office)}
    assert offices["cq-city"].parent_id is None
    assert offices["yongchuan"].parent_id == offices["bishan"].parent_id == offices["cq-city"].id
    # the same department name in both districts: two departments
    assert city.dept[("yongchuan", "区财政局")] != city.dept[("bishan", "区财政局")]
    # in the city, each district is a member unit, in the city's working group too
    async with db.session() as s:
        units = {d.name: d.unit_of for d in await org_repo.departments(s, city.office["cq-city"])}
        members = await org_repo.memberships(s, city.office["cq-city"])
    assert units == {"永川区": city.office["yongchuan"], "璧山区": city.office["bishan"], "市财政局": None}
    assert set(next(iter(members.values()))) == {city.dept[("cq-city", "市财政局")], city.unit["yongchuan"],
                                                 city.unit["bishan"]}


async def test_names_are_found_in_the_office_that_is_asked_only(db, clock):
    city = await seed_city(db, clock())
    async with db.session() as s:
        yc = await names.resolve_department(s, "经信委", city.office["yongchuan"])
        bs = await names.resolve_department(s, "经信委", city.office["bishan"])
        assert yc.id == city.dept[("yongchuan", "区经济信息委")] and bs.id == city.dept[("bishan", "区经济信息委")]
        # the city names a district by its short name, its full office name or its code
        for spelling in ("永川区", "永川区智能网联新能源汽车特色产业发展领导小组办公室", "yongchuan"):
            unit = await names.resolve_department(s, spelling, city.office["cq-city"])
            assert unit.id == city.unit["yongchuan"]
        with pytest.raises(Exception):
            await names.resolve_department(s, "区科技局", city.office["cq-city"])  # a district's, not the city's


async def test_importing_every_file_again_changes_nothing(db, clock):
    await seed_city(db, clock())
    for spec in (CITY, district("yongchuan", "永川区"), district("bishan", "璧山区")):
        assert not (await org.import_org(db, parse_org(spec), now=clock())).changed


async def test_a_district_before_its_city_is_refused_and_nothing_is_written(db, clock):
    await org.import_org(db, parse_org({"code": "cq-city", "departments": ["市财政局"]}), now=clock())
    with pytest.raises(OrgFileError) as error:
        await org.import_org(db, parse_org({**district("yongchuan", "永川区"), "parent": "sichuan"}), now=clock())
    assert "parent office sichuan is unknown" in str(error.value)
    assert len(await rows(db, Office)) == 1 and len(await rows(db, Department)) == 1


async def test_a_file_without_code_is_refused_once_there_are_several_offices(db, clock):
    await seed_city(db, clock())
    with pytest.raises(OrgFileError) as error:
        await org.import_org(db, parse_org({"departments": ["区财政局"]}), now=clock())
    assert "give the file's code" in str(error.value)


async def test_a_single_office_database_takes_the_code_of_its_file(db, clock):
    await org.import_org(db, parse_org({"departments": ["区财政局"]}), now=clock())
    report = await org.import_org(db, parse_org({"code": "yongchuan", "departments": ["区财政局"]}), now=clock())
    assert "code" in report.settings_changed and not report.departments_created
    offices = await rows(db, Office)
    assert [(o.id, o.code) for o in offices] == [(1, "yongchuan")]


async def test_a_district_named_like_a_department_of_the_city_is_refused(db, clock):
    await org.import_org(db, parse_org({"code": "cq-city", "departments": ["永川区"]}), now=clock())
    with pytest.raises(OrgFileError) as error:
        await org.import_org(db, parse_org(district("yongchuan", "永川区")), now=clock())
    assert "永川区 is already a department of the parent office" in str(error.value)
    assert len(await rows(db, Office)) == 1


async def test_the_example_city_and_district_files_import_and_match_the_single_office_example(db, clock):
    city = await org.import_org(db, org.read_org_file(EXAMPLES / "city" / "cq-city.yaml"), now=clock())
    assert len(city.offices_created) == 13
    await org.import_org(db, org.read_org_file(EXAMPLES / "city" / "yongchuan.yaml"), now=clock())
    single = org.read_org_file(EXAMPLES / "org.yaml")
    as_district = org.read_org_file(EXAMPLES / "city" / "yongchuan.yaml")
    # the district file is the single-office example with its place in the city (no drift between them)
    assert (as_district.departments, as_district.working_groups, as_district.aliases) == \
        (single.departments, single.working_groups, single.aliases)
    assert as_district.reporting.quarterly_day == 20 and single.reporting.quarterly_day == 25
    async with db.session() as s:
        yongchuan = await org_repo.office_by_code(s, "yongchuan")
        assert yongchuan is not None and len(await org_repo.departments(s, yongchuan.id)) == 24
        units = [d for d in await org_repo.departments(s, 1) if d.unit_of is not None]
    assert len(units) == 13
