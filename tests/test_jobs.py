"""Background plan jobs run exactly once in effect: a retried job never saves a second
itinerary (the itinerary and the job's link to it commit together)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from tourplanner.jobs.runner import DONE
from tourplanner.jobs.runner import RUNNING
from tourplanner.jobs.runner import create_job
from tourplanner.jobs.runner import execute
from tourplanner.jobs.runner import get_job
from tourplanner.storage.tables import ItineraryRow
from tourplanner.storage.tables import JobRow

REQUEST = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "time_limit_s": 0.5}


def _count_itineraries(session) -> int:
    return session.scalar(select(func.count()).select_from(ItineraryRow))


def test_plan_job_links_its_itinerary_and_a_retry_plans_nothing_again(any_app):
    """A plan job saves one itinerary and links it; executing it again (a retry after the
    worker died) leaves one itinerary. A job that saved its itinerary and died before being
    marked done is finished by the retry without planning again."""
    database = any_app.extensions["tourplanner.storage.db"]
    with database.session() as session:
        job_id = create_job(session, "plan", {"request": REQUEST})
    execute(any_app, job_id)
    with database.session() as session:
        job = get_job(session, job_id)
        assert job.status == DONE and job.result_id is not None
        assert _count_itineraries(session) == 1
        # the worker "died" after the commit of the itinerary and before _finish
        row = session.get(JobRow, job_id)
        row.status = RUNNING
        session.commit()
    execute(any_app, job_id)
    with database.session() as session:
        again = get_job(session, job_id)
        assert again.status == DONE and again.result_id == job.result_id
        assert _count_itineraries(session) == 1


def test_jobs_of_a_stopped_process_are_taken_over_on_the_next_start(sqlite_url):
    """Without Redis, jobs run in the app's threads. A job queued or running in a process that
    then stopped is not lost: the next process on the database takes it over on its first
    request and runs it; a job of a live process is left to it."""
    import subprocess
    import sys

    from tests.conftest import make_app
    from tourplanner.jobs.runner import OWNER_KEY
    from tourplanner.jobs.runner import QUEUED

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_owner = f"{__import__('socket').gethostname()}:{int(gone.stdout)}"
    first = make_app(sqlite_url)
    database = first.extensions["tourplanner.storage.db"]
    with database.session() as session:
        orphan = create_job(session, "plan", {"request": REQUEST, OWNER_KEY: dead_owner})
        running = create_job(
            session,
            "plan",
            {"request": REQUEST, OWNER_KEY: first.extensions["tourplanner.jobs.runner"].owner},
        )
        session.get(JobRow, orphan).status = RUNNING
        session.commit()
    first.extensions["tourplanner.storage.db"].dispose()

    second = make_app(sqlite_url)
    try:
        runner = second.extensions["tourplanner.jobs.runner"]
        assert second.test_client().get("/healthz").status_code == 200
        runner.wait(orphan, timeout=60)
        with second.extensions["tourplanner.storage.db"].session() as session:
            assert get_job(session, orphan).status == DONE
            assert get_job(session, running).status == QUEUED  # its process (this one) lives
            assert _count_itineraries(session) == 1
        assert runner.resume_orphans() == []  # once per process
    finally:
        second.extensions["tourplanner.storage.db"].dispose()
