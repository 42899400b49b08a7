"""Jobs on RQ over Redis: the app enqueues, any number of ``rq worker`` processes run them.

The web app stays stateless: a job's state lives in the database (:mod:`tourplanner.jobs`),
Redis only carries job ids. A worker builds the app once per process (from the environment:
``DATABASE_URL``, ``REDIS_URL`` ...) and calls :func:`tourplanner.jobs.execute`, which does
nothing for a job that already finished. A job whose worker dies is retried
(:data:`RETRIES` times) once RQ's maintenance finds it abandoned.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from redis import Redis
from rq import Queue
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus

if TYPE_CHECKING:
    from flask import Flask

#: the queue tourplanner's jobs go to (``rq worker tourplanner``)
QUEUE_NAME = "tourplanner"
#: seconds one job may run before RQ stops it (the solver's own limit is at most 120 s)
JOB_TIMEOUT_S = 600
#: times a job is run again after its worker died or it timed out
RETRIES = 3
#: how long RQ keeps finished and failed job records (the database keeps the real state)
RESULT_TTL_S = 24 * 3600


def rq_job_id(job_id: str) -> str:
    """The RQ id of tourplanner job *job_id* (one RQ job per tourplanner job)."""
    return f"tourplanner-{job_id}"


_app: Flask | None = None
_pid: int | None = None


def preload(app: Flask) -> None:
    """Use *app* for the jobs of this process (``tourplanner worker`` builds it before forking)."""
    global _app, _pid
    _app, _pid = app, os.getpid()


def worker_app() -> Flask:
    """The app a worker process runs jobs in, built once from the environment.

    RQ runs each job in a forked work horse: a horse inherits the app built (or preloaded) in
    the worker, and drops the database connections it inherited instead of sharing them.
    """
    global _app, _pid
    if _app is None:
        from tourplanner import create_app

        preload(create_app())
    elif _pid != os.getpid():
        _app.extensions["tourplanner.db"].engine.dispose(close=False)
        _pid = os.getpid()
    return _app


def run_job(job_id: str) -> str:
    """RQ entry point: run tourplanner job *job_id* in this worker's app."""
    from tourplanner.jobs import execute

    execute(worker_app(), job_id)
    return job_id


def start_worker(
    redis_url: str, queues: list[str], *, burst: bool = False, name: str | None = None
) -> bool:
    """Run an RQ worker on *queues* until stopped (or, with *burst*, until they are empty).

    Also requeues jobs abandoned by dead workers when RQ's maintenance runs.
    :return: whether the worker did any work (RQ's answer).
    """
    from rq import Worker

    connection = Redis.from_url(redis_url)
    worker = Worker(
        [Queue(q, connection=connection) for q in queues], name=name, connection=connection
    )
    return worker.work(burst=burst, with_scheduler=True)


class RQRunner:
    """Sends jobs to RQ workers through Redis.

    :param redis_url: the Redis server, e.g. ``redis://127.0.0.1:6379/0``.
    :param queue_name: the RQ queue (workers must listen on it).
    :param job_timeout: seconds before RQ stops a job (then it is retried).
    :param retries: how many times a job is retried after a crash or a timeout.
    """

    def __init__(
        self,
        redis_url: str,
        queue_name: str = QUEUE_NAME,
        *,
        job_timeout: int = JOB_TIMEOUT_S,
        retries: int = RETRIES,
    ) -> None:
        self.redis_url = redis_url
        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.connection)
        self.job_timeout = job_timeout
        self.retries = retries

    def submit(self, job_id: str) -> None:
        """Enqueue job *job_id*; enqueuing the same job again is harmless."""
        self.queue.enqueue(
            run_job,
            job_id,
            job_id=rq_job_id(job_id),
            job_timeout=self.job_timeout,
            retry=Retry(max=self.retries) if self.retries else None,
            result_ttl=RESULT_TTL_S,
            failure_ttl=RESULT_TTL_S,
            description=f"tourplanner job {job_id}",
        )

    def status(self, job_id: str) -> str | None:
        """RQ's status of job *job_id* (``None`` when Redis no longer knows it)."""
        try:
            job = RQJob.fetch(rq_job_id(job_id), connection=self.connection)
        except NoSuchJobError:
            return None
        return job.get_status(refresh=True)

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until RQ has finished job *job_id* (or given up on it after its retries).

        :raise TimeoutError: when *timeout* seconds pass first.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                job = RQJob.fetch(rq_job_id(job_id), connection=self.connection)
            except NoSuchJobError:
                return
            status = job.get_status(refresh=True)
            if status == JobStatus.FINISHED or (
                status in (JobStatus.FAILED, JobStatus.CANCELED, JobStatus.STOPPED)
                and not job.retries_left
            ):
                return
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {status} after {timeout} s")
            time.sleep(0.2)
