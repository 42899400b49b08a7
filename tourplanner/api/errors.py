"""Errors only the API raises, and the API's own handlers (JSON in the app-wide shape).

Every error leaves as ``{"error": code, "message": ..., "fields": {field: reason}}`` through
:func:`tourplanner.web.errors.error_response`; the handlers here only add what the app-wide
ones cannot know: headers (``Retry-After``, ``WWW-Authenticate``) and webargs' field messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from werkzeug.exceptions import HTTPException

from tourplanner.errors import TourplannerError
from tourplanner.errors import reason_in
from tourplanner.i18n import api_language
from tourplanner.web.errors import error_response

if TYPE_CHECKING:
    from flask import Blueprint


class ApiError(TourplannerError):
    """An API error with optional response headers."""

    headers: ClassVar[dict[str, str]] = {}


class Unauthorized(ApiError):
    """No API key, or one that is unknown, malformed or revoked."""

    code = "unauthorized"
    http_status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="tourplanner"'}


class Forbidden(ApiError):
    """The key's role may not do this (a planner editing the catalogue)."""

    code = "forbidden"
    http_status = 403


class Conflict(ApiError):
    """The edit was based on a stale version, or the id is taken."""

    code = "conflict"
    http_status = 409


class RateLimited(ApiError):
    """Too many requests for this key in the current window."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(max(1, retry_after_s))}


def _flatten(messages: Any, prefix: str = "", lang: str | None = None) -> dict[str, str]:
    """Turn webargs' ``{"query": {"limit": ["Must be ..."]}}`` into ``{"limit": "Must be ..."}``,
    each reason in *lang* (English when None)."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if key not in ("query", "json", "headers", "view_args") else ""
            joined = f"{prefix}.{name}" if prefix and name else (name or prefix)
            out.update(_flatten(value, joined, lang))
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "request"] = " ".join(reason_in(m, lang) for m in messages)
        else:
            for m in messages:
                out.update(_flatten(m, prefix, lang))
    else:
        out[prefix or "request"] = reason_in(str(messages), lang)
    return out


def register_handlers(bp: Blueprint) -> None:
    """Register on *bp* the handlers that add headers and field messages to the JSON errors."""

    @bp.errorhandler(ApiError)
    def handle_api_error(exc: ApiError):
        body = exc.to_dict(api_language())
        response, status = error_response(
            exc.http_status, exc.code, body["message"], body.get("fields")
        )
        response.headers.update(exc.headers)
        return response, status

    @bp.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        status = exc.code or 500
        if "messages" in data and status in (400, 422):
            # webargs rejected a query parameter: bad input, field by field
            fields = _flatten(data["messages"], lang=api_language())
            message = "; ".join(f"{k}: {v}" for k, v in fields.items())
            return error_response(400, "invalid_input", message, fields)
        code = (exc.name or "error").lower().replace(" ", "_")
        response, status = error_response(status, code, exc.description or exc.name)
        for name, value in exc.get_headers():
            if name.lower() in ("allow", "retry-after", "www-authenticate"):
                response.headers[name] = value
        return response, status
