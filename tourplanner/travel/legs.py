"""Exact legs with timetables: ``leg(from, to, depart_at)`` and re-timing of itineraries.

A leg that takes a ferry waits for its next departure; when nothing departs in time (outside
service hours, a season without sailings, a link a scenario closed) the leg is unreachable and
:class:`Unreachable` says which crossing failed, never a huge number in disguise.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from tourplanner.errors import FieldError
from tourplanner.errors import Reason
from tourplanner.errors import TourplannerError
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.travel.attach import Access
from tourplanner.travel.attach import Locatable
from tourplanner.travel.attach import Point
from tourplanner.travel.attach import as_point
from tourplanner.travel.attach import attach
from tourplanner.travel.attach import direct_leg
from tourplanner.travel.network import SCHEDULED_MODES
from tourplanner.travel.network import Link
from tourplanner.travel.network import Network
from tourplanner.travel.network import default_network
from tourplanner.travel.routing import Hop
from tourplanner.travel.routing import earliest_arrival

log = logging.getLogger(__name__)

#: node kinds named in ``via`` when a water or cable link starts or ends there
_VIA_NODE_KINDS = frozenset({"pier", "ferry_terminal", "cable_car_station"})


class Unreachable(TourplannerError):
    """No route exists for this leg at this time (or at all under this scenario)."""

    code = "unreachable"
    http_status = 422
    exit_code = 3


@dataclass(frozen=True, slots=True)
class Step:
    """One piece of a leg: an access leg or a network link, with its exact times."""

    from_id: str
    to_id: str
    mode: str
    depart: dt.datetime
    arrive: dt.datetime
    wait_minutes: int
    km: float
    link_id: str | None = None
    name: str = ""

    def to_dict(self) -> dict[str, object]:
        """Return the JSON shape of this step."""
        return {
            "from": self.from_id,
            "to": self.to_id,
            "mode": self.mode,
            "link": self.link_id,
            "name": self.name,
            "depart": self.depart.isoformat(timespec="minutes"),
            "arrive": self.arrive.isoformat(timespec="minutes"),
            "wait_minutes": self.wait_minutes,
            "km": round(self.km, 1),
        }


@dataclass(frozen=True, slots=True)
class Leg:
    """A timed journey between two points.

    ``minutes`` runs from ``depart`` to ``arrive`` and includes ``wait_minutes`` spent waiting
    for departures. ``cost_vnd`` is ``toll_vnd`` (one car, 4–9 seats) plus ``fare_vnd`` (one
    passenger's ferry, boat and cable-car fares). ``via`` names the bridges, expressways,
    ferries, boats, cable cars and piers used, in order.
    """

    origin: str
    destination: str
    depart: dt.datetime
    arrive: dt.datetime
    minutes: int
    wait_minutes: int
    km: float
    modes: tuple[str, ...]
    via: tuple[str, ...]
    cost_vnd: int
    toll_vnd: int = 0
    fare_vnd: int = 0
    steps: tuple[Step, ...] = ()
    uncertain: bool = False

    def to_dict(self) -> dict[str, object]:
        """Return the CLI/API JSON shape of this leg."""
        return {
            "from": self.origin,
            "to": self.destination,
            "depart": self.depart.isoformat(timespec="minutes"),
            "minutes": self.minutes,
            "wait_minutes": self.wait_minutes,
            "km": round(self.km, 1),
            "modes": list(self.modes),
            "via": list(self.via),
            "cost_vnd": self.cost_vnd,
        }


@lru_cache(maxsize=4096)
def _cached_access(network: Network, point: Point) -> Access:
    return attach(point, network)


def access_of(point: Point, network: Network) -> Access:
    """Return the (cached) access legs of *point* on *network*."""
    return _cached_access(network, point)


def leg(
    origin: Locatable | Point | str,
    destination: Locatable | Point | str,
    depart_at: dt.datetime,
    *,
    scenario: str | None = None,
    network: Network | None = None,
    mode: str = "private",
) -> Leg:
    """Return the earliest-arrival leg from *origin* to *destination* leaving at *depart_at*.

    Parameters
    ----------
    origin, destination
        Catalogue places (anything with ``id``, ``lat``, ``lon``), :class:`Point` objects, or
        network node ids.
    depart_at
        Local (Vietnam) departure time, naive or aware; the leg keeps its tzinfo.
    scenario
        A scenario name from ``network.json`` (None for the network as it is).
    network
        The network to use; the embedded one by default.
    mode
        ``"private"`` (a hired vehicle) or ``"public"`` (seats and taxi rides); see
        :mod:`tourplanner.travel.modes`.

    Returns
    -------
    Leg
        Times, waits, km, modes, ``via`` and costs, with the exact steps.

    Raises
    ------
    Unreachable
        When no route arrives: the message names the crossings that did not run in time.
    ValidationError
        For an unknown scenario.
    NotFound
        For a string that is not a node id.
    """
    from tourplanner.travel.modes import mode_network

    base = network or default_network()
    chosen = base.scenario(scenario)
    net = mode_network(base, mode, depart_at.date(), chosen)
    a = access_of(as_point(origin, net), net)
    b = access_of(as_point(destination, net), net)
    if a.point.id == b.point.id:
        return Leg(a.point.id, b.point.id, depart_at, depart_at, 0, 0, 0.0, (), (), 0)
    for access in (a, b):
        if not access.legs:
            raise Unreachable(
                f"{access.point.name} ({access.point.id}) lies in area {access.area!r}, "
                "which no link of the network reaches"
            )
    midnight = dt.datetime.combine(depart_at.date(), dt.time(0), tzinfo=depart_at.tzinfo)
    start = (depart_at - midnight).total_seconds() / 60.0
    route = earliest_arrival(net, a, b, direct_leg(net, a, b), depart_at.date(), start, chosen)
    if route.hops is None:
        raise Unreachable(_unreachable_message(a, b, depart_at, scenario, route.misses))
    return _build_leg(net, a, b, midnight, route.hops)


def _unreachable_message(a: Access, b: Access, depart_at, scenario, misses) -> str:
    head = (
        f"no route from {a.point.name} ({a.point.id}) to {b.point.name} ({b.point.id}) "
        f"leaving {depart_at:%Y-%m-%d %H:%M}"
    )
    if scenario:
        head += f" under scenario {scenario!r}"
    seen: dict[tuple[str, str], str] = {}
    for miss in misses:
        key = (miss.link.id, miss.direction)
        if key not in seen:
            seen[key] = f"{miss.link.name_vi or miss.link.id} {miss.reason} on {miss.date}"
    if seen:
        return head + ": " + "; ".join(list(seen.values())[:4])
    return head + ": the network has no open connection between them"


def via_names(net: Network, pieces: Sequence[tuple[str, str, Link | None]]) -> tuple[str, ...]:
    """Return the names to show as ``via`` for (from node, to node, link) pieces in order.

    Named links (bridges, expressways, ferries, boats, cable cars) are listed once each;
    the piers and stations where a ferry, boat or cable car is boarded or left are listed too.
    """
    via: list[str] = []

    def add(name: str) -> None:
        if name and name not in via:
            via.append(name)

    for from_id, to_id, link in pieces:
        if link is None:
            continue
        water = link.mode in SCHEDULED_MODES
        start = net.nodes.get(from_id)
        end = net.nodes.get(to_id)
        if water and start is not None and start.kind in _VIA_NODE_KINDS:
            add(start.name_vi)
        if link.named:
            add(link.name_vi)
        if water and end is not None and end.kind in _VIA_NODE_KINDS:
            add(end.name_vi)
    return tuple(via)


def _build_leg(
    net: Network, a: Access, b: Access, midnight: dt.datetime, hops: tuple[Hop, ...]
) -> Leg:
    # a point that is itself a node reaches the network by a zero leg: not a step
    hops = tuple(h for h in hops if h.link is not None or h.km > 0 or h.arrive > h.depart)
    steps = []
    modes: list[str] = []
    toll = fare = 0
    wait = 0.0
    km = 0.0
    uncertain = False

    def at(minutes: float) -> dt.datetime:
        return midnight + dt.timedelta(minutes=round(minutes))

    for hop in hops:
        link = hop.link
        if hop.mode not in modes:
            modes.append(hop.mode)
        wait += hop.wait
        km += hop.km
        if link is not None:
            toll += link.toll_vnd
            fare += link.fare_vnd
            uncertain = uncertain or link.uncertain
        steps.append(
            Step(
                from_id=hop.from_id,
                to_id=hop.to_id,
                mode=hop.mode,
                depart=at(hop.depart),
                arrive=at(hop.arrive),
                wait_minutes=round(hop.wait),
                km=hop.km,
                link_id=link.id if link is not None else None,
                name=link.name_vi if link is not None else "",
            )
        )
    depart = at(hops[0].depart) if hops else midnight
    arrive = at(hops[-1].arrive) if hops else midnight
    return Leg(
        origin=a.point.id,
        destination=b.point.id,
        depart=depart,
        arrive=arrive,
        minutes=round((arrive - depart).total_seconds() / 60.0),
        wait_minutes=round(wait),
        km=round(km, 1),
        modes=tuple(modes),
        via=via_names(net, [(h.from_id, h.to_id, h.link) for h in hops]),
        cost_vnd=toll + fare,
        toll_vnd=toll,
        fare_vnd=fare,
        steps=tuple(steps),
        uncertain=uncertain,
    )


@dataclass(frozen=True, slots=True)
class Visit:
    """A stop to re-time: where, how long, and not before when (opening time)."""

    point: Locatable | Point | str
    minutes: int = 0
    not_before: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class TimedVisit:
    """A re-timed stop: the leg that reaches it, and arrival, start and end of the visit."""

    point_id: str
    leg: Leg | None
    arrive: dt.datetime
    start: dt.datetime
    end: dt.datetime


def retime(
    visits: Sequence[Visit],
    start_at: dt.datetime,
    *,
    scenario: str | None = None,
    network: Network | None = None,
) -> list[TimedVisit]:
    """Re-time a day (or several) of visits in order with the exact timetables.

    The first visit starts at *start_at* (or its ``not_before``); each next one is reached by
    :func:`leg` from the end of the previous visit and waits for its ``not_before``.

    Raises
    ------
    Unreachable
        When a leg cannot be made; the message names the visits and the failed crossing.
    ValidationError
        When *visits* is empty.
    """
    if not visits:
        raise ValidationError([FieldError("visits", Reason.of(N_("reason.needs_a_visit")))])
    net = network or default_network()
    out: list[TimedVisit] = []
    clock = start_at
    previous = None
    for visit in visits:
        point = as_point(visit.point, net)
        travelled = None
        arrive = clock
        if previous is not None:
            travelled = leg(previous, point, clock, scenario=scenario, network=net)
            arrive = travelled.arrive
        begin = max(arrive, visit.not_before) if visit.not_before else arrive
        end = begin + dt.timedelta(minutes=visit.minutes)
        out.append(TimedVisit(point.id, travelled, arrive, begin, end))
        clock = end
        previous = point
    return out
