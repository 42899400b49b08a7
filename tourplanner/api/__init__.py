"""The JSON API under ``/api/v1``: planning, itineraries, jobs and the shared catalogue, for
agencies authenticated by API key, with its OpenAPI document generated from the views."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

SPEC_OPTIONS = {
    "info": {
        "description": (
            "Plan multi-day tours across Hà Nội, Hải Phòng, Quảng Ninh and their neighbours, "
            "and keep the shared catalogue. Send your key as `Authorization: Bearer <key>` "
            "or `X-API-Key: <key>`. Errors are `{error, message, fields}`."
        )
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    },
    "security": [{"bearer": []}, {"apiKey": []}],
}


def init_app(app: Flask) -> None:
    """Register the API blueprints, its OpenAPI document and docs page.

    Call after ``CSRFProtect(app)``: the API authenticates by key, so CSRF is off for it.
    """
    from tourplanner.api import batches
    from tourplanner.api import docs
    from tourplanner.api import places
    from tourplanner.api import plans
    from tourplanner.api import quotes
    from tourplanner.api.common import PREFIX
    from tourplanner.api.common import TourplannerApi
    from tourplanner.api.schemas import TourRequestSchema
    from tourplanner.api.schemas import contract_schema
    from tourplanner.validation import json_schema_bounds

    app.config.setdefault("API_TITLE", "tourplanner")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", SPEC_OPTIONS)
    plans.init_sync_slots(app)
    api = TourplannerApi(app)
    api.ma_plugin.converter.add_attribute_function(json_schema_bounds)
    # the request body is the parser's own schema; tests hold it to the contract
    api.spec.components.schema("TourRequest", schema=TourRequestSchema)
    api.spec.components.schema("Itinerary", contract_schema("itinerary"))
    api.register_blueprint(plans.bp)
    api.register_blueprint(places.bp)
    api.register_blueprint(quotes.bp)
    api.register_blueprint(batches.bp)
    app.register_blueprint(docs.bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        for bp in (plans.bp, places.bp, quotes.bp, batches.bp):
            csrf.exempt(bp)
    app.extensions["tourplanner.api"] = api
