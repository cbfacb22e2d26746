"""The tick's digest step: the weekly dispatch, the monthly analysis and the quarterly bulletin,
each to every director once per period, with the optional machine-written narrative."""

from __future__ import annotations

import logging
from functools import partial

from bot.narrative import with_narrative
from bot.rules.digest import KINDS, Digest, period_for, scheduled_at
from bot.services import Services
from bot.usecases import digest_delivery, digests
from bot.views.digest_bundle import bundle

log = logging.getLogger(__name__)


async def scheduled(services: Services, at) -> tuple[int, bool]:  # type: ignore[no-untyped-def]
    """(messages queued, whether a digest is due but waits for a first director)."""
    settings, db = services.settings, services.db
    tz = settings.tz
    deadline = await digest_delivery.current_deadline(db, at)
    queued, waiting = 0, False
    for kind in KINDS:
        moment = scheduled_at(kind, at, tz, settings.schedule, deadline)
        if moment is None or at < moment:
            continue
        if await digests.already_sent(db, kind, period_for(kind, at, tz).label):
            continue
        if not await digest_delivery.directors(db):
            waiting = True  # nobody to send it to yet; a director added later today still gets it
            continue
        digest = await with_narrative(settings, await digests.build(db, kind, at=at, tz=tz), settings.bot_language)
        queued += await digest_delivery.send(db, digest, partial(_render, tz=tz),
                                             default_language=settings.bot_language, now=at)
        log.info("%s digest %s queued for the directors", kind, digest.period.label)
    return queued, waiting


def _render(digest: Digest, lang: str, *, tz) -> tuple[list[str], bytes | None, str]:  # type: ignore[no-untyped-def]
    return bundle(digest, lang, tz)
