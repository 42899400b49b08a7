"""Faults against the real stack: Redis restarted, PostgreSQL refusing connections, OSRM
hanging or answering garbage during a plan. Each test shows what the user sees (a 503 naming
what is down, or a warning and a fallback) and that nothing already accepted is lost or
half-written. (A worker SIGKILLed mid-job: tests/batch/test_queue.py.)

Nothing shared is touched: Redis is a private ``redis-server`` (:class:`PrivateRedis`), and
PostgreSQL is reached through a TCP proxy the test controls (:class:`TcpProxy`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.conftest import make_app
from tests.web.conftest import csrf_token
from tourplanner.jobs.rq_runner import QUEUED_GRACE_S
from tourplanner.jobs.rq_runner import RQRunner
from tourplanner.storage.agencies import AuditRow
from tourplanner.storage.tables import ItineraryRow
from tourplanner.storage.tables import JobRow
from tourplanner.storage.tables import PlaceRow
from tourplanner.testing.faults import REDIS_SERVER
from tourplanner.testing.faults import PrivateRedis
from tourplanner.testing.faults import TcpProxy
from tourplanner.testing.faults import wait_until
from tourplanner.testing.keys import auth
from tourplanner.testing.keys import make_keys
from tourplanner.testing.osrm import FakeOsrm
from tourplanner.travel import osrm
from tourplanner.travel.matrix import clear_cache

BIN = Path(sys.executable).parent
SMALL = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "time_limit_s": 0.3}
FORM = {
    "start": "hub-ha-noi",
    "start_date": "2027-03-06",
    "days": "1",
    "pace": "normal",
    "group_size": "2",
    "language": "en",
}


def _count(app, table, *where) -> int:
    with app.extensions["tourplanner.storage.db"].session() as session:
        return session.scalar(select(func.count()).select_from(table).where(*where))


def _no_traceback(response) -> None:
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text, text[:500]


# -- Redis restarted ---------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.skipif(not os.path.exists(REDIS_SERVER), reason="needs redis-server")
def test_redis_restart_refuses_new_jobs_with_503_and_keeps_the_accepted_one(sqlite_url, tmp_path):
    """A plan accepted before Redis dies survives its restart (Redis comes back empty) and is
    run by the next worker; while Redis is down the API and the form answer 503 naming the
    job queue, and store nothing."""
    with PrivateRedis(tmp_path / "redis") as redis:
        app = make_app(sqlite_url)
        app.config["API_SYNC_MAX_UNITS"] = 0  # every plan is a background job
        app.extensions["tourplanner.jobs.runner"] = RQRunner(redis.url, retries=1)
        keys = make_keys(app)
        client = app.test_client()
        accepted = client.post("/api/v1/plans", json=SMALL, headers=auth(keys.planner))
        assert accepted.status_code == 202, accepted.get_json()
        job_id = accepted.get_json()["job"]
        submitted_at = time.monotonic()

        redis.stop()
        refused = client.post("/api/v1/plans", json=SMALL, headers=auth(keys.planner))
        assert refused.status_code == 503
        body = refused.get_json()
        assert body["error"] == "queue_unavailable"
        assert "the job queue is unavailable" in body["message"]
        assert refused.headers["Retry-After"] == "30"
        token = csrf_token(client)
        page = client.post("/", data={**FORM, "csrf_token": token})
        assert page.status_code == 503
        assert "the job queue is unavailable" in page.get_data(as_text=True)
        _no_traceback(page)
        assert _count(app, JobRow) == 1  # the refused submissions stored nothing
        status = client.get(f"/api/v1/jobs/{job_id}", headers=auth(keys.planner))
        assert status.status_code == 200 and status.get_json()["status"] == "queued"

        redis.start()  # empty: the accepted job's RQ record is gone
        assert app.extensions["tourplanner.jobs.runner"].status(job_id) is None
        time.sleep(max(0.0, QUEUED_GRACE_S - (time.monotonic() - submitted_at)))
        env = {
            **os.environ,
            "DATABASE_URL": sqlite_url,
            "REDIS_URL": redis.url,
            "AUTO_SEED": "0",
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.run(
            [str(BIN / "tourplanner"), "worker", "--burst"],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert worker.returncode == 0, worker.stderr.decode()[-2000:]
        assert "enqueued 1 job(s) again that Redis had lost" in worker.stderr.decode()

    done = client.get(f"/api/v1/jobs/{job_id}", headers=auth(keys.planner)).get_json()
    assert done["status"] == "done", done
    itinerary = client.get(done["itinerary_url"], headers=auth(keys.planner))
    assert itinerary.status_code == 200 and itinerary.get_json()["days"]
    assert _count(app, ItineraryRow) == 1
    app.extensions["tourplanner.storage.db"].dispose()


@pytest.mark.redis
@pytest.mark.skipif(not os.path.exists(REDIS_SERVER), reason="needs redis-server")
def test_worker_outlives_a_redis_restart_in_the_middle_of_a_job(sqlite_url, tmp_path):
    """Redis dies (its data with it) while a long-running ``tourplanner worker`` solves one of
    two accepted plans: the worker stays up, the solve is saved, and once Redis is back the
    worker enqueues the plan Redis lost and runs it. (RQ's own worker quit here.)"""
    with PrivateRedis(tmp_path / "redis") as redis:
        app = make_app(sqlite_url)
        app.config["API_SYNC_MAX_UNITS"] = 0
        app.extensions["tourplanner.jobs.runner"] = RQRunner(redis.url, retries=1)
        keys = make_keys(app)
        client = app.test_client()
        plan = {**SMALL, "days": 2, "time_limit_s": 2}
        job_ids = [
            client.post("/api/v1/plans", json=plan, headers=auth(keys.planner)).get_json()["job"]
            for _ in range(2)
        ]
        env = {**os.environ, "DATABASE_URL": sqlite_url, "REDIS_URL": redis.url}
        env.update(AUTO_SEED="0", LOG_LEVEL="WARNING")
        worker = subprocess.Popen(
            [str(BIN / "tourplanner"), "worker"],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        database = app.extensions["tourplanner.storage.db"]

        def statuses() -> list[str]:
            with database.session() as session:
                return [session.get(JobRow, j).status for j in job_ids]

        try:
            wait_until(lambda: "running" in statuses(), 30, "the worker starting a plan")
            redis.stop()
            time.sleep(1.0)
            redis.start()
            # 11 s alone; generous for a loaded machine (the wait ends as soon as both are done)
            wait_until(lambda: statuses() == ["done", "done"], 120, "both plans done", 0.2)
            assert worker.poll() is None, "the worker quit"
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            _, err = worker.communicate(timeout=30)
    assert "enqueued 1 job(s) again that Redis had lost" in err.decode()
    assert _count(app, ItineraryRow) == 2
    database.dispose()


# -- PostgreSQL refusing connections -------------------------------------------------------------


@dataclass
class PgStack:
    """The app on PostgreSQL behind a proxy, with one itinerary and one edit accepted."""

    app: Flask
    proxy: TcpProxy
    editor: dict[str, str]
    saved: dict


@pytest.fixture
def pg(pg_url):
    """The app on PostgreSQL behind the proxy, with a saved itinerary and an accepted edit."""
    url = make_url(pg_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        app = make_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
        editor = auth(make_keys(app).editor)
        client = app.test_client()
        planned = client.post("/api/v1/plans", json=SMALL, headers=editor)
        assert planned.status_code == 201, planned.get_json()
        edited = client.patch(
            "/api/v1/places/yen-tu",
            json={"version": 1, "name_en": "Yen Tu before the outage"},
            headers=editor,
        )
        assert edited.status_code == 200, edited.get_json()
        yield PgStack(app, proxy, editor, planned.get_json())
        app.extensions["tourplanner.storage.db"].dispose()


def _assert_intact(pg: PgStack, client) -> None:
    """The itinerary saved before the outage reads back identical; the place's version and its
    audit trail agree (every accepted edit is there, whole)."""
    again = client.get(f"/i/{pg.saved['id']}.json")
    assert again.status_code == 200 and again.get_json() == pg.saved
    place = client.get("/api/v1/places/yen-tu", headers=pg.editor).get_json()
    audit = client.get("/api/v1/places/yen-tu/audit", headers=pg.editor).get_json()
    assert place["version"] == 1 + len(audit)
    assert {k: v for k, v in audit[-1]["after"].items() if k != "version"} == {
        k: v for k, v in place.items() if k != "version"
    }


@pytest.mark.postgres
def test_postgres_refusing_connections_is_503_and_the_app_recovers(pg):
    """While PostgreSQL refuses connections every page and API call answers 503 "database
    unavailable" (no 500, no traceback) and an edit is refused whole; once it listens again the
    same app answers, with every itinerary and edit accepted before intact."""
    client, editor = pg.app.test_client(), pg.editor
    pg.proxy.refuse()
    for method, path, kwargs in [
        ("get", "/", {}),
        ("get", "/catalogue/", {}),
        ("get", "/catalogue/yen-tu", {}),
        ("get", f"/i/{pg.saved['id']}", {}),
        ("get", f"/i/{pg.saved['id']}.json", {}),
        ("get", "/api/v1/places?q=yen", {"headers": editor}),
        ("post", "/api/v1/plans", {"json": SMALL, "headers": editor}),
        (
            "patch",
            "/api/v1/places/yen-tu",
            {"json": {"version": 2, "name_en": "Yen Tu during"}, "headers": editor},
        ),
    ]:
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 503, (path, response.get_data(as_text=True)[:300])
        _no_traceback(response)
        text = response.get_data(as_text=True)
        # in the page's language (Vietnamese by default), in English for the API
        said = "database is unavailable" if path.startswith("/api/") else "cơ sở dữ liệu tạm thời"
        assert said in text, (path, text[:300])
    assert client.get("/healthz").status_code == 503

    pg.proxy.restore()
    assert client.get("/healthz").status_code == 200
    _assert_intact(pg, client)
    place = client.get("/api/v1/places/yen-tu", headers=editor).get_json()
    assert place["version"] == 2 and place["name_en"] == "Yen Tu before the outage"
    replanned = client.post("/api/v1/plans", json=SMALL, headers=editor)
    assert replanned.status_code == 201


@contextlib.contextmanager
def _cut_when_committing(pg: PgStack, table: type, *, after: bool = False):
    """Cut the database connection just before (or just after) the COMMIT of the transaction
    that writes a row of *table*; other transactions (e.g. the API key's bookkeeping) pass."""
    engine = pg.app.extensions["tourplanner.storage.db"].engine
    writes: list[bool] = []

    def flushed(session, _context) -> None:
        if any(isinstance(o, table) for o in session.new):
            writes.append(True)

    def committing(*_args) -> None:
        if writes and not pg.proxy.refusing:
            pg.proxy.refuse()

    hooks = [(Session, "after_flush", flushed)]
    hooks.append((Session, "after_commit", committing) if after else (engine, "commit", committing))
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    try:
        yield
    finally:
        for target, name, fn in hooks:
            event.remove(target, name, fn)
    assert pg.proxy.refusing, f"no {table.__name__} was committed: the cut never happened"


@pytest.mark.postgres
@pytest.mark.parametrize("cut", ["before_commit", "after_commit"])
def test_postgres_cut_in_the_middle_of_an_edit_applies_it_whole_or_not_at_all(pg, cut):
    """The connection is cut while an edit is being written: just before its COMMIT (the
    client gets 503 and nothing of the edit is stored) or just after it (the client gets 200
    and all of it is stored: the new version and its audit row). Never one without the other."""
    client = pg.app.test_client()
    with _cut_when_committing(pg, AuditRow, after=cut == "after_commit"):
        response = client.patch(
            "/api/v1/places/yen-tu",
            json={"version": 2, "name_en": "Yen Tu as the line was cut"},
            headers=pg.editor,
        )
    pg.proxy.restore()
    expected_status, expected_version = (503, 2) if cut == "before_commit" else (200, 3)
    assert response.status_code == expected_status, response.get_data(as_text=True)[:300]
    _no_traceback(response)
    _assert_intact(pg, client)
    assert _count(pg.app, PlaceRow, PlaceRow.id == "yen-tu", PlaceRow.version == expected_version)
    assert _count(pg.app, AuditRow) == expected_version - 1


@pytest.mark.postgres
def test_postgres_cut_while_saving_a_plan_saves_nothing(pg):
    """A plan whose connection is cut as the itinerary is committed answers 503 and leaves no
    itinerary row; the one saved before is intact and planning works again after."""
    client = pg.app.test_client()
    with _cut_when_committing(pg, ItineraryRow):
        response = client.post("/api/v1/plans", json=SMALL, headers=pg.editor)
    pg.proxy.restore()
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "database_unavailable"
    assert _count(pg.app, ItineraryRow) == 1
    _assert_intact(pg, client)
    assert client.post("/api/v1/plans", json=SMALL, headers=pg.editor).status_code == 201


# -- OSRM hanging or answering garbage during a plan ---------------------------------------------


@pytest.fixture
def fake_osrm(monkeypatch):
    """The OSRM stand-in, with client timeouts short enough for a test (the defaults are
    5 s and 2 retries), no breaker memory and no cached matrices."""
    monkeypatch.setattr(osrm, "DEFAULT_TIMEOUT_S", 0.2)
    monkeypatch.setattr(osrm, "DEFAULT_BACKOFF_S", 0.01)
    osrm.reset_breakers()
    clear_cache()
    server = FakeOsrm()
    yield server
    server.close()
    osrm.reset_breakers()
    clear_cache()


@pytest.mark.parametrize("mode", ["slow", "garbage"], ids=["hangs", "garbage"])
def test_plan_with_osrm_failing_falls_back_to_the_network_with_a_warning(
    fake_osrm, sqlite_url, mode
):
    """OSRM hangs (answers after the client's timeout) or answers garbage while a 2-day trip
    is planned: the plan completes on the embedded network, the itinerary and its page say so,
    and the failed server is asked once per plan, not once per day."""
    fake_osrm.mode = mode
    app = make_app(sqlite_url)
    app.extensions["tourplanner.travel"]["osrm_url"] = fake_osrm.url
    keys = make_keys(app)
    client = app.test_client()
    response = client.post("/api/v1/plans", json={**SMALL, "days": 2}, headers=auth(keys.planner))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    (warning,) = [w for w in body["warnings"] if "OSRM" in w]
    # a Vietnamese request: the warning is Vietnamese, with the server's diagnostic
    assert warning.startswith(
        f"thời gian đi đường bộ lấy từ mạng đường có sẵn: OSRM at {fake_osrm.url}"
    )
    assert ("ReadTimeout" if mode == "slow" else "not JSON") in warning
    assert len({d["date"] for d in body["days"]}) == 2
    attempts = osrm.DEFAULT_RETRIES + 1 if mode == "slow" else 1
    assert len(fake_osrm.requests) == attempts  # the second day did not wait for it again
    page = client.get(f"/i/{body['id']}?lang=en").get_data(as_text=True)
    assert "road times come from the embedded network" in page
    app.extensions["tourplanner.storage.db"].dispose()


# -- several app processes ------------------------------------------------------------------------


def test_processes_without_secret_key_share_the_instance_one(tmp_path, monkeypatch):
    """Without SECRET_KEY every process of a deployment signs with the same key (made once in
    the instance folder, 0600), so a form rendered by one gunicorn worker passes its CSRF check
    in another. (A random key per process failed 4 form posts in 20 under ``gunicorn -w 2``.)"""
    from concurrent.futures import ThreadPoolExecutor

    from tourplanner import create_app
    from tourplanner.config import instance_secret_key

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: instance_secret_key(tmp_path), range(16)))
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind

    monkeypatch.delenv("SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    seeded = make_app(url)  # the tiny test catalogue, loaded once
    seeded.extensions["tourplanner.storage.db"].dispose()
    apps = [create_app({"TESTING": True, "DATABASE_URL": url, "AUTO_SEED": False}) for _ in "ab"]
    first, second = (a.test_client() for a in apps)
    token = csrf_token(first)
    second.set_cookie("session", first.get_cookie("session").value)
    posted = second.post("/", data={**FORM, "csrf_token": token})
    assert posted.status_code == 302, posted.get_data(as_text=True)[:300]
    job_id = posted.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    apps[1].extensions["tourplanner.jobs.runner"].wait(job_id, timeout=30)
    for app in apps:
        app.extensions["tourplanner.storage.db"].dispose()
