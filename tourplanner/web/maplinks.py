"""Links that open a stop, a leg or a day in the maps app a traveller carries.

Per stop: OpenStreetMap (a marker at its coordinates), Google Maps (a search for the
coordinates) and a ``geo:`` URI (RFC 5870, with the name as its label, which phones hand to
their maps app). Per day: Google Maps directions through its stops (origin, up to
:data:`GOOGLE_MAX_WAYPOINTS` waypoints, destination) and OpenStreetMap framed on the day's
stops; OpenStreetMap's planner takes two points only, so each leg gets its own OpenStreetMap
directions link (:func:`leg_links`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import quote
from urllib.parse import urlencode

#: Google Maps URLs take at most nine waypoints between origin and destination
GOOGLE_MAX_WAYPOINTS = 9


class Located(Protocol):
    """A stop or a marker: coordinates and names."""

    lat: float
    lon: float
    name_vi: str
    name_en: str


def _ll(place: Located) -> str:
    return f"{place.lat:.5f},{place.lon:.5f}"


def stop_links(place: Located, *, english: bool = False) -> dict[str, str]:
    """Return ``{"osm", "google", "geo"}`` URLs that open *place* in a maps app."""
    lat, lon = f"{place.lat:.5f}", f"{place.lon:.5f}"
    name = place.name_en if english else place.name_vi
    return {
        "osm": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}",
        "google": "https://www.google.com/maps/search/?"
        + urlencode({"api": "1", "query": f"{lat},{lon}"}),
        "geo": f"geo:{lat},{lon}?q={lat},{lon}({quote(name, safe='')})",
    }


def osm_directions(origin: Located, destination: Located) -> str:
    """Return OpenStreetMap's car directions from *origin* to *destination*."""
    query = urlencode({"engine": "fossgis_osrm_car", "route": f"{_ll(origin)};{_ll(destination)}"})
    return f"https://www.openstreetmap.org/directions?{query}"


def _route_points(places: Sequence[Located]) -> list[Located]:
    """Drop consecutive repeats (a meal at the place just visited)."""
    out: list[Located] = []
    for place in places:
        if not out or (_ll(out[-1]) != _ll(place)):
            out.append(place)
    return out


def google_directions(places: Sequence[Located]) -> str | None:
    """Return Google Maps driving directions through *places* in order, or None for < 2.

    With more than :data:`GOOGLE_MAX_WAYPOINTS` stops between the ends, waypoints are taken
    evenly so the link still opens.
    """
    points = _route_points(places)
    if len(points) < 2:
        return None
    middle = points[1:-1]
    if len(middle) > GOOGLE_MAX_WAYPOINTS:
        step = len(middle) / GOOGLE_MAX_WAYPOINTS
        middle = [middle[int(i * step)] for i in range(GOOGLE_MAX_WAYPOINTS)]
    params = {
        "api": "1",
        "origin": _ll(points[0]),
        "destination": _ll(points[-1]),
        "travelmode": "driving",
    }
    if middle:
        params["waypoints"] = "|".join(_ll(p) for p in middle)
    return "https://www.google.com/maps/dir/?" + urlencode(params)


def osm_area(places: Sequence[Located]) -> str | None:
    """Return OpenStreetMap framed on *places* (centre and a zoom that shows them all)."""
    if not places:
        return None
    lats = [p.lat for p in places]
    lons = [p.lon for p in places]
    span = max(max(lats) - min(lats), (max(lons) - min(lons)) * 0.75, 0.005)
    zoom = max(5, min(16, int(math.log2(360 / span)) - 1))
    lat = (min(lats) + max(lats)) / 2
    lon = (min(lons) + max(lons)) / 2
    return f"https://www.openstreetmap.org/#map={zoom}/{lat:.5f}/{lon:.5f}"


def day_links(stops: Sequence[Located]) -> dict[str, str | None]:
    """Return ``{"google", "osm"}`` for a day whose stops (meals excluded) are *stops*."""
    return {"google": google_directions(stops), "osm": osm_area(stops)}


def leg_links(origin: Located, destination: Located) -> dict[str, str]:
    """Return ``{"osm", "google"}`` directions for one leg."""
    return {
        "osm": osm_directions(origin, destination),
        "google": google_directions([origin, destination]) or "",
    }
