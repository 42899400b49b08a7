"""Marshmallow schemas of the API: they validate query strings and generate the OpenAPI
document. The tour request's body is :class:`TourRequestSchema` itself, the schema that
``parse_tour_request`` loads through (re-exported here); the place schemas are
:class:`~tourplanner.catalogue.records.PlaceRecordSchema`, the schema ``parse_place`` loads
through, plus the place's version."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from tourplanner.catalogue.records import KINDS
from tourplanner.catalogue.records import PlaceRecordSchema
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.planning.request import TourRequestSchema
from tourplanner.validation import Between
from tourplanner.validation import Choice
from tourplanner.validation import FiniteNumber
from tourplanner.validation import Text
from tourplanner.validation import WholeNumber
from tourplanner.validation import max_length
from tourplanner.validation import one_of

__all__ = ["TourRequestSchema"]  # the API's request body, declared in planning.request

#: copies of ``shared/contracts`` shipped with the package (a test keeps them identical)
CONTRACTS = Path(__file__).resolve().parent / "contracts"
MAX_PAGE = 100


class ErrorSchema(Schema):
    """The one error shape of the API."""

    error = fields.String(required=True, metadata={"description": "stable error code"})
    message = fields.String(required=True)
    fields_ = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        data_key="fields",
        metadata={"description": "bad input field -> reason"},
    )


class _Arguments(Schema):
    """Query or body arguments of an operation, checked by the project's field types so that
    every reason is a :class:`~tourplanner.errors.Reason` (written in the API's language)."""

    error_messages = {
        "unknown": Reason.of(N_("reason.unknown_field")),
        "type": Reason.of(N_("reason.object")),
    }


class PlaceQuerySchema(_Arguments):
    """Search and paging of the catalogue."""

    q = Text(
        load_default="",
        validate=max_length(100),
        metadata={"description": "name in Vietnamese (any diacritics) or English"},
    )
    province = Text(
        validate=max_length(100),
        metadata={"description": "current or former province (e.g. Hải Dương)"},
    )
    category = Text(validate=max_length(50))
    kind = Choice(validate=one_of(KINDS))
    limit = WholeNumber(load_default=20, validate=Between(1, MAX_PAGE))
    offset = WholeNumber(load_default=0, validate=Between(0, 1_000_000))


class PlanQuerySchema(_Arguments):
    """Options of a plan request that are not part of the TourRequest contract."""

    visibility = Choice(
        load_default="private",
        validate=one_of(("private", "shared")),
        metadata={"description": "private: only your agency's keys may read the result"},
    )


class PlaceSchema(PlaceRecordSchema):
    """A catalogue place as the API returns it: the record the importer checks (the same
    declaration, so the document cannot disagree with it), plus its version."""

    version = fields.Integer(
        required=True, metadata={"description": "send it back with an edit (or If-Match)"}
    )


class PlaceInSchema(PlaceRecordSchema):
    """A place to create or a full replacement (PUT), checked as a catalogue record; PATCH
    sends only the fields to change."""

    version = fields.Integer(
        metadata={"description": "the version you edited (PUT/PATCH/DELETE), or send If-Match"}
    )


class PlacePageSchema(Schema):
    """One page of places with its paging metadata."""

    items = fields.List(fields.Nested(PlaceSchema), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    next = fields.String(allow_none=True, required=True)


class ProvinceSchema(Schema):
    """A provincial unit; former ones name the province they merged into."""

    id = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["current", "former"]))
    merged_into = fields.String(allow_none=True)
    aliases = fields.List(fields.String())


class JobSchema(Schema):
    """A background plan and its progress."""

    id = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["queued", "running", "done", "failed"])
    )
    progress = fields.Dict(required=True)
    result_id = fields.String(allow_none=True, required=True)
    error = fields.Dict(allow_none=True, required=True)
    status_url = fields.String(required=True)
    itinerary_url = fields.String(allow_none=True)


class JobAcceptedSchema(Schema):
    """A plan too large to answer at once: poll ``status_url``."""

    job = fields.String(required=True)
    status = fields.String(required=True)
    status_url = fields.String(required=True)


class AuditSchema(Schema):
    """One catalogue change."""

    id = fields.Integer(required=True)
    at = fields.String(required=True)
    agency_id = fields.String(required=True)
    key_id = fields.String(required=True)
    place_id = fields.String(required=True)
    action = fields.String(required=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


@lru_cache(maxsize=4)
def contract_schema(name: str) -> dict:
    """Return the shared JSON schema *name* as an OpenAPI 3.1 component."""
    schema = json.loads((CONTRACTS / f"{name}.schema.json").read_text(encoding="utf-8"))
    schema.pop("$schema", None)
    return schema


class QuoteQuerySchema(_Arguments):
    """Group sizes to quote and an optional markup instead of the agency's."""

    sizes = Text(
        validate=max_length(100),
        metadata={"description": "comma-separated group sizes 1-200 (default 2,4,10,20,30)"},
    )
    markup_pct = FiniteNumber(
        validate=Between(0, 100),
        metadata={"description": "markup in percent (default: the agency's setting)"},
    )


class QuoteRowSchema(Schema):
    """The price for one group size, VND."""

    group_size = fields.Integer(required=True)
    transport = fields.String(required=True, validate=validate.OneOf(["public", "private"]))
    vehicle = fields.Dict(allow_none=True, required=True)
    guides = fields.Integer(required=True)
    transport_vnd = fields.Integer(required=True)
    tickets_vnd = fields.Integer(required=True)
    lodging_vnd = fields.Integer(required=True)
    meals_vnd = fields.Integer(required=True)
    guide_vnd = fields.Integer(required=True)
    cost_vnd = fields.Integer(required=True)
    markup_vnd = fields.Integer(required=True)
    vat_vnd = fields.Integer(required=True)
    total_vnd = fields.Integer(required=True)
    per_person_vnd = fields.Integer(required=True)
    single_supplement_vnd = fields.Integer(allow_none=True, required=True)
    child_per_person_vnd = fields.Integer(required=True)
    unknown = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "prices not counted because no source states them"},
    )


class QuoteSchema(Schema):
    """Quotes of one itinerary by group size."""

    itinerary_id = fields.String(allow_none=True, required=True)
    days = fields.Integer(required=True)
    nights = fields.Integer(required=True)
    markup_pct = fields.Float(required=True)
    vat_pct = fields.Float(required=True)
    guide_vnd_per_day = fields.Integer(allow_none=True, required=True)
    child_policy = fields.Dict(required=True)
    rows = fields.List(fields.Nested(QuoteRowSchema), required=True)


class BatchCreateQuerySchema(_Arguments):
    """Name and scenario of a batch sent as CSV (a JSON body carries them itself)."""

    name = Text(validate=max_length(200))
    scenario = Text(
        validate=max_length(64),
        metadata={"description": "a network scenario, e.g. without-ben-rung"},
    )


class BatchReplanSchema(_Arguments):
    """The scenario to re-plan a batch under (none: the network as it is)."""

    scenario = Text(
        allow_none=True,
        validate=max_length(64),
        metadata={"description": "a network scenario, e.g. without-ben-rung"},
    )


class BatchAcceptedSchema(Schema):
    """A batch that was queued: follow ``status_url``; bad rows are in ``errors``."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    status_url = fields.String(required=True)
    items_url = fields.String(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    errors = fields.List(
        fields.Dict(), required=True, metadata={"description": "[{row, field, reason}]"}
    )


class BatchSchema(Schema):
    """A batch's progress and, per product, its status, errors and figures."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    scenario = fields.String(allow_none=True, required=True)
    base_id = fields.String(allow_none=True, required=True)
    created_at = fields.String(required=True)
    finished = fields.Boolean(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    products = fields.List(
        fields.Dict(),
        required=True,
        metadata={
            "description": "row, name, status (invalid, queued, running, done, failed), "
            "progress, errors, problem, value, cost_per_person_vnd, km, drive_minutes, "
            "provinces, groups, group_days, itinerary_id"
        },
    )


class BatchItemSchema(Schema):
    """A product of a batch and its itinerary."""

    row = fields.Integer(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    itinerary_id = fields.String(allow_none=True, required=True)
    itinerary_url = fields.String(allow_none=True, required=True)
    itinerary = fields.Dict(allow_none=True, required=True)


class BatchItemsSchema(Schema):
    """The products of a batch with their itineraries."""

    id = fields.String(required=True)
    finished = fields.Boolean(required=True)
    items = fields.List(fields.Nested(BatchItemSchema), required=True)
