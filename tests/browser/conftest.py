"""The dashboard page in headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
Selenium): the city of tests/support/dashboard_site.py served by the bot's own web server on
127.0.0.1, and one browser for the module.

Without /usr/bin/chromium, /usr/bin/chromedriver or Selenium the tests are skipped with the reason
shown in the summary, unless REQUIRE_BROWSER=1 (as in CI), which turns that into a failure. The
driver's path is given, so Selenium never looks for (or downloads) a browser of its own."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import api, desk  # noqa: F401 - the fixtures, for this directory too
from tests.support.dashboard_site import Site, open_site

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
ROOT = Path(__file__).resolve().parents[2]


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def db_url(tmp_path: Path, sqlite_migrated: Path) -> str:
    """SQLite only: the page is what is under test here (the API runs on both databases, tests/e2e)."""
    shutil.copyfile(sqlite_migrated, tmp_path / "liaison.db")
    return f"sqlite+aiosqlite:///{tmp_path / 'liaison.db'}"


@pytest.fixture
async def site(desk, clock) -> AsyncIterator[Site]:  # type: ignore[no-untyped-def]  # noqa: F811
    async with open_site(desk, clock) as opened:
        yield opened


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, Chinese (the page's errors follow the browser's language before any
    answer), logging the console and the network (`goog:loggingPrefs`)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        _unavailable(f"no {' or '.join(missing)} (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed")
    profile = tempfile.mkdtemp(prefix="dashboard-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--lang=zh-CN", f"--user-data-dir={profile}", "--window-size=1280,800"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the run leaves its screenshots: $DASHBOARD_SCREENSHOTS, else tests/artifacts/screenshots."""
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or ROOT / "tests" / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
