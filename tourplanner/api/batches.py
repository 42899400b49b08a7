"""Batches of tour products through the API: submit JSON or CSV specs (as ``tourplanner
batch`` takes them), follow them, read their itineraries, export and re-plan them.

A batch belongs to the key's agency: another agency's key gets 404 on it (batches made from
the command line have no owner and, as in the workspace, every agency sees them). A POST with
an ``Idempotency-Key`` header that was already used by the agency answers the batch it made
then, and creates nothing; the same key with a different body is a 409. Creating and
re-planning write an ``audit_log`` row (``place_id`` ``batch:<id>``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from datetime import datetime

from flask import Response
from flask import jsonify
from flask import request
from flask import url_for
from sqlalchemy.exc import IntegrityError

from tourplanner.api.auth import current_principal
from tourplanner.api.body import json_object
from tourplanner.api.common import api_blueprint
from tourplanner.api.common import documents
from tourplanner.api.errors import Conflict
from tourplanner.api.schemas import BatchAcceptedSchema
from tourplanner.api.schemas import BatchCreateQuerySchema
from tourplanner.api.schemas import BatchItemsSchema
from tourplanner.api.schemas import BatchReplanSchema
from tourplanner.api.schemas import BatchSchema
from tourplanner.api.schemas import QuoteQuerySchema
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import FieldError
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.i18n import api_language
from tourplanner.services.batch import report
from tourplanner.services.batch import service
from tourplanner.services.batch.spec import parse_batch
from tourplanner.services.quote import parse_sizes
from tourplanner.services.quote import terms_of
from tourplanner.services.travel_model import get_travel_model
from tourplanner.storage.agencies import AgencyRow
from tourplanner.storage.agencies import AuditRow
from tourplanner.storage.agencies import IdempotencyRow
from tourplanner.storage.db import get_session

bp = api_blueprint("api_batches", "Submit batches of tour products, follow and export them.")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IDEMPOTENCY_KEY = 200
BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["products"],
                "properties": {
                    "name": {"type": "string", "maxLength": 200},
                    "scenario": {"type": "string"},
                    "products": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "description": "a name plus the fields of a TourRequest",
                        },
                    },
                },
            }
        },
        "text/csv": {
            "schema": {
                "type": "string",
                "description": "a header row with `name` and TourRequest fields; lists a|b",
            }
        },
    },
}


def _audit(batch_id: str, action: str, after: dict) -> None:
    principal = current_principal()
    get_session().add(
        AuditRow(
            at=datetime.now(UTC),
            agency_id=principal.agency_id,
            key_id=principal.key_id,
            place_id=f"batch:{batch_id}",
            action=action,
            before=None,
            after=after,
        )
    )


def _load(batch_id: str, *, bodies: bool = True) -> service.BatchView:
    """The batch if the caller's agency may see it.

    :raise NotFound: no such batch, or another agency's.
    """
    session = get_session()
    if not service.visible_to(session, batch_id, current_principal().agency_id):
        raise NotFound(Reason.of(N_("reason.not_found.batch"), id=repr(batch_id)))
    return service.load_batch(session, batch_id, bodies=bodies, lang=api_language())


def _accepted(batch_id: str, status: int):
    view = _load(batch_id, bodies=False)
    status_url = url_for("api_batches.batch", batch_id=batch_id)
    body = {
        "id": batch_id,
        "name": view.name,
        "status_url": status_url,
        "items_url": url_for("api_batches.batch_items", batch_id=batch_id),
        "counts": view.counts,
        "errors": [{"row": item.row, **error} for item in view.items for error in item.errors],
    }
    return jsonify(body), status, {"Location": status_url}


def _read_spec() -> tuple[str, str | None, bytes, str]:
    """The batch in the body: (name, scenario, file content, file name for the parser)."""
    if request.mimetype == "text/csv":
        raw = request.get_data(cache=True)
        return request.args.get("name", ""), request.args.get("scenario"), raw, "batch.csv"
    body = json_object()
    products = body.get("products")
    errors = []
    if not isinstance(products, list):
        errors.append(FieldError("products", Reason.of(N_("reason.product_list"))))
    name = body.get("name", "")
    if not isinstance(name, str):
        errors.append(FieldError("name", Reason.of(N_("reason.string"))))
    scenario = body.get("scenario")
    if scenario is not None and not isinstance(scenario, str):
        errors.append(FieldError("scenario", Reason.of(N_("reason.string"))))
    unknown = sorted(set(body) - {"name", "scenario", "products"})
    errors.extend(FieldError(k, Reason.of(N_("reason.not_a_batch_field"))) for k in unknown)
    if errors:
        raise ValidationError(errors)
    content = json.dumps({"products": products}, ensure_ascii=False).encode("utf-8")
    return name, scenario, content, "batch.json"


@bp.post("/batches")
@bp.arguments(BatchCreateQuerySchema, location="query", as_kwargs=True)
@bp.doc(
    requestBody=BATCH_BODY,
    parameters=[
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_IDEMPOTENCY_KEY},
            "description": "retrying with the same key answers the batch made the first time",
        }
    ],
)
@bp.response(202, BatchAcceptedSchema, description="the batch is queued: follow status_url")
@bp.alt_response(200, schema=BatchAcceptedSchema, description="the batch this key made before")
@documents(bp, 400, 409, 413)
def create_batch(name: str | None = None, scenario: str | None = None):
    """Submit a batch of tour products (JSON ``{"name", "scenario", "products": [...]}`` or
    CSV with ``?name=&scenario=``), each row a ``name`` plus TourRequest fields.

    Bad rows are reported with their row number, field and reason (``errors``); the good rows
    are planned in the background. ``Idempotency-Key`` makes a retry safe.
    """
    principal = current_principal()
    session = get_session()
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise ValidationError(
            [
                FieldError(
                    "Idempotency-Key", Reason.of(N_("reason.too_long"), max=MAX_IDEMPOTENCY_KEY)
                )
            ]
        )
    batch_name, batch_scenario, content, filename = _read_spec()
    fingerprint = hashlib.sha256(
        json.dumps([batch_name, batch_scenario], ensure_ascii=False).encode() + content
    ).hexdigest()
    if key:
        seen = session.get(IdempotencyRow, (principal.agency_id, key))
        if seen is not None:
            if seen.fingerprint != fingerprint:
                raise Conflict(Reason.of(N_("reason.api.idempotency_reused")))
            return _accepted(seen.batch_id, 200)
    spec = parse_batch(content, get_catalogue(), filename)
    batch_id = service.create_batch(
        session,
        batch_name or "API batch",
        spec,
        scenario=batch_scenario,
        agency_id=principal.agency_id,
    )
    if key:
        session.add(
            IdempotencyRow(
                agency_id=principal.agency_id, key=key, fingerprint=fingerprint, batch_id=batch_id
            )
        )
    _audit(batch_id, "batch_create", {"name": batch_name, "scenario": batch_scenario,
                                      "products": len(spec.products) + len(spec.invalid)})  # fmt: skip
    try:
        session.commit()
    except IntegrityError:  # the same key, at the same time, from another request
        session.rollback()
        seen = session.get(IdempotencyRow, (principal.agency_id, key))
        if seen is None or seen.fingerprint != fingerprint:
            raise Conflict(Reason.of(N_("reason.api.idempotency_reused"))) from None
        return _accepted(seen.batch_id, 200)
    return _accepted(batch_id, 202)


@bp.get("/batches/<batch_id>")
@bp.response(200, BatchSchema)
@documents(bp, 404)
def batch(batch_id: str):
    """A batch's progress: counts per state, and per product its status, progress, bad
    fields (``errors``) or failure (``problem``) and, once planned, its figures."""
    return jsonify(report.batch_json(_load(batch_id)))


@bp.get("/batches/<batch_id>/items")
@bp.response(200, BatchItemsSchema)
@documents(bp, 404)
def batch_items(batch_id: str):
    """The products of a batch with their itineraries (contract JSON, ``null`` until done)."""
    view = _load(batch_id)
    items = [
        {
            "row": item.row,
            "name": item.name,
            "status": item.status,
            "itinerary_id": item.itinerary_id,
            "itinerary_url": (
                url_for("api_plans.itinerary", itinerary_id=item.itinerary_id)
                if item.itinerary_id
                else None
            ),
            "itinerary": item.itinerary,
        }
        for item in view.items
    ]
    return jsonify({"id": view.id, "finished": view.finished, "items": items})


@bp.get("/batches/<batch_id>/summary.csv")
@bp.response(200, description="the summary table as CSV", content_type="text/csv")
@documents(bp, 404)
def batch_csv(batch_id: str):
    """The summary table as CSV (the same as the workspace's export)."""
    return Response(
        report.batch_csv(_load(batch_id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'},
    )


@bp.get("/batches/<batch_id>/prices.xlsx")
@bp.arguments(QuoteQuerySchema, location="query", as_kwargs=True)
@bp.response(200, description="the price sheet: a row per product and group size",
             content_type=XLSX)  # fmt: skip
@documents(bp, 400, 404)
def batch_prices(batch_id: str, sizes: str | None = None, markup_pct: float | None = None):
    """The batch's price sheet: every planned product quoted for each group size under your
    agency's terms; products without an itinerary are listed with the reason."""
    from tourplanner.exports.pricesheet import batch_price_sheet

    group_sizes = parse_sizes(sizes)
    view = _load(batch_id)
    terms = terms_of(
        get_session().get(AgencyRow, current_principal().agency_id), markup_pct=markup_pct
    )
    body = batch_price_sheet(
        view, group_sizes, get_catalogue(), get_travel_model(view.scenario), terms
    )
    return Response(
        body,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="prices-{batch_id}.xlsx"'},
    )


@bp.post("/batches/<batch_id>/replan")
@bp.arguments(BatchReplanSchema, as_kwargs=True)
@bp.response(202, BatchAcceptedSchema, description="the re-plan, a new batch: follow status_url")
@documents(bp, 400, 404)
def replan(batch_id: str, scenario: str | None = None):
    """Re-plan every good product of the batch under a network scenario (e.g.
    ``without-ben-rung``); the answer is the new batch, whose ``base_id`` is this one."""
    _load(batch_id, bodies=False)
    session = get_session()
    new_id = service.replan_batch(session, batch_id, scenario)
    _audit(new_id, "batch_replan", {"base_id": batch_id, "scenario": scenario})
    session.commit()
    return _accepted(new_id, 202)
