"""Attach catalogue places (and bare network nodes) to the network by access legs.

Every place reaches the network through up to ``access.attach_nodes`` nearest nodes *of its
own area*: a place on Cát Bà attaches only to Cát Bà's nodes, a cave in Hạ Long Bay only to
the bay's water node (by boat), the Yên Tử summit only to the cable-car stations on the
mountain (on foot). The area comes from an explicit attachment in ``network.json``, else from
the first area polygon containing the place, else it is the mainland.

Access legs are estimated: haversine distance times a detour factor, at a speed that depends
on the area and the distance (walk, short urban road, longer rural road, boat, mountain path).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from tourplanner.errors import FieldError
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.travel.network import Network
from tourplanner.travel.network import Node
from tourplanner.travel.network import haversine_km

log = logging.getLogger(__name__)


class Locatable(Protocol):
    """Anything with an id and coordinates: a catalogue Place, a network Node."""

    id: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Point:
    """An endpoint for travel: a catalogue place or a network node, reduced to what matters."""

    id: str
    name: str
    lat: float
    lon: float

    @property
    def key(self) -> tuple[str, float, float]:
        """Return what identifies this point for caching (coordinates may be edited)."""
        return (self.id, round(self.lat, 6), round(self.lon, 6))


@dataclass(frozen=True, slots=True)
class AccessLeg:
    """The way between a point and one network node (the same both ways)."""

    node: str
    minutes: float
    km: float
    mode: str


@dataclass(frozen=True, slots=True)
class Access:
    """How a point reaches the network: its area and its access legs (nearest first)."""

    point: Point
    area: str
    legs: tuple[AccessLeg, ...]


def as_point(item: Locatable | Point | str, network: Network) -> Point:
    """Return a :class:`Point` for a catalogue place, a node, a point, or a node id.

    :raise NotFound: when a string is not a node id of *network*.
    """
    if isinstance(item, Point):
        return item
    if isinstance(item, str):
        node = network.nodes.get(item)
        if node is None:
            raise NotFound(Reason.of(N_("reason.not_found.node"), name=repr(item)))
        return Point(node.id, node.name_vi, node.lat, node.lon)
    lat = getattr(item, "lat", None)
    lon = getattr(item, "lon", None)
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        where = f"points[{getattr(item, 'id', '?')}]"
        raise ValidationError([FieldError(where, Reason.of(N_("reason.no_coordinates")))])
    name = getattr(item, "name_vi", "") or getattr(item, "name", "") or item.id
    return Point(item.id, name, float(lat), float(lon))


def _speed_leg(network: Network, area_id: str, km_air: float, node: str) -> AccessLeg:
    rules = network.access
    km = km_air * rules.detour_factor
    area = network.area(area_id)
    if km <= rules.walk_max_km:
        return AccessLeg(node, max(km / rules.walk_kmh * 60.0, 1.0 if km > 0 else 0.0), km, "walk")
    if area is not None and area.kind != "land":
        mode, kmh = area.access_mode, area.access_kmh
    elif km < rules.long_km:
        mode, kmh = "road", rules.road_kmh_short
    else:
        mode, kmh = "road", rules.road_kmh_long
    return AccessLeg(node, km / kmh * 60.0, km, mode)


def direct_leg(network: Network, a: Access, b: Access) -> AccessLeg | None:
    """Return a direct access-style leg between two nearby points of the same area, or None."""
    if a.area != b.area:
        return None
    km_air = haversine_km(a.point.lat, a.point.lon, b.point.lat, b.point.lon)
    if km_air > network.access.nearby_km:
        return None
    return _speed_leg(network, a.area, km_air, b.point.id)


def attach(point: Point, network: Network) -> Access:
    """Return the access legs of *point* (see the module docstring for the rules).

    On a public-transport network (one with shadow nodes, see :mod:`tourplanner.travel.modes`)
    each leg to a node is repeated to every copy of the node, so that a journey can end in any
    of its layers.
    """
    access = _attach(point, network)
    if not network.shadows:
        return access
    twins: dict[str, list[str]] = {}
    for shadow, original in sorted(network.shadows.items()):
        twins.setdefault(original, []).append(shadow)
    extra = tuple(
        AccessLeg(twin, leg.minutes, leg.km, leg.mode)
        for leg in access.legs
        for twin in twins.get(leg.node, ())
    )
    return Access(access.point, access.area, access.legs + extra)


def _attach(point: Point, network: Network) -> Access:
    node = network.nodes.get(point.id)
    if node is not None:
        return Access(point, node.area, (AccessLeg(node.id, 0.0, 0.0, "walk"),))
    same = [
        n for n in network.nodes.values() if point.id in n.place_ids and n.id not in network.shadows
    ]
    if same:
        # the place *is* that facility (a pier, a station): both positions are estimates
        legs = tuple(AccessLeg(n.id, 0.0, 0.0, "walk") for n in same)
        return Access(point, same[0].area, legs)
    explicit = network.attachments.get(point.id)
    if explicit is not None and explicit.nodes:
        legs = []
        for node_id in explicit.nodes:
            n = network.nodes[node_id]
            leg = _speed_leg(
                network, n.area, haversine_km(point.lat, point.lon, n.lat, n.lon), n.id
            )
            if explicit.minutes is not None or explicit.mode is not None:
                leg = AccessLeg(
                    node_id,
                    explicit.minutes if explicit.minutes is not None else leg.minutes,
                    leg.km if explicit.minutes is None else 0.0,
                    explicit.mode or leg.mode,
                )
            legs.append(leg)
        return Access(point, network.nodes[explicit.nodes[0]].area, tuple(legs))
    area = explicit.area if explicit is not None and explicit.area else None
    area = area or network.area_of(point.lat, point.lon)
    candidates = _nearest(
        point,
        [n for n in network.nodes.values() if n.area == area and n.id not in network.shadows],
        network,
    )
    if not candidates:
        log.warning("%s lies in area %s, which has no network node", point.id, area)
    legs = tuple(_speed_leg(network, area, d, n.id) for d, n in candidates)
    return Access(point, area, legs)


def _nearest(point: Point, nodes: list[Node], network: Network) -> list[tuple[float, Node]]:
    """Return up to k nearest *nodes* with their air distances, dropping far-off ones."""
    ranked = sorted(
        ((haversine_km(point.lat, point.lon, n.lat, n.lon), n) for n in nodes),
        key=lambda pair: (pair[0], pair[1].id),
    )
    if not ranked:
        return []
    nearest = ranked[0][0]
    area = network.area(ranked[0][1].area)
    # on foot (a mountain) only the nearest station counts: paths between stations are links
    slack = 0.3 if area is not None and area.access_mode == "walk" else 3.0
    keep = [pair for pair in ranked if pair[0] <= nearest * 1.5 + slack]
    return keep[: network.access.attach_nodes]
