"""Background plan jobs run exactly once in effect: a retried job never saves a second
itinerary (the itinerary and the job's link to it commit together)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from tourplanner.jobs import DONE
from tourplanner.jobs import RUNNING
from tourplanner.jobs import create_job
from tourplanner.jobs import execute
from tourplanner.jobs import get_job
from tourplanner.tables import ItineraryRow
from tourplanner.tables import JobRow

REQUEST = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "time_limit_s": 0.5}


def _count_itineraries(session) -> int:
    return session.scalar(select(func.count()).select_from(ItineraryRow))


def test_plan_job_links_its_itinerary_and_a_retry_plans_nothing_again(any_app):
    """A plan job saves one itinerary and links it; executing it again (a retry after the
    worker died) leaves one itinerary. A job that saved its itinerary and died before being
    marked done is finished by the retry without planning again."""
    database = any_app.extensions["tourplanner.db"]
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
