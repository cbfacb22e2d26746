"""How plain messages are answered and filed, and how the office's /inbox reads."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback, decode
from bot.texts import fmt_time, t
from bot.views.tasks import Keyboard, button

BUTTON_TITLE = 18  # characters of a task's title on a button (a phone shows about this many)
ITEM_TEXT = 60  # characters of a kept message's text in /inbox
SENDER = 40  # characters of a sender's name in /inbox
NAME = 40  # characters of a department's or a file's name in /inbox (a full page stays one message)
FILE_BUTTONS_PER_ROW = 4


def shorten(text: str, limit: int) -> str:
    """One line, at most `limit` characters, with … when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def offer(view, lang: str) -> tuple[str, Keyboard]:  # type: ignore[no-untyped-def]
    """The answer to a liaison's plain message while their department has open work: one button
    per open task (newest first), one for the quarterly report, and 仅存档."""
    rows = [[button(t(lang, "inbox.btn_task", id=task.task_id, title=shorten(task.title, BUTTON_TITLE)),
                    Callback("i", "t", view.inbound_id, task.target_id))] for task in view.tasks]
    if view.report is not None:
        rows.append([button(t(lang, "inbox.btn_report"), Callback("i", "r", view.inbound_id))])
    rows.append([button(t(lang, "inbox.btn_keep"), Callback("i", "k", view.inbound_id))])
    return t(lang, "inbox.choose"), {"inline_keyboard": rows}


def filed(result, lang: str) -> str:  # type: ignore[no-untyped-def]
    """Where a press filed the message (edited into the message that carried the buttons)."""
    if result.as_ == "task":
        return t(lang, "inbox.filed_task", id=result.task_id, department=result.department)
    if result.as_ == "report":
        return t(lang, "inbox.filed_report")
    return t(lang, "inbox.filed_kept")


def office_filed(result, lang: str) -> str:  # type: ignore[no-untyped-def]
    """What the admin's /inbox message says once they filed one of its messages."""
    return t(lang, "inbox.office_filed", sender=shorten(result.sender or "", SENDER), id=result.task_id,
             department=result.department)


def _content(item, lang: str) -> str:  # type: ignore[no-untyped-def]
    parts = []
    if item.kind == "photo":
        parts.append(t(lang, "inbox.photo"))
    elif item.kind == "document":
        parts.append(t(lang, "inbox.file", name=shorten(item.file_name, NAME) if item.file_name else t(lang, "inbox.unnamed")))
    elif item.kind != "text":
        parts.append(t(lang, "inbox.other"))
    if item.text:
        parts.append(t(lang, "inbox.text", text=shorten(item.text, ITEM_TEXT)))
    return " ".join(parts) or t(lang, "inbox.other")


def page(view, lang: str, tz: ZoneInfo) -> tuple[str, Keyboard | None]:  # type: ignore[no-untyped-def]
    """/inbox: what was only kept, newest first, each message with buttons to file it under one of
    its sender's department's open tasks."""
    if not view.items:
        return t(lang, "inbox.empty"), None
    lines = [t(lang, "inbox.header", total=view.total, page=view.page, pages=view.pages)]
    rows: list[list[dict[str, str]]] = []
    for n, item in enumerate(view.items, start=1):
        lines.append("")
        lines.append(t(lang, "inbox.item", n=n, sender=shorten(item.sender, SENDER),
                       department=shorten(item.department, NAME) if item.department else t(lang, "inbox.no_dept"),
                       at=fmt_time(item.at, tz)))
        lines.append(_content(item, lang))
        if item.on_purpose:
            lines.append(t(lang, "inbox.on_purpose"))
        if item.department is None:
            lines.append(t(lang, "inbox.cannot_file_no_dept"))
        elif not item.tasks:
            lines.append(t(lang, "inbox.cannot_file_no_task"))
        buttons = [button(t(lang, "inbox.btn_file", n=n, id=task.task_id),
                          Callback("ib", "t", item.inbound_id, task.target_id)) for task in item.tasks]
        if item.kind in ("photo", "document"):  # the office can open what was sent
            buttons.insert(0, button(t(lang, "inbox.btn_open", n=n), Callback("f", "i", item.inbound_id)))
        rows += [buttons[i:i + FILE_BUTTONS_PER_ROW] for i in range(0, len(buttons), FILE_BUTTONS_PER_ROW)]
    paging = []
    if view.page > 1:
        paging.append(button(t(lang, "inbox.btn_prev"), Callback("ib", "n", view.page - 1)))
    if view.page < view.pages:
        paging.append(button(t(lang, "inbox.btn_next"), Callback("ib", "n", view.page + 1)))
    if paging:
        rows.append(paging)
    return "\n".join(lines), ({"inline_keyboard": rows} if rows else None)


def without_message(keyboard: Keyboard | None, inbound_id: int) -> Keyboard | None:
    """The /inbox keyboard once a message is filed: its buttons gone, the others (and paging) kept."""
    rows = []
    for row in (keyboard or {}).get("inline_keyboard", []):
        kept = [b for b in row if not _files(b, inbound_id)]
        if kept:
            rows.append(kept)
    return {"inline_keyboard": rows} if rows else None


def _files(b: dict[str, str], inbound_id: int) -> bool:
    cb = decode(b.get("callback_data"))
    return cb is not None and cb.kind == "ib" and cb.action == "t" and cb.ref == inbound_id
