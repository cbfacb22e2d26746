"""A standing agreed item (长期坚持) through the fake Bot API: its liaison's notice, /mytasks, the
office's /tasks and /task N say what it is and this month's checkpoint; it is reminded before the
checkpoint, rolled on to the next when it passes, never reported overdue to anyone; /done finishes it
for good."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.rules.people import Caller
from bot.rules.roles import Role
from bot.rules.tasks import AssignRequest, standing_checkpoint
from bot.usecases import tasks
from jobs.tick import run_steps
from storage.models import Meeting
from tests.e2e.conftest import ADMIN_ID, Desk

TZ = ZoneInfo("Asia/Shanghai")
ORG = {"departments": ["区经济信息委", "区财政局"]}
ADMIN = Caller(telegram_id=ADMIN_ID, person_id=None, full_name="办公室", language="zh", roles=frozenset({Role.ADMIN}))
NOVEMBER = "长期坚持（每月报送进展，本月节点11月30日）"
DECEMBER = "长期坚持（每月报送进展，本月节点12月31日）"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def tick(desk: Desk, clock, at: datetime) -> None:  # type: ignore[no-untyped-def]
    clock.current = at
    await run_steps(desk.services, at, datetime.now(UTC))
    await desk.delivered()


async def agreed(desk: Desk, now: datetime) -> tuple[int, int]:
    """A meeting's two items as the /meeting dialogue confirms them: a standing one and a dated one."""
    async with desk.services.db.transaction() as s:
        meeting = Meeting(office_id=1, title="区创建工作推进会", held_on=date(2026, 11, 20), created_by=ADMIN_ID,
                          created_at=now, state="confirmed", confirmed_at=now)
        s.add(meeting)
        await s.flush()
        patrol = await tasks.create_in(s, ADMIN, AssignRequest(("区经济信息委",), standing_checkpoint(now, TZ),
                                                               "常态化巡查", None),
                                       now=now, tz=TZ, default_language="zh", meeting_id=meeting.id, standing=True)
        plan = await tasks.create_in(s, ADMIN, AssignRequest(("区经济信息委",), local(2026, 11, 27, 18, 0), "编制资金方案",
                                                             None),
                                     now=now, tz=TZ, default_language="zh", meeting_id=meeting.id)
    return patrol.task_id, plan.task_id


@pytest.fixture
async def office(desk: Desk, clock):  # type: ignore[no-untyped-def]
    clock.current = local(2026, 11, 20, 20, 0)
    people = await desk.set_up(ORG, ["区经济信息委"], 4100)
    director = desk.chat(4900, "王主任")
    await director.send("/start")
    await desk.admin.send("/grant 4900 director")
    return people["区经济信息委"], director


async def test_a_standing_item_is_a_monthly_checkpoint_never_overdue(desk: Desk, clock, office):  # type: ignore[no-untyped-def]
    liaison, director = office
    mark = desk.api.mark()
    patrol, plan = await agreed(desk, clock.current)
    desk.services.wake_outbox()
    notice = await desk.api.wait_for_message(chat_id=liaison.id, contains=f"交办单 #{patrol}", after=mark)
    assert "截止：长期坚持（每月底前报送进展）" in notice.text  # no checkpoint: the notice outlives the month
    assert NOVEMBER in await liaison.send("/mytasks", contains="常态化巡查")
    assert NOVEMBER in await desk.admin.send("/tasks")
    assert NOVEMBER in await desk.admin.send(f"/task {patrol}")

    # Friday 27th: three days before the checkpoint, its liaison is asked for November's progress
    mark = desk.api.mark()
    await tick(desk, clock, local(2026, 11, 27, 9, 0))
    reminder = await desk.api.wait_for_message(chat_id=liaison.id, contains="交办单提醒", after=mark)
    assert f"#{patrol}「常态化巡查」{NOVEMBER}，距本月节点还有 3 天" in reminder.text

    # the checkpoint passes; on Monday 30th the dated item is escalated, the standing one is not
    await tick(desk, clock, local(2026, 11, 30, 9, 0))
    await tick(desk, clock, local(2026, 11, 30, 18, 0))
    mark = desk.api.mark()
    await tick(desk, clock, local(2026, 12, 1, 9, 0))
    said = "\n".join(c.text or "" for c in desk.api.calls[mark:] if c in desk.api.sent_messages())
    assert f"#{plan}「编制资金方案」已逾期" in said and f"#{patrol}" not in said
    overdue = await desk.admin.send("/overdue")
    assert f"#{plan} " in overdue and f"#{patrol} " not in overdue
    assert DECEMBER in await desk.admin.send(f"/task {patrol}")
    mine = await liaison.send("/mytasks")
    assert f"#{patrol} 常态化巡查 · 截止 {DECEMBER} · 待确认" in mine and f"#{plan} 编制资金方案" in mine

    # finished for good: done stays done when December's checkpoint passes
    assert f"已将 #{patrol} 标记为办结" in await liaison.send(f"/done {patrol} 已建立长效机制")
    await tick(desk, clock, local(2026, 12, 31, 18, 0))
    assert "区经济信息委（牵头）：已办结" in await desk.admin.send(f"/task {patrol}")
    assert "常态化巡查" not in await liaison.send("/mytasks")
