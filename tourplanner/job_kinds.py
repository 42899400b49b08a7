"""What each kind of background job does. A handler takes the job's payload and a progress
writer and returns the id of what it produced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from tourplanner.batch.service import batch_product_job
from tourplanner.catalogue.service import get_catalogue
from tourplanner.planning import plan
from tourplanner.services import get_travel_model
from tourplanner.store import save_itinerary
from tourplanner.tables import JobRow
from tourplanner.tour_request import parse_tour_request


def plan_job(payload: dict[str, Any], progress) -> str:
    """Plan the tour request in the payload, save it, return the itinerary id."""
    catalogue = get_catalogue()
    request = parse_tour_request(payload["request"], catalogue)
    progress.write({"phase": "solving", "seconds": 0})
    itinerary = plan(request, catalogue, get_travel_model(), on_progress=progress)
    if payload.get("parent_id"):
        from dataclasses import replace

        itinerary = replace(itinerary, parent_id=payload["parent_id"])
    # the itinerary and the job's link to it commit together: a retry of a job that died
    # after this point finds the link and does not plan and save a second itinerary
    with current_app.extensions["tourplanner.db"].session() as session:
        saved = save_itinerary(session, itinerary, commit=False)
        session.get(JobRow, progress.job_id).result_id = saved.id
        session.commit()
        return saved.id


HANDLERS: dict[str, Callable[[dict[str, Any], Any], str]] = {
    "plan": plan_job,
    "batch_product": batch_product_job,
}
