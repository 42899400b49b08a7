"""Pieces shared by the API's views: the ``Api`` object, blueprints and error documentation."""

from __future__ import annotations

from collections.abc import Callable

from flask_smorest import Api
from flask_smorest import Blueprint

from tourplanner.api.auth import protect
from tourplanner.api.errors import register_handlers
from tourplanner.api.schemas import ErrorSchema

PREFIX = "/api/v1"

ERROR_TEXT = {
    400: "bad input: `fields` names each bad field and why",
    401: "no API key, or an unknown or revoked one",
    403: "the key's role may not do this",
    404: "no such resource (or it is another agency's private one)",
    409: "the edit was based on a stale version, or the id is taken",
    413: "the request body is too large",
    422: "the request is valid but no feasible tour exists; the message says what to relax",
    429: "rate limit reached; retry after `Retry-After` seconds",
    503: (
        "a service the request needs is down: `error` is `database_unavailable` or "
        "`queue_unavailable`; nothing was saved; retry after `Retry-After` seconds"
    ),
}


class TourplannerApi(Api):
    """flask-smorest's ``Api`` without its app-wide error handler: the app already has one
    (:mod:`tourplanner.web.errors`) and the API blueprints add theirs."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Leave error handling to tourplanner's handlers."""


def api_blueprint(name: str, description: str) -> Blueprint:
    """Return a blueprint under ``/api/v1`` behind API keys, with the API's error handlers."""
    bp = Blueprint(name, __name__, url_prefix=PREFIX, description=description)
    protect(bp)
    register_handlers(bp)
    return bp


def documents(bp: Blueprint, *statuses: int) -> Callable:
    """Document the error *statuses* a view may answer (401, 429 and 503 are added to all:
    every operation reads the database)."""

    def decorator(view: Callable) -> Callable:
        for status in sorted({401, 429, 503, *statuses}, reverse=True):
            headers = None
            if status in (429, 503):
                headers = {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}
            view = bp.alt_response(
                status, schema=ErrorSchema, description=ERROR_TEXT[status], headers=headers
            )(view)
        return view

    return decorator
