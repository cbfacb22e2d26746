"""Invites and registration against a real database: one use, seven days, handover with history."""

import asyncio
from datetime import timedelta

import pytest

from bot.errors import NotFound, Refused
from bot.rules.org import parse_org
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.usecases import audit, liaisons, org, people, registration

ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))


def user(n: int, name: str = "") -> UserInfo:
    return UserInfo(telegram_id=n, chat_id=n, full_name=name or f"用户{n}", username=f"u{n}")


@pytest.fixture
async def org_loaded(db, clock):
    await org.import_org(db, parse_org({"departments": ["区财政局", "区金融办", "区科技局"]}), now=clock())
    return db


async def refused_with(key: str, coro) -> None:
    with pytest.raises(Refused) as err:
        await coro
    assert err.value.key == key


async def test_a_code_registers_its_department_once(org_loaded, clock):
    db = org_loaded
    issued = await registration.create_invite(db, ADMIN, "财政局", deputy=False, now=clock())
    assert issued.department == "区财政局"
    result = await registration.redeem(db, user(10, "王芳"), issued.code, now=clock())
    assert (result.department, result.kind, result.replaced_name) == ("区财政局", "primary", None)
    caller = await people.identify(db, user(10, "王芳"), admin_ids=frozenset(), default_language="zh", now=clock())
    assert caller.appointment and caller.appointment.department == "区财政局"
    assert Role.LIAISON in caller.roles
    await refused_with("invite.used", registration.redeem(db, user(11), issued.code, now=clock()))


async def test_unknown_and_expired_codes_are_refused_and_audited(org_loaded, clock):
    db = org_loaded
    await refused_with("invite.unknown", registration.redeem(db, user(10), "A" * 22, now=clock()))
    issued = await registration.create_invite(db, ADMIN, "区金融办", deputy=False, now=clock())
    await refused_with("invite.expired", registration.redeem(db, user(10), issued.code, now=clock() + timedelta(days=7)))
    entries = await audit.recent(db, 10)
    refusals = [e for e in entries if e.outcome == "refused"]
    assert [e.detail for e in refusals] == ["expired", "unknown"]


async def test_a_newer_invite_voids_the_older_unused_one(org_loaded, clock):
    db = org_loaded
    old = await registration.create_invite(db, ADMIN, "区金融办", deputy=False, now=clock())
    new = await registration.create_invite(db, ADMIN, "区金融办", deputy=False, now=clock())
    assert new.withdrawn == 1
    await refused_with("invite.revoked", registration.redeem(db, user(10), old.code, now=clock()))
    assert (await registration.redeem(db, user(10), new.code, now=clock())).department == "区金融办"


async def test_replacement_liaison_takes_over_and_history_keeps_both(org_loaded, clock):
    db = org_loaded
    first = await registration.create_invite(db, ADMIN, "区科技局", deputy=False, now=clock())
    await registration.redeem(db, user(10, "李明"), first.code, now=clock())
    clock.advance(timedelta(days=30))
    second = await registration.create_invite(db, ADMIN, "区科技局", deputy=False, now=clock())
    result = await registration.redeem(db, user(20, "赵丽"), second.code, now=clock())
    assert result.replaced_name == "李明" and result.replaced_telegram_id == 10
    name, terms = await liaisons.history(db, "区科技局")
    assert [(t.name, t.ended_reason) for t in terms] == [("李明 (@u10)", "replaced"), ("赵丽 (@u20)", None)]
    roster = {row.department: row.posts for row in await liaisons.roster(db)}
    assert [p.name for p in roster["区科技局"]] == ["赵丽 (@u20)"]
    assert roster["区财政局"] == ()
    old = await people.identify(db, user(10, "李明"), admin_ids=frozenset(), default_language="zh", now=clock())
    assert old.appointment is None and Role.LIAISON not in old.roles


async def test_a_deputy_serves_beside_the_primary(org_loaded, clock):
    db = org_loaded
    primary = await registration.create_invite(db, ADMIN, "区科技局", deputy=False, now=clock())
    deputy = await registration.create_invite(db, ADMIN, "区科技局", deputy=True, now=clock())
    await registration.redeem(db, user(10), primary.code, now=clock())
    result = await registration.redeem(db, user(11), deputy.code, now=clock())
    assert result.kind == "deputy" and result.replaced_name is None
    roster = {row.department: row.posts for row in await liaisons.roster(db)}
    assert [p.kind for p in roster["区科技局"]] == ["primary", "deputy"]


async def test_registering_for_another_department_ends_the_first(org_loaded, clock):
    db = org_loaded
    a = await registration.create_invite(db, ADMIN, "区科技局", deputy=False, now=clock())
    b = await registration.create_invite(db, ADMIN, "区金融办", deputy=False, now=clock())
    await registration.redeem(db, user(10), a.code, now=clock())
    result = await registration.redeem(db, user(10), b.code, now=clock())
    assert result.left_department == "区科技局"
    roster = {row.department: row.posts for row in await liaisons.roster(db)}
    assert roster["区科技局"] == () and len(roster["区金融办"]) == 1


async def test_five_wrong_codes_lock_the_user_out_even_for_a_good_code(org_loaded, clock):
    db = org_loaded
    good = await registration.create_invite(db, ADMIN, "区科技局", deputy=False, now=clock())
    for _ in range(5):
        await refused_with("invite.unknown", registration.redeem(db, user(66), "guess" + "x" * 20, now=clock()))
    await refused_with("invite.locked", registration.redeem(db, user(66), good.code, now=clock()))
    clock.advance(timedelta(minutes=16))
    assert (await registration.redeem(db, user(66), good.code, now=clock())).department == "区科技局"


async def test_two_people_racing_for_one_code_register_exactly_one(org_loaded, clock):
    db = org_loaded
    issued = await registration.create_invite(db, ADMIN, "区科技局", deputy=False, now=clock())
    results = await asyncio.gather(
        *(registration.redeem(db, user(100 + i), issued.code, now=clock()) for i in range(4)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, registration.Registration)]
    assert len(winners) == 1
    losers = [r for r in results if r not in winners]
    assert all(isinstance(r, Refused) and r.key == "invite.used" for r in losers), losers
    roster = {row.department: row.posts for row in await liaisons.roster(db)}
    assert len(roster["区科技局"]) == 1


async def test_inviting_an_unknown_department_names_it(org_loaded, clock):
    with pytest.raises(NotFound) as err:
        await registration.create_invite(org_loaded, ADMIN, "区水利局", deputy=False, now=clock())
    assert err.value.params["name"] == "区水利局"
