"""Who is calling: API key authentication, roles, rate limits and body limits of the API.

Every API request (but the OpenAPI document and its docs page) sends its key as
``Authorization: Bearer <token>`` or ``X-API-Key: <token>``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from flask import current_app
from flask import g
from flask import request

from tourplanner.api.errors import Forbidden
from tourplanner.api.errors import RateLimited
from tourplanner.api.errors import Unauthorized
from tourplanner.api.keys import Principal
from tourplanner.api.keys import authenticate
from tourplanner.api.ratelimit import DEFAULT_LIMIT
from tourplanner.api.ratelimit import DEFAULT_WINDOW_S
from tourplanner.api.ratelimit import count_request
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.storage.db import get_session

if TYPE_CHECKING:
    from flask import Blueprint

#: largest request body the API reads (the app-wide MAX_CONTENT_LENGTH is larger)
DEFAULT_MAX_BODY_BYTES = 256 * 1024


def _token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-API-Key", "").strip() or None


def current_principal() -> Principal:
    """Return the caller of this request (set by :func:`guard`)."""
    return g.api_principal


def guard() -> None:
    """Before each API request: cap the body, authenticate the key, count it against the limit.

    :raise Unauthorized: no key, or an unknown, malformed or revoked one.
    :raise RateLimited: the key used up its window.
    """
    config = current_app.config
    request.max_content_length = config.get("API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
    token = _token()
    if not token:
        raise Unauthorized(Reason.of(N_("reason.api.no_key")))
    session = get_session()
    principal = authenticate(session, token)
    if principal is None:
        raise Unauthorized(Reason.of(N_("reason.api.unknown_key")))
    g.api_principal = principal
    allowance = count_request(
        session,
        principal.key_id,
        config.get("API_RATE_LIMIT", DEFAULT_LIMIT),
        config.get("API_RATE_WINDOW_S", DEFAULT_WINDOW_S),
    )
    g.api_allowance = allowance
    if not allowance.allowed:
        raise RateLimited(
            Reason.of(
                N_("reason.api.rate_limited"),
                limit=allowance.limit,
                window=config.get("API_RATE_WINDOW_S", DEFAULT_WINDOW_S),
            ),
            allowance.reset_s,
        )


def add_rate_headers(response):
    """After each API request: tell the client how much of its window is left."""
    allowance = g.get("api_allowance")
    if allowance is not None:
        response.headers["X-RateLimit-Limit"] = str(allowance.limit)
        response.headers["X-RateLimit-Remaining"] = str(allowance.remaining)
        response.headers["X-RateLimit-Reset"] = str(allowance.reset_s)
    return response


def requires(role: str) -> Callable:
    """Refuse the view (403) to keys whose role does not include *role*."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            principal = current_principal()
            if not principal.may(role):
                raise Forbidden(
                    Reason.of(N_("reason.api.forbidden"), role=principal.role, needed=role)
                )
            return view(*args, **kwargs)

        return wrapper

    return decorator


def protect(bp: Blueprint) -> None:
    """Put every view of *bp* behind :func:`guard` and add the rate headers."""
    bp.before_request(guard)
    bp.after_request(add_rate_headers)
