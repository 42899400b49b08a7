"""Background jobs: long solves and batch products run outside the request, with progress.

A job's state lives in the database (``jobs`` table), so any process can report it: the web
app stays stateless. Without ``REDIS_URL`` jobs run in a thread pool inside the app process;
with it they go to RQ workers (see :mod:`tourplanner.jobs.rq_runner`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from flask import current_app
from sqlalchemy import select

from tourplanner.errors import NotFound
from tourplanner.errors import QueueUnavailable
from tourplanner.errors import Reason
from tourplanner.errors import TourplannerError
from tourplanner.errors import stored_message
from tourplanner.i18n import N_
from tourplanner.storage.tables import JobRow
from tourplanner.text import url_token

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: write progress to the database at most this often (seconds)
PROGRESS_EVERY_S = 0.3


@dataclass(frozen=True, slots=True)
class Job:
    """What a client sees of a job."""

    id: str
    kind: str
    status: str
    progress: dict[str, Any]
    result_id: str | None
    error: dict[str, Any] | None

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Return the job as JSON, its error's message in *lang* (English when None)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": self.progress,
            "result_id": self.result_id,
            "error": self.error_in(lang),
        }

    def error_in(self, lang: str | None) -> dict[str, Any] | None:
        """The error (``{"error", "message"}``) with its message in *lang*."""
        return None if self.error is None else stored_message(self.error, lang)


def _internal_error(reason: Reason) -> dict[str, Any]:
    """A failure on our side as a stored job error, written later in the reader's language."""
    return {"error": "internal_error", "message": str(reason), "reason": reason.to_dict()}


def _now() -> datetime:
    return datetime.now(UTC)


def _view(row: JobRow) -> Job:
    return Job(row.id, row.kind, row.status, dict(row.progress or {}), row.result_id, row.error)


def create_job(session, kind: str, payload: dict[str, Any]) -> str:
    """Store a new queued job and return its id."""
    job_id = url_token(12)
    session.add(
        JobRow(
            id=job_id,
            kind=kind,
            status=QUEUED,
            payload=payload,
            progress={},
            created_at=_now(),
            updated_at=_now(),
        )
    )
    session.commit()
    return job_id


def get_job(session, job_id: str) -> Job:
    """Return job *job_id*.

    :raise NotFound: when there is no such job.
    """
    row = session.get(JobRow, job_id) if len(job_id) <= 32 else None
    if row is None:
        raise NotFound(Reason.of(N_("reason.not_found.job"), id=repr(job_id)))
    return _view(row)


class ProgressWriter:
    """Throttled progress updates of one job, for the solver's ``on_progress`` callback."""

    def __init__(self, database, job_id: str) -> None:
        self.database = database
        self.job_id = job_id
        self.started = time.perf_counter()
        self._last = 0.0

    def __call__(self, progress) -> None:
        now = time.perf_counter()
        if now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        self.write(
            {
                "seconds": round(now - self.started, 1),
                "value": round(progress.prize, 1),
                "phase": progress.phase,
            }
        )

    def write(self, progress: dict[str, Any]) -> None:
        """Store *progress* for the job."""
        with self.database.session() as session:
            row = session.get(JobRow, self.job_id)
            row.progress = {**(row.progress or {}), **progress}
            row.updated_at = _now()
            session.commit()


def _finish(
    database,
    job_id: str,
    *,
    status: str,
    result_id: str | None = None,
    error: dict[str, Any] | None = None,
    progress: dict | None = None,
) -> None:
    with database.session() as session:
        row = session.get(JobRow, job_id)
        row.status = status
        row.result_id = result_id
        row.error = error
        if progress is not None:
            row.progress = {**(row.progress or {}), **progress}
        row.updated_at = _now()
        session.commit()


#: what each kind of job does, registered by the app (:func:`register`): a handler takes the
#: job's payload and a progress writer and returns the id of what it produced
HANDLERS: dict[str, Callable[[dict[str, Any], ProgressWriter], str]] = {}


def register(kind: str, handler: Callable[[dict[str, Any], ProgressWriter], str]) -> None:
    """Run *handler* for the jobs of *kind* (the runner knows no kind of its own)."""
    HANDLERS[kind] = handler


def execute(app: Flask, job_id: str) -> None:
    """Run job *job_id* to its end in *app*'s context; failures are recorded, never raised."""
    database = app.extensions["tourplanner.storage.db"]
    with app.app_context():
        with database.session() as session:
            row = session.get(JobRow, job_id)
            if row is None:
                log.error("job %s vanished", job_id)
                return
            if row.status == DONE:  # a retried job that already finished: nothing to redo
                return
            if row.result_id is not None:  # it saved its result, then died before "done"
                row.status, row.updated_at = DONE, _now()
                session.commit()
                return
            kind, payload = row.kind, dict(row.payload)
            row.status, row.updated_at = RUNNING, _now()
            session.commit()
        writer = ProgressWriter(database, job_id)
        handler = HANDLERS.get(kind)
        if handler is None:
            log.error("job %s: no handler for kind %r", job_id, kind)
            _finish(
                database,
                job_id,
                status=FAILED,
                error=_internal_error(Reason.of(N_("reason.internal.job_kind"), kind=kind)),
            )
            return
        try:
            result_id = handler(payload, writer)
        except TourplannerError as exc:
            _finish(database, job_id, status=FAILED, error=exc.stored())
        except Exception:
            log.exception("job %s (%s) failed", job_id, kind)
            _finish(
                database,
                job_id,
                status=FAILED,
                error=_internal_error(Reason.of(N_("reason.internal.job"))),
            )
        else:
            _finish(
                database,
                job_id,
                status=DONE,
                result_id=result_id,
                progress={"seconds": round(time.perf_counter() - writer.started, 1)},
            )


#: payload key naming the process (``host:pid``) whose in-process runner holds a job
OWNER_KEY = "_runner"


def _owner_alive(owner: object) -> bool:
    """Whether the process named *owner* (``host:pid``) may still run its jobs: it exists on
    this host, or it is on another host (not ours to judge)."""
    if not isinstance(owner, str) or ":" not in owner:
        return False
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True


class InProcessRunner:
    """Runs jobs in a small thread pool of the app process (the default, no service needed).

    Each job records its process in its payload. Jobs whose process has died (a restart, a
    crash) while they were queued or running are taken over and run by the first process of
    this host that serves a request afterwards (:meth:`resume_orphans`), so a restart loses no
    accepted job. Across several hosts, use Redis and RQ workers instead.
    """

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tourplanner-job")
        self.futures: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._resumed = False

    @property
    def owner(self) -> str:
        """This process, as ``host:pid``."""
        return f"{socket.gethostname()}:{os.getpid()}"

    def check(self) -> None:
        """The pool is always there: nothing to check."""

    def submit(self, job_id: str) -> None:
        """Start job *job_id* in the background (and record that this process holds it)."""
        database = self.app.extensions["tourplanner.storage.db"]
        with database.session() as session:
            row = session.get(JobRow, job_id)
            if row is not None:
                row.payload = {**(row.payload or {}), OWNER_KEY: self.owner}
                session.commit()
        self._start(job_id)

    def _start(self, job_id: str) -> None:
        future = self.pool.submit(execute, self.app, job_id)
        with self._lock:
            self.futures[job_id] = future

    def resume_orphans(self) -> list[str]:
        """Take over the queued and running jobs whose process is gone, and run them.

        Runs once per process. The check and the take-over happen under the database's
        startup lock, so of several processes starting together only one takes each job.

        :return: the ids of the jobs taken over.
        """
        with self._lock:
            if self._resumed:
                return []
            self._resumed = True
        database = self.app.extensions["tourplanner.storage.db"]
        taken = []
        try:
            with database.startup_lock(), database.session() as session:
                query = select(JobRow).where(JobRow.status.in_((QUEUED, RUNNING)))
                for row in session.scalars(query):
                    if _owner_alive((row.payload or {}).get(OWNER_KEY)):
                        continue
                    row.payload = {**(row.payload or {}), OWNER_KEY: self.owner}
                    row.status, row.updated_at = QUEUED, _now()
                    taken.append(row.id)
                session.commit()
        except Exception:
            self._resumed = False  # e.g. the database is down: try again on a later request
            raise
        for job_id in taken:
            self._start(job_id)
        if taken:
            log.warning(
                "took over %d job(s) whose process had stopped: %s", len(taken), ", ".join(taken)
            )
        return taken

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until job *job_id* has finished (tests and the CLI use this)."""
        with self._lock:
            future = self.futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)


def get_runner():
    """Return the current app's job runner."""
    return current_app.extensions["tourplanner.jobs.runner"]


def check_queue() -> None:
    """Make sure jobs can be started now, before anything is stored for them.

    :raise QueueUnavailable: when the job queue (Redis) does not answer.
    """
    get_runner().check()


def enqueue(database, job_ids: list[str]) -> None:
    """Hand the stored jobs *job_ids* to the runner.

    When the queue fails part-way, the jobs not handed over are marked failed with the reason,
    so none waits forever for a run that will not come.

    :raise QueueUnavailable: when the job queue (Redis) does not answer.
    """
    runner = get_runner()
    for done, job_id in enumerate(job_ids):
        try:
            runner.submit(job_id)
        except QueueUnavailable as exc:
            for lost in job_ids[done:]:
                _finish(database, lost, status=FAILED, error=exc.stored())
            raise


def submit(kind: str, payload: dict[str, Any]) -> str:
    """Create a job of *kind* and start it; return its id.

    :raise QueueUnavailable: when the job queue does not answer (nothing is stored then, or,
        if it failed between the check and the hand-over, the job is stored as failed).
    """
    check_queue()
    database = current_app.extensions["tourplanner.storage.db"]
    with database.session() as session:
        job_id = create_job(session, kind, payload)
    enqueue(database, [job_id])
    return job_id
