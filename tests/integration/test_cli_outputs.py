"""`python -m bot digest` and `python -m bot assessment` as an operator runs them (subprocesses,
both databases): the text on stdout, or `--out` as a workbook, a chart or a text file, each a file
that opens; an unwritable `--out` is one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.rules.org import parse_org
from bot.usecases import org
from tests.support.assessment_seed import local

ROOT = Path(__file__).parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def run(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "BOT_TIMEZONE": "Asia/Shanghai",
           "BOT_LANGUAGE": "zh"}
    env.pop("TELEGRAM_BOT_TOKEN", None)  # offline commands need no token
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
async def office(db):  # type: ignore[no-untyped-def]
    await org.import_org(db, parse_org({"office": "测试区领导小组办公室", "departments": ["区财政局", "区科技局"]}),
                         now=local(2026, 3, 1, 9, 0))
    return db


@pytest.mark.parametrize("command", [["digest", "--period", "quarter", "--at", "2026-12-28T10:00"],
                                     ["assessment", "--year", "2026", "--at", "2027-01-05T10:00"]])
async def test_text_workbook_and_chart_out(office, db_url, tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    shown = run(db_url, *command)
    assert shown.returncode == 0, shown.stderr
    assert "区财政局" in shown.stdout and "Traceback" not in shown.stderr
    for name, check in (("out.xlsx", lambda p: load_workbook(p).sheetnames),
                        ("out.png", lambda p: p.read_bytes().startswith(PNG)),
                        ("out.txt", lambda p: "区财政局" in p.read_text(encoding="utf-8"))):
        out = tmp_path / name
        done = run(db_url, *command, "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert f"written to {out}" in done.stdout and check(out)
    refused = run(db_url, *command, "--out", str(tmp_path / "missing" / "x.xlsx"))
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "cannot write" in refused.stderr
