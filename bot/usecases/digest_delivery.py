"""Sending the scheduled digests to the directors through the outbox, once per period and office:
each office's digest to that office's directors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from bot.rules.delivery import Outgoing
from bot.rules.digest import Digest
from bot.usecases.cycles import scope
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.models import ROOT_OFFICE_ID
from storage.repos import cycles as cycle_repo
from storage.repos import digests as digest_repo
from storage.repos import org as org_repo
from storage.repos import people as people_repo

# (digest, language) → (text pieces, chart PNG, chart caption)
Renderer = Callable[[Digest, str], tuple[list[str], bytes | None, str]]
# language → (document bytes, file name, caption): a paper sent after the digest (the quarterly
# digest's work report, 工作报告)
Attachment = Callable[[str], tuple[bytes, str, str]]


async def offices(db: Database) -> list[int]:
    """Every office's id: each gets its own digests."""
    async with db.session() as s:
        return [o.id for o in await org_repo.offices(s)] or [ROOT_OFFICE_ID]  # type: ignore[misc]


async def directors(db: Database, office_id: int = ROOT_OFFICE_ID) -> list[tuple[int, str | None]]:
    """(chat, language) of every director of the office with a private chat: the digest's only
    recipients."""
    async with db.session() as s:
        return await people_repo.chats_with_role(s, "director", office_id=office_id)


async def current_deadline(db: Database, now: datetime, office_id: int = ROOT_OFFICE_ID) -> datetime | None:
    async with db.session() as s:
        cycle = await cycle_repo.current(s, now, office_id)
    return cycle.deadline_at if cycle else None


async def send(db: Database, digest: Digest, render: Renderer, *, default_language: str, now: datetime,
               office_id: int = ROOT_OFFICE_ID, attachment: Attachment | None = None) -> int:
    """Queue the office's digest for every director of the office and record it, in one
    transaction; a period already recorded for the office queues nothing. With `attachment`, that
    document follows the digest's messages and chart (rendered once per language). Returns how
    many messages were queued."""
    period = digest.period
    async with db.transaction() as s:
        if await digest_repo.run(s, period.kind, period.label, office_id) is not None:
            return 0
        recipients = await people_repo.chats_with_role(s, "director", office_id=office_id)
        rendered: dict[str, tuple[list[str], bytes | None, str]] = {}
        attached: dict[str, tuple[bytes, str, str]] = {}
        items: list[Outgoing] = []
        for chat, lang in recipients:
            language = lang or default_language
            if language not in rendered:
                rendered[language] = render(digest, language)
            pieces, chart, caption = rendered[language]
            key = f"digest:{scope(office_id)}{period.kind}:{period.label}:{chat}"
            items += [Outgoing(chat_id=chat, dedup_key=f"{key}:text:{i}", text=piece) for i, piece in enumerate(pieces)]
            if chart is not None:
                items.append(Outgoing(chat_id=chat, dedup_key=f"{key}:chart", photo=chart, text=caption,
                                      filename=f"digest-{period.label}.png"))
            if attachment is not None:
                if language not in attached:
                    attached[language] = attachment(language)
                data, name, note = attached[language]
                items.append(Outgoing(chat_id=chat, dedup_key=f"{key}:paper", document=data, text=note, filename=name))
        await digest_repo.add_run(s, period.kind, period.label, json.dumps(digest.snapshot(), ensure_ascii=False), now,
                                  office_id)
        return await enqueue_in(s, items, now)
