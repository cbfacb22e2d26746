"""Roles held in an office, end to end: the root admin makes a district's admin; that admin acts in
their district only; someone with roles in several offices switches with /office (buttons)."""

from __future__ import annotations

from tests.e2e.conftest import Desk
from tests.support.fake_bot_api import Call, callback_query
from tests.support.offices import seed_city

DISTRICT_ADMIN = 3101
CITY_DIRECTOR = 3102


def buttons(call: Call) -> list[dict]:  # type: ignore[type-arg]
    return [b for row in (call.reply_markup or {}).get("inline_keyboard", []) for b in row]


async def press(desk: Desk, user_id: int, message: Call, data: str) -> str:
    mark = desk.api.mark()
    desk.api.push_update(callback_query(None, user_id, data, message.result))
    answer = await desk.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
    return answer.raw.get("text", "")


async def test_a_district_admin_is_made_by_the_root_admin_and_acts_in_their_district(desk: Desk, clock):
    await seed_city(desk.services.db, clock())
    reply = await desk.admin.send(f"/grant {DISTRICT_ADMIN} 管理员 yongchuan")
    assert reply == f"已授予用户 <code>{DISTRICT_ADMIN}</code> 管理员角色。（永川区）"
    admin = desk.chat(DISTRICT_ADMIN, "永川区管理员")
    assert "单位：永川区" in await admin.send("/whoami")
    listing = await admin.send_raw("/office")
    assert "永川区" in (listing.text or "") and "璧山区" not in (listing.text or "") and "重庆市" not in (listing.text or "")
    # another district, or the city above: as unknown as a typo
    assert await admin.send("/office bishan") == "没有找到您可办理的单位“bishan”。发送 /office 查看可选单位。"
    assert await admin.send("/office cq-city") == "没有找到您可办理的单位“cq-city”。发送 /office 查看可选单位。"
    assert await admin.send(f"/grant {CITY_DIRECTOR} 主任 璧山区") == \
        "没有找到您可办理的单位“璧山区”。发送 /office 查看可选单位。"
    # their own grants land in their own office
    assert await admin.send(f"/grant {CITY_DIRECTOR} 主任") == \
        f"已授予用户 <code>{CITY_DIRECTOR}</code> 主任角色。（永川区）"
    assert await admin.send(f"/revoke {CITY_DIRECTOR} 主任") == \
        f"已撤销用户 <code>{CITY_DIRECTOR}</code> 的主任角色。（永川区）"


async def test_someone_with_roles_in_several_offices_switches_with_a_button(desk: Desk, clock):
    await seed_city(desk.services.db, clock())
    await desk.admin.send(f"/grant {CITY_DIRECTOR} 主任")  # in the city (the root admin acts there)
    await desk.admin.send(f"/grant {CITY_DIRECTOR} 管理员 bishan")
    person = desk.chat(CITY_DIRECTOR, "市级主任")
    whoami = await person.send("/whoami")
    assert "单位：重庆市" in whoami and "角色：主任" in whoami  # the city first: its director
    listing = await person.send_raw("/office")
    labels = [b["text"] for b in buttons(listing)]
    assert labels[0].startswith("✅") and any("璧山区" in label for label in labels)
    assert any("永川区" in label for label in labels)  # a city role reaches every district below
    bishan = next(b["callback_data"] for b in buttons(listing) if "璧山区" in b["text"])
    assert await press(desk, CITY_DIRECTOR, listing, bishan) == "已切换到璧山区：接下来的命令都在该单位办理。"
    whoami = await person.send("/whoami")
    assert "单位：璧山区" in whoami and "管理员" in whoami and "主任" in whoami
    # a forged button for an office out of reach changes nothing
    district_admin = desk.chat(DISTRICT_ADMIN, "永川区管理员")
    await desk.admin.send(f"/grant {DISTRICT_ADMIN} 管理员 yongchuan")
    mine = await district_admin.send_raw("/office")
    assert await press(desk, DISTRICT_ADMIN, mine, bishan) == "该单位不在您的办理范围内。"
    assert "单位：永川区" in await district_admin.send("/whoami")


async def test_a_single_office_deployment_says_nothing_of_offices(desk: Desk):
    assert "单位：" not in await desk.admin.send("/whoami")
    assert await desk.admin.send("/grant 3103 主任") == "已授予用户 <code>3103</code> 主任角色。"
