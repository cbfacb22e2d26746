"""What the cluster tests share: the org, the people, and small helpers around the harness."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from tests.cluster.harness import ADMIN_ID, Cluster, HarnessError, bot_command, seed_liaisons, wait_until

ORG = {"departments": ["区经济信息委", "区发展改革委", "区交通局", "区财政局", "区水利局"],
       "working_groups": [{"name": "要素保障工作专班", "lead": ["区经济信息委"], "members": ["区发展改革委", "区交通局"]}]}
REGISTERED = {"区经济信息委": 3101, "区财政局": 3102, "区交通局": 3103}  # liaisons registered through chat
SEEDED = 150  # more liaisons, written to the database: a broadcast then takes a few seconds
SEEDED_FROM = 40_000
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def midday_zone(now: datetime) -> ZoneInfo:
    """A fixed-offset zone where it is 12:xx now, so no minute a test schedules (a few minutes
    ahead) and no 23:59 crosses a day."""
    offset = 12 - now.astimezone(UTC).hour  # -11 … +12
    return ZoneInfo("Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}")


def prepare(db_url: str, workdir: Path) -> dict[str, str]:
    """Migrate once (before any worker starts, as deploy/ does), import the org, seed the extra
    liaisons; the settings every worker gets."""
    bot_command(["migrate"], db_url, cwd=workdir)
    org_file = workdir / "org.yaml"
    org_file.write_text(yaml.safe_dump(ORG, allow_unicode=True))
    bot_command(["org", "import", str(org_file)], db_url, cwd=workdir)
    seed_liaisons(db_url, SEEDED, first_id=SEEDED_FROM)
    zone = midday_zone(datetime.now(UTC))
    weekday = WEEKDAYS[datetime.now(zone).weekday()]
    # no scheduled digest falls due unless a test sets the weekly one's minute
    return {"BOT_TIMEZONE": zone.key, "DIGEST_WEEKLY": f"{weekday} 23:59", "DIGEST_MONTHLY": "1 23:59",
            "DIGEST_QUARTERLY": "1 23:59"}


def register(cluster: Cluster) -> dict[str, int]:
    """The admin, and a liaison registered through chat for each of REGISTERED's departments."""
    cluster.ask(ADMIN_ID, "/start", first_name="办公室管理员")
    for department, user in REGISTERED.items():
        issued = cluster.ask(ADMIN_ID, f"/invite {department}", contains="start=")
        code = re.search(r"start=([A-Za-z0-9_-]+)", issued)
        assert code, issued
        assert "登记成功" in cluster.ask(user, f"/start {code.group(1)}", contains="登记", first_name=f"联络员{user}")
    return dict(REGISTERED)


class Summary(dict):  # type: ignore[type-arg]
    """A module's figures: printed as they come (pytest -s or -rA) and written to summary.json."""

    def report(self, key: str, **figures: Any) -> None:
        self[key] = figures
        print(f"\n{key}: {json.dumps(figures, ensure_ascii=False)}")

    def write(self, workdir: Path) -> None:
        (workdir / "summary.json").write_text(json.dumps(self, ensure_ascii=False, indent=2))


def restore(cluster: Cluster) -> None:
    """Every worker running again (after a test stopped one)."""
    for index in range(len(cluster.pool)):
        if index not in cluster.alive():
            cluster.restart(index)


class Steps:
    """Which worker answered each step of a conversation: the newest webhook POST in nginx's
    access log once the step's answer is in (one person, one step at a time: nothing else posts)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.workers: list[tuple[str, int | None]] = []

    def run(self, name: str, action: Any) -> Any:
        before = len(self.cluster.webhook_posts())
        result = action()
        posts = wait_until(lambda: self.cluster.webhook_posts()[before:], 10, f"the access log line of {name}")
        answered = [p for p in posts if p.status == 200]
        self.workers.append((name, self.cluster.worker_at(answered[-1].worker if answered else None)))
        return result


class Trickle(threading.Thread):
    """One /whoami every `every` seconds, each from a new user, until stopped."""

    def __init__(self, cluster: Cluster, first: int, every: float = 0.3) -> None:
        super().__init__(daemon=True)
        self.cluster, self.first, self.every = cluster, first, every
        self.users: list[int] = []
        self.halt = threading.Event()
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.halt.is_set():
            user = self.first + len(self.users)
            try:
                self.cluster.say(user, "/whoami")
                self.users.append(user)
            except HarnessError as error:
                self.errors.append(str(error))
            self.halt.wait(self.every)
