"""The `/assign` dialogue's draft, and its JSON: the draft is kept in the database between
messages (bot/usecases/dialogues.py), so any process can take the dialogue's next step."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.usecases.tasks import Attachment, ForwardSource
from bot.views.assign import Choice


@dataclass
class Draft:
    choices: list[Choice]
    selected: set[int] = field(default_factory=set)
    page: int = 0
    message_id: int | None = None  # the message whose buttons belong to this draft
    due: datetime | None = None
    title: str | None = None
    details: str | None = None
    attachment: Attachment | None = None
    due_then_confirm: bool = False  # asked for the due time again at Confirm (it had passed)
    office_id: int = 1  # the office the draft's choices are of
    forward: ForwardSource | None = None  # 转办: the parent office's part it forwards


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _attachment(a: Attachment | None) -> dict[str, Any] | None:
    return {"file_id": a.file_id, "name": a.name, "kind": a.kind} if a is not None else None


def to_json(draft: Draft) -> str:
    source = draft.forward
    return json.dumps({
        "choices": [[c.kind, c.name, sorted(c.departments)] for c in draft.choices],
        "selected": sorted(draft.selected), "page": draft.page, "message_id": draft.message_id,
        "due": _when(draft.due), "title": draft.title, "details": draft.details,
        "attachment": _attachment(draft.attachment), "due_then_confirm": draft.due_then_confirm,
        "office_id": draft.office_id,
        "forward": None if source is None else {
            "target_id": source.target_id, "task_id": source.task_id, "office_id": source.office_id,
            "origin": source.origin, "unit": source.unit, "title": source.title, "details": source.details,
            "due": _when(source.due), "attachment": _attachment(source.attachment)},
    }, ensure_ascii=False)


def _as_attachment(value: dict[str, Any] | None) -> Attachment | None:
    return Attachment(value["file_id"], value["name"], value["kind"]) if value else None


def _as_when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def from_json(text: str) -> Draft:
    data = json.loads(text)
    source = data.get("forward")
    return Draft(
        choices=[Choice(kind, name, frozenset(departments)) for kind, name, departments in data["choices"]],
        selected=set(data["selected"]), page=data["page"], message_id=data["message_id"], due=_as_when(data["due"]),
        title=data["title"], details=data["details"], attachment=_as_attachment(data["attachment"]),
        due_then_confirm=data["due_then_confirm"], office_id=data["office_id"],
        forward=None if source is None else ForwardSource(
            source["target_id"], source["task_id"], source["office_id"], source["origin"], source["unit"],
            source["title"], source["details"], _as_when(source["due"]), _as_attachment(source["attachment"])),  # type: ignore[arg-type]
    )
