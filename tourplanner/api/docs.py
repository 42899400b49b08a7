"""The API's interactive documentation: a page of our own that renders the OpenAPI document
with a script under ``static/`` (no CDN, no inline script: the CSP forbids both)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import url_for

bp = Blueprint("api_docs_page", __name__, url_prefix="/api/v1")


@bp.get("/docs")
def docs():
    """Every operation of the API, read from ``openapi.json``, with a form to try each one."""
    return render_template(
        "api/docs.html", spec_url=url_for("api-docs.openapi_json"), prefix="/api/v1"
    )
