"""Who acts in which office with which roles (bot/rules/offices.py), and the org file's office keys."""

import pytest

from bot.rules.offices import parse_grants, parse_tree, standing
from bot.rules.org import OrgFileError, parse_org
from bot.rules.roles import Role

# a city (1) with two districts (2, 3); district 2 has a town (4) below it
TREE = parse_tree("1:,2:1,3:1,4:2")


def test_the_tree_reads_up_and_down():
    assert TREE.up(4) == [4, 2, 1]
    assert TREE.below(2) == {2, 4}
    assert TREE.below(1) == {1, 2, 3, 4}
    assert TREE.children(1) == [2, 3]
    assert TREE.within(4, 1) and not TREE.within(3, 2)


def test_a_district_admin_acts_in_their_district_and_below_only():
    where = standing(TREE, grants=parse_grants("admin@2"), config_admin=False, liaison_office=None, chosen=None)
    assert where.office == 2 and where.roles == {Role.ADMIN}
    assert set(where.offices) == {2, 4}


def test_a_role_reaches_the_offices_below_but_not_above_or_beside():
    for chosen, roles in ((4, {Role.ADMIN}), (2, {Role.ADMIN})):
        where = standing(TREE, grants=[("admin", 2)], config_admin=False, liaison_office=None, chosen=chosen)
        assert where.office == chosen and where.roles == roles
    # a stale choice of an office they may not act in falls back to their own
    for chosen in (1, 3):
        where = standing(TREE, grants=[("admin", 2)], config_admin=False, liaison_office=None, chosen=chosen)
        assert where.office == 2


def test_configured_admins_act_everywhere_starting_at_the_root():
    where = standing(TREE, grants=[], config_admin=True, liaison_office=None, chosen=None)
    assert where.office == 1 and Role.ADMIN in where.roles and set(where.offices) == {1, 2, 3, 4}
    assert standing(TREE, grants=[], config_admin=True, liaison_office=None, chosen=3).office == 3


def test_roles_held_in_two_offices_count_where_the_person_acts():
    grants = [("director", 1), ("admin", 3)]
    city = standing(TREE, grants=grants, config_admin=False, liaison_office=None, chosen=None)
    assert city.office == 1 and city.roles == {Role.DIRECTOR}  # the highest office first
    district = standing(TREE, grants=grants, config_admin=False, liaison_office=None, chosen=3)
    assert district.roles == {Role.DIRECTOR, Role.ADMIN}  # the city's director role reaches down


def test_a_liaison_acts_in_their_departments_office():
    where = standing(TREE, grants=[], config_admin=False, liaison_office=3, chosen=None)
    assert where.office == 3 and where.roles == {Role.LIAISON} and where.offices == (3,)


def test_someone_without_any_role_is_in_the_root_office_with_none():
    where = standing(parse_tree(None), grants=[], config_admin=False, liaison_office=None, chosen=None)
    assert where.office == 1 and where.roles == frozenset()


def test_the_org_file_names_its_code_parent_and_children():
    spec = parse_org({"office": "永川区办公室", "code": "yongchuan", "parent": "cq-city", "short_name": "永川区",
                      "departments": ["区财政局"]})
    assert (spec.code, spec.parent, spec.unit_name) == ("yongchuan", "cq-city", "永川区")
    city = parse_org({"code": "cq-city", "departments": ["汽车处"],
                      "offices": [{"code": "yongchuan", "name": "永川区"}, {"code": "bishan", "name": "璧山区"}]})
    assert [(c.code, c.name) for c in city.offices] == [("yongchuan", "永川区"), ("bishan", "璧山区")]


@pytest.mark.parametrize("raw, problem", [
    ({"code": "永川", "departments": ["a"]}, "code must be letters"),
    ({"parent": "cq-city", "departments": ["a"]}, "needs its own code"),
    ({"code": "a", "parent": "a", "departments": ["x"]}, "own parent"),
    ({"code": "c", "offices": [{"code": "y"}], "departments": ["x"]}, "needs both code and name"),
    ({"code": "c", "offices": [{"code": "y", "name": "永川区"}, {"code": "y", "name": "璧山区"}]}, "listed twice"),
    ({"code": "c", "offices": [{"code": "y", "name": "区财政局"}], "departments": ["区财政局"]}, "name of a department"),
    ({"code": "c", "offices": "y"}, "offices must be a list"),
])
def test_office_keys_are_checked(raw, problem):
    with pytest.raises(OrgFileError) as error:
        parse_org(raw)
    assert problem in str(error.value)
