"""The itinerary's interactive map in a real headless Chromium (Debian's), desktop and phone.

Every request that leaves the app is failed and recorded: the map must draw its basemap,
network and route from the app alone. Screenshots go to ``test-output/`` (the README's come
from here: ``itinerary-desktop.png`` and ``itinerary-phone.png``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.browser.test_form_e2e import CHROMIUM
from tests.browser.test_form_e2e import OUTPUT
from tests.conftest import make_app
from tests.web.conftest import csrf_token
from tests.web.conftest import wait_for_job

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A 3-day itinerary planned through the form, and the app serving it over HTTP."""
    path = tmp_path_factory.mktemp("map") / "map.sqlite3"
    app = make_app(f"sqlite:///{path}")
    client = app.test_client()
    response = client.post(
        "/",
        data={
            "csrf_token": csrf_token(client),
            "start": "hub-ha-noi",
            "start_date": "2027-03-06",
            "days": "3",
            "pace": "normal",
            "must_visit": ["Vịnh Hạ Long", "Yên Tử"],
            "group_size": "2",
            "language": "vi",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    location = wait_for_job(app, client, response.headers["Location"])
    assert location.startswith("/i/"), location
    data = client.get(location + "/map.json").get_json()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}{location}", data
    httpd.shutdown()
    app.extensions["tourplanner.storage.db"].dispose()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, launched once for this module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
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
        yield chromium
        chromium.close()


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def visit(request, browser):
    """A page of the given size whose requests outside the app fail and are recorded, with
    the console errors (a blocked inline script or style shows there) collected."""
    context = browser.new_context(**SIZES[request.param])
    outside: list[str] = []
    errors: list[str] = []

    def gate(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", gate)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, page, outside, errors
    context.close()


def _zoom(page) -> float:
    return float(page.get_attribute("#route-map", "data-zoom"))


def test_map_draws_basemap_route_and_zooms_offline(served, visit):
    """The map draws land, borders, the network, every leg and every stop from the app alone;
    the zoom control, a day's button and a stop's marker each zoom the map; nothing is
    fetched from outside and the page logs no error."""
    url, data = served
    size, page, outside, errors = visit
    page.goto(url)
    page.wait_for_selector("#route-map[data-ready='true']", timeout=15_000)

    assert page.locator("#route-map path.land").count() >= 3  # Vietnam, China and islands
    assert page.locator("#route-map path.border-province").count() >= 1
    assert page.locator("#route-map path.border-country").count() >= 1
    assert page.locator("#route-map path.net-expressway").count() >= 1
    assert page.locator("#route-map path.net-ferry, #route-map path.net-boat").count() >= 1
    legs = sum(len(day["legs"]) for day in data["days"])
    assert page.locator("#route-map path.leg").count() == legs
    assert page.locator("#route-map .stop-pin").count() == len(data["stops"])
    assert page.locator(".leaflet-control-attribution").inner_text().count("OpenStreetMap") == 1
    assert not page.locator(".map-fallback").is_visible()  # the SVG waits for print
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"itinerary-{size}-full.png"), full_page=True)
    if size == "phone":  # the map comes after the timeline on a phone
        page.locator(".map-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / f"itinerary-{size}.png"))
    page.locator(".map-panel").screenshot(path=str(OUTPUT / f"map-{size}.png"))

    before = _zoom(page)
    page.click(".leaflet-control-zoom-in")
    # (wait_for_function would evaluate a string, which the page's CSP rightly refuses)
    page.wait_for_selector(
        f"#route-map:not([data-zoom='{page.get_attribute('#route-map', 'data-zoom')}'])"
    )
    assert _zoom(page) > before

    page.click(".map-day[data-day='1']")
    page.wait_for_selector("#route-map[data-focus='1']")
    assert page.get_attribute(".map-day[data-day='1']", "aria-pressed") == "true"

    first = next(s for s in data["stops"] if s["number"] == 1)
    page.click(".map-day[data-day='all']")
    page.locator(".leaflet-marker-icon[title^='1. ']").click()
    page.wait_for_selector(f"#route-map[data-focus='stop:{first['id']}']")
    assert _zoom(page) >= 14
    popup = page.locator(".leaflet-popup")
    assert popup.is_visible()
    assert popup.locator("a.maps-osm").get_attribute("href") == first["links"]["osm"]
    assert popup.locator("a.maps-google").get_attribute("href") == first["links"]["google"]
    page.locator(".map-panel").screenshot(path=str(OUTPUT / f"map-{size}-stop.png"))

    assert outside == []
    assert errors == []


def test_timeline_opens_stops_and_days_in_maps_apps(served, visit):
    """Each stop of the timeline links to OpenStreetMap, Google Maps and (on a phone) a geo:
    URI; each day to a Google Maps route through its stops; a stop's "show on map" button
    zooms the map to it."""
    url, data = served
    size, page, outside, errors = visit
    page.goto(url)
    page.wait_for_selector("#route-map[data-ready='true']", timeout=15_000)
    rows = page.locator(".timeline .stop-links")
    assert rows.count() >= len(data["stops"])
    assert page.locator(".stop-links a.maps-osm").count() == rows.count()
    assert page.locator(".stop-links a.maps-google").count() == rows.count()
    assert page.locator(".stop-links a.maps-geo").count() == rows.count()
    geo = page.locator(".stop-links a.maps-geo").first
    assert geo.get_attribute("href").startswith("geo:")
    assert geo.is_visible() == (size == "phone")
    days = page.locator(".day-links a.maps-google")
    assert days.count() == len(data["days"])
    assert all("/maps/dir/" in days.nth(i).get_attribute("href") for i in range(days.count()))

    stop = next(s for s in data["stops"] if s["number"] == 2)
    page.click(f".stop-links .map-focus[data-stop='{stop['id']}']")
    page.wait_for_selector(f"#route-map[data-focus='stop:{stop['id']}']")
    assert _zoom(page) >= 14
    assert outside == []
    assert errors == []
