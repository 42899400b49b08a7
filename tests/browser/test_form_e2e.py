"""End to end in a real headless Chromium (Debian's package) driven by Playwright.

The app runs on a real HTTP server on 127.0.0.1 in a thread, with the tiny test catalogue.
A screenshot of the itinerary page is written to ``test-output/`` for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def server(tmp_path):
    """The app served over HTTP on a free local port."""
    app = make_app(f"sqlite:///{tmp_path / 'e2e.sqlite3'}")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    app.extensions["tourplanner.storage.db"].dispose()


@pytest.fixture
def page():
    """A fresh headless Chromium page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        yield context.new_page()
        context.close()
        browser.close()


def test_plan_share_download_and_replan(server, page):
    """Fill the form, get the itinerary with its map, reopen the permalink, download the .ics,
    then remove a stop and re-plan into a new version."""
    page.goto(server + "/")
    page.fill("#start", "Hà Nội (Phố cổ)")
    page.fill("#start_date", "2027-03-06")
    page.fill("#days", "2")
    page.check("input[name=interests][value=heritage]")
    page.fill("#must-search", "ha long")
    page.wait_for_selector("#must-suggestions li")
    page.click("#must-suggestions li >> nth=0")
    assert page.locator("#must-list input[value=ha-long-bay]").count() == 1
    page.click("button[type=submit]")

    page.wait_for_url(re.compile(r".*/i/[A-Za-z0-9_-]+$"), timeout=60_000)
    page.wait_for_selector("#route-map[data-ready='true']")  # the interactive map is drawn
    assert page.locator("img.route-map").count() == 1  # the SVG map, for a page without script
    assert page.locator(".day").count() == 2
    assert "Vịnh Hạ Long" in page.inner_text(".it-days")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "itinerary.png"), full_page=True)

    permalink = page.url
    page.goto(permalink)
    assert page.locator(".day").count() == 2
    assert page.input_value("#share") == permalink

    with page.expect_download() as download:
        page.click("#ics-link")
    ics = Path(download.value.path()).read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in ics

    stops = page.locator("input[name=remove]")
    removed = next(
        stops.nth(i).get_attribute("value")
        for i in range(stops.count())
        if stops.nth(i).get_attribute("value") != "ha-long-bay"
    )
    page.check(f"input[name=remove][value={removed}]")
    page.click(".replan button[type=submit]")
    page.wait_for_url(
        lambda url: re.search(r"/i/[A-Za-z0-9_-]+$", url) and url != permalink, timeout=60_000
    )
    assert page.locator(f"input[name=remove][value={removed}]").count() == 0
    assert (
        page.locator(f"a[href$='{permalink.rsplit('/', 1)[1]}']").count() == 1
    )  # link to the old version
    page.screenshot(path=str(OUTPUT / "itinerary-replanned.png"), full_page=True)


def test_form_errors_in_the_browser(server, page):
    """Submitting bad input re-renders the form with a message at the field, input kept."""
    page.goto(server + "/?lang=en")
    page.fill("#start", "Atlantis")
    page.fill("#start_date", "2027-03-06")
    page.fill("#days", "2")
    page.click("button[type=submit]")
    page.wait_for_selector("#start-error")
    assert "no place is called 'Atlantis'" in page.inner_text("#start-error")
    assert page.input_value("#start") == "Atlantis"
    assert page.get_attribute("#start", "aria-invalid") == "true"
