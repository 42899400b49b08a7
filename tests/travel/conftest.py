"""Fixtures for the travel tests: the embedded network, a tiny network, and catalogue places.

``tiny_network`` exists to pin timetable behaviour exactly: one mainland city, a pier, a
ferry with three departures to an island pier, and a town on the island.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tourplanner.catalogue.models import Place
from tourplanner.catalogue.records import parse_place
from tourplanner.catalogue.records import parse_province
from tourplanner.catalogue.records import province_index
from tourplanner.travel.matrix import clear_cache
from tourplanner.travel.network import Network
from tourplanner.travel.network import default_network
from tourplanner.travel.network import parse_network

DATA = Path(__file__).resolve().parents[2] / "tourplanner" / "data"
TEST_CATALOGUE = Path(__file__).resolve().parents[1] / "data" / "catalogue"


def tiny_network_data() -> dict:
    """Return the raw JSON of a four-node network with one timetabled ferry."""
    return {
        "version": "tiny-1",
        "areas": [
            {
                "id": "isle",
                "kind": "island",
                "polygon": [[10.0, 100.2], [10.2, 100.2], [10.2, 100.4], [10.0, 100.4]],
                "access_kmh": 20,
            }
        ],
        "nodes": [
            {
                "id": "city",
                "name_vi": "Thành phố",
                "name_en": "City",
                "lat": 10.1,
                "lon": 100.0,
                "kind": "city",
                "source": "test",
            },
            {
                "id": "pier",
                "name_vi": "Bến đất liền",
                "name_en": "Mainland pier",
                "lat": 10.1,
                "lon": 100.15,
                "kind": "pier",
                "source": "test",
            },
            {
                "id": "isle-pier",
                "name_vi": "Bến đảo",
                "name_en": "Island pier",
                "lat": 10.1,
                "lon": 100.25,
                "kind": "ferry_terminal",
                "area": "isle",
                "source": "test",
            },
            {
                "id": "isle-town",
                "name_vi": "Thị trấn đảo",
                "name_en": "Island town",
                "lat": 10.1,
                "lon": 100.35,
                "kind": "town",
                "area": "isle",
                "source": "test",
            },
        ],
        "links": [
            {
                "id": "city-pier",
                "from": "city",
                "to": "pier",
                "mode": "road",
                "km": 16.5,
                "minutes": 30,
                "source": "test",
            },
            {
                "id": "ferry",
                "from": "pier",
                "to": "isle-pier",
                "mode": "ferry",
                "km": 11,
                "minutes": 40,
                "fare_vnd": 20000,
                "name_vi": "Phà thử",
                "name_en": "Test ferry",
                "timetable": [
                    {"direction": "forward", "departures": ["07:00", "09:00", "13:00"]},
                    {
                        "direction": "backward",
                        "first": "08:00",
                        "last": "16:00",
                        "headway_min": 120,
                    },
                ],
                "source": "test",
            },
            {
                "id": "isle-road",
                "from": "isle-pier",
                "to": "isle-town",
                "mode": "road",
                "km": 11,
                "minutes": 20,
                "toll_vnd": 5000,
                "source": "test",
            },
        ],
        "scenarios": {
            "no-ferry": {"description": "ferry off", "close": ["ferry"]},
        },
    }


@pytest.fixture
def tiny_network() -> Network:
    """The four-node network of :func:`tiny_network_data`."""
    return parse_network(tiny_network_data())


@pytest.fixture(scope="session")
def network() -> Network:
    """The embedded network (tourplanner/data/network.json)."""
    return default_network()


def _load_places(files: list[Path]) -> dict[str, Place]:
    provinces = [
        parse_province(r, file="provinces.json", row=i)[0]
        for i, r in enumerate(json.loads((DATA / "provinces.json").read_text("utf-8")), 1)
    ]
    index = province_index([p for p in provinces if p is not None])
    places = {}
    for file in files:
        kind = "attraction" if file.name.startswith("attraction") else "hub"
        for i, record in enumerate(json.loads(file.read_text("utf-8")), 1):
            place, errors = parse_place(record, index, file=file.name, row=i, default_kind=kind)
            assert place is not None, errors
            places[place.id] = place
    return places


@pytest.fixture(scope="session")
def test_places() -> dict[str, Place]:
    """The tiny test catalogue's places (tests/data/catalogue), by id."""
    return _load_places([TEST_CATALOGUE / "attractions.json", TEST_CATALOGUE / "hubs.json"])


@pytest.fixture(scope="session")
def embedded_places() -> dict[str, Place]:
    """Every place of the embedded catalogue (tourplanner/data), by id."""
    return _load_places([DATA / "attractions.json", DATA / "hubs.json"])


@pytest.fixture(autouse=True)
def _fresh_matrix_cache():
    """Each test starts with an empty matrix cache."""
    clear_cache()
    yield
    clear_cache()
