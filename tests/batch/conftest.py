"""Fixtures for batch tests: tiny product files, a private RQ queue on the test Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from tourplanner.catalogue.service import get_catalogue
from tourplanner.services.batch import service
from tourplanner.services.batch.spec import parse_batch

#: three tiny products on the test catalogue and one bad row (row 3)
SMALL_CSV = """name,start,start_date,days,must_visit,groups,quotas,time_limit_s
2N1Đ Hạ Long from Hà Nội,Hà Nội,2027-03-06,2,Vịnh Hạ Long,1,,0.5
1N Yên Tử two groups,hub-ha-noi,2027-03-06,1,yen-tu,2,yen-tu:1,0.5
broken,Nowhere,2027-13-01,x,,,,
1N Côn Sơn,Hà Nội,2027-03-08,1,Côn Sơn,1,,0.5
"""


def redis_url() -> str | None:
    """The Redis for queue tests (``TEST_REDIS_URL``; ``off`` skips them)."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15").strip()
    return None if url.lower() in {"", "off", "none"} else url


@pytest.fixture
def test_redis_url() -> str:
    """The test Redis URL, or skip when turned off."""
    url = redis_url()
    if url is None:
        pytest.skip("TEST_REDIS_URL=off: Redis tests turned off")
    return url


@pytest.fixture
def queue_name(test_redis_url):
    """A queue of this test only; its keys are deleted afterwards."""
    from redis import Redis

    name = f"tp-test-{uuid.uuid4().hex[:10]}"
    yield name
    connection = Redis.from_url(test_redis_url)
    clean_queue(connection, name)
    connection.close()


def clean_queue(connection, name: str) -> None:
    """Delete every Redis key RQ made for queue *name*: queue, registries, jobs, results,
    and the records of the workers that served it."""
    doomed = list(connection.scan_iter(f"*{name}*"))
    for key in connection.scan_iter("rq:job:tourplanner-*"):
        origin = connection.hget(key, "origin")
        if origin is not None and origin.decode() == name:
            job_id = key.decode().removeprefix("rq:job:")
            doomed += [key, f"rq:results:{job_id}".encode()]
            doomed += list(connection.scan_iter(f"rq:execution:{job_id}*"))
    for key in connection.scan_iter("rq:worker:*"):
        if connection.type(key) == b"hash" and connection.hget(key, "queues") == name.encode():
            doomed.append(key)
            connection.srem("rq:workers", key)
    connection.srem("rq:queues", f"rq:queue:{name}")
    if doomed:
        connection.delete(*doomed)


def start_batch(app, text: str = SMALL_CSV, name: str = "test batch", **kwargs) -> str:
    """Parse *text* and start it as a batch in *app*; return the batch id."""
    with app.app_context():
        spec = parse_batch(text, get_catalogue(), "products.csv")
        with app.extensions["tourplanner.storage.db"].session() as session:
            return service.create_batch(session, name, spec, **kwargs)


def run_batch(app, text: str = SMALL_CSV, **kwargs):
    """Start a batch in *app* and wait for it; return its :class:`BatchView`."""
    batch_id = start_batch(app, text, **kwargs)
    return service.wait_for_batch(app.extensions["tourplanner.storage.db"], batch_id, timeout=90)


def sign_in(app, client, agency: str = "Hạ Long Travel", role: str = "planner") -> str:
    """Create *agency* with a key and sign *client* in to the workspace; return the key prefix."""
    from tests.web.conftest import csrf_token
    from tourplanner.api.keys import create_agency
    from tourplanner.api.keys import create_key

    with app.extensions["tourplanner.storage.db"].session() as session:
        row, token = create_key(session, create_agency(session, agency), role)
        prefix = row.prefix
    response = client.post(
        "/agency/login", data={"csrf_token": csrf_token(client, "/agency/login"), "token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return prefix


@pytest.fixture
def client(app):
    """A test client signed in to the agency workspace."""
    client = app.test_client()
    sign_in(app, client)
    return client
