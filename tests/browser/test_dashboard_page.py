"""Issue 16: the dashboard page itself, in headless Chromium, against the bot's own web server on
127.0.0.1 (the city of tests/support/dashboard_site.py): what a director sees at 360×740 and
1280×800, the drill-down to a district, a department named with markup shown as text, no request
leaving the machine, and the polite error of an expired or forged link.

Selenium is blocking and the server runs on the test's event loop: every browser step runs in a
worker thread (`asyncio.to_thread`) while the loop serves the page. Waits are on conditions only."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.dashboard_site import (CITY_DIRECTOR, FILE_NAME, LIAISON, SCRIPT_NAME, Site)

pytestmark = pytest.mark.browser

WAIT = 20  # seconds, at most, for any condition (a slow CI machine); met in well under one normally
SIZES = [(360, 740), (1280, 800)]
PAGE_SCRIPTS = {"/dashboard/static/vendor/echarts/echarts.min.js", "/dashboard/static/dashboard.js"}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
ERR_EXPIRED = "登录已失效，请在 Telegram 中重新打开看板。"
ERR_NO_SIGN_IN = "请从 Telegram 中打开看板，或使用管理员提供的链接。"
ERR_FORBIDDEN = "看板仅向领导和办公室管理员开放。"


# ---------------------------------------------------------------- helpers (run in the worker thread)

def by() -> Any:
    from selenium.webdriver.common.by import By
    return By


def wait(driver: Any, condition: Callable[[Any], Any], what: str) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)) \
        .until(condition, message=f"waited {WAIT}s for {what}")


def js(driver: Any, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)


def view(driver: Any) -> str:
    return js(driver, "return document.body.getAttribute('data-view')")


def text_of(driver: Any, css: str) -> str:
    """An element's text as the DOM holds it (textContent: also for what is scrolled out of view)."""
    return js(driver, "var e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css)


def summary_shown(driver: Any, office_id: int, count: str) -> None:
    wait(driver, lambda d: view(d) == "summary" and
         js(d, "return document.body.getAttribute('data-office-id')") == str(office_id) and
         text_of(d, "#cycle-count") == count, f"the summary of office {office_id} showing {count}")


def charts_drawn(driver: Any) -> None:
    """Every chart on show has its canvas and has finished drawing (ECharts' `finished`)."""
    wait(driver, lambda d: js(d, """
        var charts = Array.prototype.filter.call(document.querySelectorAll('.chart'),
            function (c) { return c.offsetParent !== null; });
        return charts.length > 0 && charts.every(function (c) {
            return c.querySelector('canvas') && c.getAttribute('data-rendered') === '1'; });"""),
         "the charts to be drawn")


def open_page(driver: Any, url: str) -> None:
    """A fresh document for `url` (never a same-document hop from the previous page), with the
    browser's logs emptied first (they hold what happened since they were last read)."""
    driver.get("about:blank")
    drain_logs(driver)
    driver.get(url)


def set_size(driver: Any, width: int, height: int) -> None:
    driver.set_window_size(width, height)
    wait(driver, lambda d: js(d, "return window.innerWidth") == width, f"a {width}px wide viewport")


def screenshot(driver: Any, path: Path) -> None:
    """The whole page (beyond the viewport), as a PNG."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def drain_logs(driver: Any) -> None:
    driver.get_log("performance")
    driver.get_log("browser")


def requested_urls(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def no_page_wide_scroll(driver: Any) -> None:
    width, scroll = js(driver, "return [window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= width, f"the page scrolls sideways: {scroll}px of content in a {width}px viewport"


# ---------------------------------------------------------------- helpers (on the loop)

async def summary_of(site: Site, user: int, office: int | None = None) -> dict[str, Any]:
    """What the API answers the page (the numbers the page must show)."""
    query = f"?office={office}" if office else ""
    async with httpx.AsyncClient(base_url=site.base, timeout=10) as client:
        answer = await client.get(f"/api/summary{query}", headers=site.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()


def count_of(body: dict[str, Any]) -> str:
    return f"{body['cycle']['submitted']}/{body['cycle']['total']}"


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_director_sees_the_cycle_the_missing_a_chart_and_a_department(
        site: Site, browser: Any, screenshots: Path, width: int, height: int) -> None:
    body = await summary_of(site, CITY_DIRECTOR)
    city = site.offices["cq-city"]
    finance = site.departments[("cq-city", "市财政局")]
    assert count_of(body) == "2/4" and set(body["cycle"]["missing"]) == {SCRIPT_NAME, "璧山区"}
    link = site.link(CITY_DIRECTOR)

    def scenario(driver: Any) -> None:
        By = by()
        set_size(driver, width, height)
        open_page(driver, link)
        summary_shown(driver, city, count_of(body))
        missing = [li.get_attribute("textContent") for li in driver.find_elements(By.CSS_SELECTOR, "#missing li")]
        assert missing == body["cycle"]["missing"]
        assert driver.find_element(By.CSS_SELECTOR, "#cycle-count").is_displayed()
        assert driver.find_elements(By.CSS_SELECTOR, "#chart-groups canvas")
        charts_drawn(driver)
        no_page_wide_scroll(driver)
        screenshot(driver, screenshots / f"summary-{width}x{height}.png")

        row = driver.find_element(By.CSS_SELECTOR, f'#departments tr[data-department-id="{finance}"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
        row.click()
        wait(driver, lambda d: view(d) == "department" and text_of(d, "#department-name") == "市财政局",
             "the page of 市财政局")
        page = driver.find_element(By.ID, "department-page")
        assert FILE_NAME in page.text  # on show, not only in the DOM
        assert page.get_attribute("data-department-id") == str(finance)
        assert driver.find_element(By.ID, "back").is_displayed()
        no_page_wide_scroll(driver)
        screenshot(driver, screenshots / f"department-{width}x{height}.png")

        driver.find_element(By.ID, "back").click()
        summary_shown(driver, city, count_of(body))
        assert console_errors(driver) == []

    await asyncio.to_thread(scenario, browser)


async def test_the_city_director_drills_down_to_a_district_and_back(site: Site, browser: Any,
                                                                    screenshots: Path) -> None:
    city, yongchuan = site.offices["cq-city"], site.offices["yongchuan"]
    city_body = await summary_of(site, CITY_DIRECTOR)
    child_body = await summary_of(site, CITY_DIRECTOR, yongchuan)
    assert count_of(child_body) == "1/3" and child_body["parent"]["id"] == city
    link = site.link(CITY_DIRECTOR)

    def scenario(driver: Any) -> None:
        By = by()
        set_size(driver, 360, 740)
        open_page(driver, link)
        summary_shown(driver, city, count_of(city_body))
        child = driver.find_element(By.CSS_SELECTOR, f'#children tr[data-office-id="{yongchuan}"]')
        assert "1/3" in child.text
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", child)
        child.click()
        summary_shown(driver, yongchuan, count_of(child_body))
        assert text_of(driver, "#office-name") == child_body["office"]["name"]
        # the address names the office but never carries the sign-in (a copied link gives nothing away)
        assert f"office={yongchuan}" in driver.current_url and "tgWebAppData" not in driver.current_url
        back = driver.find_element(By.ID, "back")
        assert back.is_displayed() and city_body["office"]["name"] in back.text
        charts_drawn(driver)
        screenshot(driver, screenshots / "district-360x740.png")

        back.click()
        summary_shown(driver, city, count_of(city_body))
        assert not driver.find_element(By.ID, "back").is_displayed()  # the city has no office above
        driver.back()  # the browser's own history goes down again, still signed in
        summary_shown(driver, yongchuan, count_of(child_body))
        driver.refresh()  # a reload of the tab keeps the sign-in (sessionStorage), not the address
        summary_shown(driver, yongchuan, count_of(child_body))
        assert console_errors(driver) == []

    await asyncio.to_thread(scenario, browser)


async def test_a_department_named_with_markup_shows_as_text(site: Site, browser: Any) -> None:
    city = site.offices["cq-city"]
    marked = site.departments[("cq-city", SCRIPT_NAME)]
    body = await summary_of(site, CITY_DIRECTOR)
    link = site.link(CITY_DIRECTOR)

    def no_injection(driver: Any) -> None:
        from selenium.common.exceptions import NoAlertPresentException

        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert  # noqa: B018 - the property raises when no alert is open
        sources = js(driver, "return Array.prototype.map.call(document.scripts, "
                             "function (s) { return s.getAttribute('src'); });")
        assert sorted(sources) == sorted(PAGE_SCRIPTS), sources
        assert js(driver, "return document.querySelectorAll('main b, main script, #office-name *').length") == 0

    def scenario(driver: Any) -> None:
        By = by()
        set_size(driver, 1280, 800)
        open_page(driver, link)
        summary_shown(driver, city, count_of(body))
        charts_drawn(driver)
        missing = driver.find_elements(By.CSS_SELECTOR, "#missing li")
        assert SCRIPT_NAME in [li.text for li in missing]  # shown, tags and all, as letters
        row = driver.find_element(By.CSS_SELECTOR, f'#departments tr[data-department-id="{marked}"]')
        assert SCRIPT_NAME in row.text
        no_injection(driver)

        row.click()
        wait(driver, lambda d: view(d) == "department" and text_of(d, "#department-name") == SCRIPT_NAME,
             "the page of the department named with markup")
        assert driver.find_element(By.ID, "department-name").text == SCRIPT_NAME
        no_injection(driver)
        assert console_errors(driver) == []

    await asyncio.to_thread(scenario, browser)


async def test_no_request_leaves_the_machine(site: Site, browser: Any) -> None:
    city, yongchuan = site.offices["cq-city"], site.offices["yongchuan"]
    finance = site.departments[("cq-city", "市财政局")]
    city_body = await summary_of(site, CITY_DIRECTOR)
    child_body = await summary_of(site, CITY_DIRECTOR, yongchuan)
    link = site.link(CITY_DIRECTOR)

    def scenario(driver: Any) -> list[str]:
        By = by()
        set_size(driver, 1280, 800)
        open_page(driver, link)
        summary_shown(driver, city, count_of(city_body))
        charts_drawn(driver)
        driver.find_element(By.CSS_SELECTOR, f'#departments tr[data-department-id="{finance}"]').click()
        wait(driver, lambda d: view(d) == "department" and text_of(d, "#department-name") == "市财政局",
             "the page of 市财政局")
        driver.find_element(By.ID, "back").click()
        summary_shown(driver, city, count_of(city_body))
        driver.find_element(By.CSS_SELECTOR, f'#children tr[data-office-id="{yongchuan}"]').click()
        summary_shown(driver, yongchuan, count_of(child_body))
        charts_drawn(driver)
        assert console_errors(driver) == []
        return requested_urls(driver)

    urls = await asyncio.to_thread(scenario, browser)
    paths = {urlsplit(u).path for u in urls}
    assert {"/dashboard", "/api/summary", f"/api/departments/{finance}"} | PAGE_SCRIPTS <= paths, urls
    outside = [u for u in urls if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname not in LOOPBACK]
    assert outside == [], f"requests left the machine: {outside}"


async def test_an_expired_forged_or_missing_sign_in_shows_a_polite_error(site: Site, browser: Any) -> None:
    cases = [
        (site.link(CITY_DIRECTOR, age=24 * 3600 + 60), ERR_EXPIRED),
        (site.link(CITY_DIRECTOR, token="123456:not-the-bot-token"), ERR_EXPIRED),
        (f"{site.base}/dashboard", ERR_NO_SIGN_IN),
        (site.link(LIAISON), ERR_FORBIDDEN),
    ]

    def scenario(driver: Any) -> None:
        By = by()
        set_size(driver, 360, 740)
        for url, message in cases:
            if "#" not in url:  # a new tab: nothing kept from the links opened before (sessionStorage)
                driver.execute_script("window.sessionStorage.clear()")
            open_page(driver, url)
            wait(driver, lambda d: view(d) == "error" and text_of(d, "#error-text") == message,
                 f"the error {message!r}")
            error = driver.find_element(By.ID, "error")
            assert error.is_displayed() and message in error.text
            assert not driver.find_element(By.ID, "summary").is_displayed()
            no_page_wide_scroll(driver)
            # the only console errors: the refused API request itself (401/403), nothing else
            for line in console_errors(driver):
                assert "/api/summary" in line and (" 401 " in line or " 403 " in line), line

    await asyncio.to_thread(scenario, browser)
