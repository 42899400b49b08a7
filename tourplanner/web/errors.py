"""One app-wide error handler: JSON for API clients, a page for browsers, never a raw 500."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from tourplanner.errors import DatabaseUnavailable
from tourplanner.errors import Reason
from tourplanner.errors import TourplannerError
from tourplanner.errors import UpstreamError
from tourplanner.i18n import N_
from tourplanner.i18n import api_language
from tourplanner.i18n import get_locale
from tourplanner.storage.db import is_unavailable

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


def wants_json() -> bool:
    """Tell whether the client prefers JSON (the API, or an Accept header saying so)."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_language() -> str:
    """The language of an error's reasons: the API's (:func:`~tourplanner.i18n.api_language`,
    English unless asked) under ``/api/``, else the page's."""
    return api_language() if request.path.startswith("/api/") else get_locale()


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """Return the error as JSON ``{"error", "message", "fields"}`` or as an HTML page."""
    if wants_json():
        body: dict[str, object] = {"error": code, "message": message}
        if fields:
            body["fields"] = fields
        return jsonify(body), status
    page = render_template(
        "errors/error.html", status=status, code=code, message=message, fields=fields
    )
    return page, status


#: seconds a client is asked to wait when a service we depend on is down
RETRY_AFTER_S = 30


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        try:
            session.rollback()
        except Exception:  # the connection is gone (database down): nothing to roll back
            session.invalidate()


def init_app(app: Flask) -> None:
    """Register the handlers on *app*."""

    @app.errorhandler(TourplannerError)
    def handle_domain_error(exc: TourplannerError):
        _rollback()
        body = exc.to_dict(error_language())
        response, status = error_response(
            exc.http_status, exc.code, body["message"], body.get("fields")
        )
        if isinstance(exc, UpstreamError):
            response = app.make_response((response, status))
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response, status

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        _rollback()
        if is_unavailable(exc):
            log.error("database unavailable on %s %s: %s", request.method, request.path, exc)
            return handle_domain_error(
                DatabaseUnavailable(Reason.of(N_("reason.unavailable.database")))
            )
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(
            500, "internal_error", Reason.of(N_("reason.internal")).in_(error_language())
        )
