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
from tourplanner.errors import ValidationError
from tourplanner.travel.attach import Access
from tourplanner.travel.attach import Locatable
from tourplanner.travel.attach import Point
from tourplanner.travel.attach import as_point
from tourplanner.travel.legs import access_of
from tourplanner.travel.legs import via_names
from tourplanner.travel.network import SCHEDULED_MODES
from tourplanner.travel.network import Network
from tourplanner.travel.network import default_network
from tourplanner.travel.osrm import OsrmClient
from tourplanner.travel.osrm import RoadTimes
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
            raise NotFound(f"the matrix has no point {point_id!r}") from None

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

    Raises
    ------
    ValidationError
        For an unknown scenario, or no points.
    """
    if not points:
        raise ValidationError([FieldError("points", "needs at least one point")])
    net = network or default_network()
    chosen = net.scenario(scenario)
    pts = [as_point(p, net) for p in points]
    signature = day_signature(net, date, chosen)
    own_client = osrm_client is None and bool(osrm_url)
    if own_client:
        osrm_client = OsrmClient(osrm_url)
    osrm_key = osrm_client.base_url if osrm_client is not None else None
    try:
        return _matrix(net, chosen, pts, date, scenario, signature, osrm_client, osrm_key)
    finally:
        if own_client:
            osrm_client.close()


def _matrix(net, chosen, pts, date, scenario, signature, osrm_client, osrm_key) -> TravelMatrix:
    key = (id(net), net.version, scenario, signature, tuple(p.key for p in pts), osrm_key)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached if cached.date == date else dataclasses.replace(cached, date=date)
    graph = day_graph(net, date, chosen)
    result = _compute(net, graph, [access_of(p, net) for p in pts], date, scenario)
    if osrm_client is not None:
        result = _with_osrm(result, pts, RoadTimes(osrm_client))
        if result.warnings:
            return result  # a fallback is not cached: the server may come back
    _CACHE.put(key, result)
    return result


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
    water = awater[rows, entry_k] | graph.water[entry_node, exit_node] | awater[cols, exit_k]
    # direct local legs between nearby points of the same area
    direct_min, direct_km = _direct(net, accesses)
    use_direct = direct_min < total
    total = np.where(use_direct, direct_min, total)
    km = np.where(use_direct, direct_km, km)
    cost = np.where(use_direct, 0.0, cost)
    water = np.where(use_direct, False, water)
    entry_node = np.where(use_direct, -1, entry_node)
    exit_node = np.where(use_direct, -1, exit_node)
    np.fill_diagonal(total, 0.0)
    np.fill_diagonal(km, 0.0)
    np.fill_diagonal(cost, 0.0)
    np.fill_diagonal(water, False)
    reachable = np.isfinite(total)
    minutes = np.where(reachable, np.rint(np.where(reachable, total, 0.0)), -1).astype(np.int32)
    return TravelMatrix(
        ids=tuple(a.point.id for a in accesses),
        minutes=minutes,
        km=np.where(reachable, np.round(km, 2), np.nan),
        cost_vnd=np.where(reachable, cost, 0).astype(np.int64),
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
