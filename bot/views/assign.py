"""How the step-by-step /assign dialogue reads: the target picker, the summary, and its buttons.

Button payloads are `a:ACTION[:N]` (at most 64 bytes), with indices into the list of choices the
dialogue loaded when it started, never names. They share nothing with the `t`/`x`/`f` payloads of
bot.rules.callbacks (which reads `a:…` as not its own); `decode` returns None for anything else.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.texts import fmt_due, t

Keyboard = dict[str, Any]

PREFIX = "a"
PAGE_SIZE = 40  # buttons per page (two columns); Telegram allows 100 per keyboard
COLUMNS = 2
SELECTED = "✅ "

# toggle choice N, show page N; next, cancel, confirm
_DATA = re.compile(r"^a:(?:(t|p):(\d{1,4})|(n|c|ok))$")


@dataclass(frozen=True)
class Choice:
    """One button of the picker: a working group or a department, with the departments it means."""

    kind: str  # group | department
    name: str
    departments: frozenset[int]


def encode(action: str, n: int | None = None) -> str:
    return f"{PREFIX}:{action}" if n is None else f"{PREFIX}:{action}:{n}"


def decode(data: str | None) -> tuple[str, int | None] | None:
    """(action, number) of a dialogue button, or None for anything malformed."""
    if not data or len(data.encode()) > 64:
        return None
    found = _DATA.match(data)
    if not found:
        return None
    if found.group(3):
        return found.group(3), None
    return found.group(1), int(found.group(2))


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def department_count(choices: Sequence[Choice], selected: Collection[int]) -> int:
    """How many departments the chosen groups and departments expand to (each counted once)."""
    chosen: set[int] = set()
    for i in selected:
        chosen |= choices[i].departments
    return len(chosen)


def chosen_names(choices: Sequence[Choice], selected: Collection[int]) -> list[str]:
    return [c.name for i, c in enumerate(choices) if i in selected]


def _button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


def selection(choices: Sequence[Choice], selected: Collection[int], lang: str) -> str:
    if not selected:
        return t(lang, "assign_dialog.picked_none")
    sep = "、" if lang != "en" else ", "
    return t(lang, "assign_dialog.picked", names=sep.join(chosen_names(choices, selected)),
             count=department_count(choices, selected))


def picker(choices: Sequence[Choice], selected: Collection[int], page: int, lang: str) -> tuple[str, Keyboard]:
    """The picker message: one toggle per choice (groups first), paged, then Next and Cancel."""
    pages = page_count(len(choices))
    page = min(max(page, 0), pages - 1)
    first = page * PAGE_SIZE
    buttons = [_button(f"{SELECTED if i in selected else ''}{choices[i].name}", encode("t", i))
               for i in range(first, min(first + PAGE_SIZE, len(choices)))]
    rows = [buttons[i:i + COLUMNS] for i in range(0, len(buttons), COLUMNS)]
    lines = [t(lang, "assign_dialog.pick"), selection(choices, selected, lang)]
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(_button(t(lang, "assign_dialog.btn_prev_page"), encode("p", page - 1)))
        if page < pages - 1:
            nav.append(_button(t(lang, "assign_dialog.btn_next_page"), encode("p", page + 1)))
        rows.append(nav)
        lines.append(t(lang, "assign_dialog.page", page=page + 1, pages=pages))
    rows.append([_button(t(lang, "assign_dialog.btn_next"), encode("n")), _button(t(lang, "assign_dialog.btn_cancel"), encode("c"))])
    return "\n".join(lines), {"inline_keyboard": rows}


def picked(choices: Sequence[Choice], selected: Collection[int], lang: str) -> str:
    """The picker message once Next is pressed: the choice, without buttons."""
    return "\n".join([t(lang, "assign_dialog.pick"), selection(choices, selected, lang)])


def summary(
    choices: Sequence[Choice], selected: Collection[int], *, due: datetime, title: str, details: str | None,
    attachment: str | None, lang: str, tz: ZoneInfo,
) -> tuple[str, Keyboard]:
    """The last step: everything the task will say, with Confirm and Cancel."""
    sep = "、" if lang != "en" else ", "
    none = t(lang, "assign_dialog.none")
    body = t(lang, "assign_dialog.summary", targets=sep.join(chosen_names(choices, selected)),
             count=department_count(choices, selected), due=fmt_due(due, tz, lang), title=title,
             details=details or none, attachment=attachment or none)
    return body, {"inline_keyboard": [[_button(t(lang, "assign_dialog.btn_confirm"), encode("ok")),
                                       _button(t(lang, "assign_dialog.btn_cancel"), encode("c"))]]}
