"""Departure profiles: the earliest arrival between every two points for every departure time.

A leg that takes a ferry, a boat, a cable car or a coach line depends on when it starts. For
each day and mode, :func:`point_profiles` computes the earliest arrival between every two
points (places) for departures on a grid of the day (every :data:`STEP_MIN` minutes from
:data:`FIRST_MIN` to :data:`LAST_MIN`): from the static links (roads, walks, taxi rides), each
pass lets every scheduled link be boarded at its next departure after the arrival at its
start, until no arrival improves (a Bellman-Ford over the scheduled links, vectorised over
origins, nodes and departure times). The arrival of each sample is exact, and leaving between
two samples can always wait for the next one, so the solver plans with arrivals that the exact
re-timing of :mod:`tourplanner.travel.legs` always meets or beats.

The earliest arrival of a network where waiting is allowed never decreases with the departure
time, so the profiles are non-decreasing along the grid, with unreachable samples only at the
end of the day (nothing is boarded after midnight).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from tourplanner.travel.attach import Access
from tourplanner.travel.network import DayService
from tourplanner.travel.network import Network
from tourplanner.travel.network import Scenario

#: the departure grid: every STEP_MIN minutes from FIRST_MIN to LAST_MIN (minutes of the day)
FIRST_MIN = 4 * 60 + 30
STEP_MIN = 5
LAST_MIN = 23 * 60 + 55
#: passes over the scheduled links (each pass allows one more scheduled link on a journey)
MAX_PASSES = 5


def grid(window: tuple[int, int] | None = None) -> np.ndarray:
    """Departure times of the grid, minutes after midnight (within *window*: the first sample
    at or before its start, the last at or after its end)."""
    first, last = FIRST_MIN, LAST_MIN
    if window is not None:
        lo, hi = window
        first = max(FIRST_MIN, FIRST_MIN + (max(lo, FIRST_MIN) - FIRST_MIN) // STEP_MIN * STEP_MIN)
        last = min(LAST_MIN, max(first, hi))
    count = (last - first + STEP_MIN - 1) // STEP_MIN + 1
    return first + STEP_MIN * np.arange(count, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Hop:
    a: int
    b: int
    ride: float
    departures: tuple[int, ...]
    window: tuple[int, int]
    continuous: bool


@dataclass(frozen=True, slots=True, eq=False)
class _Day:
    """A mode's network on one day: static minutes between nodes and the scheduled hops.

    ``pre[x, y]``: from ``x`` to ``y`` before any service (a taxi ride, walks);
    ``walk_post[v, w]``: after a service at ``v``, on to ``w`` where another can be boarded
    (walks or one taxi ride);
    ``any_post[v, y]``: after a service at ``v``, on to ``y`` by any means (the same on the
    layered public network; kept apart for networks where the last ride differs).
    Without layers (a hired vehicle) the three are the same static shortest minutes.
    """

    node_ids: tuple[str, ...]
    index: dict[str, int]
    pre: np.ndarray
    walk_post: np.ndarray
    any_post: np.ndarray
    hops: tuple[_Hop, ...]


def _services(network: Network, date: dt.date, scenario: Scenario | None):
    """Static links (as a weight matrix) and scheduled hops of *network* on *date*."""
    static: list[tuple[str, str, float]] = []
    hops: list[tuple[str, str, float, DayService]] = []
    for link in network.links.values():
        available, forced = network.link_state(link, date, scenario)
        if not available:
            continue
        directions = ("forward", "backward") if link.bidirectional else ("forward",)
        for direction in directions:
            a, b = (
                (link.source_node, link.target_node)
                if direction == "forward"
                else (link.target_node, link.source_node)
            )
            ride = link.ride_minutes(direction)
            if not link.scheduled:
                static.append((a, b, ride))
                continue
            # a public network has a copy of each service per boarding layer: the profiles
            # track the layers themselves, so each service is one hop between the originals
            a, b = network.shadows.get(a, a), network.shadows.get(b, b)
            service = link.day_service(date, direction, forced)
            if service is not None:
                hops.append((a, b, ride, service))
    return static, sorted(set(hops), key=lambda h: (h[0], h[1], h[2]))


def _day(network: Network, date: dt.date, scenario: Scenario | None) -> _Day:
    static, hops = _services(network, date, scenario)
    key = (
        tuple(sorted(static)),
        tuple(sorted((a, b, ride, s.departures, s.window, s.continuous) for a, b, ride, s in hops)),
    )
    return _day_cached(network, key)


@lru_cache(maxsize=24)
def _day_cached(network: Network, key: tuple) -> _Day:
    static, hop_keys = key
    all_ids = sorted(network.nodes)
    all_index = {n: i for i, n in enumerate(all_ids)}
    m = len(all_ids)
    weight = np.full((m, m), np.inf)
    for a, b, ride in static:
        i, j = all_index[a], all_index[b]
        weight[i, j] = min(weight[i, j], max(ride, 1e-6))
    rows, cols = np.nonzero(np.isfinite(weight))
    dist = dijkstra(csr_matrix((weight[rows, cols], (rows, cols)), shape=(m, m)), directed=True)
    node_ids = tuple(n for n in all_ids if n not in network.shadows)
    index = {n: i for i, n in enumerate(node_ids)}

    def cols(layer: str) -> np.ndarray:
        return np.asarray([all_index[n + layer] for n in node_ids])

    base = cols("")
    if network.shadows:  # the layers of a public network (tourplanner.travel.modes)
        pre = np.minimum(dist[np.ix_(base, base)], dist[np.ix_(base, cols("~"))])
        after = cols("^")
        # after a service: walks, or one taxi ride (to board again or to arrive)
        walk_post = np.minimum(dist[np.ix_(after, after)], dist[np.ix_(after, cols("~"))])
        any_post = walk_post
    else:
        pre = walk_post = any_post = dist[np.ix_(base, base)]
    for m in (pre, walk_post, any_post):
        np.fill_diagonal(m, 0.0)
    hops = tuple(
        _Hop(index[a], index[b], ride, deps, window, cont)
        for a, b, ride, deps, window, cont in hop_keys
    )
    return _Day(
        node_ids,
        index,
        pre.astype(np.float32),
        walk_post.astype(np.float32),
        any_post.astype(np.float32),
        hops,
    )


def _board(hop: _Hop, t: np.ndarray) -> np.ndarray:
    """The next boarding time at or after each ``t`` (``inf`` when none that day)."""
    if hop.continuous:
        first, last = hop.window
        out = np.where(t <= last, np.maximum(t, first), np.inf)
    else:
        deps = np.asarray(hop.departures, dtype=np.float64)
        pos = np.searchsorted(deps, t - 1e-9, side="left")
        out = np.where(pos < len(deps), deps[np.minimum(pos, len(deps) - 1)], np.inf)
    return np.where(np.isfinite(t) & (t < 1440), out, np.inf)


def point_profiles(
    network: Network,
    date: dt.date,
    scenario: Scenario | None,
    accesses: list[Access],
    direct: np.ndarray,
    window: tuple[int, int] | None = None,
) -> np.ndarray:
    """Earliest arrivals ``(p, p, K)`` between the points of *accesses* for departures at the
    samples of ``grid(window)`` (minutes after midnight; ``inf`` when none), on a mode's
    *network*.

    ``direct`` holds the minutes of direct legs between nearby points (``inf`` where none).
    The search runs from the points themselves (their access legs are exact), over the
    nodes: arrivals at every node, improved pass after pass by boarding each scheduled link
    at its next departure; then each destination is reached through its access legs.
    """
    day = _day(network, date, scenario)
    times = grid(window).astype(np.float32)
    p = len(accesses)
    width = max(1, max(len(a.legs) for a in accesses))
    node = np.zeros((p, width), dtype=np.int64)
    minutes = np.full((p, width), np.inf)
    for i, access in enumerate(accesses):
        for j, leg in enumerate(access.legs):
            # shadow twins of a public network duplicate their node's leg: the static
            # minutes already fold shadows into their nodes
            if leg.node in day.index:
                node[i, j] = day.index[leg.node]
                minutes[i, j] = leg.minutes
    # only the nodes where a service starts or ends, and the points' access nodes, matter:
    # the static minutes cover the paths through the others
    keep = sorted(
        {h.a for h in day.hops} | {h.b for h in day.hops} | set(node[np.isfinite(minutes)].tolist())
    )
    local = {g: i for i, g in enumerate(keep)}
    keep_arr = np.asarray(keep, dtype=np.int64)
    pre = day.pre[np.ix_(keep_arr, keep_arr)]
    walk_post = day.walk_post[np.ix_(keep_arr, keep_arr)]
    any_post = day.any_post[np.ix_(keep_arr, keep_arr)]
    node_local = np.vectorize(lambda g: local.get(int(g), 0))(node) if node.size else node
    hops = [(local[h.a], local[h.b], h) for h in day.hops]
    n = len(keep)
    # before any service: from each point through its best access leg
    to_node = np.full((p, n), np.inf, dtype=np.float32)
    for j in range(width):
        alpha = minutes[:, j].astype(np.float32)
        to_node = np.minimum(to_node, alpha[:, None] + pre[node_local[:, j], :])
    before = times[None, None, :] + to_node[:, :, None]  # (p, n, K), fixed
    after = np.full(before.shape, np.inf, dtype=np.float32)  # after a service, can board
    reach_any = before.copy()  # arrival by any means (for the destinations)
    for _ in range(MAX_PASSES):
        improved = False
        for a, b, hop in hops:
            board = _board(hop, np.minimum(before[:, a, :], after[:, a, :]))
            if not np.isfinite(board).any():
                continue
            reach = board + hop.ride  # (p, K): arrival at the hop's end, after a service
            # only origins that now reach the hop's end earlier than before can improve
            # anything: the arrivals after a service keep the triangle inequality
            rows = np.nonzero((reach < after[:, b, :] - 1e-9).any(axis=1))[0]
            if not len(rows):
                continue
            cand = reach[rows][:, None, :] + walk_post[b][None, :, None]
            after[rows] = np.minimum(after[rows], cand)
            cand = reach[rows][:, None, :] + any_post[b][None, :, None]
            reach_any[rows] = np.minimum(reach_any[rows], cand)
            improved = True
        if not improved:
            break
    out = times[None, None, :] + direct.astype(np.float32)[:, :, None]
    for j in range(width):
        beta = minutes[:, j]
        ok = np.isfinite(beta)
        if ok.any():
            via = reach_any[:, node_local[:, j], :]
            via += np.where(ok, beta, np.inf).astype(np.float32)[None, :, None]
            np.minimum(out, via, out=out)
    idx = np.arange(p)
    out[idx, idx, :] = times[None, :]
    return out


def is_constant(
    profile: np.ndarray, window: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """For point profiles ``(p, p, K)``: which pairs take the same time whatever the departure
    (and that time, rounded to minutes). Pairs unreachable all day count as constant (-1)."""
    times = grid(window)
    offset = profile - times[None, None, :]
    finite = np.isfinite(offset)
    all_finite = finite.all(axis=2)
    none = ~finite.any(axis=2)
    lo = np.where(finite, offset, np.inf).min(axis=2)
    hi = np.where(finite, offset, -np.inf).max(axis=2)
    constant = (all_finite & (hi - lo < 0.5)) | none
    minutes = np.where(all_finite, np.ceil(lo - 1e-9), -1)
    return constant, minutes


def as_samples(rows: np.ndarray) -> np.ndarray:
    """Profile rows ``(P, K)`` as integer arrival minutes (rounded up), ``-1`` where
    unreachable, made non-decreasing (rounding and float noise aside they already are), with
    unreachable samples only at the end of a row."""
    values = np.where(np.isfinite(rows), np.ceil(rows - 1e-6), np.inf)
    values = np.maximum.accumulate(values, axis=1) if values.size else values
    return np.where(np.isfinite(values), values, -1).astype(np.int64)
