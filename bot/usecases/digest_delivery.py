"""Sending the scheduled digests to the directors through the outbox, once per period."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from bot.rules.delivery import Outgoing
from bot.rules.digest import Digest
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.repos import cycles as cycle_repo
from storage.repos import digests as digest_repo
from storage.repos import people as people_repo

# (digest, language) → (text pieces, chart PNG, chart caption)
Renderer = Callable[[Digest, str], tuple[list[str], bytes | None, str]]


async def directors(db: Database) -> list[tuple[int, str | None]]:
    """(chat, language) of every director with a private chat: the digest's only recipients."""
    async with db.session() as s:
        return await people_repo.chats_with_role(s, "director")


async def current_deadline(db: Database, now: datetime) -> datetime | None:
    async with db.session() as s:
        cycle = await cycle_repo.current(s, now)
    return cycle.deadline_at if cycle else None


async def send(db: Database, digest: Digest, render: Renderer, *, default_language: str, now: datetime) -> int:
    """Queue the digest for every director and record it, in one transaction; a period already
    recorded queues nothing. Returns how many messages were queued."""
    period = digest.period
    async with db.transaction() as s:
        if await digest_repo.run(s, period.kind, period.label) is not None:
            return 0
        recipients = await people_repo.chats_with_role(s, "director")
        rendered: dict[str, tuple[list[str], bytes | None, str]] = {}
        items: list[Outgoing] = []
        for chat, lang in recipients:
            language = lang or default_language
            if language not in rendered:
                rendered[language] = render(digest, language)
            pieces, chart, caption = rendered[language]
            key = f"digest:{period.kind}:{period.label}:{chat}"
            items += [Outgoing(chat_id=chat, dedup_key=f"{key}:text:{i}", text=piece) for i, piece in enumerate(pieces)]
            if chart is not None:
                items.append(Outgoing(chat_id=chat, dedup_key=f"{key}:chart", photo=chart, text=caption,
                                      filename=f"digest-{period.label}.png"))
        await digest_repo.add_run(s, period.kind, period.label, json.dumps(digest.snapshot(), ensure_ascii=False), now)
        return await enqueue_in(s, items, now)
