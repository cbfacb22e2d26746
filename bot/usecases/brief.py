"""Gathering the office's work report (工作报告): the digest of the same period (so the counts and
indicator totals are the digest's, never computed twice), each reporting department's latest
report text in the digest's cycle, and which of the period's tasks carry out agreed items.

Three statements beyond the digest's, whatever the number of departments and tasks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.rules.brief import AgreedItem, Brief
from bot.rules.digest import Digest, Period
from bot.rules.targets import table_targets
from bot.usecases import digests
from storage.db import Database
from storage.models import ROOT_OFFICE_ID
from storage.repos import org as org_repo
from storage.repos import papers as paper_repo


async def build(db: Database, kind: str, *, at: datetime, tz: ZoneInfo, period: Period | None = None,
                office_id: int = ROOT_OFFICE_ID) -> Brief:
    """The office's work report for `kind` (month | quarter | year) as of `at`: the period given
    (`/brief`: the period so far or the one just ended), otherwise the scheduled digest's."""
    digest = await digests.build(db, kind, at=at, tz=tz, period=period, office_id=office_id)
    return await of_digest(db, digest, office_id)


async def of_digest(db: Database, digest: Digest, office_id: int = ROOT_OFFICE_ID) -> Brief:
    """The work report that goes with `digest` (the quarterly digest carries it): the texts of the
    digest's reporting cycle, the agreed items among its tasks, the office's name."""
    async with db.session() as s:
        office = await org_repo.office(s, office_id)
        reports = await paper_repo.latest_texts(s, digest.cycle_label, office_id) if digest.cycle_label else []
        items = await paper_repo.agreed_items(s, digest.period.start, office_id)
    in_period = {t.task_id for t in digest.tasks}
    agreed = {task_id: AgreedItem(task_id, meeting.id, meeting.title, meeting.held_on, standing)  # type: ignore[arg-type]
              for task_id, standing, meeting in items if task_id in in_period}
    name = (office.name or office.short_name or "") if office else ""
    # the target column: the office's targets for the period's year, as the digest gathered them
    goals = table_targets([(r.name, r.unit) for r in digest.summaries()], digest.targets)
    return Brief(digest=digest, office=name, texts={dept: report.text for dept, report in reports}, agreed=agreed,
                 targets=goals)
