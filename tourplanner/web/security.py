"""Security headers and cookie settings for every response."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.exceptions import RequestEntityTooLarge

if TYPE_CHECKING:
    from flask import Flask

#: no inline script anywhere: every script is a file under /static
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: the largest request body of the web pages (the JSON API has its own, smaller limit)
MAX_CONTENT_LENGTH = 2 * 1024 * 1024


def _harden_cookies(response, *, secure: bool):
    """Make every cookie the response sets HttpOnly and SameSite, and Secure behind HTTPS.

    The session cookie gets these from the config; this also covers cookies set by hand
    (the language cookie) or by an extension.
    """
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return response
    hardened = []
    for cookie in cookies:
        flags = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
        if "httponly" not in flags:
            cookie += "; HttpOnly"
        if "samesite" not in flags:
            cookie += "; SameSite=Lax"
        if secure and "secure" not in flags:
            cookie += "; Secure"
        hardened.append(cookie)
    response.headers.setlist("Set-Cookie", hardened)
    return response


def init_app(app: Flask) -> None:
    """Set cookie defaults and add the security headers to every response.

    Flask's own defaults leave ``SESSION_COOKIE_SAMESITE`` and ``MAX_CONTENT_LENGTH`` unset
    (``None``), so they are set here unless the configuration chose a value.
    ``SESSION_COOKIE_SECURE`` follows the ``HTTPS`` setting (on in production behind TLS).
    """
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_CONTENT_LENGTH
    secure = bool(app.config.get("HTTPS"))
    app.config["SESSION_COOKIE_SECURE"] = secure

    @app.after_request
    def add_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def refuse_large_body(exc: RequestEntityTooLarge):
        """A body over the limit: 413, without reading the body (the page's language comes
        from the query, the cookie or the browser: :func:`tourplanner.i18n.get_locale`)."""
        from tourplanner.web.errors import error_response

        return error_response(413, "request_entity_too_large", exc.description)

    # after-request functions run last-registered first: put this one at the front of the
    # list so it runs after every other (cookies set by later hooks get the flags too)
    app.after_request_funcs.setdefault(None, []).insert(
        0, lambda response: _harden_cookies(response, secure=secure)
    )
