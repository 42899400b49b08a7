"""Ways to travel on the network: a hired vehicle (``private``) or public services (``public``).

* **private**: the group's own hired vehicle on the roads, bridges and expressways, plus the
  ferries, boats and cable cars (a car ferry carries the vehicle; its fare is ``toll_vnd``).
  Coach lines are left out.
* **public**: seats on scheduled services (coach and limousine lines, bus-and-boat combos,
  ferries, boats, cable cars), walking links, and taxi rides between any two nodes at most
  ``taxi.max_km`` apart by road (the network's taxi tariff), as travellers use them: a taxi to
  the first service (or straight to the destination when it is near), one or more services,
  a taxi for the last kilometres, or between two services (the bus station to the pier). Each
  node has copies for the *layers* of a journey (before any ride, after a taxi ride, after a
  service); taxi rides lead from the first or the third layer to the second, services from
  any layer to the third, walks stay in their layer. So a journey never chains two taxi rides
  (each ride is one tariff, at most ``max_km``, and starts after a wait of
  :data:`TAXI_PICKUP_MIN` for the car). Places attach to every copy of a node.
* **public-lean**: the same with taxi rides of at most :data:`LEAN_TAXI_KM` (from a stop to
  the door): slower and cheaper. The planner offers both public modes per day, so a day takes
  the long taxi ride only where its minutes are worth the money.

:func:`mode_network` derives the network of a mode for a date and scenario (the roads open that
day decide the taxi rides), cached.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from tourplanner.errors import FieldError
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.travel.network import PUBLIC_ONLY_MODES
from tourplanner.travel.network import ROAD_MODES
from tourplanner.travel.network import Link
from tourplanner.travel.network import Network
from tourplanner.travel.network import Node
from tourplanner.travel.network import Scenario

PRIVATE = "private"
PUBLIC = "public"
#: public services with short taxi rides only (the stop to the door): the cheap way, slower
PUBLIC_LEAN = "public-lean"
MODES = (PRIVATE, PUBLIC, PUBLIC_LEAN)
#: minutes a taxi ride adds before it moves: the wait for the booked car (a planner policy;
#: it also keeps a journey from trading a bus for a taxi to gain a few minutes)
TAXI_PICKUP_MIN = 10.0
#: the longest taxi ride of the lean public mode, km (a planner policy: a bus stop on the main
#: road to the Yên Tử cable car is 14 km)
LEAN_TAXI_KM = 15.0
#: suffix of a shadow node's id
SHADOW = "~"


def check_mode(mode: str) -> str:
    """Return *mode*, or raise a field error naming ``transport``."""
    if mode not in MODES:
        raise ValidationError(
            [
                FieldError(
                    "transport",
                    Reason.of(N_("reason.one_of_not"), choices=", ".join(MODES), value=repr(mode)),
                )
            ]
        )
    return mode


def mode_network(network: Network, mode: str, date: dt.date, scenario: Scenario | None) -> Network:
    """The network as travellers of *mode* use it on *date* under *scenario*."""
    check_mode(mode)
    if mode == PRIVATE:
        return _private(network)
    taxi_km = LEAN_TAXI_KM if mode == PUBLIC_LEAN else None
    return _public(network, _road_signature(network, date, scenario), taxi_km)


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


#: the layers of a public network's nodes: before any taxi or service (""), after a taxi
#: ride ("~"), after a service ("^")
LAYERS = ("", SHADOW, "^")


def is_public(mode: str) -> bool:
    """Whether *mode* travels on public services (either public mode)."""
    return mode in (PUBLIC, PUBLIC_LEAN)


@lru_cache(maxsize=16)
def _public(network: Network, roads: tuple[str, ...], taxi_km: float | None = None) -> Network:
    tariff = network.taxi
    max_km = tariff.max_km if tariff is not None else 0.0
    if taxi_km is not None:
        max_km = min(max_km, taxi_km)
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
        for layer in LAYERS[1:]:
            copy = node_id + layer
            nodes[copy] = dataclasses.replace(node, id=copy, place_ids=())
            shadows[copy] = node_id
    links: dict[str, Link] = {}

    def add(link: Link, source: str, target: str, suffix: str, reverse: bool = False) -> None:
        piece = dataclasses.replace(
            link,
            id=link.id + suffix,
            source_node=source,
            target_node=target,
            bidirectional=False,
        )
        if reverse:
            piece = dataclasses.replace(
                piece,
                minutes=link.minutes_back,
                minutes_back=link.minutes,
                services=tuple(
                    dataclasses.replace(s, direction=_flip(s.direction)) for s in link.services
                ),
            )
        links[piece.id] = piece

    for link in network.links.values():
        if link.mode in ROAD_MODES and link.mode != "walk":
            continue  # roads are ridden by taxi only
        ends = [(link.source_node, link.target_node, False)]
        if link.bidirectional:
            ends.append((link.target_node, link.source_node, True))
        for a, b, reverse in ends:
            tag = "<" if reverse else ""
            if link.scheduled:
                # a service is boarded before any taxi, after the first one or after another
                # service, and always leaves the traveller "after a service"
                for layer in ("", SHADOW, "^"):
                    add(link, a + layer, b + "^", f"{tag}{layer or '.'}^", reverse)
            else:  # walking stays in its layer
                for layer in LAYERS:
                    add(link, a + layer, b + layer, f"{tag}{layer or '.'}", reverse)
    if tariff is not None:
        for i, a in enumerate(node_ids):
            for j, b in enumerate(node_ids):
                if i == j or not np.isfinite(dist[i, j]) or road_km[i, j] > max_km:
                    continue
                ride_km = float(road_km[i, j])
                for source, target, tag in ((a, b + SHADOW, "first"), (a + "^", b + SHADOW, "on")):
                    links[f"taxi:{tag}:{a}>{b}"] = Link(
                        id=f"taxi:{tag}:{a}>{b}",
                        source_node=source,
                        target_node=target,
                        mode="taxi",
                        km=round(ride_km, 2),
                        minutes=float(dist[i, j]) + TAXI_PICKUP_MIN,
                        minutes_back=float(dist[i, j]) + TAXI_PICKUP_MIN,
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
        version=f"{network.version}+public{'' if taxi_km is None else f'-{taxi_km:g}km'}+"
        + str(hash(roads) & 0xFFFFFF),
    )


_PIECE_SUFFIX = re.compile(r"<?[.~^]\^?$")


def base_link_id(link_id: str) -> str:
    """The id of the network link a public network's piece copies (``link_id`` itself for a
    link of the network or a taxi ride)."""
    return _PIECE_SUFFIX.sub("", link_id)


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
