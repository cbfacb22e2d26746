"""The registration story, driven through the fake Bot API as real users would."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path


from tests.e2e.conftest import TOKEN

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "org.yaml"


def org_import(db_url: str) -> str:
    """The operator's command, in a real process."""
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "bot", "org", "import", str(EXAMPLE)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_admin_invites_liaison_registers_and_a_replacement_takes_over(desk, db_url, clock, caplog):
    caplog.set_level(logging.DEBUG)
    out = await asyncio.to_thread(org_import, db_url)
    assert "created department 区财政局" in out and "created working group 资金保障工作专班" in out

    roster = await desk.admin.send("/liaisons")
    assert "0/24" in roster and "区财政局" in roster

    code = await desk.invite("区财政局")
    wang = desk.chat(2001, "王芳", "wangfang")
    reply = await wang.send(f"/start {code}")  # what the deep link sends
    assert "登记成功" in reply and "区财政局" in reply

    roster = await desk.admin.send("/liaisons")
    assert "1/24" in roster and "王芳 (@wangfang)" in roster

    clock.advance(timedelta(days=40))
    code2 = await desk.invite("财政局")
    li = desk.chat(2002, "李强")
    reply = await li.send(f"/start {code2}")
    assert "区财政局" in reply and "王芳" in reply  # names whom they take over from

    history = await desk.admin.send("/liaisons 区财政局")
    assert history.index("王芳") < history.index("李强")
    assert "至今" in history

    assert "无" in await wang.send("/whoami")  # no department any more
    assert "区财政局" in await li.send("/whoami")
    assert not any(TOKEN in r.getMessage() for r in caplog.records)


async def test_used_unknown_and_expired_codes_are_refused_in_one_line(desk, clock):
    await desk.admin.send("/start")
    from bot.rules.org import parse_org
    from bot.usecases import org

    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局", "区金融办"]}), now=clock())
    code = await desk.invite("区科技局")
    assert "登记成功" in await desk.chat(3001, "甲").send(f"/start {code}")

    used = await desk.chat(3002, "乙").send(f"/start {code}")
    unknown = await desk.chat(3003, "丙").send("/start AAAAAAAAAAAAAAAAAAAAAA")
    late_code = await desk.invite("区金融办")
    clock.advance(timedelta(days=7, minutes=1))
    expired = await desk.chat(3004, "丁").send(f"/start {late_code}")
    assert "已被使用" in used and "无效" in unknown and "过期" in expired
    assert all("\n" not in reply for reply in (used, unknown, expired))


async def test_a_non_admin_invite_is_refused_and_shows_in_the_audit(desk):
    stranger = desk.chat(4001, "路人")
    reply = await stranger.send("/invite 区财政局")
    assert "仅限管理员" in reply
    audit = await desk.admin.send("/audit 5")
    assert "4001" in audit and "/invite" in audit and "denied" in audit


async def test_help_and_menus_differ_by_role(desk, clock):
    from bot.rules.org import parse_org
    from bot.usecases import org

    await org.import_org(desk.services.db, parse_org({"departments": ["区科技局"]}), now=clock())
    admin_help = await desk.admin.send("/help")
    liaison = desk.chat(5001, "联络员")
    await liaison.send(f"/start {await desk.invite('区科技局')}")
    liaison_help = await liaison.send("/help")
    assert "/invite" in admin_help and "/audit" in admin_help
    assert "/invite" not in liaison_help and "/whoami" in liaison_help

    await desk.api.wait_for(lambda c: c.method == "setMyCommands" and c.raw.get("scope", "").find("5001") >= 0)
    assert "invite" in desk.admin.menu()
    assert "invite" not in liaison.menu() and "whoami" in liaison.menu()
    default = [c["command"] for c in desk.api.commands_for({"type": "default"})]
    assert "invite" not in default and "start" in default


async def test_granting_director_changes_the_menu_and_revoking_restores_it(desk):
    person = desk.chat(6001, "主任")
    await person.send("/start")
    mark = desk.api.mark()
    assert "已授予" in await desk.admin.send("/grant 6001 director")
    assert "主任" in await person.send("/whoami")
    await desk.api.wait_for(lambda c: c.method == "setMyCommands" and "6001" in c.raw.get("scope", "")
                            and c.status is not None, after=mark)
    assert "digest" in person.menu()
    mark = desk.api.mark()
    assert "已撤销" in await desk.admin.send("/revoke 6001 director")
    await desk.api.wait_for(lambda c: c.method == "deleteMyCommands" and "6001" in c.raw.get("scope", "")
                            and c.status is not None, after=mark)
    assert person.menu() == []


async def test_every_reply_follows_the_users_language(desk):
    person = desk.chat(7001, "Alice")
    assert "您好" in await person.send("/start")
    assert "English" in await person.send("/lang en")
    assert "Your commands" in await person.send("/help")
    assert "Sorry, /invite is for admin only." == await person.send("/invite 区财政局")
    assert "Usage: /lang" in await person.send("/lang fr")
    assert "中文" in await person.send("/lang zh")
    assert "可用命令" in await person.send("/help")


async def test_malformed_admin_commands_get_their_usage_line(desk):
    assert (await desk.admin.send("/grant")).startswith("用法：/grant")
    assert (await desk.admin.send("/revoke abc admin")).startswith("用法：/revoke")
    assert (await desk.admin.send("/audit 9999")).startswith("用法：/audit")
    assert (await desk.admin.send("/invite")).startswith("用法：/invite")
    assert "找不到部门" in await desk.admin.send("/invite 区不存在局")


async def test_free_text_is_kept_and_unknown_commands_get_a_hint(desk):
    person = desk.chat(8001, "张三")
    assert "已收到并存档" in await person.send("本周完成产值 12 亿元")
    assert "未知命令 /frobnicate" in await person.send("/frobnicate now")


async def test_group_chats_get_a_pointer_to_the_private_chat_and_chatter_is_ignored(desk):
    mark = desk.api.mark()
    await desk.group_says(-100123, 9001, "大家好")
    await desk.group_says(-100123, 9001, "/help")
    reply = await desk.api.wait_for_message(chat_id=-100123, after=mark)
    assert "私聊" in (reply.text or "")
    assert len(desk.api.sent_messages(chat_id=-100123)) == 1
