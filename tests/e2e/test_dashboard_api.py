"""Issue 16: the dashboard's JSON API, signed in as Telegram signs a Mini App, on a city with two
districts played through the real bot (tests/support/dashboard_site.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest

from bot.rules.digest import on_demand_period
from bot.rules.org import parse_org
from bot.usecases import digests, org
from bot.views.dashboard import number
from tests.e2e.conftest import Desk
from tests.support.dashboard_site import (CITY_DIRECTOR, CITY_ORG, FILE_NAME, LIAISON, NOW, SCRIPT_NAME, TZ,
                                          YONGCHUAN_DIRECTOR, Site, liaison, open_site, submit)


@pytest.fixture
async def site(desk: Desk, clock) -> AsyncIterator[Site]:  # type: ignore[no-untyped-def]
    async with open_site(desk, clock) as opened:
        yield opened


async def get(site: Site, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=site.base, timeout=10) as client:
        return await client.get(path, headers=headers or {})


async def test_the_summary_is_the_digest_of_the_same_moment(site: Site) -> None:
    answer = await get(site, "/api/summary", site.headers(CITY_DIRECTOR))
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    city = site.offices["cq-city"]
    digest = await digests.build(site.desk.services.db, "quarter", at=NOW, tz=TZ,
                                 period=on_demand_period("quarter", NOW, TZ), office_id=city)
    assert body["office"]["id"] == city and body["parent"] is None
    assert body["cycle"]["label"] == "2026-Q4" == digest.cycle_label
    assert (body["cycle"]["submitted"], body["cycle"]["total"]) == (digest.submitted, digest.total) == (2, 4)
    assert body["cycle"]["missing"] == digest.missing and set(digest.missing) == {SCRIPT_NAME, "璧山区"}
    assert [(o["task"], o["department"], o["days"]) for o in body["overdue"]] == \
        [(o.task_id, o.department, o.days) for o in digest.overdue] == [(1, "市财政局", 10)]
    totals = {i["name"]: (i["unit"], i["total"], i["target"]) for i in body["indicators"]}
    assert totals == {i.name: (i.unit, number(i.total), 100 if i.name == "产值" else None) for i in digest.summaries()}
    assert totals["产值"] == ("亿元", 15, 100)  # 10 (市财政局) + 5 (永川区's report upward)
    states = {d["name"]: d["state"] for d in body["departments"]}
    assert states == {"市财政局": "reported", SCRIPT_NAME: "missing", "永川区": "reported", "璧山区": "missing"}
    assert {(c["name"], c["submitted"], c["total"]) for c in body["children"]} == {("永川区", 1, 3), ("璧山区", 0, 3)}


async def test_only_a_fresh_signature_by_the_bot_token_opens_the_data(site: Site) -> None:
    assert (await get(site, "/api/summary")).status_code == 401
    forged = await get(site, "/api/summary", site.headers(CITY_DIRECTOR, token="123456:not-the-bot-token"))
    assert forged.status_code == 401 and forged.json()["detail"] == "hash does not match"
    expired = await get(site, "/api/summary", site.headers(CITY_DIRECTOR, age=24 * 3600 + 60))
    assert expired.status_code == 401 and expired.json()["detail"] == "auth_date is too old"
    assert (await get(site, "/api/summary", site.headers(CITY_DIRECTOR, age=23 * 3600))).status_code == 200
    tampered = site.init_data(CITY_DIRECTOR).replace("7001", "7002")
    assert (await get(site, "/api/summary", {"Authorization": f"tma {tampered}"})).status_code == 401
    assert (await get(site, "/api/departments/1", {"Authorization": "Bearer x"})).status_code == 401


async def test_a_liaison_or_a_stranger_is_refused_with_403(site: Site) -> None:
    for user in (LIAISON, 999_999):
        answer = await get(site, "/api/summary", site.headers(user))
        assert answer.status_code == 403 and answer.json() == {"error": "forbidden"}
    dept = site.departments[("cq-city", "市财政局")]
    assert (await get(site, f"/api/departments/{dept}", site.headers(LIAISON))).status_code == 403


async def test_a_district_director_sees_only_their_district(site: Site) -> None:
    body = (await get(site, "/api/summary", site.headers(YONGCHUAN_DIRECTOR))).json()
    assert body["office"] == {"id": site.offices["yongchuan"], "name": "永川区"} and body["parent"] is None
    assert (body["cycle"]["submitted"], body["cycle"]["total"]) == (1, 3) and body["children"] == []
    assert {d["name"] for d in body["departments"]} == {"区财政局", "区经济信息委", "区科技局"}
    for office in ("cq-city", "bishan"):
        answer = await get(site, f"/api/summary?office={site.offices[office]}", site.headers(YONGCHUAN_DIRECTOR))
        assert answer.status_code == 404
    city_dept = site.departments[("cq-city", "市财政局")]
    assert (await get(site, f"/api/departments/{city_dept}", site.headers(YONGCHUAN_DIRECTOR))).status_code == 404
    other = site.departments[("bishan", "区财政局")]
    assert (await get(site, f"/api/departments/{other}?office={site.offices['bishan']}",
                      site.headers(YONGCHUAN_DIRECTOR))).status_code == 404
    assert (await get(site, "/api/summary?office=abc", site.headers(YONGCHUAN_DIRECTOR))).status_code == 400


async def test_the_city_director_drills_down_into_a_district(site: Site) -> None:
    yc = site.offices["yongchuan"]
    body = (await get(site, f"/api/summary?office={yc}", site.headers(CITY_DIRECTOR))).json()
    assert body["office"]["id"] == yc and body["parent"]["id"] == site.offices["cq-city"]
    assert (body["cycle"]["submitted"], body["cycle"]["total"], body["cycle"]["missing"]) == \
        (1, 3, ["区经济信息委", "区科技局"])


async def test_a_department_page_shows_its_tasks_reports_and_file_names(site: Site) -> None:
    dept = site.departments[("cq-city", "市财政局")]
    body = (await get(site, f"/api/departments/{dept}", site.headers(CITY_DIRECTOR))).json()
    assert body["name"] == "市财政局" and body["group"] == "园区创建专班" and body["liaison"] == "市财政联络员"
    assert [(t["task"], t["status"], t["due"]) for t in body["tasks"]] == [(1, "overdue", "2026-11-10")]
    assert [(r["cycle"], r["version"], r["files"]) for r in body["reports"]] == [("2026-Q4", 1, [FILE_NAME])]
    assert "本季度资金保障到位" in body["reports"][0]["text"]
    missing = await get(site, "/api/departments/999999", site.headers(CITY_DIRECTOR))
    assert missing.status_code == 404


async def test_the_page_holds_no_data_and_forbids_outside_scripts(site: Site) -> None:
    page = await get(site, "/dashboard")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "市财政局" not in page.text and "http://" not in page.text and "https://" not in page.text


async def test_late_reports_and_units_outside_the_cycle_have_their_own_state(site: Site, clock) -> None:  # type: ignore[no-untyped-def]
    desk, city = site.desk, site.offices["cq-city"]
    # a department the city added after its quarter opened is not in that cycle
    await org.import_org(desk.services.db, parse_org({**CITY_ORG, "departments": [*CITY_ORG["departments"], "市审计局"]}),
                         now=NOW)
    bishan = await liaison(desk, city, "璧山区", 7103, "璧山区联络员")
    clock.current = datetime(2026, 12, 26, 10, 0, tzinfo=TZ)  # after the city's 25th
    await submit(desk, bishan, "/report 产值：2亿元")
    body = (await get(site, "/api/summary", site.headers(CITY_DIRECTOR))).json()
    states = {d["name"]: d["state"] for d in body["departments"]}
    assert states["璧山区"] == "late" and states["市审计局"] == "none" and states["市财政局"] == "reported"
    assert body["cycle"]["late"] == ["璧山区"] and (body["cycle"]["submitted"], body["cycle"]["total"]) == (3, 4)
    assert {c["name"]: c["reported"] for c in body["children"]} == {"永川区": True, "璧山区": True}


async def test_before_the_quarter_opens_there_is_no_cycle_and_no_unit_counts_as_missing(site: Site, clock) -> None:  # type: ignore[no-untyped-def]
    clock.current = datetime(2027, 1, 1, 0, 30, tzinfo=TZ)  # the tick has not opened 2027-Q1 yet
    body = (await get(site, "/api/summary", site.headers(CITY_DIRECTOR))).json()
    assert body["cycle"]["label"] is None and (body["cycle"]["submitted"], body["cycle"]["total"]) == (0, 0)
    assert {c["name"]: c["reported"] for c in body["children"]} == {"永川区": None, "璧山区": None}


async def test_the_way_up_is_offered_only_to_a_director_of_the_office_above(site: Site) -> None:
    """永川区's unit liaison in the city, made a director of 永川区: their dashboard is the district's,
    with no way up to the city, where they are a liaison only."""
    desk, city = site.desk, site.offices["cq-city"]
    assert "已授予" in await desk.admin.send("/grant 7102 主任 永川区")
    body = (await get(site, "/api/summary", site.headers(7102))).json()
    assert body["office"]["id"] == site.offices["yongchuan"] and body["parent"] is None
    assert (await get(site, f"/api/summary?office={city}", site.headers(7102))).status_code == 403
    drilled = (await get(site, f"/api/summary?office={site.offices['yongchuan']}", site.headers(CITY_DIRECTOR))).json()
    assert drilled["parent"]["id"] == city  # the city's director does go up


async def test_an_odd_office_number_is_a_bad_request_not_an_error(site: Site) -> None:
    for odd in ("%C2%B2", "-1", "1.0", "9" * 13):
        assert (await get(site, f"/api/summary?office={odd}", site.headers(CITY_DIRECTOR))).status_code == 400
