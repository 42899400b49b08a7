"""Day matrices for the solver: expected waits, explicit unreachability, caching, paths."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tourplanner.errors import NotFound
from tourplanner.errors import ValidationError
from tourplanner.travel.legs import leg
from tourplanner.travel.matrix import travel_matrix
from tourplanner.travel.network import parse_network

from .conftest import tiny_network_data

DAY = dt.date(2027, 3, 6)


def test_matrix_counts_the_expected_wait_of_the_day(tiny_network):
    """Ferry pairs cost ride + half the mean gap (departures 07:00, 09:00, 13:00: 3 h gaps)."""
    m = travel_matrix(["city", "isle-town"], DAY, network=tiny_network)
    expected = 30 + (360 / 2) / 2 + 40 + 20
    assert m.minutes_between("city", "isle-town") == round(expected)
    # backward: every 120 min -> 60 min expected wait
    assert m.minutes_between("isle-town", "city") == 20 + 60 + 40 + 30
    assert m.km[0, 1] == pytest.approx(38.5)
    assert m.cost_vnd[0, 1] == 25000
    assert not m.road_only[0, 1]


def test_matrix_marks_unreachable_pairs_explicitly(tiny_network):
    """With the ferry closed the island is unreachable: mask False, minutes -1, km NaN."""
    m = travel_matrix(["city", "pier", "isle-town"], DAY, "no-ferry", network=tiny_network)
    assert m.reachable.tolist() == [[True, True, False], [True, True, False], [False, False, True]]
    assert m.minutes[0, 2] == -1 and np.isnan(m.km[0, 2])
    assert m.minutes_between("city", "isle-town") is None
    assert m.path("city", "isle-town") == []


def test_matrix_leaves_out_links_that_do_not_run_that_day(tiny_network):
    """A ferry that runs only on Sundays makes the island unreachable on a Saturday."""
    data = tiny_network_data()
    for service in data["links"][1]["timetable"]:
        service["days"] = ["sun"]
    network = parse_network(data)
    saturday = travel_matrix(["city", "isle-town"], DAY, network=network)
    sunday = travel_matrix(["city", "isle-town"], DAY + dt.timedelta(days=1), network=network)
    assert not saturday.reachable[0, 1]
    assert sunday.reachable[0, 1]


def test_matrix_agrees_with_exact_legs_on_roads(network, test_places):
    """For road-only pairs the matrix minutes equal the exact leg's minutes."""
    ids = ["hub-ha-noi", "kiep-bac", "con-son", "vinh-nghiem", "hub-bai-chay"]
    places = [test_places[i] for i in ids]
    m = travel_matrix(places, DAY, network=network)
    for a in places:
        for b in places:
            if a is b:
                continue
            exact = leg(a, b, dt.datetime.combine(DAY, dt.time(9)), network=network)
            assert m.road_only[m.index(a.id), m.index(b.id)]
            assert abs(m.minutes_between(a.id, b.id) - exact.minutes) <= 1, (a.id, b.id)
            assert m.km[m.index(a.id), m.index(b.id)] == pytest.approx(exact.km, abs=0.2)


def test_matrix_via_and_path_name_the_crossing(network, test_places):
    """The path from Hà Nội to Hạ Long Bay ends with a pier and the bay boat."""
    m = travel_matrix([test_places["hub-ha-noi"], test_places["ha-long-bay"]], DAY, network=network)
    path = m.path("hub-ha-noi", "ha-long-bay")
    assert path[0] == "hub-ha-noi" and path[-1] == "ha-long-bay"
    assert path[-2] == "ha-long-bay-water"
    via = m.via("hub-ha-noi", "ha-long-bay")
    assert "Cao tốc Hà Nội – Hải Phòng (CT.04)" in via
    assert any(v.startswith("Tàu tham quan vịnh Hạ Long") for v in via)


def test_matrix_is_cached_by_day_class(network, test_places):
    """Two dates on which the same links run share one cached computation."""
    places = list(test_places.values())
    first = travel_matrix(places, DAY, network=network)
    again = travel_matrix(places, DAY, network=network)
    next_week = travel_matrix(places, DAY + dt.timedelta(days=7), network=network)
    assert again is first
    assert next_week.minutes is first.minutes and next_week.date == DAY + dt.timedelta(days=7)


def test_matrix_cache_key_includes_the_scenario(network):
    """A scenario gives its own matrix, with different times where it matters."""
    base = travel_matrix(["thuy-nguyen", "quang-yen"], DAY, network=network)
    closed = travel_matrix(["thuy-nguyen", "quang-yen"], DAY, "without-ben-rung", network=network)
    assert closed is not base
    assert closed.minutes[0, 1] > base.minutes[0, 1]
    assert "Cầu Bến Rừng" in base.via("thuy-nguyen", "quang-yen")


def test_matrix_storm_scenario_cuts_the_islands_but_not_cat_ba(network):
    """With no sailings Cô Tô is unreachable; Cát Bà still has its cable car."""
    m = travel_matrix(
        ["ha-noi", "co-to-pier", "cat-ba-town"], DAY, "storm-no-sailings", network=network
    )
    assert not m.reachable[0, 1]
    assert m.reachable[0, 2]
    assert "Cáp treo Cát Hải – Phù Long" in m.via("ha-noi", "cat-ba-town")


def test_matrix_covers_the_whole_embedded_catalogue(network, embedded_places):
    """Every embedded place attaches: all pairs are reachable on an ordinary day."""
    m = travel_matrix(list(embedded_places.values()), DAY, network=network)
    assert len(m.ids) == len(embedded_places) > 200
    unreachable = {m.ids[i] for i, row in enumerate(m.reachable) if not row.all()}
    assert unreachable == set()
    assert (m.minutes[m.reachable] >= 0).all()
    assert (np.diag(m.minutes) == 0).all()


def test_matrix_direct_legs_join_nearby_places(network, embedded_places):
    """Two Hà Nội sights a short walk or drive apart are joined directly, not via a node."""
    a, b = embedded_places["hoan-kiem-lake"], embedded_places["hanoi-opera-house"]
    m = travel_matrix([a, b], DAY, network=network)
    assert m.path(a.id, b.id) == [a.id, b.id]
    assert m.minutes_between(a.id, b.id) <= 10


def test_matrix_rejects_bad_input(network):
    """No points, an unknown scenario or an unknown node id are clear errors."""
    with pytest.raises(ValidationError):
        travel_matrix([], DAY, network=network)
    with pytest.raises(ValidationError, match="unknown scenario 'tunnel'"):
        travel_matrix(["ha-noi"], DAY, "tunnel", network=network)
    with pytest.raises(NotFound, match="no network node is called 'xyz'"):
        travel_matrix(["ha-noi", "xyz"], DAY, network=network)
    m = travel_matrix(["ha-noi"], DAY, network=network)
    with pytest.raises(NotFound, match="the matrix has no point 'hai-phong'"):
        m.index("hai-phong")
