"""Every text the bot shows, in Chinese (default) and English, from one catalog.

Texts are Telegram HTML. `t()` escapes every parameter unless it is wrapped in `Raw`.
"""

from __future__ import annotations

import html
import re
import string
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.catalog import assessment as _assessment
from bot.catalog import calendar as _calendar
from bot.catalog import dashboard as _dashboard
from bot.catalog import meetings as _meetings
from bot.catalog import monthly as _monthly
from bot.catalog import papers as _papers
from bot.catalog import processes as _processes
from bot.catalog import targets as _targets

LANGUAGES = ("zh", "en")


class Raw(str):
    """A parameter that is already HTML and must not be escaped again."""


CATALOG: dict[str, tuple[str, str]] = {
    # command descriptions (menu and /help)
    "cmd.start": ("开始使用 / 用邀请码登记", "start / register with an invite code"),
    "cmd.help": ("可用命令", "your commands"),
    "cmd.whoami": ("我的身份与角色", "who am I to the bot"),
    "cmd.lang": ("切换语言 中文|英文", "switch language zh|en"),
    "cmd.invite": ("生成部门联络员邀请码", "invite a department's liaison"),
    "cmd.liaisons": ("各部门联络员名单", "every department's liaison"),
    "cmd.grant": ("授予角色", "grant a role"),
    "cmd.revoke": ("撤销角色", "revoke a role"),
    "cmd.audit": ("最近的操作记录", "recent audited actions"),
    # offices (a city and its districts): /office, roles held in an office
    "cmd.office": ("选择办理单位（市级、区县）", "choose the office you act in"),
    "usage.office": ("用法：/office [单位]", "Usage: /office [OFFICE_CODE]"),
    "office.header": ("<b>您可在以下单位办理</b>", "<b>Offices you can act in</b>"),
    "office.row": ("{indent}{name}{mark}", "{indent}{name}{mark}"),
    "office.current": (" ← 当前", " ← current"),
    "office.hint": ("点按钮切换，或发送 /office 单位简称。", "Tap a button to switch, or send /office CODE."),
    "office.chosen": ("已切换到{name}：接下来的命令都在该单位办理。", "You now act in {name}: your commands apply there."),
    "office.unknown": ("没有找到您可办理的单位“{name}”。发送 /office 查看可选单位。",
                       "No office “{name}” among yours. Send /office to see them."),
    "office.unknown_button": ("该单位不在您的办理范围内。", "That office is not one of yours."),
    "office.in": ("（{office}）", " ({office})"),
    "whoami.office": ("\n单位：{office}", "\nOffice: {office}"),
    # usage lines
    "usage.lang": ("用法：/lang 中文 或 /lang 英文", "Usage: /lang zh or /lang en"),
    "usage.invite": ("用法：/invite 部门名称 [副联络员]，例如 /invite 区财政局 或 /invite 区财政局 副联络员", "Usage: /invite DEPARTMENT [deputy], e.g. /invite 区财政局 or /invite 区财政局 deputy"),
    "usage.liaisons": ("用法：/liaisons [部门名称]", "Usage: /liaisons [DEPARTMENT]"),
    "usage.grant": ("用法：/grant 用户ID 管理员|主任 [单位]", "Usage: /grant USER_ID admin|director [OFFICE_CODE]"),
    "usage.revoke": ("用法：/revoke 用户ID 管理员|主任 [单位]", "Usage: /revoke USER_ID admin|director [OFFICE_CODE]"),
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
        "第 {id} 号群发完成：共 {total} 人，已送达 {sent}，失败 {failed}，已屏蔽机器人 {blocked}。",
        "Broadcast #{id} done: {total} recipients, {sent} delivered, {failed} failed, {blocked} blocked the bot.",
    ),
    # tasks: commands
    "cmd.assign": ("下发交办单", "assign a task"),
    "cmd.tasks": ("交办单列表", "list tasks"),
    "cmd.task": ("查看交办单详情", "one task in detail"),
    "cmd.extend": ("调整截止时间", "move a task's due date"),
    "cmd.close": ("关闭交办单", "close a task"),
    "cmd.progress": ("报送任务进展", "report progress on a task"),
    "cmd.done": ("任务办结", "mark a task done"),
    "cmd.mytasks": ("本部门待办任务", "your department's open tasks"),
    "usage.assign": (
        "用法：/assign 部门或专班[,…] | 截止日期 | 标题 [| 说明]\n例如：/assign 产业发展工作专班,区财政局 | 12月31日 | 报送产业链招商进展\n截止日期可写 2026-12-31、12月31日、下周五、月底、3个工作日内，可加时间如 12月31日 17:00。\n不带参数发送 /assign 可按步骤填写。",
        "Usage: /assign TARGETS | DUE | TITLE [| DETAILS]\ne.g. /assign 产业发展工作专班,区财政局 | 2026-12-31 | Report progress\nThe due date may be 2026-12-31, 12-31, 12月31日, 下周五 (next Friday), 月底 (month end), 3个工作日内 (3 working days), with a time such as 17:00.\nSend /assign alone for a step-by-step dialogue.",
    ),
    "usage.tasks": ("用法：/tasks [进行中|逾期|已办结|全部]", "Usage: /tasks [open|overdue|done|all]"),
    "usage.task": ("用法：/task 任务号，例如 /task 12", "Usage: /task N, e.g. /task 12"),
    "usage.extend": ("用法：/extend 任务号 新截止日期 [时间]，例如 /extend 12 12月31日，或 /extend 12 下周五 17:00",
                     "Usage: /extend N DATE [TIME], e.g. /extend 12 2026-12-31, or /extend 12 下周五 17:00 (next Friday)"),
    "usage.close": ("用法：/close 任务号", "Usage: /close N"),
    "usage.progress": ("用法：/progress 任务号 进展内容，例如 /progress 12 已完成现场踏勘", "Usage: /progress N TEXT, e.g. /progress 12 site visit done"),
    "usage.done": ("用法：/done 任务号 [说明]", "Usage: /done N [TEXT]"),
    "usage.mytasks": ("用法：/mytasks", "Usage: /mytasks"),
    "usage.extension": ("请按“新截止日期 理由”发送，例如：12月31日 等待上级批复，或 下周五 因故延期", "Send: NEW-DUE-DATE REASON, e.g. 2026-12-31 waiting for approval"),
    "due.malformed": ("截止时间“{value}”格式不对或没有这一天。可以写：2026-12-31、12月31日、下周五、月底、3天后、3个工作日内，可加时间如 17:00。",
                      "Due time “{value}” is not a date I understand, or no such day. Write e.g. 2026-12-31, 12-31, 12月31日, 下周五 (next Friday), 3个工作日内 (3 working days), optionally with a time such as 17:00."),
    "due.past": ("截止时间“{value}”已经过去，请填写将来的时间。", "Due time “{value}” is in the past; give a future time."),
    "assign.title_too_long": ("标题太长，请控制在 {limit} 字以内。", "The title is too long; keep it within {limit} characters."),
    "assign.details_too_long": ("说明太长，请控制在 {limit} 字以内。", "The details are too long; keep them within {limit} characters."),
    "assign.unknown_target": ("找不到部门或工作专班：{names}。未创建任务。", "No department or working group called: {names}. Nothing was created."),
    "assign.no_targets": ("没有可下发的部门。", "There is no department to assign to."),
    "assign.created": ("已创建交办单 <b>#{id}</b>：{title}\n截止：{due}\n已通知 {notified}/{total} 个部门。", "Created task <b>#{id}</b>: {title}\nDue: {due}\nNotified {notified}/{total} departments."),
    "assign.no_liaison": ("以下部门尚无联络员，暂未通知（登记后自动补发）：{names}", "Not notified yet, no liaison (they will be when one registers): {names}"),
    # tasks: notices and states
    "task.notice": ("📋 <b>交办单 #{id}</b>\n{title}\n截止：{due}\n本部门：{role}", "📋 <b>Task #{id}</b>\n{title}\nDue: {due}\nYour department: {role}"),
    "task.details": ("说明：{details}", "Details: {details}"),
    "task.attachment": ("附件：{name}", "Attachment: {name}"),
    # what liaisons receive: the task's file, sent after its notice
    "task.file_caption": ("交办单 #{id} 附件：{name}", "Task #{id} attachment: {name}"),
    "task.file.photo": ("照片", "photo"),
    "task.file.document": ("文件", "file"),
    "task.state": ("当前状态：<b>{status}</b>", "Status: <b>{status}</b>"),
    "task.reply_hint": ("直接回复本消息即可报送进展（文字、照片或文件）。", "Reply to this message to report progress (text, photo or file)."),
    "task.lead": ("牵头", "lead"),
    "task.member": ("配合", "cooperating"),
    "status.pending": ("待确认", "not acknowledged"),
    "status.acknowledged": ("已确认收到", "acknowledged"),
    "status.in_progress": ("办理中", "in progress"),
    "status.done": ("已办结", "done"),
    "status.overdue": ("已逾期", "overdue"),
    "status.closed": ("已关闭", "closed"),
    "btn.ack": ("✅ 确认收到", "✅ Acknowledge"),
    "btn.progress": ("📝 报告进展", "📝 Report progress"),
    "btn.done": ("🏁 办结", "🏁 Done"),
    "btn.extension": ("⏰ 申请延期", "⏰ Ask for more time"),
    "btn.approve": ("✅ 同意延期", "✅ Approve"),
    "btn.deny": ("❌ 不同意", "❌ Deny"),
    "btn.file": ("📎 {name}", "📎 {name}"),
    "button.stale": ("该按钮已失效。", "This button is no longer valid."),
    "task.not_found": ("没有 #{id} 号交办单。", "There is no task #{id}."),
    "task.closed": ("#{id} 号交办单已关闭。", "Task #{id} is closed."),
    "task.not_target": ("您的部门不是 #{id} 号交办单的承办部门。", "Your department is not assigned task #{id}."),
    "task.not_liaison": ("只有部门联络员才能办理交办单。请先用邀请码登记。", "Only a department's liaison can act on tasks. Register with an invite code first."),
    "ack.saved": ("已确认收到 #{id}。", "Task #{id} acknowledged."),
    "progress.ask": ("请发送 #{id} 的进展：文字、照片或文件（可附说明）。", "Send the progress on #{id}: text, a photo or a file (with a caption if you like)."),
    "progress.saved": ("✅ 已记录 #{id} 的进展（{department}）。", "✅ Progress on #{id} recorded ({department})."),
    "progress.again": ("这条进展此前已记录。", "This progress was already recorded."),
    "progress.refused_kept": ("您不是 #{id} 号交办单承办部门的联络员：内容已存档，但未计入任务进展。", "You are not a liaison of a department assigned #{id}: your message is kept, but not counted as progress."),
    "done.saved": ("🏁 已将 #{id} 标记为办结（{department}）。", "🏁 Task #{id} marked done ({department})."),
    "extension.ask": ("请发送 #{id} 的新截止日期和理由，例如：12月31日 等待上级批复，或 下周五 因故延期", "Send the new due date for #{id} and the reason, e.g. 2026-12-31 waiting for approval"),
    "extension.reason_needed": ("请同时写明延期理由，例如：12月31日 等待上级批复", "Please give a reason too, e.g. 2026-12-31 waiting for approval"),
    "extension.requested": ("已提交 #{id} 的延期申请（至 {until}），等待办公室审批。", "Asked for more time on #{id} (until {until}); the office will decide."),
    "extension.admin": ("⏰ <b>延期申请</b> #{id} {title}\n部门：{department}\n原截止：{due}\n申请延至：{until}\n理由：{reason}", "⏰ <b>Extension request</b> #{id} {title}\nDepartment: {department}\nDue: {due}\nAsked until: {until}\nReason: {reason}"),
    "extension.granted": ("✅ #{id} 的延期申请已批准，新截止时间 {due}。", "✅ Your extension on #{id} is granted; new due time {due}."),
    "extension.denied": ("❌ #{id} 的延期申请未获批准，截止时间仍为 {due}。", "❌ Your extension on #{id} was not granted; it is still due {due}."),
    "extension.decided": ("已处理：{decision}（{department}）", "Decided: {decision} ({department})"),
    "extension.approved_word": ("同意延期至 {due}", "approved until {due}"),
    "extension.denied_word": ("不同意延期", "denied"),
    "extension.none_pending": ("该延期申请已处理过。", "That request was already decided."),
    "extend.done": ("已将 #{id} 的截止时间改为 {due}，已通知 {count} 位联络员。", "Task #{id} is now due {due}; {count} liaisons were told."),
    "extend.notice": ("📅 交办单 #{id}「{title}」的截止时间调整为 {due}。", "📅 Task #{id} “{title}” is now due {due}."),
    "close.done": ("已关闭 #{id}。", "Task #{id} closed."),
    "close.notice": ("交办单 #{id}「{title}」已由办公室关闭，无需再报送。", "Task #{id} “{title}” was closed by the office; nothing more to report."),
    "mytasks.header": ("<b>{department} 的待办交办单</b>", "<b>Open tasks of {department}</b>"),
    "mytasks.row": ("#{id} {title} · 截止 {due} · {status}", "#{id} {title} · due {due} · {status}"),
    "mytasks.empty": ("{department} 目前没有待办的交办单。", "{department} has no open tasks."),
    "tasks.header": ("<b>交办单（{filter}）</b>", "<b>Tasks ({filter})</b>"),
    "tasks.row": ("#{id} {title} · 截止 {due} · 办结 {done}/{total}{overdue}", "#{id} {title} · due {due} · done {done}/{total}{overdue}"),
    "tasks.overdue_mark": (" · ⚠️逾期 {count}", " · ⚠️overdue {count}"),
    "tasks.closed_mark": (" · 已关闭", " · closed"),
    "tasks.empty": ("没有符合条件的交办单。", "No tasks match."),
    "filter.open": ("进行中", "open"),
    "filter.overdue": ("有逾期", "overdue"),
    "filter.done": ("已办结", "done"),
    "filter.all": ("全部", "all"),
    "task.detail_header": ("📋 <b>交办单 #{id}</b> {title}\n截止：{due} · 创建：{created}{closed}", "📋 <b>Task #{id}</b> {title}\nDue: {due} · created: {created}{closed}"),
    "task.detail_row": ("• {department}（{role}）：{status}{due}", "• {department} ({role}): {status}{due}"),
    "task.detail_due": ("，延至 {due}", ", extended to {due}"),
    "task.detail_extension": ("，申请延期至 {until}", ", asks until {until}"),
    "task.detail_unnotified": ("，⚠️无联络员未通知", ", ⚠️no liaison, not notified"),
    "task.detail_progress": ("    └ {at} {text}", "    └ {at} {text}"),
    "task.detail_files": ("附件 {count} 个，点击下方按钮获取。", "{count} attachments: tap a button below to get one."),
    "task.file_missing": ("找不到该附件。", "That attachment is not available."),
    # reminders and escalation
    "escalate.row": ("• {department}（{role}，逾期 {days} 天，{status}）", "• {department} ({role}, {days} days overdue, {status})"),
    "calendar.uncovered": ("ℹ️ 节假日日历尚未收录 {year} 年的放假安排，提醒暂按“周一至周五上班”计算。", "ℹ️ The holiday calendar does not know {year} yet; reminders treat Monday–Friday as working days."),
    # quarterly reporting
    "cmd.report": ("提交季度报送", "submit the quarterly report"),
    "cmd.cycle": ("本季度报送情况", "this quarter's reporting"),
    "usage.report": ("用法：/report [报送内容]，不带内容则按提示分条发送；/report 重写 从空白开始新的一版", "Usage: /report [TEXT]; without text, send it in the next messages; /report new starts the next version empty"),
    "usage.cycle": ("用法：/cycle，或 /cycle 指标 产值 亿元, 引进项目 个, 增长 %", "Usage: /cycle, or /cycle indicators 产值 亿元, 引进项目 个, 增长 %"),
    "cycle.none": ("当前没有开放的报送周期（每季度初自动开启）。", "No reporting cycle is open (one opens at the start of each quarter)."),
    "cycle.remind": ("⏰ {label}报送将于 {due} 截止（还有 {days} 天），请发送 /report 报送本部门进展。", "⏰ The {label} report is due {due} ({days} days left); send /report to submit."),
    "cycle.remind_today": ("⏰ {label}报送今天 {due} 截止，请尽快发送 /report 报送。", "⏰ The {label} report is due today, {due}; send /report to submit."),
    "cycle.escalation": ("🚨 <b>{label}报送</b>已于 {due} 截止，已报送 {submitted}/{total}，以下部门尚未报送：{names}", "🚨 <b>{label} reports</b> were due {due}; {submitted}/{total} submitted. Missing: {names}"),
    "cycle.status": ("<b>{label}报送</b>\n截止：{due}\n已报送：{submitted}/{total}", "<b>{label} reporting</b>\nDue: {due}\nSubmitted: {submitted}/{total}"),
    "cycle.missing": ("未报送：{names}", "Missing: {names}"),
    "cycle.late": ("逾期报送：{names}", "Late: {names}"),
    "cycle.all_in": ("全部部门均已报送。", "Every department has reported."),
    "cycle.expected": ("要求指标：{items}", "Expected indicators: {items}"),
    "cycle.indicators_set": ("已设置{label}的要求指标：{items}", "Expected indicators for {label}: {items}"),
    "report.begin": ("请发送{label}进展：文字、照片或文件均可，可分多条发送；发完后点“确认提交”。", "Send your {label} progress: text, photos or files, in as many messages as you like; then tap “Submit”."),
    "report.draft": ("📝 <b>{label}报送（待确认，第 {version} 版）</b>\n截止：{due}", "📝 <b>{label} report (draft, version {version})</b>\nDue: {due}"),
    "report.draft_late": ("⚠️ 已过截止时间，提交后将标记为逾期。", "⚠️ The deadline has passed; this will be marked late."),
    "report.captured": ("已识别指标：", "Indicators captured:"),
    "report.indicator": ("• {name}：{value}{raw}", "• {name}: {value}{raw}"),
    "report.raw": ("（原文：{raw}）", " (as written: {raw})"),
    "report.no_indicators": ("未识别到指标（格式如“产值：49.6亿元”）。", "No indicators found (write them like “产值：49.6亿元”)."),
    "report.text_lines": ("其他内容 {count} 行，附件 {files} 个。", "{count} other lines, {files} attachments."),
    "report.missing": ("办公室要求但尚未填写的指标：{items}。可继续发送补充。", "Expected but missing: {items}. You can send them now."),
    "report.confirm_hint": ("确认无误请点“确认提交”；也可继续发送补充内容。", "Tap “Submit” when it is right, or keep sending."),
    "btn.submit": ("✅ 确认提交", "✅ Submit"),
    "btn.discard": ("✖ 放弃", "✖ Discard"),
    "report.submitted": ("✅ 已提交{label}报送（第 {version} 版{late}），识别指标 {count} 项，附件 {files} 个。", "✅ {label} report submitted (version {version}{late}): {count} indicators, {files} attachments."),
    "report.late_mark": ("，逾期", ", late"),
    "report.superseded": ("此前提交的版本已保留。", "Your earlier version is kept."),
    "report.discarded": ("已放弃本次草稿。", "Draft discarded."),
    "report.draft_gone": ("该草稿已提交或已放弃。", "That draft was already submitted or discarded."),
    "report.empty": ("草稿是空的，请先发送报送内容。", "The draft is empty; send your report first."),
    "report.too_long": ("报送内容太长（超过 {limit} 字），请精简或以文件形式发送。", "The report is too long (over {limit} characters); shorten it or send a file."),
    # figures directors read (issue 11, part 1): versions from the latest one, repeated and changed
    # indicators in the preview, totals and rate ranges in /cycle and the digests
    "report.begin_copy": ("已在第 {version} 版的基础上开始新的一版：只需发送要修改或补充的内容，同名指标会替换原来的数字，其余内容保留；发完后点“确认提交”。要从空白重写，请发送 /report 重写。", "The next version starts as a copy of version {version}: send only what changes or is new (an indicator replaces the one of the same name; the rest is kept), then tap “Submit”. To start from an empty draft, send /report new."),
    "report.indicator_new": ("• {name}：{value}（新增）{raw}", "• {name}: {value} (new){raw}"),
    "report.indicator_changed": ("• {name}：{before} → {after}{raw}", "• {name}: {before} → {after}{raw}"),
    "report.indicators_dropped": ("上一版有、本版没有的指标：{items}", "In the previous version but not in this one: {items}"),
    "report.repeated": ("⚠️ {name} 出现 {count} 次，按最后一次计", "⚠️ {name} is given {count} times; the last one counts"),
    "report.copied_from": ("（在第 {version} 版基础上修改）", "(changes to version {version})"),
    "summary.header": ("<b>指标汇总</b>", "<b>Indicators</b>"),
    "summary.total_row": ("• {name}：{value}（{count}个部门合计）", "• {name}: {value} (total of {count} departments)"),
    "summary.one_row": ("• {name}：{value}（{department}）", "• {name}: {value} ({department})"),
    "summary.range_row": ("• {name}：{low}–{high}（{count}个部门，不合计：{items}）", "• {name}: {low}–{high} ({count} departments, not added up: {items})"),
    "summary.item": ("{department} {value}", "{department} {value}"),
    # tasks: the step-by-step /assign dialogue (handlers/assign_dialog.py)
    "assign_dialog.pick": (
        "<b>下发交办单</b>（第 1/6 步）\n请选择承办的工作专班和部门（可多选，点按选中或取消；工作专班在前，部门在后），选好后点“下一步”。随时发送 /cancel 可取消。",
        "<b>New task</b> (step 1 of 6)\nChoose the working groups and departments it goes to (tap to select or unselect; groups first, then departments), then press “Next”. Send /cancel at any time to stop.",
    ),
    "assign_dialog.picked": ("已选：{names}（共 {count} 个部门）", "Chosen: {names} ({count} departments)"),
    "assign_dialog.picked_none": ("尚未选择。", "Nothing chosen yet."),
    "assign_dialog.page": ("第 {page}/{pages} 页", "Page {page} of {pages}"),
    "assign_dialog.pick_first": ("请先选择至少一个工作专班或部门。", "Please choose at least one working group or department first."),
    "assign_dialog.no_org": (
        "尚未导入任何部门或工作专班，无法选择承办单位。请先运行 python -m bot org import 文件。",
        "There are no departments or working groups to choose from yet. Run python -m bot org import FILE first.",
    ),
    "assign_dialog.ask_due": (
        "第 2/6 步：请发送截止时间，例如 12月31日、2026-12-31、下周五、月底、3个工作日内，可加时间如 12月31日 17:00（只写日期即当天 18:00）。",
        "Step 2 of 6: send the due time, e.g. 2026-12-31, 12-31, 下周五 (next Friday), 3个工作日内 (3 working days), optionally with a time such as 2026-12-31 17:00 (a date alone means 18:00).",
    ),
    "assign_dialog.ask_title": ("第 3/6 步：请发送交办单标题（{limit} 字以内）。", "Step 3 of 6: send the task's title (at most {limit} characters)."),
    "assign_dialog.ask_details": (
        "第 4/6 步：请发送说明（{limit} 字以内）；没有说明请发送 /skip。",
        "Step 4 of 6: send the details (at most {limit} characters), or /skip for none.",
    ),
    "assign_dialog.ask_attachment": (
        "第 5/6 步：如需附件，请发送一张照片或一个文件；不需要请发送 /skip。",
        "Step 5 of 6: send a photo or a file to attach, or /skip for none.",
    ),
    "assign_dialog.summary": (
        "<b>第 6/6 步：请核对交办单</b>\n承办：{targets}（共 {count} 个部门）\n截止：{due}\n标题：{title}\n说明：{details}\n附件：{attachment}\n核对无误请点“确认下发”。",
        "<b>Step 6 of 6: check the task</b>\nTo: {targets} ({count} departments)\nDue: {due}\nTitle: {title}\nDetails: {details}\nAttachment: {attachment}\nPress “Confirm” to send it.",
    ),
    "assign_dialog.none": ("无", "none"),
    "assign_dialog.photo_name": ("照片", "photo"),
    "assign_dialog.use_buttons": ("请点按上面消息中的按钮，或发送 /cancel 取消。", "Please use the buttons in the message above, or send /cancel to stop."),
    "assign_dialog.cancelled": ("已取消，未创建交办单。", "Cancelled; no task was created."),
    "assign_dialog.timeout": (
        "下发交办单的对话已 {minutes} 分钟无操作，草稿已丢弃，未创建交办单。发送 /assign 可重新开始。",
        "The new-task dialogue was idle for {minutes} minutes: the draft is dropped and no task was created. Send /assign to start again.",
    ),
    "assign_dialog.btn_next": ("下一步 ▶", "Next ▶"),
    "assign_dialog.btn_cancel": ("✖ 取消", "✖ Cancel"),
    "assign_dialog.btn_confirm": ("✅ 确认下发", "✅ Confirm"),
    "assign_dialog.btn_prev_page": ("« 上一页", "« Previous page"),
    "assign_dialog.btn_next_page": ("下一页 »", "Next page »"),
    # directors' digests
    "cmd.digest": ("领导小组工作简报", "the directors' digest"),
    "cmd.overdue": ("逾期事项", "what is overdue"),
    "cmd.status": ("某部门情况", "one department's standing"),
    "cmd.export": ("导出 Excel 工作簿", "export an .xlsx workbook"),
    "usage.digest": ("用法：/digest [周|月|季度|年] 查看本期至今；/digest 上周|上月|上季度|去年 查看已结束的一期", "Usage: /digest [week|month|quarter|year] (the period so far), or /digest last week (last month, last quarter, last year) for the one just ended"),
    "usage.overdue": ("用法：/overdue", "Usage: /overdue"),
    "usage.status": ("用法：/status 部门名称", "Usage: /status DEPARTMENT"),
    "usage.export": ("用法：/export [任务|报告]", "Usage: /export [tasks|reports]"),
    "digest.kind.week": ("周调度", "Weekly dispatch"),
    "digest.kind.month": ("月度分析", "Monthly analysis"),
    "digest.kind.quarter": ("季度通报", "Quarterly bulletin"),
    "digest.kind.year": ("年度综述", "Annual review"),
    "digest.title": ("📊 <b>{title}</b> {label}", "📊 <b>{title}</b> {label}"),
    "digest.generated": ("生成于 {at}", "Generated {at}"),
    "digest.reporting": ("<b>{label}报送</b>：已报送 {submitted}/{total}（截止 {due}）", "<b>Reports {label}</b>: {submitted}/{total} submitted (due {due})"),
    "digest.no_cycle": ("<b>季度报送</b>：暂无报送周期。", "<b>Reports</b>: no reporting cycle yet."),
    "digest.missing": ("未报送（{count}）：{names}", "Not submitted ({count}): {names}"),
    "digest.late": ("逾期报送（{count}）：{names}", "Submitted late ({count}): {names}"),
    "digest.tasks": ("<b>交办单</b>：本期新增 {opened}，办结 {finished}，当前逾期 {overdue} 项", "<b>Tasks</b>: {opened} opened, {finished} finished this period; {overdue} overdue now"),
    "digest.overdue_row": ("• #{id} {title} — {department}（{role}）逾期 {days} 天", "• #{id} {title} — {department} ({role}) {days} days overdue"),
    "digest.groups": ("<b>工作专班</b>", "<b>Working groups</b>"),
    "digest.group_row": ("• {name}（牵头：{leads}）：已报送 {reported}/{size}，逾期 {overdue}", "• {name} (lead: {leads}): {reported}/{size} reported, {overdue} overdue"),
    "digest.progress": ("<b>各部门最新进展</b>", "<b>Latest from each department</b>"),
    "digest.dept_row": ("• {department}：{report}｜办结 {done}/{all}{overdue}｜{latest}", "• {department}: {report} | done {done}/{all}{overdue} | {latest}"),
    "digest.reported": ("已报送", "reported"),
    "digest.reported_late": ("逾期报送", "reported late"),
    "digest.not_reported": ("未报送", "not reported"),
    "digest.dept_overdue": ("，逾期 {count}", ", {count} overdue"),
    "digest.no_progress": ("暂无进展", "no progress yet"),
    "digest.totals": ("<b>指标合计</b>", "<b>Indicator totals</b>"),
    "digest.figures": ("<b>各部门指标</b>", "<b>Indicators by department</b>"),
    "digest.figure_row": ("• {department}：{items}", "• {department}: {items}"),
    "digest.no_figures": ("暂无指标数据。", "No indicator figures yet."),
    "digest.changes": ("<b>与上期相比</b>", "<b>Since the last digest</b>"),
    "digest.change.submitted": ("• 已报送部门：{before} → {after}", "• Departments reported: {before} → {after}"),
    "digest.change.overdue": ("• 逾期事项：{before} → {after}", "• Overdue items: {before} → {after}"),
    "digest.change.tasks_finished": ("• 本期办结交办单：{before} → {after}", "• Tasks finished in the period: {before} → {after}"),
    "digest.change.total": ("• {name}合计：{before} → {after}", "• {name} total: {before} → {after}"),
    "digest.no_changes": ("• 无变化", "• No change"),
    "digest.narrative": ("<b>摘要</b> <i>{mark}</i>\n{text}", "<b>Summary</b> <i>{mark}</i>\n{text}"),
    "digest.chart_caption": ("{title} {label}：各工作专班报送与办理情况（每个部门只计一次）", "{title} {label}: reporting and tasks by working group (each department once)"),
    "digest.export_caption": ("{label}工作簿", "{label} workbook"),
    # what directors read, short and in Chinese (issue 11, part 2): the digest's first message,
    # overdue days, attachments by kind (bot/views/digest.py; names of periods: period_name below)
    "digest.so_far": ("截至 {at}（本期尚未结束）", "As of {at} (the period is not over yet)"),
    "digest.names_more": ("{names}等{count}个", "{names} ({count} in all)"),
    "digest.top_overdue": ("<b>逾期最久</b>：", "<b>Longest overdue</b>:"),
    "digest.overdue_line": ("• #{id} {title} — {department}（{role}）{overdue}", "• #{id} {title} — {department} ({role}) {overdue}"),
    "digest.more_overdue": ("另有 {count} 项逾期，详见后续消息。", "{count} more overdue: see the messages below."),
    "digest.details_follow": ("各专班、各部门和指标详情见后续消息，完整数据见工作簿（/export）。",
                              "Working groups, departments and figures follow; everything is in the workbook (/export)."),
    "digest.overdue_all": ("<b>全部逾期事项（{count}）</b>", "<b>Everything overdue ({count})</b>"),
    "digest.unlisted": ("……另有 {count} 项未列出，完整清单请发送 /overdue，或 /export 导出工作簿。",
                        "… {count} more not listed: /overdue lists them all, /export puts them in a workbook."),
    "digest.details_title": ("📊 <b>{title}</b> {label}（续）", "📊 <b>{title}</b> {label} (continued)"),
    "overdue.days": ("逾期 {days} 天", "{days} days overdue"),
    "overdue.today": ("已逾期（不足1天）", "overdue (less than a day)"),
    "digest.file_photo": ("［照片］", "[photo]"),
    "digest.file_named": ("［文件 {name}］", "[file {name}]"),
    "overdue.header": ("<b>当前逾期事项（{count}）</b>", "<b>Overdue now ({count})</b>"),
    "overdue.none": ("当前没有逾期事项。", "Nothing is overdue."),
    "status.header": ("<b>{department}</b>\n联络员：{liaison}\n季度报送：{report}\n交办单：办理中 {open}，已办结 {done}，逾期 {overdue}\n最新进展：{latest}", "<b>{department}</b>\nLiaison: {liaison}\nReport: {report}\nTasks: {open} open, {done} done, {overdue} overdue\nLatest: {latest}"),
    "status.no_liaison": ("尚无联络员", "none"),
    # inbox and unknowns
    "inbox.kept": (
        "已收到并存档，办公室可以看到这条消息。目前没有需要报送的交办单或季度报送；发送 /help 查看可用命令。",
        "Received and kept; the office can see it. There is no open task or report to file it under; send /help for your commands.",
    ),
    "inbox.kept_again": ("这条消息此前已收到并存档。", "This message was already received and kept."),
    # plain messages: one-tap filing, and the office's /inbox (bot/views/inbox.py, handlers/filing.py)
    "cmd.inbox": ("收件箱：联络员发来但未归档的消息", "inbox: what liaisons sent that was only kept"),
    "usage.inbox": ("用法：/inbox [页码]，例如 /inbox 2", "Usage: /inbox [PAGE], e.g. /inbox 2"),
    "inbox.choose": ("已收到并存档，办公室可以看到。这条消息记到哪一项？点一下即可：", "Received and kept; the office can see it. Which work is this about? One tap files it:"),
    "inbox.btn_task": ("#{id} {title}", "#{id} {title}"),
    "inbox.btn_report": ("📝 本季度报送", "📝 This quarter's report"),
    "inbox.btn_keep": ("仅存档", "Just keep it"),
    "inbox.filed_task": ("✅ 已记入交办单 #{id} 的进展（{department}）。", "✅ Filed as progress on task #{id} ({department})."),
    "inbox.filed_report": ("✅ 已加入本季度报送草稿。", "✅ Added to this quarter's report draft."),
    "inbox.filed_kept": ("已存档，办公室可以在收件箱中看到这条消息。", "Kept; the office can see it in its inbox."),
    "inbox.already_filed": ("这条消息已经归档过了。", "This message has already been filed."),
    "inbox.not_yours": ("这不是您发送的消息，只有发送人可以归档。", "That is not your message; only its sender can file it."),
    "inbox.no_department": ("发送人目前不是部门联络员，无法归入交办单。", "The sender is not a department's liaison now, so it cannot be filed under a task."),
    "inbox.no_page": ("没有第 {page} 页（共 {pages} 页）。", "There is no page {page} (there are {pages})."),
    "inbox.empty": ("收件箱是空的：联络员发来的消息都已归档。", "The inbox is empty: everything liaisons sent has been filed."),
    "inbox.header": ("📥 <b>收件箱：未归档的消息</b>（共 {total} 条，第 {page}/{pages} 页，最新的在前）", "📥 <b>Inbox: messages only kept</b> ({total}, page {page}/{pages}, newest first)"),
    "inbox.item": ("<b>{n}.</b> {sender} · {department} · {at}", "<b>{n}.</b> {sender} · {department} · {at}"),
    "inbox.no_dept": ("无部门", "no department"),
    "inbox.photo": ("［照片］", "[photo]"),
    "inbox.file": ("［文件 {name}］", "[file {name}]"),
    "inbox.unnamed": ("未命名", "unnamed"),
    "inbox.other": ("［其他消息］", "[other message]"),
    "inbox.text": ("{text}", "{text}"),
    "inbox.on_purpose": ("（发送人选择了仅存档）", "(the sender chose to just keep it)"),
    "inbox.cannot_file_no_dept": ("发送人不是联络员，无法归入交办单。", "The sender is not a liaison: it cannot be filed under a task."),
    "inbox.cannot_file_no_task": ("该部门没有进行中的交办单，暂无可归入之处。", "Their department has no open task to file it under."),
    "inbox.btn_file": ("{n} → #{id}", "{n} → #{id}"),
    "inbox.btn_open": ("{n} 📎 查看", "{n} 📎 open"),
    "inbox.btn_next": ("下一页 ▶", "Next ▶"),
    "inbox.btn_prev": ("◀ 上一页", "◀ Previous"),
    "inbox.page_note": ("第 {page}/{pages} 页", "Page {page}/{pages}"),
    "inbox.office_filed": ("✅ 已将 {sender} 的消息记入交办单 #{id} 的进展（{department}）。", "✅ Filed {sender}'s message as progress on task #{id} ({department})."),
    "unknown_command": ("未知命令 /{command}。发送 /help 查看可用命令。", "Unknown command /{command}. Send /help for your commands."),
    "group.private_only": ("请在与我的私聊中使用命令。", "Please use commands in a private chat with me."),
    # errors
    "access.denied_button": ("抱歉，该按钮仅限管理员使用。", "Sorry, that button is for admins only."),
    "access.denied": ("抱歉，/{command} 仅限{roles}使用。", "Sorry, /{command} is for {roles} only."),
    "dept.unknown": ("找不到部门“{name}”，请核对全称或常用简称。", "No department called “{name}”; check the full name or its usual short name."),
    "dept.ambiguous": ("“{name}”可能指：{candidates}。请写全称。", "“{name}” could be: {candidates}. Please give the full name."),
    # names typed by the office: "did you mean" (bot/rules/names.py, bot/usecases/names.py)
    "name.suggest": ("未找到“{name}”。您是不是要找：{suggestions}？", "“{name}” was not found. Did you mean: {suggestions}?"),
    "assign.unknown_suggest": ("未找到{names}。您是不是要找：{suggestions}？未创建任务。", "Not found: {names}. Did you mean: {suggestions}? Nothing was created."),
    "status.version": ("（第{version}版）", " (version {version})"),
    "error.start_first": ("请先发送 /start。", "Please send /start first."),
    "error.generic": ("操作未完成。", "That did not work."),
    # dates as typed (bot/rules/dates.py): the date understood, and a warning for a day off
    "due.understood": ("截止时间：{due}", "Due: {due}"),
    "due.day_off.holiday": ("⚠️ 注意：{day}是法定节假日，不是工作日。", "⚠️ Note: {day} is a public holiday, not a working day."),
    "due.day_off.weekend": ("⚠️ 注意：{day}是休息日（周末），不是工作日。", "⚠️ Note: {day} is a weekend day, not a working day."),
    "error.internal": ("抱歉，处理时出错，这条消息没有办理成功，请稍后重新发送。", "Sorry, something went wrong and this message was not processed; please send it again later."),
    # what directors can do (issue 11, part 3): read tasks, 批示 (/comment), 一键催办, departments
    # never notified (no liaison), admins told of registrations (bot/usecases/comments.py, nudges.py)
    "cmd.comment": ("对交办单作批示", "comment on a task"),
    "usage.comment": ("用法：/comment 任务号 [部门] 批示内容，例如 /comment 12 请加快进度，或 /comment 12 区财政局 请本周内报送",
                      "Usage: /comment N [DEPARTMENT] TEXT, e.g. /comment 12 speed it up, or /comment 12 区财政局 report this week"),
    "comment.notice": ("📌 主任批示（交办单 #{id} {title}）：{text}\n直接回复本消息即可报送进展。",
                       "📌 Director's comment (task #{id} {title}): {text}\nReply to this message to report progress."),
    "comment.sent": ("已记录对 #{id} 的批示，已送达 {count} 位联络员（{departments}）。",
                     "Comment on #{id} recorded and sent to {count} liaisons ({departments})."),
    "comment.no_liaison": ("{names}尚无联络员，批示未送达。", "{names}: no liaison, the comment did not reach them."),
    "comment.not_target": ("{department}不是 #{id} 号交办单的承办部门。承办部门：{targets}。",
                           "{department} is not assigned task #{id}. Its departments: {targets}."),
    "comment.too_long": ("批示太长，请控制在 {limit} 字以内。", "The comment is too long; keep it within {limit} characters."),
    "task.detail_comments": ("<b>批示</b>", "<b>Comments</b>"),
    "task.detail_comment": ("📌 {at} {author}{to}：{text}", "📌 {at} {author}{to}: {text}"),
    "task.comment_to": ("（致{department}）", " (to {department})"),
    "btn.nudge": ("🔔 一键催办", "🔔 Remind now"),
    "nudge.done": ("已催办 {count} 个部门", "Reminded {count} departments"),
    "nudge.rest_today": ("（其余今天已催办过）", " (the others were reminded earlier today)"),
    "nudge.no_liaison": ("；{names}无联络员，未催办", "; {names}: no liaison, not reminded"),
    "nudge.nothing": ("没有需要催办的部门。", "There is nobody to remind."),
    "nudge.task": ("🔔 <b>办公室催办</b>：交办单 #{id}「{title}」（截止 {due}，{status}），请抓紧办理并报送进展。直接回复本消息即可报送。",
                   "🔔 <b>Reminder from the office</b>: task #{id} “{title}” (due {due}, {status}); please get it done and report progress. Reply to this message to report."),
    "nudge.cycle": ("🔔 <b>办公室催办</b>：本期报送尚未提交（截止 {due}），请尽快发送 /report 报送。",
                    "🔔 <b>Reminder from the office</b>: your report is not in yet (due {due}); please send /report."),
    "unnotified": ("未通知（无联络员）", "not notified (no liaison)"),
    "status.unnotified": ("未通知（无联络员）", "not notified (no liaison)"),
    "overdue.unnotified": ("<b>未通知（无联络员）（{count}）</b>", "<b>Not notified, no liaison ({count})</b>"),
    "overdue.unnotified_row": ("• #{id} {title} — {department}（{role}）", "• #{id} {title} — {department} ({role})"),
    "tasks.unnotified_mark": (" · 未通知（无联络员）{count}", " · not notified (no liaison) {count}"),
    "escalate.unnotified": ("未通知（无联络员）：{names}", "Not notified (no liaison): {names}"),
    "register.admin_note": ("{department}：{name} 已登记为{kind}（已登记 {registered}/{total}）",
                            "{department}: {name} registered as {kind} ({registered}/{total} registered)"),
    "access.denied_button_directors": ("抱歉，该按钮仅限主任或管理员使用。", "Sorry, that button is for directors and admins only."),
    "cycle.indicators_admin_only": ("设置报送指标仅限管理员。", "Only admins can set the reporting indicators."),
    # the morning round: one message per person per day and kind (bot/views/reminders.py)
    "round.remind.header": ("⏰ <b>交办单提醒</b>（{departments}）", "⏰ <b>Task reminder</b> ({departments})"),
    "round.remind.soon": ("<b>即将截止</b>", "<b>Due soon</b>"),
    "round.remind.late": ("<b>已逾期</b>", "<b>Overdue</b>"),
    "round.row.soon": ("• #{id}「{title}」{due} 截止，还有 {days} 天", "• #{id} “{title}” due {due}, {days} days left"),
    "round.row.today": ("• #{id}「{title}」今天 {due} 截止", "• #{id} “{title}” due today, {due}"),
    "round.row.overdue": ("• #{id}「{title}」已逾期 {days} 天（截止 {due}）", "• #{id} “{title}” {days} days overdue (due {due})"),
    "round.row.ack": ("• #{id}「{title}」（截止 {due}）", "• #{id} “{title}” (due {due})"),
    "round.remind.one": ("请抓紧办理，直接回复本消息即可报送进展；需要延期请在通知下申请。",
                         "Please get it done; reply to this message to report progress, or ask for an extension under the notice."),
    "round.remind.many": ("报送进展：发送“/progress 编号 进展”，或直接发来文字、照片后点选对应交办单。",
                          "To report progress send “/progress NUMBER TEXT”, or send text or a photo and pick the task."),
    "round.ack.header": ("📬 以下 {count} 项交办单尚未确认收到（{departments}）：", "📬 {count} task notices not acknowledged yet ({departments}):"),
    "round.ack.footer": ("点下方“✅ 全部确认收到”一键确认，或在各通知下分别确认。",
                         "Press “✅ Acknowledge all” below, or acknowledge each under its notice."),
    "btn.ack_all": ("✅ 全部确认收到", "✅ Acknowledge all"),
    "ack.all_saved": ("✅ 已确认收到 {count} 项交办单。", "✅ {count} tasks acknowledged."),
    "ack.all_none": ("这些交办单都已确认过了。", "These tasks were all acknowledged already."),
    "round.escalate.header": ("🚨 <b>逾期通报</b> · {day}：{count} 项交办单有部门逾期未办结",
                              "🚨 <b>Overdue</b> · {day}: {count} tasks with departments not done"),
    "round.escalate.task": ("<b>#{id}「{title}」</b>（截止 {due}）", "<b>#{id} “{title}”</b> (due {due})"),
    "round.escalate.earlier": ("另有 {count} 项此前已通报、仍逾期，发送 /overdue 查看全部。",
                               "{count} more reported earlier are still overdue; send /overdue to see them all."),
    # offices (issue 13), cycles, reports, digests and export: the roll-up of the offices below,
    # `/report 汇总` (bot/rules/rollup.py, bot/views/reports.py, bot/views/digest.py)
    "rollup.header": ("<b>下级单位</b>", "<b>Offices below</b>"),
    "rollup.row": ("• {name} {state}{inside}", "• {name}: {state}{inside}"),
    "rollup.reported": ("✅ 已报送", "✅ reported"),
    "rollup.reported_late": ("✅ 已报送（逾期）", "✅ reported late"),
    "rollup.not_reported": ("⏳ 未报送", "⏳ not reported"),
    "rollup.inside": ("（区内 {submitted}/{total}）", " (within: {submitted}/{total})"),
    "rollup.title": ("{office}{label}报送汇总（区内已报送 {submitted}/{total}）",
                     "{office}, {label}: compiled report ({submitted}/{total} reported within)"),
    "rollup.group": ("【{name}】", "[{name}]"),
    "rollup.no_group": ("【其他部门】", "[Other departments]"),
    "rollup.department": ("{department}：", "{department}:"),
    "rollup.no_text": ("（仅附件，无文字）", "(files only, no text)"),
    "rollup.figures": ("指标：{items}", "Figures: {items}"),
    "rollup.totals": ("【指标合计】", "[Indicator totals]"),
    "rollup.total_line": ("{name}：{value}", "{name}: {value}"),
    "rollup.rate_one": ("{name}：{value}（{department}，不合计）", "{name}: {value} ({department}; not added up)"),
    "rollup.rate_range": ("{name}：{low}—{high}（{count}个部门，不合计）",
                          "{name}: {low} to {high} ({count} departments; not added up)"),
    "rollup.missing": ("尚未报送（{count}）：{names}", "Not reported yet ({count}): {names}"),
    "rollup.all_in": ("区内各部门均已报送。", "Every department within has reported."),
    "rollup.nothing": ("区内尚无部门报送。", "No department within has reported yet."),
    "report.compile_not_unit": ("抱歉，“汇总”仅供下级单位的联络员汇总本单位各部门的报送；请直接发送 /report 报送本部门进展。",
                                "Sorry, “compile” is for the liaison of an office below, to compile its departments' reports; send /report to report for your department."),
    "report.compiled": ("已根据{office}各部门的报送生成汇总草稿（已报送 {submitted}/{total}）。可继续发送要修改或补充的内容，同名指标会替换汇总数；确认无误后点“确认提交”。",
                        "A draft compiled from {office}'s departments' reports ({submitted}/{total} reported). Send what to change or add (an indicator replaces the total of the same name), then tap “Submit”."),
    "digest.office": ("（{office}）", " ({office})"),
    # tasks across offices: 转办 (a child office forwards its part in a parent office's task), and
    # what the parent sees of it (bot/usecases/tasks.py, handlers/assign_dialog.py)
    "forward.origin": ("↪️ {office}交办 #{id} 转办", "↪️ Forwarded from {office}'s task #{id}"),
    "forward.parent": ("上级", "the parent office"),
    "forward.cascade": ("📋 <b>{office}交办 #{id}</b>\n{title}\n承办：{unit}\n截止：{due}",
                        "📋 <b>Task #{id} from {office}</b>\n{title}\nTo: {unit}\nDue: {due}"),
    "forward.cascade_hint": ("本单位联络员已收到通知。如需交本级部门办理，请点“转办”。",
                             "Your office's liaison has the notice. To hand it on to your own departments, press “Forward”."),
    "btn.forward": ("↪️ 转办", "↪️ Forward"),
    "forward.header": ("↪️ <b>转办</b>：{office}交办 #{id}「{title}」（{unit}，截止 {due}）",
                       "↪️ <b>Forwarding</b> {office}'s task #{id} “{title}” ({unit}, due {due})"),
    "forward.ask_due": ("第 2/6 步：请发送截止时间，不得晚于上级期限 {due}；按上级期限请发送 /skip。",
                        "Step 2 of 6: send the due time, no later than the parent's {due}; /skip keeps that."),
    "forward.ask_title": ("第 3/6 步：请发送标题（{limit} 字以内）；沿用“{title}”请发送 /skip。",
                          "Step 3 of 6: send the title (at most {limit} characters); /skip keeps “{title}”."),
    "forward.ask_details": ("第 4/6 步：请发送说明（{limit} 字以内）；沿用上级说明请发送 /skip。",
                            "Step 4 of 6: send the details (at most {limit} characters); /skip keeps the parent's."),
    "forward.ask_attachment": ("第 5/6 步：如需另附照片或文件请发送；沿用上级附件请发送 /skip。",
                               "Step 5 of 6: send another photo or file, or /skip to keep the parent's."),
    "forward.too_late": ("截止时间不能晚于上级期限 {due}，请重新发送。",
                         "The due time cannot be later than the parent's, {due}. Please send another."),
    "forward.switch_office": ("这项交办单是{office}的，请先发送 /office {code} 切换后再转办。",
                              "This task is for {office}: send /office {code} to act there, then forward it."),
    "forward.office_changed": ("办理单位已切换，草稿作废，未创建交办单。请重新发送 /assign。",
                               "You switched offices: the draft is dropped and no task was created. Send /assign again."),
    "forward.created": ("已作为{office}交办 #{id} 的转办下发，上级可看到本级办理进度。",
                        "Sent as forwarded from {office}'s task #{id}; the parent office sees how far your departments are."),
    "forward.below": ("，下级办理 {done}/{total}", ", below: {done}/{total} done"),
    "forward.below_overdue": ("（逾期 {count}）", " ({count} overdue)"),
    "forward.escalate_office": ("（{office}）", " ({office})"),
    "cmd.forward": ("把上级交办单转给本级部门", "forward a parent office's task to your departments"),
    "forward.admins_only": ("抱歉，转办仅限本单位管理员使用。", "Sorry, only your office's admins can forward a task."),
    "usage.forward": ("用法：/forward 编号（上级交办单的编号，见其通知），把本单位承办的部分转给本级部门办理。",
                      "Usage: /forward N (the parent office's task number, as its notice says): hand your office's part on to your own departments."),
    # offices (issue 13), people-facing lists and input: /liaisons, /invite, /inbox, /broadcast,
    # /audit of the acting office (handlers/office.py)
    "audit.office": ("［{office}］", "[{office}] "),
}


def _merge(*parts: dict[str, tuple[str, str]]) -> None:
    for part in parts:
        clash = CATALOG.keys() & part.keys()
        if clash:
            raise RuntimeError(f"text keys defined twice: {sorted(clash)}")
        CATALOG.update(part)


_merge(_meetings.TEXTS, _papers.TEXTS, _targets.TEXTS, _monthly.TEXTS, _assessment.TEXTS, _calendar.TEXTS, _dashboard.TEXTS,
       _processes.TEXTS)

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


_WEEKDAY_NAMES = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
                  "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def fmt_day(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """A day with its weekday: `2026-12-31（周四）`, `2026-12-31 (Thu)`."""
    local = moment.astimezone(tz)
    if lang == "en":
        return f"{local:%Y-%m-%d} ({_WEEKDAY_NAMES['en'][local.weekday()]})"
    return f"{local:%Y-%m-%d}（{_WEEKDAY_NAMES['zh'][local.weekday()]}）"


def fmt_due(moment: datetime, tz: ZoneInfo, lang: str) -> str:
    """A due time as the bot echoes a typed date: `2026-12-31（周四）18:00`, `2026-12-31 (Thu) 18:00`."""
    local = moment.astimezone(tz)
    return f"{fmt_day(local, tz, lang)}{' ' if lang == 'en' else ''}{local:%H:%M}"


def day_off_warning(moment: datetime, tz: ZoneInfo, lang: str, day_off: str | None) -> str | None:
    """One line naming a due day that is not a working day (`day_off` from bot.rules.dates.day_off:
    "holiday" or "weekend"), or None on a working day."""
    if day_off is None:
        return None
    return t(lang, f"due.day_off.{day_off}", day=fmt_day(moment, tz, lang))


def role_names(lang: str, roles: Any) -> str:
    sep = "、" if lang != "en" else ", "
    return sep.join(t(lang, f"role.{r}") for r in roles)


# ------------------------------------------------- names of periods and cycles (issue 11, part 2)
# Periods and cycles are stored as codes (`2026-Q4` in reporting_cycles.label and digest_runs.label,
# `2026-W48`, `2026-11`, `2026`); readers see names. This is the one place a code becomes a name.

_CN_QUARTERS = ("一", "二", "三", "四")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def _md(day: date, lang: str) -> str:
    return f"{day.month}月{day.day}日" if lang != "en" else f"{_EN_MONTHS[day.month - 1][:3]} {day.day}"


def period_name(label: str, lang: str) -> str:
    """A stored period or cycle code as its reader's name:
    `2026-Q4` → 2026年第四季度 / Q4 2026; `2026-W48` → 2026年第48周（11月23日—11月29日） /
    week 48 of 2026 (Nov 23 – Nov 29); `2026-11` → 2026年11月 / November 2026; `2026` → 2026年 / 2026.
    Any other text is returned as it is."""
    en = lang == "en"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        year, q = int(m[1]), int(m[2])
        return f"Q{q} {year}" if en else f"{year}年第{_CN_QUARTERS[q - 1]}季度"
    if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", label):
        year, week = int(m[1]), int(m[2])
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            return label
        sunday = monday + timedelta(days=6)
        if en:
            return f"week {week} of {year} ({_md(monday, lang)} – {_md(sunday, lang)})"
        return f"{year}年第{week}周（{_md(monday, lang)}—{_md(sunday, lang)}）"
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", label):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            return label
        return f"{_EN_MONTHS[month - 1]} {year}" if en else f"{year}年{month}月"
    if re.fullmatch(r"\d{4}", label):
        return label if en else f"{label}年"
    return label


cycle_name = period_name  # a reporting cycle's label is a period code too (`2026-Q4`, `2026-11`)


def overdue_days(lang: str, days: int) -> str:
    """`逾期 3 天`; on the day it fell due, `已逾期（不足1天）` rather than `逾期 0 天`."""
    return t(lang, "overdue.days", days=days) if days >= 1 else t(lang, "overdue.today")
