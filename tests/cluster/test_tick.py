"""The tick across three webhook workers behind nginx (its own cluster: it takes a few minutes of the
clock). The weekly digest is set, by a rolling restart (SIGTERM one worker at a time while messages
keep coming), for a minute shortly ahead; one worker is SIGKILLed before that minute; the director
gets the digest exactly once, from a worker left, within the minute (every live worker runs the
tick's steps once a minute, one at a time: PostgreSQL's advisory lock), and no message sent during
the rolling restart goes unanswered or is answered twice."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.cluster.harness import ADMIN_ID, Cluster, wait_until
from tests.cluster.scenario import WEEKDAYS, Summary, Trickle, restore

pytestmark = pytest.mark.cluster
DIRECTOR = 7001
TRICKLE_FROM = 80_000


def test_the_tick_keeps_its_minute_across_the_cluster_and_a_rolling_restart_loses_nothing(
        cluster: Cluster, summary: Summary) -> None:
    zone = ZoneInfo(cluster.env["BOT_TIMEZONE"])
    cluster.ask(DIRECTOR, "/start", first_name="主任")
    assert "已授予" in cluster.ask(ADMIN_ID, f"/grant {DIRECTOR} 主任", contains="授予", first_name="办公室管理员")
    # Long enough ahead for the rolling restart (each worker stops, starts, is ready in turn), judged
    # by how long the workers took to start on this machine, then the next whole minute.
    lead = max(75.0, 3 * (cluster.start_seconds + 5) + 30)
    moment = (datetime.now(zone) + timedelta(seconds=lead + 59)).replace(second=0, microsecond=0)
    trickle = Trickle(cluster, TRICKLE_FROM)
    rolling = time.monotonic()
    trickle.start()
    try:
        for index in range(len(cluster.pool)):  # the new setting, one worker at a time
            assert cluster.terminate(index) == 0, f"worker{index} did not stop cleanly"
            cluster.restart(index, env={"DIGEST_WEEKLY": f"{WEEKDAYS[moment.weekday()]} {moment:%H:%M}"})
    finally:
        trickle.halt.set()
        trickle.join()
    rolled = time.monotonic() - rolling
    left = (moment - datetime.now(zone)).total_seconds()
    assert left > 20, f"the rolling restart took {rolled:.0f}s, too long to leave time before the digest's minute"
    time.sleep(left - 15)
    victim = 0
    cluster.kill(victim)

    def weekly() -> list[dict[str, Any]]:
        return [m for m in cluster.sent(DIRECTOR) if m["method"] == "sendMessage"
                and "周调度" in (m.get("text") or "") and "（续）" not in (m.get("text") or "")]

    wait_until(weekly, (moment - datetime.now(zone)).total_seconds() + 120, "the weekly digest", 0.25)
    late = (datetime.now(zone) - moment).total_seconds()
    time.sleep(5)  # a second pass at the same minute, on another worker, would have sent it by now
    digests = weekly()
    queued_by = cluster.logs(r"week digest .* queued")
    answers = cluster.per_chat("我的信息")
    summary.report("tick", moment=moment.isoformat(), rolling_restart_s=round(rolled, 1), killed_worker=victim,
                   digest_received_after_moment_s=round(late, 1), weekly_digests=len(digests),
                   queued_by_worker=queued_by, messages_during_rolling_restart=len(trickle.users),
                   unanswered_so_far=sum(1 for u in trickle.users if not answers.get(u)))
    assert len(digests) == 1 and sum(queued_by.values()) == 1 and queued_by[victim] == 0
    # a pass a minute on each live worker; then the digest is built (a chart too) and sent
    assert late <= 90
    assert not trickle.errors
    wait_until(lambda: all(cluster.per_chat("我的信息").get(u) for u in trickle.users), 180,
               "an answer to every message sent during the rolling restart", 0.5)
    answers = cluster.per_chat("我的信息")
    assert [u for u in trickle.users if answers[u] != 1] == []
    restore(cluster)
