"""Texts of monthly cycles (月报, issue 15): the month's request to liaisons, and choosing between
a quarter's and a month's cycle when both are open."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "monthly.request": (
        "📊 请报送<b>{month}</b>的月度数据：{items}。\n截止：{due}\n直接回复本消息即可填报（也可发送 /report 月报），发完后点“确认提交”。",
        "📊 Please send the monthly figures for <b>{month}</b>: {items}.\nDue: {due}\nReply to this message "
        "(or send /report monthly), then tap “Submit”."),
    "monthly.no_items": ("本月主要指标", "this month's main figures"),
    "report.choose": (
        "现在有{count}个报送正在进行，这次报送的是哪一个？",
        "{count} reporting rounds are open. Which one is this for?"),
    "report.choose_button": ("{label}报送", "{label} report"),
    "report.no_monthly": ("当前没有开放的月报。", "No monthly reporting round is open."),
    "btn.nudge_cycle": ("🔔 一键催办（{label}）", "🔔 Remind now ({label})"),
}
