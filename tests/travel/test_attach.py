"""Attaching catalogue places to the network: areas, islands, bays, mountains."""

from __future__ import annotations

import pytest

from tourplanner.travel.attach import Point
from tourplanner.travel.attach import as_point
from tourplanner.travel.attach import attach


@pytest.mark.parametrize(
    ("place_id", "area", "nodes"),
    [
        ("cat-ba-town", "cat-ba", {"cat-ba-town"}),
        ("cannon-fort", "cat-ba", {"cat-ba-town", "cat-ba-pier", "ben-beo"}),
        ("monkey-island", "lan-ha-bay", {"lan-ha-water"}),
        ("lan-ha-bay", "lan-ha-bay", {"lan-ha-water"}),
        ("sung-sot-cave", "ha-long-bay", {"ha-long-bay-water"}),
        ("quan-lan-island", "quan-lan", {"quan-lan-pier"}),
        ("co-to-island", "co-to", {"co-to-pier"}),
        ("hub-co-to", "co-to", {"co-to-pier"}),
        ("tuan-chau", "tuan-chau", {"tuan-chau-port"}),
        ("yen-tu", "yen-tu-mountain", {"an-ky-sinh-station"}),
        ("tay-yen-tu", "tay-yen-tu", {"tay-yen-tu-gate"}),
        ("bach-dang-giang-relic", "thuy-nguyen", {"da-bac-hp", "ben-rung-hp"}),
        ("gw-got-pier", "cat-hai", {"got-pier"}),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_attach_keeps_places_in_their_area(network, embedded_places, place_id, area, nodes):
    """Island, bay and mountain places attach only to nodes of their own area."""
    access = attach(as_point(embedded_places[place_id], network), network)
    assert access.area == area
    assert {leg.node for leg in access.legs} == nodes
    assert all(network.nodes[leg.node].area == area for leg in access.legs)


def test_attach_uses_boats_on_the_water_and_walks_on_the_mountain(network, embedded_places):
    """Bay places are reached by boat from the bay's node; the summit on foot."""
    cave = attach(as_point(embedded_places["sung-sot-cave"], network), network)
    summit = attach(as_point(embedded_places["yen-tu"], network), network)
    assert {leg.mode for leg in cave.legs} == {"boat"}
    assert {leg.mode for leg in summit.legs} == {"walk"}


def test_attach_a_new_place_in_a_known_area(network):
    """A place added later on Quan Lạn attaches there without any edit to the network."""
    access = attach(Point("new-beach", "Bãi mới", 20.905, 107.52), network)
    assert access.area == "quan-lan"
    assert [leg.node for leg in access.legs] == ["quan-lan-pier"]
    (leg,) = access.legs
    assert leg.km == pytest.approx(1.3 * 3.2, rel=0.1)


def test_attach_a_node_id_is_the_node_itself(network):
    """A network node used as a point has a zero access leg."""
    access = attach(as_point("got-pier", network), network)
    assert [(leg.node, leg.minutes, leg.km) for leg in access.legs] == [("got-pier", 0.0, 0.0)]
