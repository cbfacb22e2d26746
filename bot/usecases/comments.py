"""A director's comment on a task (批示, `/comment N [DEPARTMENT] TEXT`): kept in the task's history
and sent, through the outbox, to the liaisons of the task's departments (or of the one named).

Each liaison's copy is about that department's part of the task (`ref_kind="target"`), so a reply
to it is that department's progress, exactly like a reply to the task's notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import DomainError, NotFound, UsageError
from bot.rules.delivery import Outgoing
from bot.rules.names import find_name
from bot.rules.people import Caller
from bot.texts import t
from bot.usecases import names as name_lookup
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.repos import audit as audit_repo
from storage.repos import directors as directors_repo
from storage.repos import tasks as task_repo

COMMENT_MAX = 500  # a task event's note
_DEPARTMENT_ENDINGS = ("局", "委", "办", "院", "会", "中心", "处", "室", "组")


@dataclass(frozen=True)
class Commented:
    task_id: int
    departments: tuple[str, ...]  # reached (with at least one liaison)
    without_liaison: tuple[str, ...]
    liaisons: int  # messages queued


async def comment(
    db: Database, actor: Caller, task_id: int, words: str, *, now: datetime, default_language: str,
) -> Commented:
    """`words` is `[DEPARTMENT] TEXT`: the first word names a department when it is one (full name,
    alias, unambiguous fragment); a fragment several departments share, or a near miss of a name,
    is refused with the candidates or suggestions, like everywhere else. Only a task of the office
    the actor acts in (another office's answers as one that does not exist)."""
    async with db.transaction() as s:
        task = await task_repo.task(s, task_id, actor.office_id)
        if task is None:
            raise NotFound("task.not_found", id=task_id)
        rows = await task_repo.targets_with_departments(s, [task_id])
        department, body = await _split(s, words, actor.office_id)
        if not body:
            raise UsageError("comment")
        if len(body) > COMMENT_MAX:
            raise DomainError("comment.too_long", limit=COMMENT_MAX)
        chosen = rows
        if department is not None:
            chosen = [(tg, d) for tg, d in rows if d.id == department.id]
            if not chosen:
                raise NotFound("comment.not_target", department=department.name, id=task_id,
                               targets=name_lookup.joined([d.name for _, d in rows]))
        target_id = chosen[0][0].id if department is not None else None
        event = await directors_repo.add_comment(s, task_id=task_id, target_id=target_id, at=now,
                                                 actor_id=actor.telegram_id, text=body)
        chats = await task_repo.liaison_chats(s, [d.id for _, d in chosen])  # type: ignore[misc]
        items: list[Outgoing] = []
        for target, dept in chosen:
            for person, chat, lang in chats.get(dept.id, []):  # type: ignore[arg-type]
                items.append(Outgoing(
                    chat_id=chat, dedup_key=f"task:{task_id}:target:{target.id}:comment:{event.id}:{person}",
                    text=t(lang or default_language, "comment.notice", id=task_id, title=task.title, text=body),
                    ref_kind="target", ref_id=target.id))
        queued = await enqueue_in(s, items, now)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="task.comment", target=f"#{task_id}",
                             detail=(f"{department.name}: " if department else "") + body[:150],
                             office_id=actor.office_id)
    return Commented(task_id, tuple(d.name for _, d in chosen if chats.get(d.id)),  # type: ignore[arg-type]
                     tuple(d.name for _, d in chosen if not chats.get(d.id)), queued)  # type: ignore[arg-type]


async def _split(s, words: str, office_id: int):  # type: ignore[no-untyped-def]
    """(department or None, the comment's text): the office's departments only."""
    parts = words.strip().split(maxsplit=1)
    if len(parts) < 2:
        return None, words.strip()
    first, rest = parts
    known = await name_lookup.directory(s, office_id, groups=False)
    match = find_name(first, known.departments, known.aliases)
    if match.found is not None:
        return known.departments[match.found], rest.strip()
    if match.candidates or (match.suggestions and first.endswith(_DEPARTMENT_ENDINGS)):
        raise name_lookup.not_found(first, match)
    return None, words.strip()
