"""The tick's digest step: the weekly dispatch, the monthly analysis and the quarterly bulletin,
each office's to its directors once per period, with the optional machine-written narrative."""

from __future__ import annotations

import logging
from functools import partial

from bot.narrative import with_narrative
from bot.render.brief import brief_docx, filename, title
from bot.rules.brief import Brief
from bot.rules.digest import KINDS, Digest, period_for, scheduled_at
from bot.services import Services
from bot.texts import t
from bot.usecases import brief, digest_delivery, digests
from bot.views.digest_bundle import bundle

log = logging.getLogger(__name__)


async def scheduled(services: Services, at) -> tuple[int, bool]:  # type: ignore[no-untyped-def]
    """For every office, its digests due now, to its directors: (messages queued, whether a digest
    is due somewhere but waits for that office's first director). The quarterly one follows the
    office's own reporting deadline."""
    queued, waiting = 0, False
    for office_id in await digest_delivery.offices(services.db):
        sent, wait = await _office(services, at, office_id)
        queued, waiting = queued + sent, waiting or wait
    return queued, waiting


async def _office(services: Services, at, office_id: int) -> tuple[int, bool]:  # type: ignore[no-untyped-def]
    settings, db = services.settings, services.db
    tz = settings.tz
    deadline = await digest_delivery.current_deadline(db, at, office_id)
    queued, waiting = 0, False
    for kind in KINDS:
        moment = scheduled_at(kind, at, tz, settings.schedule, deadline)
        if moment is None or at < moment:
            continue
        if await digests.already_sent(db, kind, period_for(kind, at, tz).label, office_id):
            continue
        if not await digest_delivery.directors(db, office_id):
            waiting = True  # nobody to send it to yet; a director added later today still gets it
            continue
        digest = await with_narrative(settings, await digests.build(db, kind, at=at, tz=tz, office_id=office_id),
                                      settings.bot_language)
        # the quarterly bulletin carries the office's work report (工作报告), from the same digest
        paper = partial(_paper, await brief.of_digest(db, digest, office_id), tz=tz) if kind == "quarter" else None
        queued += await digest_delivery.send(db, digest, partial(_render, tz=tz),
                                             default_language=settings.bot_language, now=at, office_id=office_id,
                                             attachment=paper)
        log.info("%s digest %s queued for the directors of office %s", kind, digest.period.label, office_id)
    return queued, waiting


def _render(digest: Digest, lang: str, *, tz) -> tuple[list[str], bytes | None, str]:  # type: ignore[no-untyped-def]
    return bundle(digest, lang, tz)


def _paper(report: Brief, lang: str, *, tz) -> tuple[bytes, str, str]:  # type: ignore[no-untyped-def]
    return brief_docx(report, lang, tz), filename(report, lang), t(lang, "brief.caption", title=title(report, lang))
