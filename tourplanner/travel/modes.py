"""Ways to travel on the network: a hired vehicle (``private``) or public services (``public``).

* **private**: the group's own hired vehicle on the roads, bridges and expressways, plus the
  ferries, boats and cable cars (a car ferry carries the vehicle; its fare is ``toll_vnd``).
  Coach lines are left out.
* **public**: seats on scheduled services (coach and limousine lines, bus-and-boat combos,
  ferries, boats, cable cars), walking links, and taxi rides between any two nodes at most
  ``taxi.max_km`` apart by road (the network's taxi tariff). A taxi ride is one link from a node
  ``a`` to the *shadow* ``b~`` of node ``b``; from a shadow only non-taxi links leave (their
  copies start there), so a journey never chains two taxi rides: a long trip takes a coach.
  Places attach to a shadow as to its node, so a taxi can end a journey.

:func:`mode_network` derives the network of a mode for a date and scenario (the roads open that
day decide the taxi rides), cached.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from tourplanner.errors import FieldError
from tourplanner.errors import ValidationError
from tourplanner.travel.network import PUBLIC_ONLY_MODES
from tourplanner.travel.network import ROAD_MODES
from tourplanner.travel.network import Link
from tourplanner.travel.network import Network
from tourplanner.travel.network import Node
from tourplanner.travel.network import Scenario

PRIVATE = "private"
PUBLIC = "public"
MODES = (PRIVATE, PUBLIC)
#: suffix of a shadow node's id
SHADOW = "~"


def check_mode(mode: str) -> str:
    """Return *mode*, or raise a field error naming ``transport``."""
    if mode not in MODES:
        raise ValidationError(
            [FieldError("transport", f"must be one of {', '.join(MODES)}, not {mode!r}")]
        )
    return mode


def mode_network(network: Network, mode: str, date: dt.date, scenario: Scenario | None) -> Network:
    """The network as travellers of *mode* use it on *date* under *scenario*."""
    check_mode(mode)
    if mode == PRIVATE:
        return _private(network)
    return _public(network, _road_signature(network, date, scenario))


@lru_cache(maxsize=8)
def _private(network: Network) -> Network:
    links = {k: v for k, v in network.links.items() if v.mode not in PUBLIC_ONLY_MODES}
    if len(links) == len(network.links):
        return network
    return dataclasses.replace(network, links=links, version=network.version + "+private")


def _road_signature(network: Network, date: dt.date, scenario: Scenario | None) -> tuple[str, ...]:
    out = []
    for link in network.links.values():
        if link.mode in ROAD_MODES and link.mode != "walk":
            available, _ = network.link_state(link, date, scenario)
            if available:
                out.append(link.id)
    return tuple(sorted(out))


@lru_cache(maxsize=16)
def _public(network: Network, roads: tuple[str, ...]) -> Network:
    tariff = network.taxi
    node_ids = sorted(network.nodes)
    index = {n: i for i, n in enumerate(node_ids)}
    n = len(node_ids)
    minutes = np.full((n, n), np.inf)
    km = np.zeros((n, n))
    for link_id in roads:
        link = network.links[link_id]
        a, b = index[link.source_node], index[link.target_node]
        for x, y, m in ((a, b, link.minutes), (b, a, link.minutes_back)):
            if (link.bidirectional or (x, y) == (a, b)) and m < minutes[x, y]:
                minutes[x, y] = m
                km[x, y] = link.km
    rows, cols = np.nonzero(np.isfinite(minutes))
    graph = csr_matrix((np.maximum(minutes[rows, cols], 1e-6), (rows, cols)), shape=(n, n))
    dist, pred = dijkstra(graph, directed=True, return_predecessors=True)
    road_km = _along(pred, km)
    nodes: dict[str, Node] = dict(network.nodes)
    shadows: dict[str, str] = {}
    for node_id in node_ids:
        node = network.nodes[node_id]
        shadow = node_id + SHADOW
        nodes[shadow] = dataclasses.replace(node, id=shadow, place_ids=())
        shadows[shadow] = node_id
    links: dict[str, Link] = {}
    for link in network.links.values():
        if link.mode in ROAD_MODES and link.mode != "walk":
            continue  # roads are ridden by taxi only
        links[link.id] = link
        # after a taxi ride (at a shadow), any other link can be taken
        copy = dataclasses.replace(
            link, id=link.id + SHADOW, source_node=link.source_node + SHADOW, bidirectional=False
        )
        links[copy.id] = copy
        if link.bidirectional:
            back = dataclasses.replace(
                link,
                id=link.id + SHADOW + "back",
                source_node=link.target_node + SHADOW,
                target_node=link.source_node,
                minutes=link.minutes_back,
                minutes_back=link.minutes,
                bidirectional=False,
                services=tuple(
                    dataclasses.replace(s, direction=_flip(s.direction)) for s in link.services
                ),
            )
            links[back.id] = back
    if tariff is not None:
        for i, a in enumerate(node_ids):
            for j, b in enumerate(node_ids):
                if i == j or not np.isfinite(dist[i, j]) or road_km[i, j] > tariff.max_km:
                    continue
                ride_km = float(road_km[i, j])
                links[f"taxi:{a}>{b}"] = Link(
                    id=f"taxi:{a}>{b}",
                    source_node=a,
                    target_node=b + SHADOW,
                    mode="taxi",
                    km=round(ride_km, 2),
                    minutes=float(dist[i, j]),
                    minutes_back=float(dist[i, j]),
                    name_vi="Taxi",
                    name_en="Taxi",
                    toll_vnd=tariff.fare(ride_km),
                    bidirectional=False,
                    source=tariff.source,
                )
    return dataclasses.replace(
        network,
        nodes=nodes,
        links=links,
        shadows=shadows,
        version=network.version + "+public+" + str(hash(roads) & 0xFFFFFF),
    )


def _flip(direction: str) -> str:
    return {"forward": "backward", "backward": "forward"}.get(direction, direction)


def _along(pred: np.ndarray, km: np.ndarray) -> np.ndarray:
    """Sum ``km`` along every shortest-path tree (pointer jumping over predecessors)."""
    n = pred.shape[0]
    cols = np.broadcast_to(np.arange(n), pred.shape)
    has_parent = pred >= 0
    parent = np.where(has_parent, pred, cols)
    total = np.where(has_parent, km[parent, cols], 0.0)
    for _ in range(int(np.ceil(np.log2(max(n, 2)))) + 1):
        total = total + np.take_along_axis(total, parent, axis=1)
        parent = np.take_along_axis(parent, parent, axis=1)
    return total
