"""/broadcast: one message to every registered liaison of the sender's office (its departments'
and its child offices' units'), and a final count for the sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.rules.delivery import Outgoing, Status
from bot.rules.people import Caller
from bot.texts import t
from bot.usecases.outbox import enqueue_in
from storage.db import Database
from storage.models import Broadcast
from storage.repos import audit as audit_repo
from storage.repos import broadcasts as broadcast_repo
from storage.repos import liaisons as liaison_repo
from storage.repos import outbox as outbox_repo
from storage.repos import people as people_repo

BATCH_PREFIX = "broadcast:"


@dataclass(frozen=True)
class Tally:
    total: int
    sent: int
    failed: int
    blocked: int
    unconfirmed: int  # left in flight by a crash under a release before 0011 (never sent again)
    resent: int = 0  # delivered, but sent again after a crash: may have arrived twice


def batch_of(broadcast_id: int) -> str:
    return f"{BATCH_PREFIX}{broadcast_id}"


async def start(db: Database, actor: Caller, text: str, *, default_language: str, now: datetime) -> tuple[int, int]:
    """Queue the broadcast for every liaison of the office the actor acts in. Returns (broadcast
    id, number of recipients)."""
    office_id = actor.office_id
    async with db.transaction() as s:
        row = await broadcast_repo.add(s, actor.telegram_id, text, now, office_id)
        recipients = await liaison_repo.active_chats(s, office_id)
        batch = batch_of(row.id)  # type: ignore[arg-type]
        items = [
            Outgoing(chat_id=chat, dedup_key=f"{batch}:chat:{chat}", batch=batch,
                     text=t(lang or default_language, "broadcast.message", text=text))
            for chat, lang in recipients
        ]
        total = await enqueue_in(s, items, now)
        await broadcast_repo.set_total(s, row, total)
        await audit_repo.add(s, at=now, actor_id=actor.telegram_id, action="broadcast", target=f"#{row.id}",
                             detail=f"{total} recipients", office_id=office_id)
    if total == 0:
        await report_if_done(db, batch, default_language=default_language, now=now)
    return row.id, total  # type: ignore[return-value]


async def report_if_done(db: Database, batch: str, *, default_language: str, now: datetime) -> Tally | None:
    """When no message of the broadcast is left to send, queue the count for its sender (once)."""
    if not batch.startswith(BATCH_PREFIX):
        return None
    broadcast_id = int(batch.removeprefix(BATCH_PREFIX))
    async with db.transaction() as s:
        counts = await outbox_repo.batch_counts(s, batch)
        if counts.get(Status.PENDING, 0) or counts.get(Status.SENDING, 0):
            return None
        if not await broadcast_repo.mark_reported(s, broadcast_id, now):
            return None
        row = await s.get(Broadcast, broadcast_id)
        assert row is not None
        tally = Tally(row.total, counts.get(Status.SENT, 0), counts.get(Status.FAILED, 0),
                      counts.get(Status.BLOCKED, 0), counts.get(Status.UNCONFIRMED, 0),
                      await outbox_repo.batch_resent(s, batch, Status.SENT))
        admin = await people_repo.by_telegram_id(s, row.created_by)
        lang = (admin.language if admin else None) or default_language
        if admin is not None and admin.chat_id is not None:
            await enqueue_in(s, [Outgoing(
                chat_id=admin.chat_id, dedup_key=f"{batch}:report",
                text=report_text(lang, broadcast_id, tally),
            )], now)
    return tally


def report_text(lang: str, broadcast_id: int, tally: Tally) -> str:
    """The count for the broadcast's sender; how many may have got it twice only when some may."""
    text = t(lang, "broadcast.report", id=broadcast_id, total=tally.total, sent=tally.sent,
             failed=tally.failed, blocked=tally.blocked)
    if tally.resent:
        text += t(lang, "broadcast.report_resent", n=tally.resent)
    if tally.unconfirmed:
        text += t(lang, "broadcast.report_unconfirmed", n=tally.unconfirmed)
    return text
