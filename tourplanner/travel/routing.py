"""Shortest paths on the network: a static day graph for matrices, and earliest arrival for legs.

:class:`DayGraph` is the network as it runs on one day under one scenario, with each
scheduled link weighted by its riding time plus the expected wait for that day; links that do
not run that day are absent. It computes all-pairs node distances with
``scipy.sparse.csgraph.dijkstra`` and the km, cost and "water" flag along each shortest path
by pointer jumping over the predecessor matrix (no Python loop over pairs).

:func:`earliest_arrival` is a time-dependent Dijkstra: from a departure time it waits for the
next departure of each timetabled link it reaches, and refuses to wait past the end of a
service day.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from tourplanner.travel.attach import Access
from tourplanner.travel.attach import AccessLeg
from tourplanner.travel.network import ROAD_MODES
from tourplanner.travel.network import DayService
from tourplanner.travel.network import Link
from tourplanner.travel.network import Network
from tourplanner.travel.network import Scenario
from tourplanner.travel.network import format_time

_EPS = 1e-6


def _directions(link: Link) -> tuple[str, ...]:
    return ("forward", "backward") if link.bidirectional else ("forward",)


def _ends(link: Link, direction: str) -> tuple[str, str]:
    if direction == "forward":
        return link.source_node, link.target_node
    return link.target_node, link.source_node


def day_signature(
    network: Network, date: dt.date, scenario: Scenario | None
) -> tuple[tuple[str, str, float], ...]:
    """Return what the network looks like on *date*: the usable (link, direction, weight).

    Two dates with the same signature share their matrices (the "day class").
    """
    out = []
    for link in network.links.values():
        available, forced = network.link_state(link, date, scenario)
        if not available:
            continue
        for direction in _directions(link):
            wait = 0.0
            if link.scheduled:
                service = link.day_service(date, direction, forced)
                if service is None:
                    continue
                wait = service.expected_wait()
            out.append((link.id, direction, round(link.ride_minutes(direction) + wait, 3)))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class DayGraph:
    """All-pairs node results for one day class (see the module docstring)."""

    node_ids: tuple[str, ...]
    index: dict[str, int]
    minutes: np.ndarray
    km: np.ndarray
    cost_vnd: np.ndarray
    water: np.ndarray
    predecessors: np.ndarray
    edge_link: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    #: the two parts of ``cost_vnd``: per vehicle (tolls, car ferries, taxi rides) and per seat
    vehicle_vnd: np.ndarray | None = None
    seat_vnd: np.ndarray | None = None
    #: km on scheduled links (ferries, boats, cable cars, coach lines) along the path
    scheduled_km: np.ndarray | None = None

    def node_path(self, a: int, b: int) -> list[int]:
        """Return node indices from *a* to *b* along the shortest path ([] if unreachable)."""
        if a == b:
            return [a]
        if not math.isfinite(self.minutes[a, b]):
            return []
        path = [b]
        while path[-1] != a:
            path.append(int(self.predecessors[a, path[-1]]))
        return path[::-1]


@lru_cache(maxsize=64)
def _day_graph_cached(network: Network, signature: tuple[tuple[str, str, float], ...]) -> DayGraph:
    node_ids = tuple(sorted(network.nodes))
    index = {n: i for i, n in enumerate(node_ids)}
    n = len(node_ids)
    weight = np.full((n, n), np.inf)
    km = np.zeros((n, n))
    toll = np.zeros((n, n))
    fare = np.zeros((n, n))
    sched = np.zeros((n, n))
    water = np.zeros((n, n), dtype=bool)
    edge_link: dict[tuple[int, int], tuple[str, str]] = {}
    for link_id, direction, minutes in signature:
        link = network.links[link_id]
        a, b = (index[x] for x in _ends(link, direction))
        w = max(minutes, _EPS)
        if w < weight[a, b]:
            weight[a, b] = w
            km[a, b] = link.km
            toll[a, b] = link.toll_vnd
            fare[a, b] = link.fare_vnd
            sched[a, b] = link.km if link.scheduled else 0.0
            water[a, b] = link.mode not in ROAD_MODES and link.mode != "taxi"
            edge_link[(a, b)] = (link_id, direction)
    rows, cols = np.nonzero(np.isfinite(weight))
    graph = csr_matrix((weight[rows, cols], (rows, cols)), shape=(n, n))
    dist, pred = dijkstra(graph, directed=True, return_predecessors=True)
    tree_km, tree_toll, tree_water = _along_paths(pred, km, toll, water)
    _, tree_fare, _ = _along_paths(pred, km, fare, water)
    tree_sched, _, _ = _along_paths(pred, sched, fare, water)
    return DayGraph(
        node_ids,
        index,
        dist,
        tree_km,
        tree_toll + tree_fare,
        tree_water,
        pred,
        edge_link,
        vehicle_vnd=tree_toll,
        seat_vnd=tree_fare,
        scheduled_km=tree_sched,
    )


def _along_paths(
    pred: np.ndarray, km: np.ndarray, cost: np.ndarray, water: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum km and cost, and OR the water flag, along every shortest-path tree (pointer jumping)."""
    n = pred.shape[0]
    cols = np.broadcast_to(np.arange(n), pred.shape)
    has_parent = pred >= 0
    parent = np.where(has_parent, pred, cols)
    k = np.where(has_parent, km[parent, cols], 0.0)
    c = np.where(has_parent, cost[parent, cols], 0.0)
    w = np.where(has_parent, water[parent, cols], False)
    steps = max(1, math.ceil(math.log2(max(n, 2)))) + 1
    for _ in range(steps):
        k = k + np.take_along_axis(k, parent, axis=1)
        c = c + np.take_along_axis(c, parent, axis=1)
        w = w | np.take_along_axis(w, parent, axis=1)
        parent = np.take_along_axis(parent, parent, axis=1)
    return k, c, w


def day_graph(network: Network, date: dt.date, scenario: Scenario | None) -> DayGraph:
    """Return the (cached) day graph of *network* on *date* under *scenario*."""
    return _day_graph_cached(network, day_signature(network, date, scenario))


# --------------------------------------------------------------- time-dependent routing


@dataclass(frozen=True, slots=True)
class Hop:
    """One traversed piece of a timed route: an access leg or a network link."""

    from_id: str
    to_id: str
    mode: str
    depart: float
    arrive: float
    wait: float
    km: float
    link: Link | None = None
    direction: str = "forward"


@dataclass(frozen=True, slots=True)
class Miss:
    """A scheduled link the search reached but could not board, with why."""

    link: Link
    direction: str
    date: dt.date
    at: float
    reason: str


@dataclass(frozen=True, slots=True)
class TimedRoute:
    """The earliest-arrival route: its hops, or None with the misses that explain why."""

    hops: tuple[Hop, ...] | None
    misses: tuple[Miss, ...]


@lru_cache(maxsize=16)
def _original(network: Network, node: str) -> str:
    return network.shadows.get(node, node)


def _adjacency(network: Network) -> dict[str, tuple[tuple[str, Link, str], ...]]:
    adjacency: dict[str, list[tuple[str, Link, str]]] = {n: [] for n in network.nodes}
    for link in network.links.values():
        for direction in _directions(link):
            a, b = _ends(link, direction)
            adjacency[a].append((b, link, direction))
    return {k: tuple(v) for k, v in adjacency.items()}


class _ServiceCache:
    """Memoises (available, DayService) per link, direction and date during one search."""

    def __init__(self, network: Network, scenario: Scenario | None) -> None:
        self.network = network
        self.scenario = scenario
        self._cache: dict[tuple[str, str, dt.date], tuple[bool, DayService | None]] = {}

    def get(self, link: Link, direction: str, date: dt.date) -> tuple[bool, DayService | None]:
        key = (link.id, direction, date)
        hit = self._cache.get(key)
        if hit is None:
            available, forced = self.network.link_state(link, date, self.scenario)
            service = link.day_service(date, direction, forced) if available else None
            hit = (available, service)
            self._cache[key] = hit
        return hit


def earliest_arrival(
    network: Network,
    origin: Access,
    destination: Access,
    direct: AccessLeg | None,
    date: dt.date,
    depart_min: float,
    scenario: Scenario | None,
) -> TimedRoute:
    """Return the earliest-arrival route from *origin* to *destination*.

    Times are minutes after midnight of *date* (they may pass 1440 on long legs). A timetabled
    link waits for its next departure on the leg's departure date; after midnight nothing is
    boarded, so a leg never waits overnight for the next morning's first sailing.
    """
    adjacency = _adjacency(network)
    services = _ServiceCache(network, scenario)
    origin_id, target_id = "@origin", "@destination"
    best: dict[str, float] = {origin_id: depart_min}
    back: dict[str, tuple[str, Hop]] = {}
    heap: list[tuple[float, int, str]] = [(depart_min, 0, origin_id)]
    counter = 1
    misses: list[Miss] = []
    exits = {leg.node: leg for leg in destination.legs}

    def relax(prev: str, node: str, arrive: float, hop: Hop) -> None:
        nonlocal counter
        if arrive < best.get(node, math.inf) - 1e-9:
            best[node] = arrive
            back[node] = (prev, hop)
            heapq.heappush(heap, (arrive, counter, node))
            counter += 1

    while heap:
        t, _, node = heapq.heappop(heap)
        if t > best.get(node, math.inf) + 1e-9:
            continue
        if node == target_id:
            break
        if node == origin_id:
            for leg in origin.legs:
                relax(
                    origin_id,
                    leg.node,
                    t + leg.minutes,
                    Hop(origin.point.id, leg.node, leg.mode, t, t + leg.minutes, 0.0, leg.km),
                )
            if direct is not None:
                relax(
                    origin_id,
                    target_id,
                    t + direct.minutes,
                    Hop(
                        origin.point.id,
                        destination.point.id,
                        direct.mode,
                        t,
                        t + direct.minutes,
                        0.0,
                        direct.km,
                    ),
                )
            continue
        exit_leg = exits.get(node)
        if exit_leg is not None:
            relax(
                node,
                target_id,
                t + exit_leg.minutes,
                Hop(
                    node,
                    destination.point.id,
                    exit_leg.mode,
                    t,
                    t + exit_leg.minutes,
                    0.0,
                    exit_leg.km,
                ),
            )
        day = int(t // 1440)
        when = date + dt.timedelta(days=day)
        for neighbour, link, direction in adjacency[node]:
            available, service = services.get(link, direction, when)
            if not available:
                continue
            board = t
            if link.scheduled:
                came = back.get(node)
                if (
                    came is not None
                    and came[1].link is not None
                    and came[1].link.scheduled
                    and _original(network, neighbour) == _original(network, came[1].from_id)
                ):
                    continue  # never ride a service straight back to where it was boarded
                minute = t - day * 1440
                if day > 0:
                    # a leg never waits overnight for the first sailing of the next day
                    misses.append(Miss(link, direction, date, t, "has no departure that night"))
                    continue
                if service is None:
                    misses.append(Miss(link, direction, when, t, "does not run that day"))
                    continue
                nxt = service.next_departure(minute)
                if nxt is None:
                    misses.append(
                        Miss(
                            link,
                            direction,
                            when,
                            t,
                            f"has no departure after {format_time(minute)} "
                            f"(service {service.describe()})",
                        )
                    )
                    continue
                board = day * 1440 + nxt
            arrive = board + link.ride_minutes(direction)
            relax(
                node,
                neighbour,
                arrive,
                Hop(node, neighbour, link.mode, t, arrive, board - t, link.km, link, direction),
            )
    if target_id not in back:
        return TimedRoute(None, tuple(misses))
    hops = []
    node = target_id
    while node != origin_id:
        node, hop = back[node]
        hops.append(hop)
    return TimedRoute(tuple(reversed(hops)), tuple(misses))
