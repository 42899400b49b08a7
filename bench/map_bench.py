"""Benchmark the itinerary page with its interactive map in a real browser.

Plans a 3-day tour on the embedded catalogue (Hà Nội, with Hạ Long Bay and Cát Bà as
must-sees), serves the app on 127.0.0.1, and loads ``/i/<id>`` in Debian's headless Chromium
(Playwright) several times, each in a fresh browser context (no cache), measuring from the
start of navigation to the moment the map says it is drawn (``#route-map[data-ready]``: the
basemap, network, legs and stops are on it). Requests outside the app are failed and counted.

Run from the repository root::

    python bench/map_bench.py [--runs 7] [--json]

Prints the median and worst load time and the bytes served for the map (basemap files, the
network layer, the map's data, Leaflet and the map's own script and style), and asserts
nothing: timings belong here, not in tests. Targets (issue 20): the page of a 3-day plan loads
with its map drawn in under 1 s, and the basemap files served for it stay under 1.5 MB.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REQUEST = {
    "start": "Hà Nội",
    "start_date": "2027-03-06",
    "days": 3,
    "interests": ["heritage", "nature"],
    "must_visit": ["Vịnh Hạ Long", "Cát Bà"],
    "language": "vi",
}
#: what counts as the map's bytes: paths under these prefixes
MAP_PATHS = ("/static/basemap/", "/static/vendor/leaflet/", "/static/js/routemap.js")
MAP_SUFFIXES = ("/map.json", "/map/network.geojson", "/static/css/map.css")


def _plan(app) -> str:
    """Plan the 3-day tour in the app and return its itinerary path."""
    from tourplanner.catalogue.service import get_catalogue
    from tourplanner.planning import plan
    from tourplanner.planning.request import parse_tour_request
    from tourplanner.services.itineraries import save_itinerary
    from tourplanner.services.travel_model import get_travel_model

    with app.app_context():
        request = parse_tour_request(REQUEST, get_catalogue())
        itinerary = plan(request, get_catalogue(), get_travel_model())
        with app.extensions["tourplanner.storage.db"].session() as session:
            saved = save_itinerary(session, itinerary)
    return f"/i/{saved.id}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="page loads (default 7)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from tourplanner import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "bench"})
        path = _plan(app)
        httpd = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{httpd.server_port}{path}"
        loads: list[float] = []
        in_page: list[float] = []  # the page's own clock: navigation start to map drawn
        served: dict[str, int] = {}
        outside: list[str] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
                )
                for run in range(args.runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})

                    def gate(route):
                        if urlsplit(route.request.url).hostname == "127.0.0.1":
                            route.continue_()
                        else:
                            outside.append(route.request.url)
                            route.abort()

                    context.route("**/*", gate)
                    page = context.new_page()
                    sizes: dict[str, int] = {}

                    def record(response, sizes=sizes):
                        target = urlsplit(response.url).path
                        if target.startswith(MAP_PATHS) or target.endswith(MAP_SUFFIXES):
                            sizes[target] = len(response.body())

                    page.on("response", record)
                    start = time.perf_counter()
                    page.goto(url, wait_until="commit")
                    page.wait_for_selector("#route-map[data-ready='true']", timeout=30_000)
                    loads.append(time.perf_counter() - start)
                    in_page.append(float(page.get_attribute("#route-map", "data-ready-ms")) / 1000)
                    page.wait_for_load_state("load")
                    if run == 0:
                        served = dict(sizes)
                    context.close()
                browser.close()
        finally:
            httpd.shutdown()
            app.extensions["tourplanner.storage.db"].dispose()

    basemap = sum(v for k, v in served.items() if k.startswith("/static/basemap/"))
    result = {
        "url_path": path,
        "runs": len(loads),
        "first_s": round(loads[0], 3),
        "median_s": round(statistics.median(loads), 3),
        "max_s": round(max(loads), 3),
        "in_page_median_s": round(statistics.median(in_page), 3),
        "basemap_bytes": basemap,
        "map_bytes_total": sum(served.values()),
        "files": dict(sorted(served.items())),
        "outside_requests": outside,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"itinerary page {path} with its map drawn, {len(loads)} loads (fresh context each)")
    print(f"  first {result['first_s']:.3f} s · median {result['median_s']:.3f} s · "
          f"worst {result['max_s']:.3f} s   (target: under 1 s)")  # fmt: skip
    print(f"  the page's own clock (navigation start to map drawn): median "
          f"{result['in_page_median_s']:.3f} s")  # fmt: skip
    print("bytes served for the map:")
    for name, size in result["files"].items():
        print(f"  {size:>9,}  {name}")
    print(f"  {basemap:>9,}  basemap files (target: under 1,500,000)")
    print(f"  {result['map_bytes_total']:>9,}  everything the map loads")
    print(f"requests outside the app: {len(outside)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
