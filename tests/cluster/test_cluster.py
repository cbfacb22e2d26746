"""Three `python -m bot` webhook workers behind nginx (deploy/'s configuration) on one PostgreSQL
database, fed by the fake Bot API the way Telegram feeds a webhook (retrying what did not get a 2xx):

- a dialogue (/assign, step by step) started on one worker finishes on others, the first killed;
- a burst of 300 messages while the worker sending a broadcast is SIGKILLed: every message is
  answered, at most the updates in flight at the kill twice; every liaison gets the broadcast.

(The tick across the cluster, and a rolling restart: test_tick.py.) The tests share one cluster
and run in this order; their figures are printed (pytest -s, or -rA) and written to the run's log
directory (`summary.json`)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.cluster.harness import ADMIN_ID, Cluster, sql, table_exists, wait_until
from tests.cluster.scenario import SEEDED, SEEDED_FROM, Steps, Summary, restore

pytestmark = pytest.mark.cluster
BURST = 300
BURST_FROM = 60_000
SENDER_LOCK = "outbox-sender"  # storage.locks.exclusive's name for the outbox sender (jobs/sender.py)


def test_a_dialogue_started_on_one_worker_finishes_on_another(cluster: Cluster, office: dict[str, int],
                                                              summary: Summary) -> None:
    """/assign → a department → next → due → title → /skip details → /skip file → confirm; the
    worker that opened the dialogue is SIGKILLed after the second step."""
    steps, admin = Steps(cluster), ADMIN_ID
    due = (datetime.now(ZoneInfo(cluster.env["BOT_TIMEZONE"])) + timedelta(days=30)).strftime("%Y-%m-%d 17:00")
    steps.run("/assign", lambda: cluster.ask(admin, "/assign", contains="第 1/6 步"))
    steps.run("press 区财政局", lambda: cluster.press(admin, "区财政局"))
    opener = steps.workers[0][1]
    assert opener is not None
    cluster.kill(opener)  # the dialogue's state must not have lived in that process
    steps.run("press 下一步", lambda: (cluster.press(admin, "下一步"), cluster.wait_message(admin, contains="第 2/6 步")))
    steps.run("due", lambda: cluster.ask(admin, due, contains="第 3/6 步"))
    steps.run("title", lambda: cluster.ask(admin, "集群演练交办事项", contains="第 4/6 步"))
    steps.run("/skip details", lambda: cluster.ask(admin, "/skip", contains="第 5/6 步"))
    confirm = steps.run("/skip file", lambda: cluster.ask(admin, "/skip", contains="第 6/6 步"))
    assert "承办：区财政局" in confirm and "标题：集群演练交办事项" in confirm, confirm
    before = len(cluster.sent(admin))
    steps.run("press 确认下发", lambda: cluster.press(admin, "确认下发"))
    created = cluster.wait_message(admin, contains="已创建交办单", after=before)
    notice = cluster.wait_message(office["区财政局"], contains="集群演练交办事项", timeout=60)
    summary.report("dialogue", killed_worker=opener, steps=steps.workers)
    assert "集群演练交办事项" in created and "交办单" in notice
    after_kill = [worker for name, worker in steps.workers[2:]]
    assert opener not in after_kill and len({w for _, w in steps.workers}) >= 2, steps.workers
    restore(cluster)


def test_a_burst_with_the_sending_worker_killed_is_answered_once_and_the_broadcast_reaches_everyone(
        cluster: Cluster, office: dict[str, int], summary: Summary) -> None:
    liaisons = sorted([*office.values(), *range(SEEDED_FROM, SEEDED_FROM + SEEDED)])
    burst = [BURST_FROM + i for i in range(BURST)]
    started = time.monotonic()
    cluster.say_many([{"user_id": ADMIN_ID, "text": "/broadcast 集群演练通知：请忽略"}]
                     + [{"user_id": user, "text": "/whoami", "first_name": f"演练用户{user}"} for user in burst])
    pushed = cluster.stats()["last_push"]  # the fake's clock

    def done_after(text: str) -> float | None:
        last = cluster.stats(contains=text)["last_delivery"]
        return round(last - pushed, 1) if last else None

    def burst_answers() -> dict[int, int]:
        counts = cluster.per_chat("我的信息")
        return {user: counts.get(user, 0) for user in burst}

    def broadcast_copies() -> dict[int, int]:
        counts = cluster.per_chat("集群演练通知")
        return {chat: counts.get(chat, 0) for chat in liaisons}

    wait_until(lambda: sum(1 for n in burst_answers().values() if n) >= BURST // 3
               and sum(1 for n in broadcast_copies().values() if n) >= 10, 120, "a third of the burst answered and "
               "the broadcast under way", 0.05)
    holder = cluster.lock_holder(SENDER_LOCK)
    victim = holder if holder is not None else 1
    flying = cluster.stats()["webhook"]["in_flight"]
    cluster.kill(victim)
    at_kill = time.monotonic() - started
    stored_open = (sql(cluster.db_url, "SELECT count(*) FROM inbound_updates WHERE done_at IS NULL")[0][0]
                   if table_exists(cluster.db_url, "inbound_updates") else 0)
    answered_at_kill = sum(1 for n in burst_answers().values() if n)
    sent_at_kill = sum(1 for n in broadcast_copies().values() if n)

    try:
        wait_until(lambda: all(burst_answers().values()), 180, "an answer to every message of the burst", 0.5)
        wait_until(lambda: all(broadcast_copies().values()), 240, "the broadcast in every liaison's chat", 0.5)
        wait_until(lambda: not sql(cluster.db_url, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')")[0][0],
                   240, "the outbox to drain", 0.5)
        admin_report = cluster.wait_message(ADMIN_ID, contains="号群发完成", timeout=60)
    finally:
        answers, copies = burst_answers(), broadcast_copies()
        resent = sql(cluster.db_url, "SELECT coalesce(sum(resent), 0) FROM outbox")[0][0] \
            if _has_column(cluster, "outbox", "resent") else None
        webhook = cluster.stats()["webhook"]
        summary.report(
            "burst", messages=BURST, liaisons=len(liaisons), killed_worker=victim,
            killed_was_sender=holder is not None, kill_after_s=round(at_kill, 2), answered_at_kill=answered_at_kill,
            broadcast_sent_at_kill=sent_at_kill, in_flight_at_kill={"deliveries": flying, "stored_not_done": stored_open},
            unanswered=sum(1 for n in answers.values() if n == 0),
            answered_twice_or_more=sum(1 for n in answers.values() if n > 1),
            broadcast_missing=sum(1 for n in copies.values() if n == 0),
            broadcast_twice_or_more=sum(1 for n in copies.values() if n > 1), outbox_resent=resent,
            webhook={k: webhook[k] for k in ("delivered", "retried", "failed")},
            last_answer_after_s=done_after("我的信息"), last_broadcast_copy_after_s=done_after("集群演练通知"))
    assert all(n >= 1 for n in answers.values())
    assert sum(1 for n in answers.values() if n > 1) <= flying + stored_open
    assert all(n >= 1 for n in copies.values())
    assert resent is None or sum(n - 1 for n in copies.values()) <= resent  # a second copy only of a row sent again
    assert "共 " in admin_report
    restore(cluster)


def _has_column(cluster: Cluster, table: str, column: str) -> bool:
    return bool(sql(cluster.db_url, "SELECT count(*) FROM information_schema.columns WHERE table_name = $1 "
                                    "AND column_name = $2", table, column)[0][0])
