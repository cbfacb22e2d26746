"""Texts of the directors' dashboard (issue 16): `/dashboard` and the menu button."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "cmd.dashboard": ("打开工作看板", "open the dashboard"),
    "dashboard.open": ("📊 工作看板：本期报送、逾期事项、议定事项和指标完成情况，点下方按钮打开。",
                       "📊 The dashboard: this cycle's reports, overdue tasks, agreed items and targets. Tap the button below."),
    "dashboard.button": ("打开看板", "Open dashboard"),
    "dashboard.menu": ("看板", "Dashboard"),
    "dashboard.off": ("看板尚未开通，请联系系统管理员开通（需配置看板的网址）。现在可用 /digest 查看汇总。",
                      "The dashboard is not set up: an admin sets DASHBOARD_URL (its HTTPS address) and restarts the bot. "
                      "Meanwhile /digest gives the summary."),
}
