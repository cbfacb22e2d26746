"""Lists and details of tasks for the office (/tasks, /task N) and for a department (/mytasks)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.rules.callbacks import Callback
from bot.texts import fmt_due, fmt_time, t
from bot.views.tasks import (Keyboard, OverdueList, TargetView, TaskDetail, TaskSummary, button, due_text, file_label,
                             origin_line, role_name, status_name)

PROGRESS_PREVIEW = 80
COMMENTS_SHOWN = 5  # the latest comments (批示) in /task N; all are kept in the task's history


def summary_list(rows: Sequence[TaskSummary], which: str, lang: str, tz: ZoneInfo) -> str:
    if not rows:
        return t(lang, "tasks.empty")
    lines = [t(lang, "tasks.header", filter=t(lang, f"filter.{which}"))]
    for r in rows:
        mark = t(lang, "tasks.overdue_mark", count=r.overdue) if r.overdue else ""
        if r.unnotified and not r.closed:
            mark += t(lang, "tasks.unnotified_mark", count=r.unnotified)
        if r.closed:
            mark += t(lang, "tasks.closed_mark")
        lines.append(t(lang, "tasks.row", id=r.task_id, title=r.title, due=due_text(r.due, tz, lang, r.standing), done=r.done,
                       total=r.total, overdue=mark))
    return "\n".join(lines)


def _preview(text: str | None, kind: str, file_name: str | None, lang: str) -> str:
    body = (text or "").replace("\n", " ").strip()
    if len(body) > PROGRESS_PREVIEW:
        body = body[: PROGRESS_PREVIEW - 1] + "…"
    if kind != "text":
        body = f"📎{file_label(lang, file_name or kind)} {body}".strip()
    return body


def nudge_button(lang: str, cb: Callback) -> dict[str, str]:
    """一键催办 (directors and admins): remind now the departments still missing or overdue."""
    return button(t(lang, "btn.nudge"), cb)


def detail_view(detail: TaskDetail, lang: str, tz: ZoneInfo, *, nudge: bool = False) -> tuple[str, Keyboard | None]:
    closed = f" · {t(lang, 'status.closed')}" if detail.closed else ""
    lines = [t(lang, "task.detail_header", id=detail.task_id, title=detail.title,
               due=due_text(detail.due, tz, lang, detail.standing),
               created=fmt_time(detail.created, tz), closed=closed)]
    if detail.origin is not None:
        lines.append(origin_line(detail.origin, lang))
    if detail.details:
        lines.append(t(lang, "task.details", details=detail.details))
    latest = {}
    for entry in detail.progress:
        latest[entry.department] = entry
    for view, notified, own_due in detail.targets:
        extra = t(lang, "task.detail_due", due=fmt_due(own_due, tz, lang)) if own_due else ""
        if view.extension_until:
            extra += t(lang, "task.detail_extension", until=fmt_due(view.extension_until, tz, lang))
        if not notified and view.status != "unnotified" and view.status != "done":
            extra += t(lang, "task.detail_unnotified")  # e.g. a closed task's part that never reached anyone
        below = detail.below.get(view.target_id)
        if below is not None:  # a child office's part that it forwarded to its own departments
            extra += t(lang, "forward.below", done=below.done, total=below.total)
            if below.overdue:
                extra += t(lang, "forward.below_overdue", count=below.overdue)
        lines.append(t(lang, "task.detail_row", department=view.department, role=role_name(lang, view.is_lead),
                       status=status_name(lang, view.status), due=extra))
        last = latest.get(view.department)
        if last is not None:
            lines.append(t(lang, "task.detail_progress", at=fmt_time(last.at, tz),
                           text=_preview(last.text, last.kind, last.file_name, lang)))
    if detail.comments:
        lines.append(t(lang, "task.detail_comments"))
        for c in detail.comments[-COMMENTS_SHOWN:]:
            lines.append(t(lang, "task.detail_comment", at=fmt_time(c.at, tz), author=c.author or "",
                           to=t(lang, "task.comment_to", department=c.department) if c.department else "",
                           text=c.text))
    buttons = []
    if detail.attachment_name:
        buttons.append(button(t(lang, "btn.file", name=file_label(lang, detail.attachment_name)),
                              Callback("f", "t", detail.task_id)))
    for entry in detail.progress:
        if entry.has_file:
            name = f"{entry.department} {file_label(lang, entry.file_name or entry.kind)}"
            buttons.append(button(t(lang, "btn.file", name=name[:40]), Callback("f", "p", entry.progress_id)))
    if buttons:
        lines.append(t(lang, "task.detail_files", count=len(buttons)))
    rows = [[b] for b in buttons[:49]]
    if nudge and not detail.closed and any(v.status != "done" for v, _, _ in detail.targets):
        rows.append([nudge_button(lang, Callback("n", "t", detail.task_id))])  # last: after the files
    keyboard = {"inline_keyboard": rows} if rows else None
    return "\n".join(lines), keyboard


def department_list(department: str, views: Sequence[TargetView], lang: str, tz: ZoneInfo) -> str:
    if not views:
        return t(lang, "mytasks.empty", department=department)
    lines = [t(lang, "mytasks.header", department=department)]
    lines += [t(lang, "mytasks.row", id=v.task_id, title=v.title, due=due_text(v.due, tz, lang, v.standing),
                status=status_name(lang, v.status)) for v in views]
    return "\n".join(lines)


def overdue_view(items: OverdueList, lang: str, *, nudge: bool = False) -> tuple[str, Keyboard | None]:
    """`/overdue`: what is overdue, most overdue first; departments never notified (no liaison)
    apart, not counted as overdue; 一键催办 for directors and admins when something is overdue."""
    if items.overdue:
        lines = [t(lang, "overdue.header", count=len(items.overdue))]
        lines += [t(lang, "digest.overdue_row", id=o.task_id, title=o.title, department=o.department,
                    role=role_name(lang, o.is_lead), days=o.days) for o in items.overdue]
    else:
        lines = [t(lang, "overdue.none")]
    if items.unnotified:
        lines.append(t(lang, "overdue.unnotified", count=len(items.unnotified)))
        lines += [t(lang, "overdue.unnotified_row", id=o.task_id, title=o.title, department=o.department,
                    role=role_name(lang, o.is_lead)) for o in items.unnotified]
    keyboard = ({"inline_keyboard": [[nudge_button(lang, Callback("n", "o", items.office_id))]]}
                if nudge and items.overdue else None)
    return "\n".join(lines), keyboard
