"""The tick's assessment step: on each office's `assessment.send_on` (default 01-10) at 09:00, last
year's annual assessment (年度考核) goes to that office's directors — the ranked text, the chart and
the workbook — once per office and year (recorded in digest_runs as kind `assessment`, the year as
its label; the outbox's dedup keys `assessment:[o<office>:]<year>:<chat>:…`).

It is sent during the week from that moment (a bot down on the day still sends it), and only when
the office has something to assess that year (a unit with a score) and a director to send it to;
with no director yet it is tried again later that week."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.render.assessment_chart import assessment_png
from bot.render.assessment_workbook import assessment_xlsx, filename
from bot.rules import schedule as when
from bot.rules.assessment import Assessment
from bot.services import Services
from bot.texts import t
from bot.usecases import assessment as assessments
from bot.views.assessment import messages

log = logging.getLogger(__name__)


async def scheduled(services: Services, at: datetime) -> tuple[int, bool, datetime]:
    """(messages queued, whether an assessment waits for a director, the next send moment)."""
    settings = services.settings
    tz = settings.tz
    every = await assessments.offices_settings(services.db)
    queued, waiting = 0, False
    for office_id, weights in every.items():
        year = assessments.due_year(at, tz, weights)
        if year is None or await assessments.already_sent(services.db, year, office_id):
            continue
        if not await assessments.directors(services.db, office_id):
            waiting = True
            continue
        built = await assessments.build(services.db, year, now=at, tz=tz, office_id=office_id)
        if not built.scored:
            continue  # nothing happened in the office that year: nothing to send
        sent = await assessments.send(services.db, built, lambda a, lang: _render(a, lang, tz),
                                      default_language=settings.bot_language, now=at, office_id=office_id)
        log.info("assessment %s queued for the directors of office %s (%d messages)", year, office_id, sent)
        queued += sent
    upcoming = assessments.next_send(at, tz, list(every.values()))
    return queued, waiting, (min(upcoming, at + when.RETRY_WITHOUT_RECIPIENTS) if waiting else upcoming)


def _render(a: Assessment, lang: str, tz) -> tuple[list[str], bytes, str, bytes, str]:  # type: ignore[no-untyped-def]
    pieces = [t(lang, "assessment.scheduled", year=a.year), *messages(a, lang, tz)]
    return pieces, assessment_xlsx(a, lang, tz), filename(a, lang), assessment_png(a, lang), \
        t(lang, "assessment.caption", year=a.year)
