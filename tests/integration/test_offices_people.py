"""People-facing lists across offices, at the use cases: a liaison moving from one district to
another, their messages kept in the office they wrote to, the audit log's reach."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.errors import NotFound, Refused
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.usecases import audit, broadcasts, filing, inbox, liaisons, people, registration
from storage.models import AuditEntry, InboundMessage
from tests.support.offices import City, seed_city

CITY_ADMIN = Caller(telegram_id=1, person_id=None, full_name="市办公室", language="zh", roles=frozenset({Role.ADMIN}))


def user(n: int, name: str) -> UserInfo:
    return UserInfo(telegram_id=n, chat_id=n, full_name=name, username=None)


@pytest.fixture
async def city(db, clock) -> City:  # type: ignore[no-untyped-def]
    return await seed_city(db, clock())


def admin_of(city: City, code: str, telegram_id: int) -> Caller:
    return replace(CITY_ADMIN, telegram_id=telegram_id, full_name=f"{code}管理员", office_id=city.office[code])


async def identify(db, n: int, name: str, clock) -> Caller:  # type: ignore[no-untyped-def]
    return await people.identify(db, user(n, name), admin_ids=frozenset(), default_language="zh", now=clock())


async def test_a_liaison_moving_to_another_district_counts_in_each_office_apart(db, clock, city):  # type: ignore[no-untyped-def]
    yc, bs = admin_of(city, "yongchuan", 31), admin_of(city, "bishan", 32)
    first = await registration.create_invite(db, yc, "区财政局", deputy=False, now=clock())
    await registration.redeem(db, user(10, "王芳"), first.code, now=clock())
    other = await registration.create_invite(db, yc, "区科技局", deputy=False, now=clock())
    await registration.redeem(db, user(11, "李强"), other.code, now=clock())
    assert [(r.department, len(r.posts)) for r in await liaisons.roster(db, city.office["yongchuan"])] == \
        [("区财政局", 1), ("区经济信息委", 0), ("区科技局", 1)]

    moved = await registration.create_invite(db, bs, "经信委", deputy=False, now=clock())
    assert moved.department == "区经济信息委"
    result = await registration.redeem(db, user(10, "王芳"), moved.code, now=clock())
    assert (result.department, result.left_department) == ("区经济信息委", "区财政局")
    assert [len(r.posts) for r in await liaisons.roster(db, city.office["yongchuan"])] == [0, 0, 1]
    assert [len(r.posts) for r in await liaisons.roster(db, city.office["bishan"])] == [0, 1, 0]
    assert [len(r.posts) for r in await liaisons.roster(db, city.office["cq-city"])] == [0, 0, 0]
    caller = await identify(db, 10, "王芳", clock)
    assert caller.appointment is not None and caller.appointment.office_id == city.office["bishan"]
    # the history of a department is its office's: the other district's same name is not it
    _, terms = await liaisons.history(db, "区财政局", city.office["bishan"])
    assert terms == []
    _, terms = await liaisons.history(db, "区财政局", city.office["yongchuan"])
    assert [t.name for t in terms] == ["王芳"]
    with pytest.raises(NotFound):
        await liaisons.history(db, "市财政局", city.office["yongchuan"])


async def test_messages_are_kept_in_the_sender_s_office_and_filed_only_there(db, clock, city):  # type: ignore[no-untyped-def]
    yc, bs = admin_of(city, "yongchuan", 31), admin_of(city, "bishan", 32)
    issued = await registration.create_invite(db, yc, "区财政局", deputy=False, now=clock())
    await registration.redeem(db, user(10, "王芳"), issued.code, now=clock())
    liaison = await identify(db, 10, "王芳", clock)
    offer = await inbox.keep_and_offer(db, liaison, inbox.Incoming(10, 1, 10, "text", text="永川的进展"), now=clock())
    stranger = await identify(db, 99, "路人", clock)
    await inbox.keep_and_offer(db, stranger, inbox.Incoming(99, 1, 99, "text", text="路人的话"), now=clock())
    async with db.session() as s:
        kept = {m.text: m.office_id for m in (await s.exec(InboundMessage.__table__.select())).all()}  # type: ignore[attr-defined]
    assert kept == {"永川的进展": city.office["yongchuan"], "路人的话": city.office["cq-city"]}

    assert [i.text for i in (await inbox.kept_page(db, 1, city.office["yongchuan"])).items] == ["永川的进展"]
    assert (await inbox.kept_page(db, 1, city.office["bishan"])).total == 0
    assert [i.text for i in (await inbox.kept_page(db, 1, city.office["cq-city"])).items] == ["路人的话"]
    with pytest.raises(Refused) as err:  # another office's message: as if it did not exist
        await filing.by_office(db, bs, offer.inbound_id, 1, now=clock())  # type: ignore[arg-type]
    assert err.value.key == "button.stale"

    # once the liaison has moved to another district, the first district no longer sees their new
    # department (nor may file their old message under anything)
    moved = await registration.create_invite(db, bs, "区财政局", deputy=False, now=clock())
    await registration.redeem(db, user(10, "王芳"), moved.code, now=clock())
    item = (await inbox.kept_page(db, 1, city.office["yongchuan"])).items[0]
    assert (item.department, item.tasks) == (None, ())
    with pytest.raises(Refused) as err:
        await filing.by_office(db, yc, offer.inbound_id, 1, now=clock())  # type: ignore[arg-type]
    assert err.value.key == "inbox.no_department"


async def test_broadcast_and_audit_stay_in_their_office(db, clock, city):  # type: ignore[no-untyped-def]
    yc, bs = admin_of(city, "yongchuan", 31), admin_of(city, "bishan", 32)
    for admin, n in ((yc, 10), (bs, 20)):
        issued = await registration.create_invite(db, admin, "区财政局", deputy=False, now=clock())
        await registration.redeem(db, user(n, f"联络员{n}"), issued.code, now=clock())
    _, total = await broadcasts.start(db, yc, "永川通知", default_language="zh", now=clock())
    assert total == 1
    _, total = await broadcasts.start(db, CITY_ADMIN, "市里通知", default_language="zh", now=clock())
    assert total == 0  # the city's units have no liaison yet

    # a refused code is recorded in its department's office
    await registration.create_invite(db, yc, "区科技局", deputy=False, now=clock())
    used = await registration.create_invite(db, yc, "区经济信息委", deputy=False, now=clock())
    await registration.redeem(db, user(11, "甲"), used.code, now=clock())
    with pytest.raises(Refused):
        await registration.redeem(db, user(12, "乙"), used.code, now=clock())

    def actors(entries: list[AuditEntry]) -> set[int | None]:
        return {e.actor_id for e in entries}

    yc_entries = await audit.recent(db, 100, city.office["yongchuan"])
    assert {31, 10, 11, 12} <= actors(yc_entries) and not {32, 20} & actors(yc_entries)
    assert {(e.action, e.outcome) for e in yc_entries if e.actor_id == 12} == {("register", "refused")}
    bs_entries = await audit.recent(db, 100, city.office["bishan"])
    assert {32, 20} <= actors(bs_entries) and not {31, 10, 11, 12} & actors(bs_entries)
    everything = await audit.recent(db, 100, city.office["cq-city"])
    assert {1, 31, 32, 10, 11, 12, 20} <= actors(everything)
    page = await audit.page(db, 100, city.office["cq-city"])
    assert set(page.offices.values()) == {"永川区", "璧山区"}
