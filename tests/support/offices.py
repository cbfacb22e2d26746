"""A city and two of its districts in one database, through the real org import: the fixture of
every multi-office test."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.rules.org import parse_org
from bot.usecases import org
from storage.db import Database
from storage.repos import org as org_repo

CITY = {
    "office": "重庆市智能网联新能源汽车特色产业园创建工作专班办公室",
    "code": "cq-city",
    "departments": ["市财政局"],
    "offices": [{"code": "yongchuan", "name": "永川区"}, {"code": "bishan", "name": "璧山区"}],
    "working_groups": [{"name": "园区创建专班", "lead": ["市财政局"], "members": ["永川区", "璧山区"]}],
}


def district(code: str, short_name: str, *, quarterly_day: int = 25) -> dict:  # type: ignore[type-arg]
    """A district's org file: the same department names in every district, as in life."""
    return {
        "office": f"{short_name}智能网联新能源汽车特色产业发展领导小组办公室",
        "code": code,
        "parent": "cq-city",
        "short_name": short_name,
        "departments": ["区财政局", {"name": "区经济信息委", "aliases": ["经信委"]}, "区科技局"],
        "working_groups": [{"name": "产业发展工作专班", "lead": ["区经济信息委"], "members": ["区财政局", "区科技局"]}],
        "reporting": {"quarterly_day": quarterly_day},
    }


DISTRICTS = (("yongchuan", "永川区"), ("bishan", "璧山区"))


@dataclass(frozen=True)
class City:
    office: dict[str, int]  # code → office id
    dept: dict[tuple[str, str], int]  # (office code, department name) → department id
    unit: dict[str, int]  # district code → its unit's department id in the city


async def seed_city(db: Database, now: datetime, *, district_days: dict[str, int] | None = None) -> City:
    """Import the city's file (root office), then each district's file. `district_days`: a
    district's own quarterly reporting day (e.g. {"yongchuan": 20})."""
    await org.import_org(db, parse_org(CITY), now=now)
    for code, name in DISTRICTS:
        day = (district_days or {}).get(code, 25)
        await org.import_org(db, parse_org(district(code, name, quarterly_day=day)), now=now)
    async with db.session() as s:
        offices = {o.code: o.id for o in await org_repo.offices(s) if o.code}
        dept: dict[tuple[str, str], int] = {}
        unit: dict[str, int] = {}
        by_id = {v: k for k, v in offices.items()}
        for code, office_id in offices.items():
            for d in await org_repo.departments(s, office_id):
                dept[(code, d.name)] = d.id  # type: ignore[assignment]
                if d.unit_of is not None:
                    unit[by_id[d.unit_of]] = d.id  # type: ignore[assignment]
    return City(offices, dept, unit)  # type: ignore[arg-type]
