"""Travel matrices for the solver: minutes, km and cost between any set of places on a day.

Scheduled links count with their riding time plus the expected wait of that day (half the
mean gap between departures); links that do not run that day are left out, so a pair whose
only route needs them is *unreachable* (``reachable`` is False, ``minutes`` is -1 and ``km``
is NaN there: never a large number in disguise). The final itinerary is re-timed exactly with
:func:`tourplanner.travel.legs.retime`.

Matrices are computed from all-pairs node distances of the day (scipy's Dijkstra, cached per
network version, scenario and *day class*: dates on which the same links run with the same
expected waits share results) combined with each point's access legs in numpy, plus direct
legs between nearby points of the same area. The whole matrix is cached too, keyed by the
network version, scenario, day class, the points (id and coordinates) and the OSRM URL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import numpy as np

from tourplanner.errors import FieldError
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.travel.attach import Access
from tourplanner.travel.attach import Locatable
from tourplanner.travel.attach import Point
from tourplanner.travel.attach import as_point
from tourplanner.travel.legs import access_of
from tourplanner.travel.legs import via_names
from tourplanner.travel.modes import PRIVATE
from tourplanner.travel.modes import mode_network
from tourplanner.travel.network import SCHEDULED_MODES
from tourplanner.travel.network import Network
from tourplanner.travel.network import default_network
from tourplanner.travel.osrm import OsrmClient
from tourplanner.travel.osrm import RoadTimes
from tourplanner.travel.profiles import FIRST_MIN
from tourplanner.travel.profiles import STEP_MIN
from tourplanner.travel.profiles import as_samples
from tourplanner.travel.profiles import grid
from tourplanner.travel.profiles import is_constant
from tourplanner.travel.profiles import point_profiles
from tourplanner.travel.routing import DayGraph
from tourplanner.travel.routing import day_graph
from tourplanner.travel.routing import day_signature

log = logging.getLogger(__name__)

_EARTH_KM = 6371.0
_CACHE_SIZE = 32


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Travel between points on one day, as the solver needs it.

    Attributes
    ----------
    ids
        The point ids, in the order of the rows and columns.
    minutes
        Integer minutes including expected waits; -1 where unreachable.
    km
        Kilometres along the fastest route; NaN where unreachable.
    cost_vnd
        Tolls (one car) plus fares (one passenger) along the route; 0 where unreachable.
    reachable
        True where a route exists that day. Always check it before using ``minutes``.
    road_only
        True where the route uses no ferry, boat or cable car (OSRM may replace those times).
    date, scenario, network_version
        What the matrix was computed for.
    source
        ``"network"`` or ``"osrm+network"`` (road-only pairs from OSRM).
    warnings
        Messages for the itinerary, e.g. that OSRM failed and the network was used instead.
    mode
        ``"private"`` (a hired vehicle) or ``"public"`` (seats on public services and taxi
        rides), see :mod:`tourplanner.travel.modes`.
    vehicle_vnd, seat_vnd
        The two parts of ``cost_vnd``: per vehicle (tolls, a car on a ferry, taxi rides) and
        per seat (fares of ferries, boats, cable cars and coach lines).
    road_km, scheduled_km
        The route's km by road (a car or a taxi, access legs included) and on scheduled
        services (ferries, boats, cable cars, coach lines).
    timed_pairs, timed_arrive
        With ``profiles``: the pairs whose travel depends on the departure time, and for each
        its earliest arrival (minutes after midnight, -1 when none) for departures every
        ``STEP_MIN`` minutes from ``FIRST_MIN`` (``profile_first``, ``profile_step``); for
        these pairs ``minutes`` is the shortest travel time of the day.
    """

    ids: tuple[str, ...]
    minutes: np.ndarray
    km: np.ndarray
    cost_vnd: np.ndarray
    reachable: np.ndarray
    road_only: np.ndarray
    date: dt.date
    scenario: str | None
    network_version: str
    source: str = "network"
    warnings: tuple[str, ...] = ()
    mode: str = PRIVATE
    vehicle_vnd: np.ndarray | None = None
    seat_vnd: np.ndarray | None = None
    timed_pairs: np.ndarray | None = None
    timed_arrive: np.ndarray | None = None
    #: km ridden on the road (by car or taxi) along the route, and on scheduled services
    road_km: np.ndarray | None = None
    scheduled_km: np.ndarray | None = None
    profile_first: int = FIRST_MIN
    profile_step: int = STEP_MIN
    _entry: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _exit: np.ndarray = field(default=None, repr=False)  # type: ignore[assignment]
    _graph: DayGraph | None = field(default=None, repr=False)
    _network: Network | None = field(default=None, repr=False)

    def index(self, point_id: str) -> int:
        """Return the row of *point_id*.

        :raise NotFound: when the matrix has no such point.
        """
        try:
            return self.ids.index(point_id)
        except ValueError:
            raise NotFound(Reason.of(N_("reason.not_found.point"), id=repr(point_id))) from None

    def minutes_between(self, a: str, b: str) -> int | None:
        """Return the minutes from *a* to *b*, or None when unreachable."""
        i, j = self.index(a), self.index(b)
        return int(self.minutes[i, j]) if self.reachable[i, j] else None

    def path(self, a: str, b: str) -> list[str]:
        """Return the ids along the route from *a* to *b*: the points and network nodes.

        An empty list when unreachable; ``[a, b]`` for a direct local leg.
        """
        i, j = self.index(a), self.index(b)
        if not self.reachable[i, j]:
            return []
        if i == j:
            return [a]
        entry, exit_ = int(self._entry[i, j]), int(self._exit[i, j])
        if entry < 0 or self._graph is None:
            return [a, b]
        nodes = [self._graph.node_ids[n] for n in self._graph.node_path(entry, exit_)]
        return [a, *[n for n in nodes if n not in (a, b)], b]

    def via(self, a: str, b: str) -> tuple[str, ...]:
        """Return the bridges, expressways, ferries, boats, cable cars and piers from a to b."""
        ids = self.path(a, b)
        if len(ids) < 3 or self._graph is None or self._network is None:
            return ()
        graph, net = self._graph, self._network
        pieces = []
        for x, y in zip(ids[1:-2], ids[2:-1], strict=True):
            link_dir = graph.edge_link.get((graph.index[x], graph.index[y]))
            pieces.append((x, y, net.links[link_dir[0]] if link_dir else None))
        return via_names(net, pieces)


class _MatrixCache:
    """A small thread-safe LRU of computed matrices."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[tuple, TravelMatrix] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> TravelMatrix | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple, value: TravelMatrix) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_CACHE = _MatrixCache(_CACHE_SIZE)


def clear_cache() -> None:
    """Forget every cached matrix (tests; after editing the network at run time)."""
    _CACHE.clear()


def travel_matrix(
    points: Sequence[Locatable | Point | str],
    date: dt.date,
    scenario: str | None = None,
    *,
    network: Network | None = None,
    osrm_url: str | None = None,
    osrm_client: OsrmClient | None = None,
    mode: str = PRIVATE,
    profiles: bool = False,
    window: tuple[int, int] | None = None,
) -> TravelMatrix:
    """Return travel minutes, km and cost between all *points* on *date*.

    Parameters
    ----------
    points
        Catalogue places (anything with ``id``, ``lat``, ``lon``), :class:`Point` objects or
        network node ids; rows and columns follow this order.
    date
        The travel day: it decides which links run (seasons, weekdays, opening dates) and the
        expected waits.
    scenario
        A scenario name from ``network.json``; None for the network as it is.
    network
        The network; the embedded one by default.
    osrm_url, osrm_client
        With either, road-only pairs take OSRM's road times; when OSRM fails the embedded
        network is used and ``warnings`` says so.
    mode
        ``"private"`` or ``"public"`` (see :mod:`tourplanner.travel.modes`).
    profiles
        Also compute the departure-dependent pairs (``timed_pairs``, ``timed_arrive``).
    window
        With ``profiles``: the departures that matter, (first, last) minutes after midnight
        (the trip's day hours); the profiles cover them only.

    Raises
    ------
    ValidationError
        For an unknown scenario, or no points.
    """
    if not points:
        raise ValidationError([FieldError("points", Reason.of(N_("reason.needs_a_point")))])
    base = network or default_network()
    chosen = base.scenario(scenario)
    net = mode_network(base, mode, date, chosen)
    pts = [as_point(p, net) for p in points]
    signature = day_signature(net, date, chosen)
    own_client = osrm_client is None and bool(osrm_url)
    if own_client:
        osrm_client = OsrmClient(osrm_url)
    osrm_key = osrm_client.base_url if osrm_client is not None else None
    try:
        return _matrix(
            net, chosen, pts, date, scenario, signature, osrm_client, osrm_key, mode, profiles,
            window,
        )  # fmt: skip
    finally:
        if own_client:
            osrm_client.close()


def _matrix(
    net, chosen, pts, date, scenario, signature, osrm_client, osrm_key, mode, profiles, window
) -> TravelMatrix:
    key = (
        id(net),
        net.version,
        scenario,
        signature,
        tuple(p.key for p in pts),
        osrm_key,
        mode,
        profiles,
        _timetable_signature(net, date, chosen) if profiles else None,
        window if profiles else None,
    )
    cached = _CACHE.get(key)
    if cached is not None:
        return cached if cached.date == date else dataclasses.replace(cached, date=date)
    graph = day_graph(net, date, chosen)
    accesses = [access_of(p, net) for p in pts]
    result = _compute(net, graph, accesses, date, scenario)
    result = dataclasses.replace(result, mode=mode)
    if profiles:
        result = _with_profiles(result, net, accesses, date, chosen, window)
    if osrm_client is not None:
        result = _with_osrm(result, pts, RoadTimes(osrm_client))
        if result.warnings:
            return result  # a fallback is not cached: the server may come back
    _CACHE.put(key, result)
    return result


def _timetable_signature(net: Network, date: dt.date, chosen) -> tuple:
    """What the scheduled links run on *date* (two dates with the same timetables share)."""
    out = []
    for link in net.links.values():
        if not link.scheduled:
            continue
        available, forced = net.link_state(link, date, chosen)
        if not available:
            continue
        for direction in ("forward", "backward") if link.bidirectional else ("forward",):
            service = link.day_service(date, direction, forced)
            if service is not None:
                out.append((link.id, direction, service.departures, service.window))
    return tuple(out)


def _with_profiles(
    matrix: TravelMatrix, net: Network, accesses: list[Access], date: dt.date, chosen, window
) -> TravelMatrix:
    """Add the departure-dependent pairs (see :class:`TravelMatrix`)."""
    direct_min, _ = _direct(net, accesses)
    profile = point_profiles(net, date, chosen, accesses, direct_min, window)
    constant, const_minutes = is_constant(profile, window)
    first = int(grid(window)[0])
    timed = ~constant
    np.fill_diagonal(timed, False)
    pairs = np.argwhere(timed)
    arrive = as_samples(profile[pairs[:, 0], pairs[:, 1]].astype(np.float64))
    minutes = matrix.minutes.copy()
    reachable = matrix.reachable.copy()
    # constant pairs keep the static route's minutes (OSRM may replace road-only ones); a pair
    # the profiles cannot reach at any time is unreachable
    never = constant & (const_minutes < 0)
    np.fill_diagonal(never, False)
    reachable &= ~never
    minutes = np.where(never, -1, minutes)
    samples = first + STEP_MIN * np.arange(profile.shape[2])
    if len(pairs):
        duration = np.where(arrive >= 0, arrive - samples[None, :], np.iinfo(np.int64).max)
        shortest = duration.min(axis=1)
        none = arrive.max(axis=1) < 0
        minutes[pairs[:, 0], pairs[:, 1]] = np.where(none, -1, shortest)
        reachable[pairs[:, 0], pairs[:, 1]] &= ~none
    return dataclasses.replace(
        matrix,
        minutes=minutes.astype(np.int32),
        reachable=reachable,
        road_only=matrix.road_only & ~timed,
        timed_pairs=pairs.astype(np.int64),
        timed_arrive=arrive,
        profile_first=first,
    )


def _compute(
    net: Network, graph: DayGraph, accesses: list[Access], date: dt.date, scenario: str | None
) -> TravelMatrix:
    p = len(accesses)
    k = max(1, max(len(a.legs) for a in accesses))
    idx = np.zeros((p, k), dtype=np.int64)
    am = np.full((p, k), np.inf)
    akm = np.zeros((p, k))
    awater = np.zeros((p, k), dtype=bool)
    for i, access in enumerate(accesses):
        for j, leg in enumerate(access.legs):
            idx[i, j] = graph.index[leg.node]
            am[i, j] = leg.minutes
            akm[i, j] = leg.km
            awater[i, j] = leg.mode in SCHEDULED_MODES
    dist = graph.minutes
    n = dist.shape[0]
    # best way from each point to every node: through which of its access legs
    to_node = np.full((p, n), np.inf)
    to_node_k = np.zeros((p, n), dtype=np.int64)
    for j in range(k):
        cand = am[:, j, None] + dist[idx[:, j], :]
        better = cand < to_node
        to_node = np.where(better, cand, to_node)
        to_node_k = np.where(better, j, to_node_k)
    # then from the node to each destination point through its access legs
    total = np.full((p, p), np.inf)
    exit_k = np.zeros((p, p), dtype=np.int64)
    for j in range(k):
        cand = to_node[:, idx[:, j]] + am[None, :, j]
        better = cand < total
        total = np.where(better, cand, total)
        exit_k = np.where(better, j, exit_k)
    rows = np.arange(p)[:, None]
    cols = np.arange(p)[None, :]
    exit_node = idx[cols, exit_k]
    entry_k = to_node_k[rows, exit_node]
    entry_node = idx[rows, entry_k]
    km = akm[rows, entry_k] + graph.km[entry_node, exit_node] + akm[cols, exit_k]
    cost = graph.cost_vnd[entry_node, exit_node]
    vehicle = (graph.vehicle_vnd if graph.vehicle_vnd is not None else graph.cost_vnd)[
        entry_node, exit_node
    ]
    seat = (graph.seat_vnd if graph.seat_vnd is not None else np.zeros_like(graph.cost_vnd))[
        entry_node, exit_node
    ]
    sched_km = (graph.scheduled_km if graph.scheduled_km is not None else np.zeros_like(km))[
        entry_node, exit_node
    ]
    water = awater[rows, entry_k] | graph.water[entry_node, exit_node] | awater[cols, exit_k]
    # direct local legs between nearby points of the same area
    direct_min, direct_km = _direct(net, accesses)
    use_direct = direct_min < total
    total = np.where(use_direct, direct_min, total)
    km = np.where(use_direct, direct_km, km)
    cost = np.where(use_direct, 0.0, cost)
    vehicle = np.where(use_direct, 0.0, vehicle)
    seat = np.where(use_direct, 0.0, seat)
    sched_km = np.where(use_direct, 0.0, sched_km)
    water = np.where(use_direct, False, water)
    entry_node = np.where(use_direct, -1, entry_node)
    exit_node = np.where(use_direct, -1, exit_node)
    np.fill_diagonal(total, 0.0)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(cost, 0.0)
    np.fill_diagonal(vehicle, 0.0)
    np.fill_diagonal(seat, 0.0)
    np.fill_diagonal(water, False)
    reachable = np.isfinite(total)
    minutes = np.where(reachable, np.rint(np.where(reachable, total, 0.0)), -1).astype(np.int32)
    return TravelMatrix(
        ids=tuple(a.point.id for a in accesses),
        minutes=minutes,
        km=np.where(reachable, np.round(km, 2), np.nan),
        cost_vnd=np.where(reachable, cost, 0).astype(np.int64),
        vehicle_vnd=np.where(reachable, vehicle, 0).astype(np.int64),
        seat_vnd=np.where(reachable, seat, 0).astype(np.int64),
        road_km=np.where(reachable, np.maximum(km - sched_km, 0.0), np.nan),
        scheduled_km=np.where(reachable, sched_km, np.nan),
        reachable=reachable,
        road_only=reachable & ~water,
        date=date,
        scenario=scenario,
        network_version=net.version,
        _entry=entry_node,
        _exit=exit_node,
        _graph=graph,
        _network=net,
    )


def _direct(net: Network, accesses: list[Access]) -> tuple[np.ndarray, np.ndarray]:
    """Return minutes and km of direct legs between nearby same-area points (inf elsewhere)."""
    rules = net.access
    lat = np.radians([a.point.lat for a in accesses])
    lon = np.radians([a.point.lon for a in accesses])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    air = 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    areas = [a.area for a in accesses]
    codes = {name: i for i, name in enumerate(sorted(set(areas)))}
    code = np.array([codes[x] for x in areas])
    kmh = np.empty(len(accesses))
    island = np.zeros(len(accesses), dtype=bool)
    for i, name in enumerate(areas):
        area = net.area(name)
        if area is not None and area.kind != "land":
            kmh[i] = area.access_kmh
            island[i] = True
        else:
            kmh[i] = rules.road_kmh_short
    has_legs = np.array([bool(a.legs) for a in accesses])
    ok = (code[:, None] == code[None, :]) & (air <= rules.nearby_km)
    ok &= has_legs[:, None] & has_legs[None, :]
    km = air * rules.detour_factor
    speed = np.where(
        island[:, None],
        kmh[:, None],
        np.where(km < rules.long_km, rules.road_kmh_short, rules.road_kmh_long),
    )
    speed = np.where(km <= rules.walk_max_km, rules.walk_kmh, speed)
    minutes = km / speed * 60.0
    minutes = np.where(km <= rules.walk_max_km, np.maximum(minutes, 1.0), minutes)
    return np.where(ok, minutes, np.inf), np.where(ok, km, np.inf)


def _with_osrm(matrix: TravelMatrix, points: list[Point], road: RoadTimes) -> TravelMatrix:
    """Replace road-only pairs by OSRM's times, or add the fallback warning."""
    table = road.table([(p.lat, p.lon) for p in points])
    if table is None:
        return dataclasses.replace(matrix, warnings=tuple(road.warnings))
    usable = matrix.road_only & np.isfinite(table.minutes) & np.isfinite(table.km)
    np.fill_diagonal(usable, False)
    minutes = np.where(usable, np.rint(np.nan_to_num(table.minutes)), matrix.minutes)
    km = np.where(usable, np.round(np.nan_to_num(table.km), 2), matrix.km)
    return dataclasses.replace(
        matrix, minutes=minutes.astype(np.int32), km=km, source="osrm+network"
    )
