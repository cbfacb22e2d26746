"""The outbox sender: drains queued messages under Telegram's limits, each row once — or once
more when a crash hit it in flight (at least once, never lost).

Each row is claimed (atomically) only at the moment it may be sent, sent, and settled at once, so
the window in which a crash leaves a row's fate unknown is one HTTP request. A row a crash left in
that window ("sending", its lease run out) is taken back by whichever sender runs next — it looks
every `RECLAIM_EVERY` seconds while it works — and sent again: at least once, never lost."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.rules.delivery import (EDIT, FILE_DOCUMENT, FILE_PHOTO, NOT_MODIFIED, RECLAIM_EVERY, Outcome, Pacer, Status,
                                Verdict, backoff)
from bot.usecases import broadcasts, outbox
from storage.db import Database
from storage.locks import exclusive
from storage.models import OutboxMessage

log = logging.getLogger(__name__)
LOCK = "outbox-sender"
_UNREACHABLE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights to send")


def wall_clock() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[arg-type]


def classify(error: Exception, attempts: int, backoff_base: float) -> Outcome:
    """What a failed send means: retry (when, and whether all sending pauses), or give up."""
    text = str(error)
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wait = _seconds(error.retry_after)
        return Outcome(Verdict.RETRY, retry_in=wait, pause_all=wait, error=f"429: retry after {wait:g}s")
    if isinstance(error, Forbidden):
        return Outcome(Verdict.BLOCKED, error=text)
    if isinstance(error, BadRequest):
        if NOT_MODIFIED in text.lower():  # an edit to what the message already shows: done
            return Outcome(Verdict.SENT)
        unreachable = any(marker in text.lower() for marker in _UNREACHABLE)
        return Outcome(Verdict.BLOCKED if unreachable else Verdict.FAILED, error=text)
    if isinstance(error, InvalidToken):
        log.error("the Bot API refused the token; will retry")
    elif not isinstance(error, NetworkError):  # TimedOut and 5xx are NetworkErrors: expected
        log.error("unexpected error while sending: %s", type(error).__name__, exc_info=error)
    return Outcome(Verdict.RETRY, retry_in=backoff(attempts, backoff_base), error=f"{type(error).__name__}: {text}")


async def deliver(bot: Bot, row: OutboxMessage, *, edit_message_id: int | None = None) -> Message:
    """Send one row. An edit row needs the id of the message it edits (`edit_message_id`)."""
    payload = json.loads(row.payload)
    markup = InlineKeyboardMarkup.de_json(payload["reply_markup"], bot) if payload.get("reply_markup") else None
    text = payload.get("text")
    if row.kind == "document":
        return await bot.send_document(row.chat_id, InputFile(row.attachment or b"", filename=payload.get("filename") or "file"),
                                       caption=text, parse_mode=ParseMode.HTML, reply_markup=markup)
    if row.kind == "photo":
        return await bot.send_photo(row.chat_id, InputFile(row.attachment or b"", filename=payload.get("filename") or "chart.png"),
                                    caption=text, parse_mode=ParseMode.HTML, reply_markup=markup)
    if row.kind == FILE_DOCUMENT:  # a file Telegram already has: sent by its file id, not uploaded
        return await bot.send_document(row.chat_id, payload["file_id"], caption=text, parse_mode=ParseMode.HTML,
                                       reply_markup=markup)
    if row.kind == FILE_PHOTO:
        return await bot.send_photo(row.chat_id, payload["file_id"], caption=text, parse_mode=ParseMode.HTML,
                                    reply_markup=markup)
    if row.kind == EDIT:
        edited = await bot.edit_message_text(text, chat_id=row.chat_id, message_id=edit_message_id,
                                             parse_mode=ParseMode.HTML, reply_markup=markup,
                                             link_preview_options=LinkPreviewOptions(is_disabled=True))
        assert isinstance(edited, Message)  # only inline messages answer True
        return edited
    return await bot.send_message(row.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                  link_preview_options=LinkPreviewOptions(is_disabled=True))


@dataclass
class DrainStats:
    sent: int = 0
    retried: int = 0
    blocked: int = 0
    failed: int = 0
    lost_claims: int = 0  # rows another sender took first
    reclaimed: int = 0  # rows a stopped process had left in flight, put back to be sent again
    batches: set[str] = field(default_factory=set)  # broadcasts with a row settled, to check for completion

    def add(self, outcome: Outcome) -> None:
        name = {Verdict.SENT: "sent", Verdict.RETRY: "retried", Verdict.BLOCKED: "blocked", Verdict.FAILED: "failed"}
        setattr(self, name[outcome.verdict], getattr(self, name[outcome.verdict]) + 1)


class Sender:
    """Drains the outbox. Time comes in through `wall` (row times), `mono` and `sleep` (pacing)."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        default_language: str,
        worker: str | None = None,
        pacer: Pacer | None = None,
        backoff_base: float = 1.0,
        wall: Callable[[], datetime] = wall_clock,
        mono: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        peek: int = 200,
    ) -> None:
        self.db, self.bot, self.default_language = db, bot, default_language
        self.worker = worker or worker_name()
        self.pacer = pacer or Pacer()
        self.backoff_base, self.wall, self.mono, self.sleep, self.peek = backoff_base, wall, mono, sleep, peek
        self.stopping = asyncio.Event()  # set on shutdown: finish the send in flight, start no other
        self._looked_at: float | None = None  # when this sender last looked for expired leases (mono)

    async def drain(self, *, max_seconds: float | None = None) -> DrainStats:
        """Send everything due now (retries due later are left for a later drain)."""
        stats = DrainStats()
        deadline = None if max_seconds is None else self.mono() + max_seconds
        while True:
            if self._time_to_reclaim():
                await self._reclaim(stats)
            batch = await outbox.due(self.db, self.wall(), self.peek)
            if not batch:
                break
            finished = await self._send_batch(batch, stats, deadline)
            await self._report_batches(stats)
            if not finished:
                break
        return stats

    def _time_to_reclaim(self) -> bool:
        return self._looked_at is None or self.mono() - self._looked_at >= RECLAIM_EVERY

    async def _reclaim(self, stats: DrainStats) -> None:
        """Put rows whose lease ran out back in the queue (before the next look for due rows, so
        they are sent among the first: they are the oldest)."""
        self._looked_at = self.mono()
        taken = await outbox.reclaim_stale(self.db, now=self.wall())
        if taken:
            stats.reclaimed += taken
            log.warning("%d outbox rows were in flight when a process stopped; sending them again "
                        "(they may arrive twice)", taken)

    async def _report_batches(self, stats: DrainStats) -> None:
        """A broadcast whose last message was settled gets its count sent (checked once per peek,
        not once per message: counting a batch of thousands for each of them would be quadratic)."""
        while stats.batches:
            await broadcasts.report_if_done(self.db, stats.batches.pop(), default_language=self.default_language,
                                            now=self.wall())

    async def _send_batch(self, batch: list[tuple[int, int]], stats: DrainStats, deadline: float | None) -> bool:
        waiting = list(batch)
        while waiting:
            if self.stopping.is_set():
                return False
            if self._time_to_reclaim():  # back to `drain`: it takes back expired leases, looks again
                return True
            now = self.mono()
            index, ready = min(((i, self.pacer.ready_at(chat, now)) for i, (_, chat) in enumerate(waiting)),
                               key=lambda pair: pair[1])
            if deadline is not None and ready > deadline:
                return False
            if ready > now:
                look_at = (self._looked_at if self._looked_at is not None else now) + RECLAIM_EVERY
                await self.sleep(min(ready, look_at) - now)
                if look_at < ready and self.mono() > now:
                    return True  # a long wait (a group's minute): look for expired leases first
            row_id, chat = waiting.pop(index)
            started = self.mono()
            await self._send_one(row_id, stats)
            # Pace from when the send started, not when it finished: the request's own round trip
            # must not eat into the 30/s budget (and a stall cannot be made up in a burst).
            self.pacer.record(chat, started)
        return True

    async def _send_one(self, row_id: int, stats: DrainStats) -> None:
        row = await outbox.claim(self.db, row_id, self.worker, self.wall())
        if row is None:
            stats.lost_claims += 1
            return
        try:
            edit_id, outcome = await self._edit_target(row) if row.kind == EDIT else (None, None)
            if outcome is None:
                message = await deliver(self.bot, row, edit_message_id=edit_id)
                outcome = Outcome(Verdict.SENT, message_id=message.message_id)
        except TelegramError as error:
            outcome = classify(error, row.attempts, self.backoff_base)
        except Exception as error:  # noqa: BLE001 - a row must never be left claimed by a live sender
            outcome = classify(error, row.attempts, self.backoff_base)
        if outcome.pause_all:
            self.pacer.pause(self.mono(), outcome.pause_all)
        if not await outbox.settle(self.db, row, self.worker, outcome, now=self.wall()):
            # Its lease ran out before this send ended, and the row was put back (or is already
            # out again): it is sent again, and counted as possibly arriving twice.
            log.warning("outbox row %s was taken back before its send was recorded; it is sent again", row.id)
        stats.add(outcome)
        if row.batch and outcome.verdict != Verdict.RETRY:
            stats.batches.add(row.batch)

    async def _edit_target(self, row: OutboxMessage) -> tuple[int | None, Outcome | None]:
        """The message an edit row changes: its id, or why the edit cannot go now (the message is
        still queued: later; it never arrived: never)."""
        status, message_id = await outbox.message_of(self.db, json.loads(row.payload).get("of"))
        if message_id is not None:
            return message_id, None
        if status in (Status.PENDING, Status.SENDING):
            return None, Outcome(Verdict.RETRY, retry_in=backoff(row.attempts, self.backoff_base),
                                 error="the message to edit is not sent yet")
        return None, Outcome(Verdict.FAILED, error="the message to edit was not delivered")

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, *, idle: float = 1.0) -> None:
        """The bot's background loop: drain when woken or every `idle` seconds, until `stop`."""
        self.stopping = stop  # a drain in progress ends after the send in flight
        while not stop.is_set():
            wake.clear()
            try:
                async with exclusive(self.db, LOCK) as leader:
                    if leader:
                        await self.drain()
            except Exception:  # noqa: BLE001 - the database may be down; try again shortly
                log.exception("outbox drain failed; retrying")
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
            await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
