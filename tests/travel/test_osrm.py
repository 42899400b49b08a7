"""OSRM road times: chunking, retries, garbage, timeouts and the fallback to the network.

No OSRM data of Vietnam can be loaded here, so these tests run against a small HTTP server on
127.0.0.1 (:class:`tourplanner.testing.osrm.FakeOsrm`) that answers in OSRM's table format. It stands in for the real
OSRM server: it computes durations from straight-line distances, not from a road graph.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tourplanner.errors import UpstreamError
from tourplanner.testing.osrm import FakeOsrm
from tourplanner.testing.osrm import great_circle_km
from tourplanner.travel.matrix import travel_matrix
from tourplanner.travel.osrm import OsrmClient

DAY = dt.date(2027, 3, 6)


@pytest.fixture
def osrm():
    """A fake OSRM table server on 127.0.0.1, standing in for the real one."""
    server = FakeOsrm()
    yield server
    server.close()


@pytest.fixture
def client(osrm):
    """An OSRM client for the fake server with short timeouts and backoff."""
    with OsrmClient(osrm.url, timeout_s=0.2, retries=2, backoff_s=0.01) as c:
        yield c


def _grid(n: int) -> list[tuple[float, float]]:
    return [(20.8 + 0.01 * (i % 12), 106.6 + 0.01 * (i // 12)) for i in range(n)]


def test_osrm_table_chunks_requests_to_100_coordinates(osrm, client):
    """130 points need several requests, none with more than 100 coordinates."""
    coords = _grid(130)
    table = client.table(coords)
    assert len(osrm.requests) == 9  # 3 blocks of at most 50, every pair of blocks
    assert max(r["coordinates"] for r in osrm.requests) <= 100
    expected = (
        great_circle_km((coords[3][1], coords[3][0]), (coords[120][1], coords[120][0])) * 1.25
    )
    assert table.km[3, 120] == pytest.approx(expected, rel=1e-6)
    assert table.minutes[3, 120] == pytest.approx(expected / 50 * 60, rel=1e-6)
    assert np.isfinite(table.minutes).all()


def test_osrm_table_sends_lon_lat_and_annotations(osrm, client):
    """Coordinates go as lon,lat; durations and distances are both asked for."""
    client.table([(20.86, 106.68), (20.95, 107.04)])
    (request,) = osrm.requests
    assert request["path"].endswith("/table/v1/driving/106.680000,20.860000;107.040000,20.950000")
    assert request["query"]["annotations"] == ["duration,distance"]


def test_osrm_retries_with_backoff_then_succeeds(osrm, client):
    """Two 503 answers are retried; the third attempt succeeds."""
    osrm.fail_first = 2
    table = client.table(_grid(3))
    assert client.requests_made == 3
    assert np.isfinite(table.minutes).all()


def test_osrm_gives_up_after_the_retries(osrm, client):
    """A server that keeps failing is an UpstreamError naming the attempts."""
    osrm.mode = "fail"
    with pytest.raises(UpstreamError, match=r"failed after 3 attempts \(HTTP 503\)"):
        client.table(_grid(3))


def test_osrm_garbage_is_an_upstream_error_without_retry(osrm, client):
    """An answer that is not JSON is not retried."""
    osrm.mode = "garbage"
    with pytest.raises(UpstreamError, match="not JSON"):
        client.table(_grid(3))
    assert client.requests_made == 1


def test_osrm_refusal_is_an_upstream_error(osrm, client):
    """OSRM's own error codes are reported."""
    osrm.mode = "refuse"
    with pytest.raises(UpstreamError, match="InvalidQuery bad"):
        client.table(_grid(3))


def test_osrm_timeout_is_an_upstream_error(osrm):
    """A server slower than the timeout fails after the retries."""
    osrm.mode = "slow"
    with (
        OsrmClient(osrm.url, timeout_s=0.05, retries=1, backoff_s=0.01) as slow,
        pytest.raises(UpstreamError, match="ReadTimeout"),
    ):
        slow.table(_grid(2))


def test_matrix_takes_road_times_from_osrm_and_water_from_the_network(osrm, network):
    """Road-only pairs come from OSRM; the pair that crosses to Cát Bà keeps the network's."""
    points = ["hai-phong", "do-son", "cat-ba-town"]
    plain = travel_matrix(points, DAY, network=network)
    m = travel_matrix(points, DAY, network=network, osrm_url=osrm.url)
    assert m.source == "osrm+network" and m.warnings == ()
    hp, ds, cb = (network.nodes[p] for p in points)
    road_km = great_circle_km((hp.lon, hp.lat), (ds.lon, ds.lat)) * 1.25
    assert m.km[0, 1] == pytest.approx(road_km, abs=0.01)
    assert m.minutes[0, 1] == round(road_km / 50 * 60)
    assert m.minutes[0, 2] == plain.minutes[0, 2]  # needs the cable car or the ferry
    assert not m.road_only[0, 2]


def test_matrix_keeps_network_times_where_osrm_has_no_route(osrm, network):
    """A null in OSRM's table leaves the network's figure for that pair."""
    osrm.null_pairs = {(0, 1)}
    plain = travel_matrix(["hai-phong", "do-son"], DAY, network=network)
    m = travel_matrix(["hai-phong", "do-son"], DAY, network=network, osrm_url=osrm.url)
    assert m.minutes[0, 1] == plain.minutes[0, 1]
    assert m.minutes[1, 0] != plain.minutes[1, 0]


def test_matrix_falls_back_to_the_network_with_a_warning(osrm, network):
    """When OSRM fails the network answers and a warning for the itinerary says why."""
    osrm.mode = "fail"
    client = OsrmClient(osrm.url, timeout_s=0.2, retries=1, backoff_s=0.01)
    with client:
        m = travel_matrix(["hai-phong", "do-son"], DAY, network=network, osrm_client=client)
    plain = travel_matrix(["hai-phong", "do-son"], DAY, network=network)
    assert m.source == "network"
    assert (m.minutes == plain.minutes).all()
    (warning,) = m.warnings
    assert warning.startswith("road times come from the embedded network: OSRM at")
    assert "failed after 2 attempts" in warning


def test_matrix_falls_back_when_nothing_listens(network):
    """A server that is not there (connection refused) also falls back with a warning."""
    with OsrmClient("http://127.0.0.1:9", timeout_s=0.2, retries=0) as client:
        m = travel_matrix(["hai-phong", "do-son"], DAY, network=network, osrm_client=client)
    assert m.source == "network"
    assert "ConnectionError" in m.warnings[0]
