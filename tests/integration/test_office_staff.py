"""Who hears about an office's business (bot/usecases/offices.py): its directors, else its admins,
else, for a district its city declared but nobody staffs yet, the nearest office above."""

from bot.rules.people import Caller
from bot.rules.roles import Role
from bot.usecases import offices, people
from tests.support.offices import seed_city

ROOT_ADMIN = Caller(telegram_id=1, person_id=None, full_name="管理员", language="zh", roles=frozenset({Role.ADMIN}),
                    config_admin=True, offices=(1, 2, 3))


async def _with_chat(db, clock, *ids: int) -> None:  # type: ignore[no-untyped-def]
    from storage.repos import people as people_repo
    async with db.transaction() as s:
        for telegram_id in ids:
            await people_repo.upsert(s, telegram_id=telegram_id, chat_id=telegram_id, full_name=str(telegram_id),
                                     username=None, now=clock())


async def test_directors_first_then_admins_then_the_office_above(db, clock):
    city = await seed_city(db, clock())
    await _with_chat(db, clock, 1, 11, 12, 21)
    await people.grant_role(db, ROOT_ADMIN, 11, Role.DIRECTOR, now=clock())  # the city's director
    await people.grant_role(db, ROOT_ADMIN, 12, Role.ADMIN, now=clock(), office="yongchuan")
    await people.grant_role(db, ROOT_ADMIN, 21, Role.DIRECTOR, now=clock(), office="yongchuan")
    yongchuan, bishan = city.office["yongchuan"], city.office["bishan"]
    async with db.session() as s:
        assert await offices.office_staff(s, yongchuan, frozenset({1})) == [(21, None)]  # its director
        assert await offices.office_staff(s, yongchuan, frozenset({1}), roles=("admin",)) == [(12, None)]
        # Bishan has nobody yet: the city hears of it (its director; for admin business, the city's admins,
        # the configured ones included)
        assert await offices.office_staff(s, bishan, frozenset({1})) == [(11, None)]
        assert await offices.office_staff(s, bishan, frozenset({1}), roles=("admin",)) == [(1, None)]
        # the configured admins are not directors
        assert await offices.office_staff(s, city.office["cq-city"], frozenset({1})) == [(11, None)]
        assert await offices.named(s, bishan) == "璧山区" and await offices.named(s, city.office["cq-city"]) is None
