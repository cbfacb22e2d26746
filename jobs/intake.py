"""The webhook's intake in one process (bot/usecases/inbound.py has the why): the updates this
process stored and has not finished, and the sweep every few seconds that keeps its leases alive
and takes over the updates of a process that died."""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.usecases import inbound
from storage.db import Database

log = logging.getLogger(__name__)
SWEEP_EVERY = 5.0  # seconds


def wall_clock() -> datetime:
    return datetime.now(UTC)


class Intake:
    def __init__(self, db: Database, *, owner: str | None = None,
                 clock: Callable[[], datetime] = wall_clock) -> None:
        self.db, self.clock = db, clock
        self.owner = owner or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.open: set[int] = set()  # stored by this process, not finished yet

    async def accept(self, update_id: int, data: dict[str, object]) -> bool:
        """Store the update before it is answered; False when it was stored before."""
        stored = await inbound.accept(self.db, update_id, json.dumps(data, ensure_ascii=False), now=self.clock(),
                                      owner=self.owner)
        if stored:
            self.open.add(update_id)
        return stored

    async def finished(self, update_id: int) -> None:
        if update_id in self.open:
            await inbound.finish(self.db, [update_id], now=self.clock())
            self.open.discard(update_id)

    async def sweep(self, handle: Callable[[dict[str, object]], Awaitable[None]]) -> int:
        """Renew this process's leases, then take over what a dead process left: each update taken
        is passed to `handle` (which queues it). Returns how many were taken over."""
        now = self.clock()
        if self.open:
            await inbound.renew(self.db, self.owner, now=now)
        taken = await inbound.take_over(self.db, self.owner, now=now)
        for update_id, payload in taken:
            self.open.add(update_id)
            await handle(json.loads(payload))
        if taken:
            log.warning("took over %d update(s) another process had accepted and not finished", len(taken))
        return len(taken)
