"""The ``plan`` job: one tour request planned in the background (the web form's long solves)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from tourplanner.catalogue.service import get_catalogue
from tourplanner.planning import plan
from tourplanner.planning.request import parse_tour_request
from tourplanner.services.itineraries import save_itinerary
from tourplanner.services.travel_model import get_travel_model
from tourplanner.storage.tables import JobRow


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
    with current_app.extensions["tourplanner.storage.db"].session() as session:
        saved = save_itinerary(session, itinerary, commit=False)
        session.get(JobRow, progress.job_id).result_id = saved.id
        session.commit()
        return saved.id
