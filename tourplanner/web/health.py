"""Liveness and readiness: ``/healthz``."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify
from sqlalchemy import text

from tourplanner.catalogue.service import get_catalogue
from tourplanner.storage.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the database answers and how big the catalogue is."""
    try:
        get_session().execute(text("SELECT 1"))
        catalogue = get_catalogue()
    except Exception as exc:  # the point of a health check is to answer, not to crash
        return jsonify({"status": "unavailable", "database": f"error: {type(exc).__name__}"}), 503
    return jsonify(
        {
            "status": "ok",
            "database": "ok",
            "attractions": len(catalogue.attractions()),
            "hubs": len(catalogue.hubs()),
        }
    )
