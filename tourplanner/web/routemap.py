"""An itinerary's route as map data, shared by the interactive map and the printable SVG map.

A saved leg keeps its times, modes and ``via`` names but not the way it went, so the path of a
leg is recovered by routing it again through the travel network at its departure time
(:func:`tourplanner.travel.legs.leg`) and following the links its steps use: a ferry leg
follows the ferry line, a road leg the roads. A leg that carries its ``links`` (ids of network
links, in order) is drawn along them without routing. When neither works (a network changed
since, a leg with no route) the leg is a straight line and says so (``routed`` false).

Stops are numbered like the SVG map did: the attractions 1, 2, … in trip order, hubs (start,
overnight, end) unnumbered; a place visited twice is one marker. :func:`spread` moves markers
that would cover each other apart on a circle (several stops in Hà Nội's old quarter).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tourplanner.errors import TourplannerError
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.itinerary import ItineraryDay
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.itinerary import Stop
from tourplanner.travel import legs as travel_legs
from tourplanner.travel.modes import MODES
from tourplanner.travel.modes import PRIVATE
from tourplanner.travel.network import Network
from tourplanner.travel.network import default_network
from tourplanner.web.maplinks import stop_links

log = logging.getLogger(__name__)

#: one colour per day, repeating after seven days (the SVG map's colours)
DAY_COLOURS = ("#0b6e4f", "#c0392b", "#1f4e79", "#8e44ad", "#d35400", "#16a085", "#7f8c8d")

LatLon = tuple[float, float]


@dataclass(frozen=True, slots=True)
class LegPath:
    """The drawn way of one leg: points in order, modes, and whether it follows the network."""

    from_id: str
    to_id: str
    path: tuple[LatLon, ...]
    modes: tuple[str, ...]
    routed: bool


@dataclass(frozen=True, slots=True)
class MapStop:
    """One marker: a place of the trip, its number (``None`` for a hub) and its first day."""

    id: str
    kind: str
    number: int | None
    name_vi: str
    name_en: str
    lat: float
    lon: float
    day: int
    arrive: str
    depart: str


def day_colour(index: int) -> str:
    """Return the colour of day *index* (0-based)."""
    return DAY_COLOURS[index % len(DAY_COLOURS)]


def _when(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _dedupe(points: Sequence[LatLon]) -> tuple[LatLon, ...]:
    out: list[LatLon] = []
    for lat, lon in points:
        point = (round(lat, 5), round(lon, 5))
        if not out or out[-1] != point:
            out.append(point)
    return tuple(out)


def _path_from_links(
    net: Network, origin: Stop, destination: Stop, link_ids: Sequence[str]
) -> tuple[LatLon, ...] | None:
    """Chain the links *link_ids* from *origin* to *destination*, or None if one is unknown."""
    points: list[LatLon] = [(origin.lat, origin.lon)]
    at: str | None = None
    for link_id in link_ids:
        link = net.links.get(link_id)
        if link is None:
            return None
        ends = (link.source_node, link.target_node)
        if at == link.target_node or (at is None and _closer(net, origin, ends[1], ends[0])):
            ends = ends[::-1]
        for node_id in ends:
            node = net.nodes[node_id]
            points.append((node.lat, node.lon))
        at = ends[1]
    points.append((destination.lat, destination.lon))
    return _dedupe(points)


def _closer(net: Network, stop: Stop, a: str, b: str) -> bool:
    """Tell whether node *a* is nearer to *stop* than node *b* (flat-earth is enough here)."""
    na, nb = net.nodes[a], net.nodes[b]
    return (na.lat - stop.lat) ** 2 + (na.lon - stop.lon) ** 2 < (nb.lat - stop.lat) ** 2 + (
        nb.lon - stop.lon
    ) ** 2


def leg_path(
    origin: Stop,
    destination: Stop,
    leg: Leg,
    *,
    scenario: str | None = None,
    network: Network | None = None,
) -> LegPath:
    """Return the way *leg* goes from *origin* to *destination* on the network.

    Parameters
    ----------
    origin, destination
        The stops the leg joins (their coordinates start and end the path).
    leg
        The saved leg; its ``links`` (when it has them) or its departure time (``depart``, else
        the origin's) are used to recover the network links.
    scenario
        The network scenario the itinerary was planned under.

    Returns
    -------
    LegPath
        ``routed`` is false when the path is a straight line (no route could be recovered).
    """
    net = network or default_network()
    straight = _dedupe([(origin.lat, origin.lon), (destination.lat, destination.lon)])
    link_ids = getattr(leg, "links", None)
    if link_ids:
        path = _path_from_links(net, origin, destination, link_ids)
        if path is not None:
            return LegPath(origin.id, destination.id, path, leg.modes, True)
    depart = _when(leg.depart) or _when(origin.depart)
    if depart is None:
        return LegPath(origin.id, destination.id, straight, leg.modes, False)
    try:
        mode = leg.mode if leg.mode in MODES else PRIVATE
        found = travel_legs.leg(
            origin, destination, depart, scenario=scenario, network=net, mode=mode
        )
    except TourplannerError as exc:  # Unreachable, an unknown scenario, a bad point
        log.info("leg %s -> %s drawn straight: %s", origin.id, destination.id, exc)
        return LegPath(origin.id, destination.id, straight, leg.modes, False)
    points: list[LatLon] = [(origin.lat, origin.lon)]
    for step in found.steps:
        node = net.nodes.get(step.to_id.rstrip("~^*"))  # a public journey's layer copies
        if node is not None:
            points.append((node.lat, node.lon))
    points.append((destination.lat, destination.lon))
    return LegPath(origin.id, destination.id, _dedupe(points), leg.modes, bool(found.steps))


def _leg_ends(day: ItineraryDay) -> list[tuple[Stop, Stop, Leg]]:
    """Pair each leg of *day* with the stops it joins, in order (meals share a place's id)."""
    out = []
    cursor = 0
    stops = day.stops
    for leg in day.legs:
        origin = next(
            (i for i in range(cursor, len(stops)) if stops[i].id == leg.from_id),
            None,
        )
        if origin is None:
            origin = next((i for i, s in enumerate(stops) if s.id == leg.from_id), None)
        if origin is None:
            continue
        target = next(
            (i for i in range(origin + 1, len(stops)) if stops[i].id == leg.to_id),
            None,
        )
        if target is None:
            continue
        out.append((stops[origin], stops[target], leg))
        cursor = target
    return out


_PATHS: OrderedDict[tuple, tuple[LegPath, ...]] = OrderedDict()
_PATHS_MAX = 512
_PATHS_LOCK = threading.Lock()  # pages are served from several threads


def _day_key(day: ItineraryDay, scenario: str | None) -> tuple:
    """What decides a day's drawn paths (stops and legs, without their price details)."""
    return (
        scenario,
        tuple((s.id, s.lat, s.lon, s.arrive, s.depart) for s in day.stops),
        tuple((g.from_id, g.to_id, g.depart, g.minutes, g.modes, g.mode) for g in day.legs),
    )


def day_paths(day: ItineraryDay, scenario: str | None = None) -> tuple[LegPath, ...]:
    """Return the drawn way of every leg of *day* (cached: saved days never change)."""
    key = _day_key(day, scenario)
    with _PATHS_LOCK:
        found = _PATHS.get(key)
        if found is not None:
            _PATHS.move_to_end(key)
            return found
    found = tuple(
        leg_path(origin, destination, leg, scenario=scenario)
        for origin, destination, leg in _leg_ends(day)
        if leg.minutes or (origin.lat, origin.lon) != (destination.lat, destination.lon)
    )
    with _PATHS_LOCK:
        _PATHS[key] = found
        while len(_PATHS) > _PATHS_MAX:
            _PATHS.popitem(last=False)
    return found


def itinerary_scenario(itinerary: Itinerary) -> str | None:
    """Return the network scenario *itinerary* was planned under, if it records one."""
    scenario = itinerary.extra.get("scenario") or itinerary.request.get("scenario")
    return scenario if isinstance(scenario, str) and scenario else None


def map_stops(itinerary: Itinerary) -> list[MapStop]:
    """Return the markers of *itinerary*: each place once, attractions numbered in order."""
    seen: set[str] = set()
    out: list[MapStop] = []
    number = 0
    for index, day in enumerate(itinerary.days):
        for stop in day.stops:
            if stop.kind == "meal" or stop.id in seen:
                continue
            seen.add(stop.id)
            numbered = None
            if stop.kind == "attraction":
                number += 1
                numbered = number
            out.append(
                MapStop(
                    id=stop.id,
                    kind=stop.kind,
                    number=numbered,
                    name_vi=stop.name_vi,
                    name_en=stop.name_en,
                    lat=stop.lat,
                    lon=stop.lon,
                    day=index,
                    arrive=stop.arrive,
                    depart=stop.depart,
                )
            )
    return out


def bounds(points: Sequence[LatLon]) -> list[list[float]]:
    """Return ``[[south, west], [north, east]]`` of *points* (Leaflet's order)."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def spread(
    points: Sequence[tuple[float, float]], min_px: float = 22.0
) -> list[tuple[float, float]]:
    """Move screen *points* closer than *min_px* to each other apart on a circle.

    Points are grouped when any two are closer than *min_px* (transitively); each group of
    ``n > 1`` is laid out on a circle around its centre, large enough that neighbours are
    *min_px* apart, in the input order starting at the top. Lone points stay where they are.
    """
    n = len(points)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if math.dist(points[i], points[j]) < min_px:
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    out = list(points)
    for members in groups.values():
        if len(members) < 2:
            continue
        cx = sum(points[i][0] for i in members) / len(members)
        cy = sum(points[i][1] for i in members) / len(members)
        radius = max(min_px * 0.75, min_px / (2 * math.sin(math.pi / len(members))))
        for k, i in enumerate(members):
            angle = -math.pi / 2 + 2 * math.pi * k / len(members)
            out[i] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return out


def route_map(itinerary: Itinerary, *, english: bool = False) -> dict[str, Any]:
    """Return the interactive map's data for *itinerary* (the ``/i/<id>/map.json`` body).

    ``days`` have their colour, bounds, label and legs (``path`` as ``[lat, lon]`` pairs);
    ``stops`` are the markers with their open-in-maps links; ``bounds`` frame the whole trip.
    """
    scenario = itinerary_scenario(itinerary)
    stops = map_stops(itinerary)
    days = []
    everything: list[LatLon] = [(s.lat, s.lon) for s in stops]
    for index, day in enumerate(itinerary.days):
        paths = day_paths(day, scenario)
        points = [(s.lat, s.lon) for s in day.stops if s.kind != "meal"]
        points += [p for leg in paths for p in leg.path]
        everything += points
        days.append(
            {
                "index": index,
                "date": day.date,
                "group": day.group,
                "colour": day_colour(index),
                "bounds": bounds(points) if points else None,
                "stops": list(dict.fromkeys(s.id for s in day.stops if s.kind != "meal")),
                "legs": [
                    {
                        "from": leg.from_id,
                        "to": leg.to_id,
                        "modes": list(leg.modes),
                        "routed": leg.routed,
                        "path": [list(p) for p in leg.path],
                    }
                    for leg in paths
                ],
            }
        )
    return {
        "bounds": bounds(everything) if everything else None,
        "days": days,
        "stops": [
            {
                "id": s.id,
                "kind": s.kind,
                "number": s.number,
                "name": s.name_en if english else s.name_vi,
                "lat": s.lat,
                "lon": s.lon,
                "day": s.day,
                "colour": day_colour(s.day),
                "time": _time_range(s.arrive, s.depart),
                "links": stop_links(s, english=english),
            }
            for s in stops
        ],
    }


def _time_range(arrive: str, depart: str) -> str:
    start, end = arrive[11:16], depart[11:16]
    return start if not end or end == start else f"{start}–{end}"
