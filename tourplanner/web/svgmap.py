"""An offline route map for print and PDF: an SVG drawn server-side, no script, no tiles.

Over the packaged basemap (land and islands, national and 2025 province borders, province
names: :mod:`tourplanner.web.basemap`) it draws the road and water network around the route,
each day's legs in the day's colour along the network links they use
(:func:`tourplanner.web.routemap.day_paths`), and the stops: attractions numbered, hubs as
squares with their name. Stops that would cover each other are spread on a circle with a
leader line to their place, and every label stays inside the frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from tourplanner.planning.itinerary import Itinerary
from tourplanner.web import basemap
from tourplanner.web.routemap import DAY_COLOURS
from tourplanner.web.routemap import day_colour
from tourplanner.web.routemap import day_paths
from tourplanner.web.routemap import itinerary_scenario
from tourplanner.web.routemap import map_stops
from tourplanner.web.routemap import spread

__all__ = ["DAY_COLOURS", "Projection", "render_map"]

WIDTH = 640
MARGIN = 28
#: pixels per character of the 11 px sans-serif labels (an estimate that errs wide)
CHAR_PX = 6.4
LAND_STYLE = 'stroke="#b9beb6" stroke-width="1"'
WATER_STYLE = 'stroke="#7fb3d5" stroke-width="1.5" stroke-dasharray="4 3"'
SEA = "#d6e6ef"
LAND = {"VNM": "#f6f4ee", "CHN": "#ebe9e2", "LAO": "#ebe9e2"}


@dataclass(frozen=True, slots=True)
class Projection:
    """Equirectangular projection of a lon/lat box onto the SVG canvas."""

    lon0: float
    lat1: float
    scale: float
    height: int

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        x = MARGIN + (lon - self.lon0) * self.scale * math.cos(math.radians(self.lat1))
        y = MARGIN + (self.lat1 - lat) * self.scale
        return round(x, 1), round(y, 1)


def _projection(points: list[tuple[float, float]]) -> Projection:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    lat0, lat1 = min(lats) - 0.05, max(lats) + 0.05
    lon0, lon1 = min(lons) - 0.05, max(lons) + 0.05
    k = math.cos(math.radians(lat1))
    span_x = max((lon1 - lon0) * k, 0.1)
    scale = (WIDTH - 2 * MARGIN) / span_x
    height = int(min(max((lat1 - lat0) * scale + 2 * MARGIN, 240), 900))
    scale = min(scale, (height - 2 * MARGIN) / max(lat1 - lat0, 0.1))
    return Projection(lon0, lat1, scale, height)


def _visible(ring: Sequence[tuple[float, float]], project: Projection, height: int) -> bool:
    """Tell whether the lon/lat bounding box of *ring* meets the canvas."""
    lons = [lon for lon, _ in ring]
    lats = [lat for _, lat in ring]
    left, top = project(max(lats), min(lons))
    right, bottom = project(min(lats), max(lons))
    return right >= 0 and left <= WIDTH and bottom >= 0 and top <= height


def _span(ring: Sequence[tuple[float, float]], project: Projection) -> float:
    """Return the larger side, in pixels, of the bounding box of a lon/lat *ring*."""
    lons = [lon for lon, _ in ring]
    lats = [lat for _, lat in ring]
    left, top = project(max(lats), min(lons))
    right, bottom = project(min(lats), max(lons))
    return max(right - left, bottom - top)


def _path(ring: Sequence[tuple[float, float]], project: Projection, closed: bool) -> str:
    """Return SVG path data for a lon/lat *ring*, dropping points under 1.5 px apart."""
    kept: list[tuple[float, float]] = []
    for lon, lat in ring:
        point = project(lat, lon)
        if not kept or math.dist(kept[-1], point) >= 1.5:
            kept.append(point)
    if len(kept) < (3 if closed else 2):
        return ""
    head, *rest = kept
    data = f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in rest)
    return data + ("Z" if closed else "")


def _basemap(static_folder: str, project: Projection, height: int, english: bool) -> list[str]:
    parts = []
    for country, rings in basemap.land_polygons(static_folder):
        if not _visible(rings[0], project, height):
            continue
        data = _path(rings[0], project, closed=True)
        if data:  # lakes and river reaches, unless they would be specks at this scale
            data += "".join(
                _path(ring, project, closed=True) for ring in rings[1:] if _span(ring, project) >= 4
            )
        if data:
            fill = LAND.get(country, LAND["CHN"])
            parts.append(f'<path d="{data}" fill="{fill}" fill-rule="evenodd" stroke="#9fb6c3"/>')
    for kind, line in basemap.border_lines(static_folder):
        if not _visible(line, project, height):
            continue
        data = _path(line, project, closed=False)
        if not data:
            continue
        if kind == "country":
            style = 'stroke="#8a7f8f" stroke-width="1.6"'
        else:
            style = 'stroke="#b4a7b8" stroke-width="1" stroke-dasharray="5 3"'
        parts.append(f'<path class="border-{kind}" d="{data}" fill="none" {style}/>')
    for name_vi, name_en, lat, lon in basemap.province_labels(static_folder):
        x, y = project(lat, lon)
        name = (name_en if english else name_vi).upper()
        half = len(name) * CHAR_PX * 0.45
        if not (half + 4 <= x <= WIDTH - half - 4 and 14 <= y <= height - 18):
            continue
        parts.append(
            f'<text class="province-label" x="{x}" y="{y}" text-anchor="middle" font-size="9" '
            f'letter-spacing="1" fill="#9a9090" font-family="sans-serif">{escape(name)}</text>'
        )
    return parts


def _label(x: float, y: float, text: str, height: int) -> str:
    """Return a hub's name label beside (x, y), flipped or nudged to stay in the frame."""
    width = len(text) * CHAR_PX
    y = min(max(y + 4, 12), height - 4)
    if x + 9 + width <= WIDTH - 4:
        lx, anchor = x + 9, "start"
    elif x - 9 - width >= 4:
        lx, anchor = x - 9, "end"
    else:
        lx, anchor = min(max(x, width / 2 + 4), WIDTH - width / 2 - 4), "middle"
        y = min(y + 14, height - 4)
    return (
        f'<text x="{round(lx, 1)}" y="{round(y, 1)}" text-anchor="{anchor}" font-size="11" '
        f'fill="#1d2731" font-family="sans-serif" stroke="#fff" stroke-width="3" '
        f'paint-order="stroke">{escape(text)}</text>'
    )


def render_map(
    itinerary: Itinerary,
    network_lines: Iterable[tuple[tuple[float, float], tuple[float, float], str]] = (),
    *,
    english: bool = False,
    static_folder: str | None = None,
) -> str:
    """Return an ``<svg>`` element showing *itinerary*'s route.

    :param network_lines: ((lat, lon), (lat, lon), mode) segments of the travel network,
        drawn faintly behind the route (those outside the map are skipped).
    :param static_folder: the app's static folder, to draw the packaged basemap
        (``None``: no basemap, only the sea colour).
    """
    stops = map_stops(itinerary)
    if not stops:
        return ""
    scenario = itinerary_scenario(itinerary)
    paths = [day_paths(day, scenario) for day in itinerary.days]
    frame = [(s.lat, s.lon) for s in stops] + [p for day in paths for leg in day for p in leg.path]
    project = _projection(frame)
    width, height = WIDTH, project.height
    title = "Route map" if english else "Bản đồ tuyến"
    parts = [
        f'<svg class="route-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="map-title">',
        f'<title id="map-title">{title}</title>',
        f'<rect width="{width}" height="{height}" fill="{SEA}"/>',
    ]
    if static_folder:
        parts += _basemap(static_folder, project, height, english)
    for (a_lat, a_lon), (b_lat, b_lon), mode in network_lines:
        ax, ay = project(a_lat, a_lon)
        bx, by = project(b_lat, b_lon)
        if not (0 <= ax <= width and 0 <= ay <= height) and not (
            0 <= bx <= width and 0 <= by <= height
        ):
            continue
        style = WATER_STYLE if mode in ("ferry", "boat", "cable_car") else LAND_STYLE
        parts.append(f'<line x1="{ax}" y1="{ay}" x2="{bx}" y2="{by}" {style}/>')
    for i, (day, legs) in enumerate(zip(itinerary.days, paths, strict=True)):
        colour = day_colour(i)
        for leg in legs:
            points = " ".join("{},{}".format(*project(lat, lon)) for lat, lon in leg.path)
            dash = "" if leg.routed else ' stroke-dasharray="6 4"'
            parts.append(
                f'<polyline class="leg" points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="3" stroke-linejoin="round" stroke-linecap="round" '
                f'opacity="0.85"{dash}><title>{escape(day.date)}</title></polyline>'
            )
    places = [project(s.lat, s.lon) for s in stops]
    shown = spread(places, 20.0)
    for stop, (hx, hy), (x, y) in zip(stops, places, shown, strict=True):
        x = round(min(max(x, 10), width - 10), 1)
        y = round(min(max(y, 10), height - 10), 1)
        if (x, y) != (hx, hy):
            parts.append(
                f'<line x1="{hx}" y1="{hy}" x2="{x}" y2="{y}" stroke="#1d2731" stroke-width="1"/>'
                f'<circle cx="{hx}" cy="{hy}" r="2" fill="#1d2731"/>'
            )
        name = escape(stop.name_en if english else stop.name_vi)
        if stop.number is not None:
            parts.append(
                f'<g class="stop"><circle cx="{x}" cy="{y}" r="9" fill="{day_colour(stop.day)}" '
                f'stroke="#fff" stroke-width="2"/><text x="{x}" y="{y + 4}" text-anchor="middle" '
                f'font-size="10" fill="#fff" font-family="sans-serif">{stop.number}</text>'
                f"<title>{stop.number}. {name}</title></g>"
            )
        else:
            parts.append(
                f'<g class="hub"><rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="#fff" '
                f'stroke="#1d2731" stroke-width="2"/>'
                f"{_label(x, y, stop.name_en if english else stop.name_vi, height)}"
                f"<title>{name}</title></g>"
            )
    if static_folder:
        parts.append(
            f'<text class="attribution" x="{width - 4}" y="{height - 4}" text-anchor="end" '
            f'font-size="8" fill="#5b6770" font-family="sans-serif">'
            f"{escape(basemap.attribution(static_folder))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
