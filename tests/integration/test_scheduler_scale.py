"""The scheduler at a city's scale: a tick over 10,000 open tasks and 40,000 parts nobody has
acknowledged completes on both databases (no statement grows with the data), everyone hears one
message per kind that day naming every item, and a pass with nothing due reads next to nothing."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.rules.chunks import TELEGRAM_TEXT_LIMIT
from bot.services import Services
from bot.settings import Settings
from jobs.tick import run_steps
from storage.db import Database
from storage.models import OutboxMessage, Task, TaskTarget
from tests.support.scale_seed import seed_office, seed_tasks, spread
from tests.support.sql_counter import counting

TZ = ZoneInfo("Asia/Shanghai")
ROUND = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)  # a Wednesday: no digest due, only the round


def services(db: Database) -> Services:
    settings = Settings(_env_file=None, database_url=str(db.url), bot_admin_ids=frozenset({42}),  # type: ignore[call-arg]
                        bot_language="zh", bot_timezone="Asia/Shanghai")
    return Services(settings=settings, db=db, clock=lambda: ROUND)


async def queued(db: Database) -> list[OutboxMessage]:
    async with db.session() as s:
        return list(await s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[call-overload]


def kind_and_person(key: str) -> tuple[str, str]:
    """`remind:2026-11-30:17:2` → ("remind", "17"): the message a piece belongs to."""
    kind, _day, who, *_piece = key.split(":")
    return kind, who


async def test_a_tick_over_ten_thousand_open_tasks_completes_and_tells_each_person_once(db: Database) -> None:
    created = ROUND - timedelta(days=30)
    seeded = await seed_office(db, departments=200, directors=3, now=created)
    overdue = spread(ROUND - timedelta(days=20, hours=15), 1_000, timedelta(minutes=27))  # 1–20 days late
    ahead = spread(ROUND + timedelta(days=20), 9_000, timedelta(minutes=37))
    await seed_tasks(db, seeded, dues=overdue + ahead, per_task=4, created=created,
                     notified=created + timedelta(hours=1))  # 40,000 parts, none acknowledged
    tick = services(db)

    report = await run_steps(tick, ROUND, datetime.now(UTC))

    assert report.ran
    rows = await queued(db)
    messages = Counter(kind_and_person(r.dedup_key) for r in rows if r.dedup_key.split(":")[0] in
                       {"remind", "ack", "escalation"})
    assert {kind for kind, _ in messages} == {"remind", "ack", "escalation"}
    liaisons_acked = {who for kind, who in messages if kind == "ack"}
    assert len(liaisons_acked) == 200  # every liaison has parts to acknowledge, each told in one message
    directors = {who for kind, who in messages if kind == "escalation"}
    assert directors == {str(c) for c in seeded.directors}
    assert all(len(r.payload) > 0 and len(_text(r)) <= TELEGRAM_TEXT_LIMIT for r in rows)
    # nothing lost by merging: every part was asked for, every overdue task reported to each director
    async with db.session() as s:
        unasked = (await s.exec(select(TaskTarget.id).where(TaskTarget.ack_nudged_at.is_(None)))).all()  # type: ignore[union-attr]
        escalated = (await s.exec(select(Task.id).where(Task.escalated_at.is_not(None)))).all()  # type: ignore[union-attr]
    assert unasked == [] and sorted(escalated) == list(range(1, 1_001))
    chief = seeded.directors[0]
    told = "".join(_text(r) for r in rows if r.chat_id == chief)
    assert {int(n) for n in re.findall(r"#(\d+)「", told)} == set(range(1, 1_001))

    with counting(db.engine) as seen:
        again = await run_steps(tick, ROUND + timedelta(minutes=1), datetime.now(UTC))
    assert sum(again.queued.values()) == 0
    assert seen.count <= 5, str(seen)
    assert len(await queued(db)) == len(rows)


async def test_merged_messages_name_every_task_and_department(db: Database) -> None:
    """300 overdue tasks, each to two departments: the directors' escalation names every task with
    both departments, each liaison's reminder every overdue task of theirs, each once."""
    created = ROUND - timedelta(days=40)
    seeded = await seed_office(db, departments=30, directors=2, now=created)
    dues = spread(ROUND - timedelta(days=10, hours=15), 300, timedelta(minutes=41))
    await seed_tasks(db, seeded, dues=dues, per_task=2, created=created, notified=created)
    await run_steps(services(db), ROUND, datetime.now(UTC))
    rows = await queued(db)

    for chief in seeded.directors:
        text = "\n".join(_text(r) for r in rows if r.chat_id == chief and r.dedup_key.startswith("escalation:"))
        blocks = re.split(r"\n(?=<b>#)", text)[1:]
        named = {int(re.match(r"<b>#(\d+)「", b).group(1)): b for b in blocks}  # type: ignore[union-attr]
        assert sorted(named) == list(range(1, 301))
        for task_id, depts in seeded.task_departments.items():
            for d in depts:
                assert f"• {seeded.departments[d - 1]}（" in named[task_id]
    expected: dict[int, set[int]] = defaultdict(set)
    for task_id, depts in seeded.task_departments.items():
        for d in depts:
            expected[d].add(task_id)
    for d, tasks in expected.items():
        chat = 500_000 + d - 1
        text = "\n".join(_text(r) for r in rows if r.chat_id == chat and r.dedup_key.startswith("remind:"))
        listed = [int(n) for n in re.findall(r"• #(\d+)「", text)]
        assert sorted(listed) == sorted(tasks)  # each of its overdue tasks, once
        assert "已逾期" in text


def _text(row: OutboxMessage) -> str:
    return json.loads(row.payload).get("text") or ""
