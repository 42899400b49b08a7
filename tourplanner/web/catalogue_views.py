"""The catalogue browse page: list, search and filter by province and category."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request

from tourplanner.catalogue.catalogue import Match
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import NotFound

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")

KIND_CHOICES = ("attraction", "hub", "gateway")


@bp.get("/")
def index():
    """List the catalogue, filtered by ?q=, ?province=, ?category= and ?kind=."""
    catalogue = get_catalogue()
    q = request.args.get("q", "").strip()[:200]
    province = request.args.get("province", "").strip()
    category = request.args.get("category", "").strip()
    kind = request.args.get("kind", "").strip()
    if kind and kind not in KIND_CHOICES:
        kind = ""
    try:
        matches: list[Match] = catalogue.search(
            q, province=province or None, category=category or None, kind=kind or None
        )
    except NotFound:
        matches, province = [], ""
    if not q:
        kinds = {k: i for i, k in enumerate(KIND_CHOICES)}
        matches.sort(key=lambda m: (kinds[m.place.kind], -(m.place.value or 0), m.place.name_vi))
    return render_template(
        "catalogue/index.html",
        matches=matches,
        q=q,
        province=province,
        category=category,
        kind=kind,
        provinces=catalogue.current_provinces(),
        former=[p for p in catalogue.provinces.values() if p.status == "former"],
        categories=catalogue.categories(),
        kinds=KIND_CHOICES,
    )


@bp.get("/<place_id>")
def detail(place_id: str):
    """Show one place with its hours, prices, festivals and sources."""
    place = get_catalogue().places.get(place_id)
    if place is None:
        abort(404, f"No place has the id {place_id!r}.")
    return render_template("catalogue/detail.html", place=place)
