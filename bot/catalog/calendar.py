"""Texts of calendar (issue 15): `/calendar [YYYY-MM]`."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "cmd.calendar": ("查看某月工作日、节假日和调休", "a month's working days, holidays and make-up days"),
    "usage.calendar": ("用法：/calendar [年月]，例如 /calendar 2027年2月 或 /calendar 2月；不带参数查看本月",
                       "Usage: /calendar [YYYY-MM], e.g. /calendar 2027-02 or /calendar 2027年2月; without it, this month"),
    "calendar.header": ("{year}年{month}月：工作日 {count} 天", "{month}/{year}: {count} working days"),
    "calendar.off": ("休：{days}", "Days off: {days}"),
    "calendar.worked": ("班：{days}", "Make-up working days: {days}"),
    "calendar.plain": ("本月无节假日和调休，周一至周五上班。", "No holidays or make-up working days: Monday to Friday."),
    "calendar.day": ("{month}月{day}日（{weekday}）", "{month}/{day} ({weekday})"),
    "calendar.weekdays": ("周一 周二 周三 周四 周五 周六 周日", "Mon Tue Wed Thu Fri Sat Sun"),
    "calendar.from_org": ("※ 为组织架构文件（本单位或上级）设定的日期，其余来自国家节假日日历。",
                          "※ set in an org file (this office's or the one above it); the other days come from the holiday library."),
    "calendar.month_uncovered": ("ℹ️ 节假日日历尚未收录 {year} 年的放假安排，组织架构文件也未设定，本月暂按“周一至周五上班”计算。",
                                 "ℹ️ Neither the holiday library nor the org file has {year}'s schedule: this month counts Monday to Friday as working days."),
}
