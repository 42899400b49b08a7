"""Batches on real RQ workers over the test Redis: scale-out and a worker killed mid-job.

The workers are separate processes (``rq worker`` / ``tourplanner worker``) that share one
Redis queue (private to the test) and one database with the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq.job import Job as RQJob
from rq.registry import StartedJobRegistry
from sqlalchemy import func
from sqlalchemy import select

from tests.batch.conftest import start_batch
from tests.conftest import make_app
from tourplanner.jobs.rq_runner import RQRunner
from tourplanner.jobs.rq_runner import rq_job_id
from tourplanner.services.batch import service
from tourplanner.storage.batches import BatchItemRow
from tourplanner.storage.tables import ItineraryRow
from tourplanner.storage.tables import JobRow

pytestmark = pytest.mark.redis

BIN = Path(sys.executable).parent
FOUR_PRODUCTS = """name,start,start_date,days,must_visit,groups,time_limit_s
A,Hà Nội,2027-03-06,1,Vịnh Hạ Long,1,0.3
B,Hà Nội,2027-03-06,1,Yên Tử,1,0.3
C,Hà Nội,2027-03-08,1,Côn Sơn,1,0.3
D,Hà Nội,2027-03-08,2,Kiếp Bạc,2,0.3
"""


def _worker_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, AUTO_SEED="0", LOG_LEVEL="WARNING")
    return env


def _rq_app(database_url: str, redis_url: str, queue_name: str, **kwargs):
    app = make_app(database_url)
    app.extensions["tourplanner.jobs.runner"] = RQRunner(redis_url, queue_name, **kwargs)
    return app


def _saved_counts(app, batch_id: str) -> tuple[int, int, int]:
    with app.extensions["tourplanner.storage.db"].session() as session:
        itineraries = session.scalar(select(func.count()).select_from(ItineraryRow))
        linked = session.scalar(
            select(func.count(func.distinct(BatchItemRow.itinerary_id))).where(
                BatchItemRow.batch_id == batch_id
            )
        )
        done = session.scalar(
            select(func.count()).select_from(JobRow).where(JobRow.status == "done")
        )
    return itineraries, linked, done


def test_rq_two_workers_save_every_product_once(pg_url, test_redis_url, queue_name):
    """Two ``rq worker`` processes share one queue and one PostgreSQL schema: each of the four
    products is planned and saved exactly once."""
    app = _rq_app(pg_url, test_redis_url, queue_name, job_timeout=60, retries=2)
    batch_id = start_batch(app, FOUR_PRODUCTS)
    env = _worker_env(pg_url, test_redis_url)
    workers = [
        subprocess.Popen(
            [str(BIN / "rq"), "worker", "--burst", "--url", test_redis_url, queue_name],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        for worker in workers:
            _, err = worker.communicate(timeout=90)
            assert worker.returncode == 0, err.decode()[-2000:]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    view = service.wait_for_batch(app.extensions["tourplanner.storage.db"], batch_id, timeout=5)
    assert [i.status for i in view.items] == ["done"] * 4
    assert _saved_counts(app, batch_id) == (4, 4, 4)
    connection = Redis.from_url(test_redis_url)
    with app.extensions["tourplanner.storage.db"].session() as session:
        job_ids = session.scalars(
            select(BatchItemRow.job_id).where(BatchItemRow.batch_id == batch_id)
        ).all()
    for job_id in job_ids:
        assert RQJob.fetch(rq_job_id(job_id), connection=connection).get_status() == "finished"
    app.extensions["tourplanner.storage.db"].dispose()


def test_rq_worker_killed_mid_job_is_retried_and_finishes(sqlite_url, test_redis_url, queue_name):
    """SIGKILL a worker while it solves: RQ's maintenance finds the job abandoned and retries
    it, a second worker finishes it, and the product is saved once. (Slow-ish: ~10 s.)"""
    app = _rq_app(sqlite_url, test_redis_url, queue_name, job_timeout=60, retries=2)
    slow = "name,start,start_date,days,must_visit,time_limit_s\nslow,Hà Nội,2027-03-06,2,Vịnh Hạ Long,6\n"
    batch_id = start_batch(app, slow)
    database = app.extensions["tourplanner.storage.db"]
    with database.session() as session:
        job_id = session.scalar(
            select(BatchItemRow.job_id).where(BatchItemRow.batch_id == batch_id)
        )
    env = _worker_env(sqlite_url, test_redis_url)
    command = [str(BIN / "tourplanner"), "worker", "--burst", "--queue", queue_name]
    first = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with database.session() as session:
                row = session.get(JobRow, job_id)
                if row.status == "running" and row.progress.get("phase"):
                    break
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.1)
        time.sleep(0.5)
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its work horse
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    with database.session() as session:
        assert session.get(JobRow, job_id).status == "running"
        assert session.get(BatchItemRow, 1).itinerary_id is None
    assert _saved_counts(app, batch_id) == (0, 0, 0)  # nothing half-written by the dead run

    connection = Redis.from_url(test_redis_url)
    registry = StartedJobRegistry(queue_name, connection=connection)
    assert registry.get_job_ids(cleanup=False) == [rq_job_id(job_id)]
    # What the next worker's maintenance does once the dead worker's heartbeat has expired
    # (60+ s in production): here the clock is moved forward instead of waiting.
    registry.cleanup(timestamp=time.time() + 3600)
    rq_job = RQJob.fetch(rq_job_id(job_id), connection=connection)
    assert rq_job.get_status() == "queued"
    assert rq_job.retries_left == 1

    second = subprocess.run(command, env=env, capture_output=True, timeout=60)
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    view = service.wait_for_batch(database, batch_id, timeout=5)
    assert view.items[0].status == "done"
    assert _saved_counts(app, batch_id) == (1, 1, 1)
    database.dispose()
