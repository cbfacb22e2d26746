"""Roles, languages and kept messages against a real database."""

import pytest

from bot.errors import Refused
from bot.rules.people import Caller, UserInfo
from bot.rules.roles import Role
from bot.usecases import audit, inbox, people

ADMIN = Caller(telegram_id=1, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))


async def identify(db, clock, n, admin_ids=frozenset()):
    return await people.identify(db, UserInfo(n, n, f"用户{n}"), admin_ids=admin_ids, default_language="zh", now=clock())


async def test_granted_roles_apply_at_once_and_revocation_removes_them(db, clock):
    assert (await identify(db, clock, 7)).roles == frozenset()
    assert (await people.grant_role(db, ADMIN, 7, Role.DIRECTOR, now=clock())).changed is True
    assert (await people.grant_role(db, ADMIN, 7, Role.DIRECTOR, now=clock())).changed is False
    assert (await identify(db, clock, 7)).roles == {Role.DIRECTOR}
    await people.revoke_role(db, ADMIN, 7, Role.DIRECTOR, admin_ids=frozenset({1}), now=clock())
    assert (await identify(db, clock, 7)).roles == frozenset()
    actions = [(e.action, e.target) for e in await audit.recent(db, 5)]
    assert actions == [("role.revoke", "7:director"), ("role.grant", "7:director")]


async def test_a_role_can_be_granted_before_the_user_ever_writes(db, clock):
    await people.grant_role(db, ADMIN, 99, Role.ADMIN, now=clock())
    assert Role.ADMIN in (await identify(db, clock, 99)).roles


async def test_configured_admins_cannot_be_revoked_in_chat(db, clock):
    caller = await identify(db, clock, 1, admin_ids=frozenset({1}))
    assert caller.config_admin and Role.ADMIN in caller.roles
    with pytest.raises(Refused) as err:
        await people.revoke_role(db, ADMIN, 1, Role.ADMIN, admin_ids=frozenset({1}), now=clock())
    assert err.value.key == "revoke.config_admin"


async def test_the_last_admin_is_kept_when_none_is_configured(db, clock):
    await people.grant_role(db, ADMIN, 5, Role.ADMIN, now=clock())
    with pytest.raises(Refused) as err:
        await people.revoke_role(db, ADMIN, 5, Role.ADMIN, admin_ids=frozenset(), now=clock())
    assert err.value.key == "revoke.last_admin"


async def test_revoking_a_role_not_held_is_refused(db, clock):
    with pytest.raises(Refused) as err:
        await people.revoke_role(db, ADMIN, 8, Role.DIRECTOR, admin_ids=frozenset(), now=clock())
    assert err.value.key == "revoke.not_held"


async def test_language_choice_is_remembered(db, clock):
    await identify(db, clock, 3)
    await people.set_language(db, 3, "en")
    assert (await identify(db, clock, 3)).language == "en"
    assert await people.language_of(db, 3, default="zh") == "en"
    assert await people.language_of(db, 4, default="zh") == "zh"


async def test_a_message_is_kept_once_even_when_delivered_twice(db, clock):
    msg = inbox.Incoming(chat_id=3, message_id=77, sender_id=3, kind="text", text="本周进展：已完成")
    assert await inbox.keep(db, msg, now=clock()) is True
    assert await inbox.keep(db, msg, now=clock()) is False


async def test_long_names_and_texts_are_stored_without_error(db, clock):
    huge = "长" * 5000
    caller = await people.identify(db, UserInfo(12, 12, huge, "u" * 100), admin_ids=frozenset(),
                                   default_language="zh", now=clock())
    assert len(caller.full_name) == 200
    assert await inbox.keep(db, inbox.Incoming(12, 1, 12, "text", text=huge), now=clock())
