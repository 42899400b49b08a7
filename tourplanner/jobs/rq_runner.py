"""Jobs on RQ over Redis: the app enqueues, any number of ``rq worker`` processes run them.

The web app stays stateless: a job's state lives in the database (:mod:`tourplanner.jobs.runner`),
Redis only carries job ids. A worker builds the app once per process (from the environment:
``DATABASE_URL``, ``REDIS_URL`` ...) and calls :func:`tourplanner.jobs.runner.execute`, which does
nothing for a job that already finished. A job whose worker dies is retried
(:data:`RETRIES` times) once RQ's maintenance finds it abandoned.

Redis is only the doorbell, the database is the record: when Redis loses its data (a restart
without persistence), a ``tourplanner worker`` notices (Redis's ``run_id`` changed) and enqueues
again every job the database still waits for (:func:`requeue_lost_jobs`); it also does so when
it starts and on RQ's maintenance runs. While Redis is down, submitting a job is a
:class:`~tourplanner.errors.QueueUnavailable` (HTTP 503) and nothing is started.
"""

from __future__ import annotations

import logging
import os
import pkgutil
import time
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq import Retry
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus
from sqlalchemy import select

from tourplanner.errors import QueueUnavailable
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.jobs.runner import QUEUED
from tourplanner.jobs.runner import RUNNING
from tourplanner.jobs.runner import execute
from tourplanner.storage.tables import JobRow

if TYPE_CHECKING:
    from flask import Flask

#: the queue tourplanner's jobs go to (``rq worker tourplanner``)
QUEUE_NAME = "tourplanner"
#: the app factory a plain ``rq worker`` builds its app with (``TOURPLANNER_APP`` overrides)
APP_FACTORY = "tourplanner:create_app"
#: seconds one job may run before RQ stops it (the solver's own limit is at most 120 s)
JOB_TIMEOUT_S = 600
#: times a job is run again after its worker died or it timed out
RETRIES = 3
#: how long RQ keeps finished and failed job records (the database keeps the real state)
RESULT_TTL_S = 24 * 3600
#: a queued job Redis does not know is lost once it is this old (enqueuing follows the
#: database commit within milliseconds; this margin keeps the two from racing)
QUEUED_GRACE_S = 5.0
#: a running job Redis does not know is lost once its progress is this old (a live solve
#: writes progress several times a second)
RUNNING_STALE_S = 120.0
#: seconds between a worker's maintenance runs (RQ's default is 600): abandoned jobs of a dead
#: worker are retried once their heartbeat (90 s) expired and the next run comes
MAINTENANCE_S = 60
#: the app's Redis calls give up after this long (the queue is then reported unavailable)
SOCKET_TIMEOUT_S = 5.0

log = logging.getLogger(__name__)


def _unavailable(exc: Exception) -> QueueUnavailable:
    log.error("the job queue (Redis) does not answer: %s: %s", type(exc).__name__, exc)
    return QueueUnavailable(Reason.of(N_("reason.unavailable.queue")))


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
    if _app is None:  # a plain ``rq worker``: build the app the way FLASK_APP names it
        preload(pkgutil.resolve_name(os.environ.get("TOURPLANNER_APP", APP_FACTORY))())
    elif _pid != os.getpid():
        _app.extensions["tourplanner.storage.db"].engine.dispose(close=False)
        _pid = os.getpid()
    return _app


def run_job(job_id: str) -> str:
    """RQ entry point: run tourplanner job *job_id* in this worker's app."""
    execute(worker_app(), job_id)
    return job_id


def start_worker(
    redis_url: str, queues: list[str], *, burst: bool = False, name: str | None = None
) -> bool:
    """Run an RQ worker on *queues* until stopped (or, with *burst*, until they are empty).

    Also requeues jobs abandoned by dead workers when RQ's maintenance runs, and the jobs Redis
    lost; waits for Redis when it does not answer, and starts working again when RQ's worker
    quit because Redis went away in the middle of a job.
    :return: whether the worker did any work (RQ's answer).
    """
    connection = Redis.from_url(redis_url)
    worked = False
    while True:
        _wait_for_redis(connection)
        worker = TourplannerWorker(
            [Queue(q, connection=connection) for q in queues],
            name=name,
            connection=connection,
            maintenance_interval=MAINTENANCE_S,
        )
        try:
            worked = worker.work(burst=burst, with_scheduler=True) or worked
        except RedisError as exc:  # RQ's teardown could not reach Redis either
            if burst or worker.stopping:
                raise
            log.warning("the worker lost Redis (%s)", exc)
        else:
            if burst or worker.stopping:
                return worked
        # RQ's worker quits when Redis goes away in the middle of a job: start a new one
        log.warning("the worker stopped; starting again once Redis answers")
        time.sleep(1.0)


def _wait_for_redis(connection: Redis, longest_pause_s: float = 30.0) -> None:
    """Wait until Redis answers (a worker started before Redis, or while it restarts)."""
    pause = 1.0
    while True:
        try:
            connection.ping()
            return
        except RedisError as exc:
            log.warning("waiting for Redis (%s); trying again in %.0f s", exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, longest_pause_s)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def requeue_lost_jobs(
    database,
    runner: RQRunner,
    *,
    now: datetime | None = None,
    queued_grace_s: float = QUEUED_GRACE_S,
) -> list[str]:
    """Enqueue again the jobs the database waits for but Redis no longer knows.

    A job is lost when it is queued (for more than *queued_grace_s*) or running with no
    progress for :data:`RUNNING_STALE_S`, was created within :data:`RESULT_TTL_S`, and RQ has
    no record of it: Redis restarted without its data. Of several workers finding the same
    job, one enqueues it (a short Redis lock per job).

    :return: the ids of the jobs enqueued again.
    """
    now = now or datetime.now(UTC)
    with database.session() as session:
        rows = session.execute(
            select(JobRow.id, JobRow.status, JobRow.created_at, JobRow.updated_at).where(
                JobRow.status.in_((QUEUED, RUNNING))
            )
        ).all()
    requeued = []
    for job_id, status, created_at, updated_at in rows:
        idle_s = (now - _utc(updated_at)).total_seconds()
        if (now - _utc(created_at)).total_seconds() > RESULT_TTL_S:
            continue
        if idle_s < (queued_grace_s if status == QUEUED else RUNNING_STALE_S):
            continue
        if runner.status(job_id) is not None:
            continue
        if not runner.connection.set(f"tourplanner:requeue:{job_id}", 1, nx=True, ex=60):
            continue  # another worker is enqueuing it
        runner.submit(job_id)
        requeued.append(job_id)
    if requeued:
        log.warning(
            "enqueued %d job(s) again that Redis had lost: %s", len(requeued), ", ".join(requeued)
        )
    return requeued


class TourplannerWorker(Worker):
    """An RQ worker that also enqueues again the jobs Redis lost (see :func:`requeue_lost_jobs`):
    when it starts, on RQ's maintenance runs, and as soon as it sees that Redis restarted."""

    _redis_run_id: str | None = None
    #: a warm shutdown was asked for (SIGTERM, SIGINT): do not start again
    stopping = False

    def handle_warm_shutdown_request(self):
        """Remember that the stop was asked for, then stop as RQ does."""
        self.stopping = True
        super().handle_warm_shutdown_request()

    def _requeue_lost(self, queued_grace_s: float = QUEUED_GRACE_S) -> None:
        database = worker_app().extensions["tourplanner.storage.db"]
        runner = RQRunner("", self.queue_names()[0], connection=self.connection)
        requeue_lost_jobs(database, runner, queued_grace_s=queued_grace_s)

    def _check_redis(self) -> None:
        run_id = self.connection.info("server").get("run_id")
        if self._redis_run_id is None or run_id != self._redis_run_id:
            restarted = self._redis_run_id is not None
            if restarted:
                log.warning("Redis restarted: looking for the jobs it lost")
            self._redis_run_id = run_id
            # After a restart every queued job Redis does not know is lost, however young: the
            # grace (a job committed but not yet enqueued) would skip one submitted just before
            # the restart until the next maintenance. Enqueuing a job twice is harmless: a job
            # that is done, or has saved its result, is not run again.
            self._requeue_lost(0.0 if restarted else QUEUED_GRACE_S)

    def heartbeat(self, timeout=None, pipeline=None):
        """RQ's heartbeat, and a look at whether Redis restarted since the last one."""
        if pipeline is None:
            self._check_redis()
        return super().heartbeat(timeout, pipeline)

    def run_maintenance_tasks(self):
        """RQ's maintenance (abandoned jobs are retried), then the jobs Redis lost."""
        super().run_maintenance_tasks()
        self._requeue_lost()


class RQRunner:
    """Sends jobs to RQ workers through Redis.

    :param redis_url: the Redis server, e.g. ``redis://127.0.0.1:6379/0``.
    :param queue_name: the RQ queue (workers must listen on it).
    :param job_timeout: seconds before RQ stops a job (then it is retried).
    :param retries: how many times a job is retried after a crash or a timeout.
    :param connection: an open Redis connection to use instead of *redis_url* (workers).
    """

    def __init__(
        self,
        redis_url: str,
        queue_name: str = QUEUE_NAME,
        *,
        job_timeout: int = JOB_TIMEOUT_S,
        retries: int = RETRIES,
        connection: Redis | None = None,
    ) -> None:
        self.redis_url = redis_url
        self.connection = connection or Redis.from_url(
            redis_url, socket_connect_timeout=SOCKET_TIMEOUT_S, socket_timeout=SOCKET_TIMEOUT_S
        )
        self.queue = Queue(queue_name, connection=self.connection)
        self.job_timeout = job_timeout
        self.retries = retries

    def check(self) -> None:
        """Make sure Redis answers, before anything is stored for a new job.

        :raise QueueUnavailable: when it does not.
        """
        try:
            self.connection.ping()
        except RedisError as exc:
            raise _unavailable(exc) from None

    def submit(self, job_id: str) -> None:
        """Enqueue job *job_id*; enqueuing the same job again is harmless.

        :raise QueueUnavailable: when Redis does not answer.
        """
        try:
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
        except RedisError as exc:
            raise _unavailable(exc) from None

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
