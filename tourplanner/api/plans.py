"""Planning through the API: small requests are solved at once, large ones become jobs."""

from __future__ import annotations

import threading

from flask import Flask
from flask import current_app
from flask import jsonify
from flask import url_for

from tourplanner.api.auth import current_principal
from tourplanner.api.body import json_object
from tourplanner.api.common import api_blueprint
from tourplanner.api.common import documents
from tourplanner.api.ownership import check_itinerary
from tourplanner.api.ownership import check_job
from tourplanner.api.ownership import record_itinerary
from tourplanner.api.ownership import record_job
from tourplanner.api.schemas import JobAcceptedSchema
from tourplanner.api.schemas import JobSchema
from tourplanner.api.schemas import PlanQuerySchema
from tourplanner.catalogue.service import get_catalogue
from tourplanner.i18n import api_language
from tourplanner.jobs.runner import get_job
from tourplanner.jobs.runner import submit
from tourplanner.planning import plan
from tourplanner.planning.request import parse_tour_request
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.itineraries import save_itinerary
from tourplanner.services.travel_model import get_travel_model
from tourplanner.storage.db import get_session

bp = api_blueprint("api_plans", "Plan tours, follow background plans, read itineraries.")

#: requests with days * groups up to this are solved within the request
DEFAULT_SYNC_MAX_UNITS = 3


def init_sync_slots(app: Flask) -> None:
    """Give *app* its slots for plans solved inside their request (``API_SYNC_CONCURRENCY``)."""
    app.extensions["tourplanner.sync_plans"] = threading.BoundedSemaphore(
        app.config.get("API_SYNC_CONCURRENCY", 1)
    )


def _sync_slots(app: Flask) -> threading.BoundedSemaphore:
    """The process's slots for plans solved inside their request."""
    return app.extensions["tourplanner.sync_plans"]


@bp.post("/plans")
@bp.arguments(PlanQuerySchema, location="query", as_kwargs=True)
@bp.doc(
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TourRequest"}}},
    }
)
@bp.response(201, "Itinerary", description="planned at once (days × groups ≤ 3)")
@bp.alt_response(
    202,
    schema=JobAcceptedSchema,
    description="queued as a job (larger requests, or while the server is busy): poll status_url",
)
@documents(bp, 400, 413, 422)
def create_plan(visibility: str):
    """Plan a tour.

    Small requests (days × groups ≤ 3) are solved at once and answered with the itinerary
    (201); larger ones start a background job (202) whose ``status_url`` tells its progress.
    So does a small one that arrives while the server is already solving as many plans inside
    requests as ``API_SYNC_CONCURRENCY`` allows: clients must accept either answer.
    """
    principal = current_principal()
    tour_request = parse_tour_request(json_object(), get_catalogue())
    private = visibility == "private"
    session = get_session()
    limit = current_app.config.get("API_SYNC_MAX_UNITS", DEFAULT_SYNC_MAX_UNITS)
    slots = _sync_slots(current_app._get_current_object())  # type: ignore[attr-defined]
    if tour_request.days * tour_request.groups > limit or not slots.acquire(blocking=False):
        job_id = submit("plan", {"request": tour_request.to_dict()})
        record_job(session, job_id, principal.agency_id, private)
        status_url = url_for("api_plans.job", job_id=job_id)
        response = jsonify({"job": job_id, "status": "queued", "status_url": status_url})
        return response, 202, {"Location": status_url}
    try:
        itinerary = plan(tour_request, get_catalogue(), get_travel_model())
    finally:
        slots.release()
    saved = save_itinerary(session, itinerary)
    record_itinerary(session, saved.id, principal.agency_id, private)
    location = url_for("api_plans.itinerary", itinerary_id=saved.id)
    return jsonify(saved.to_dict()), 201, {"Location": location}


@bp.get("/jobs/<job_id>")
@bp.response(200, JobSchema)
@documents(bp, 404)
def job(job_id: str):
    """Progress of a background plan; ``itinerary_url`` once it is done.

    A failed job reports its error (e.g. ``no_feasible_tour``) in ``error``.
    """
    session = get_session()
    check_job(session, job_id, current_principal())
    found = get_job(session, job_id)
    body = found.to_dict(api_language())
    body["status_url"] = url_for("api_plans.job", job_id=job_id)
    body["itinerary_url"] = (
        url_for("api_plans.itinerary", itinerary_id=found.result_id) if found.result_id else None
    )
    return jsonify(body)


@bp.get("/itineraries/<itinerary_id>")
@bp.response(200, "Itinerary")
@documents(bp, 404)
def itinerary(itinerary_id: str):
    """A saved itinerary in the contract's JSON."""
    session = get_session()
    check_itinerary(session, itinerary_id, current_principal())
    return jsonify(load_itinerary(session, itinerary_id).to_dict())
