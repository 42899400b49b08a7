"""An offline route map: an SVG drawn server-side from the stops' coordinates.

No tiles and no script: the map shows the road and water network around the route (when the
travel network provides its lines), each day's route in its own colour, and numbered stops.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from tourplanner.itinerary import Itinerary

DAY_COLOURS = ("#0b6e4f", "#c0392b", "#1f4e79", "#8e44ad", "#d35400", "#16a085", "#7f8c8d")
WIDTH = 640
MARGIN = 28
LAND_STYLE = 'stroke="#c8ccc6" stroke-width="1"'
WATER_STYLE = 'stroke="#7fb3d5" stroke-width="1.5" stroke-dasharray="4 3"'


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


def render_map(
    itinerary: Itinerary,
    network_lines: Iterable[tuple[tuple[float, float], tuple[float, float], str]] = (),
    *,
    english: bool = False,
) -> str:
    """Return an ``<svg>`` element showing *itinerary*'s route.

    :param network_lines: ((lat, lon), (lat, lon), mode) segments of the travel network,
        drawn faintly behind the route (those outside the map are skipped).
    """
    stops = [s for day in itinerary.days for s in day.stops if s.kind != "meal"]
    if not stops:
        return ""
    project = _projection([(s.lat, s.lon) for s in stops])
    width, height = WIDTH, project.height
    parts = [
        f'<svg class="route-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="map-title">',
        f'<title id="map-title">{"Route map" if english else "Bản đồ tuyến"}</title>',
        f'<rect width="{width}" height="{height}" fill="#eef3f1"/>',
    ]
    for (a_lat, a_lon), (b_lat, b_lon), mode in network_lines:
        ax, ay = project(a_lat, a_lon)
        bx, by = project(b_lat, b_lon)
        if not (0 <= ax <= width and 0 <= ay <= height) and not (
            0 <= bx <= width and 0 <= by <= height
        ):
            continue
        style = WATER_STYLE if mode in ("ferry", "boat", "cable_car") else LAND_STYLE
        parts.append(f'<line x1="{ax}" y1="{ay}" x2="{bx}" y2="{by}" {style}/>')
    for i, day in enumerate(itinerary.days):
        colour = DAY_COLOURS[i % len(DAY_COLOURS)]
        points = " ".join(
            "{},{}".format(*project(s.lat, s.lon)) for s in day.stops if s.kind != "meal"
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3" '
            f'stroke-linejoin="round" opacity="0.85"><title>{escape(day.date)}</title></polyline>'
        )
    seen: dict[str, int] = {}
    number = 0
    for i, day in enumerate(itinerary.days):
        colour = DAY_COLOURS[i % len(DAY_COLOURS)]
        for stop in day.stops:
            if stop.kind == "meal" or stop.id in seen:
                continue
            x, y = project(stop.lat, stop.lon)
            name = escape(stop.name_en if english else stop.name_vi)
            if stop.kind == "attraction":
                number += 1
                seen[stop.id] = number
                parts.append(
                    f'<g class="stop"><circle cx="{x}" cy="{y}" r="9" fill="{colour}" stroke="#fff" '
                    f'stroke-width="2"/><text x="{x}" y="{y + 4}" text-anchor="middle" font-size="10" '
                    f'fill="#fff" font-family="sans-serif">{number}</text><title>{number}. {name}</title></g>'
                )
            else:
                seen[stop.id] = 0
                parts.append(
                    f'<g class="hub"><rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="#fff" '
                    f'stroke="#1d2731" stroke-width="2"/><text x="{x + 9}" y="{y + 4}" font-size="11" '
                    f'fill="#1d2731" font-family="sans-serif">{name}</text><title>{name}</title></g>'
                )
    parts.append("</svg>")
    return "\n".join(parts)
