"""Every text the bot shows, in Chinese (default) and English, from one catalog.

Texts are Telegram HTML. `t()` escapes every parameter unless it is wrapped in `Raw`.
"""

from __future__ import annotations

import html
import string
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("zh", "en")


class Raw(str):
    """A parameter that is already HTML and must not be escaped again."""


CATALOG: dict[str, tuple[str, str]] = {
    # command descriptions (menu and /help)
    "cmd.start": ("开始使用 / 用邀请码登记", "start / register with an invite code"),
    "cmd.help": ("可用命令", "your commands"),
    "cmd.whoami": ("我的身份与角色", "who am I to the bot"),
    "cmd.lang": ("切换语言 zh|en", "switch language zh|en"),
    "cmd.invite": ("生成部门联络员邀请码", "invite a department's liaison"),
    "cmd.liaisons": ("各部门联络员名单", "every department's liaison"),
    "cmd.grant": ("授予角色", "grant a role"),
    "cmd.revoke": ("撤销角色", "revoke a role"),
    "cmd.audit": ("最近的操作记录", "recent audited actions"),
    # usage lines
    "usage.lang": ("用法：/lang zh 或 /lang en", "Usage: /lang zh or /lang en"),
    "usage.invite": ("用法：/invite 部门名称 [deputy]，例如 /invite 区财政局", "Usage: /invite DEPARTMENT [deputy], e.g. /invite 区财政局"),
    "usage.liaisons": ("用法：/liaisons [部门名称]", "Usage: /liaisons [DEPARTMENT]"),
    "usage.grant": ("用法：/grant 用户ID admin|director", "Usage: /grant USER_ID admin|director"),
    "usage.revoke": ("用法：/revoke 用户ID admin|director", "Usage: /revoke USER_ID admin|director"),
    "usage.audit": ("用法：/audit [条数，1–100]", "Usage: /audit [N, 1–100]"),
    "usage.start": ("用法：/start [邀请码]", "Usage: /start [CODE]"),
    # roles and kinds
    "role.admin": ("管理员", "admin"),
    "role.director": ("主任", "director"),
    "role.liaison": ("联络员", "liaison"),
    "role.everyone": ("所有人", "everyone"),
    "kind.primary": ("联络员", "liaison"),
    "kind.deputy": ("副联络员", "deputy liaison"),
    # help, start, whoami, lang
    "help.header": ("<b>您可以使用的命令</b>", "<b>Your commands</b>"),
    "start.guest": (
        "您好，{name}！这里是{office}的联络员协同助手。\n请使用办公室发给您的邀请链接或 /start 邀请码 完成登记。发送 /help 查看可用命令。",
        "Hello, {name}! This is the liaison assistant of {office}.\nOpen the invite link the office sent you, or send /start CODE, to register. Send /help for your commands.",
    ),
    "start.known": (
        "您好，{name}！您是{department}的{kind}。发送 /help 查看可用命令。",
        "Hello, {name}! You are the {kind} of {department}. Send /help for your commands.",
    ),
    "start.staff": ("您好，{name}！您的角色：{roles}。发送 /help 查看可用命令。", "Hello, {name}! Your roles: {roles}. Send /help for your commands."),
    "office.default": ("领导小组办公室", "the leading group office"),
    "whoami": (
        "<b>我的信息</b>\n用户ID：<code>{user_id}</code>\n姓名：{name}\n角色：{roles}\n部门：{department}\n语言：{language}",
        "<b>About you</b>\nUser id: <code>{user_id}</code>\nName: {name}\nRoles: {roles}\nDepartment: {department}\nLanguage: {language}",
    ),
    "whoami.no_department": ("无", "none"),
    "whoami.no_roles": ("暂无（请用邀请码登记）", "none yet (register with an invite code)"),
    "lang.set": ("已切换为中文。", "Language set to English."),
    # registration
    "register.ok": ("✅ 登记成功：您现在是<b>{department}</b>的{kind}。", "✅ Registered: you are now the {kind} of <b>{department}</b>."),
    "register.replaced": ("（接替 {name}，原联络员的记录已保留。）", "(You take over from {name}; their record is kept.)"),
    "register.moved": ("（您在{department}的登记已结束。）", "(Your registration with {department} has ended.)"),
    "register.already": ("您已经是<b>{department}</b>的{kind}，无需重复登记。", "You are already the {kind} of <b>{department}</b>."),
    "invite.unknown": ("邀请码无效，请向办公室索取新的邀请码。", "This invite code is not valid; ask the office for a new one."),
    "invite.used": ("该邀请码已被使用，请向办公室索取新的邀请码。", "This invite code has already been used; ask the office for a new one."),
    "invite.expired": ("该邀请码已过期（有效期7天），请向办公室索取新的邀请码。", "This invite code has expired (codes last 7 days); ask the office for a new one."),
    "invite.revoked": ("该邀请码已作废（办公室已生成更新的邀请码）。", "This invite code was withdrawn (the office issued a newer one)."),
    "invite.locked": ("错误尝试次数过多，请15分钟后再试。", "Too many wrong codes; please try again in 15 minutes."),
    "invite.issued": (
        "已为<b>{department}</b>生成{kind}邀请码，一次有效，有效期至 {expires}：\n<code>{code}</code>\n登记链接：{link}\n请通过安全渠道转交本人。",
        "Invite for the {kind} of <b>{department}</b>, single use, valid until {expires}:\n<code>{code}</code>\nLink: {link}\nPass it on through a safe channel.",
    ),
    "invite.withdrawn": ("（该部门此前未使用的邀请码已作废。）", "(The department's earlier unused code is now void.)"),
    # roster
    "liaisons.header": ("<b>联络员名单</b>（{registered}/{total} 个部门已登记）", "<b>Liaisons</b> ({registered}/{total} departments registered)"),
    "liaisons.row": ("• {department}：{people}", "• {department}: {people}"),
    "liaisons.post": ("{name}（{kind}，{since} 起）", "{name} ({kind} since {since})"),
    "liaisons.unreachable": (" ⚠️无法送达", " ⚠️unreachable"),
    "liaisons.none": ("<i>尚无联络员</i>", "<i>no liaison</i>"),
    "liaisons.empty": ("尚未导入任何部门。请先运行 python -m bot org import 文件。", "No departments yet. Run python -m bot org import FILE first."),
    "liaisons.history_header": ("<b>{department}</b> 联络员历任记录", "<b>{department}</b>: liaison history"),
    "liaisons.term": ("• {name}（{kind}）{start} — {end}", "• {name} ({kind}) {start} — {end}"),
    "liaisons.current": ("至今", "now"),
    "liaisons.no_history": ("该部门还没有登记过联络员。", "No liaison has registered for this department yet."),
    # roles
    "grant.ok": ("已授予用户 <code>{user_id}</code> {role}角色。", "Granted {role} to user <code>{user_id}</code>."),
    "grant.already": ("用户 <code>{user_id}</code> 已有{role}角色。", "User <code>{user_id}</code> already is {role}."),
    "revoke.ok": ("已撤销用户 <code>{user_id}</code> 的{role}角色。", "Revoked {role} from user <code>{user_id}</code>."),
    "revoke.config_admin": (
        "用户 <code>{user_id}</code> 的管理员身份来自配置 BOT_ADMIN_IDS，无法在聊天中撤销。",
        "User <code>{user_id}</code> is an admin through BOT_ADMIN_IDS; that cannot be revoked in chat.",
    ),
    "revoke.not_held": ("用户 <code>{user_id}</code> 没有该角色。", "User <code>{user_id}</code> does not hold that role."),
    "revoke.last_admin": ("不能撤销最后一位管理员。", "The last admin cannot be revoked."),
    # audit
    "audit.header": ("<b>最近 {count} 条操作记录</b>", "<b>Last {count} audited actions</b>"),
    "audit.row": ("{at} · {actor} · {action} {target} · {outcome}", "{at} · {actor} · {action} {target} · {outcome}"),
    "audit.empty": ("暂无操作记录。", "Nothing audited yet."),
    # broadcast
    "cmd.broadcast": ("向全体联络员群发通知", "message every liaison"),
    "usage.broadcast": ("用法：/broadcast 通知内容", "Usage: /broadcast TEXT"),
    "broadcast.message": ("📢 <b>领导小组办公室通知</b>\n{text}", "📢 <b>From the office</b>\n{text}"),
    "broadcast.too_long": ("通知太长（{length} 字），请控制在 {limit} 字以内。", "The text is too long ({length} characters); keep it within {limit}."),
    "broadcast.queued": ("已排队向 {total} 位联络员发送（第 {id} 号群发），发送完毕后会告诉您结果。",
                         "Queued for {total} liaisons (broadcast #{id}); you will get the count when it is done."),
    "broadcast.report": (
        "第 {id} 号群发完成：共 {total} 人，已送达 {sent}，失败 {failed}，已屏蔽机器人 {blocked}，未确认 {unconfirmed}。",
        "Broadcast #{id} done: {total} recipients, {sent} delivered, {failed} failed, {blocked} blocked the bot, {unconfirmed} unconfirmed.",
    ),
    # inbox and unknowns
    "inbox.kept": (
        "已收到并存档。目前没有可以关联的任务或报告；发送 /help 查看可用命令。",
        "Received and kept. There is nothing open to attach it to; send /help for your commands.",
    ),
    "inbox.kept_again": ("这条消息此前已收到并存档。", "This message was already received and kept."),
    "unknown_command": ("未知命令 /{command}。发送 /help 查看可用命令。", "Unknown command /{command}. Send /help for your commands."),
    "group.private_only": ("请在与我的私聊中使用命令。", "Please use commands in a private chat with me."),
    # errors
    "access.denied": ("抱歉，/{command} 仅限{roles}使用。", "Sorry, /{command} is for {roles} only."),
    "dept.unknown": ("找不到部门“{name}”。发送 /liaisons 查看部门名称。", "No department called “{name}”. Send /liaisons for the names."),
    "dept.ambiguous": ("“{name}”可能指：{candidates}。请写全称。", "“{name}” could be: {candidates}. Please give the full name."),
    "error.start_first": ("请先发送 /start。", "Please send /start first."),
    "error.generic": ("操作未完成。", "That did not work."),
    "error.internal": ("抱歉，处理时出错，这条消息没有办理成功，请稍后重新发送。", "Sorry, something went wrong and this message was not processed; please send it again later."),
}

_FIELDS = string.Formatter()


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in _FIELDS.parse(template) if field}


def t(lang: str, key: str, **params: Any) -> str:
    """The text `key` in `lang` (falls back to Chinese), with HTML-escaped parameters."""
    zh, en = CATALOG[key]
    template = en if lang == "en" else zh
    safe = {k: v if isinstance(v, Raw) else html.escape(str(v), quote=False) for k, v in params.items()}
    return template.format(**safe)


def fmt_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def fmt_date(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d")


def role_names(lang: str, roles: Any) -> str:
    sep = "、" if lang != "en" else ", "
    return sep.join(t(lang, f"role.{r}") for r in roles)
