"""The catalogue pages: the list (search, filter by province and category) and a place's page."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request

from tourplanner.catalogue.catalogue import Match
from tourplanner.catalogue.citations import resolve
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import NotFound
from tourplanner.i18n import get_locale
from tourplanner.i18n import translator
from tourplanner.i18n import weekdays_text
from tourplanner.planning.itinerary import SERVICE_KINDS
from tourplanner.travel.attach import as_point
from tourplanner.travel.attach import attach
from tourplanner.travel.network import FARE_MODES
from tourplanner.travel.network import default_network
from tourplanner.travel.network import format_time

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
    """Show one place with its hours, prices, festivals, the services that reach it and its
    sources (readable: title, publisher, year, link)."""
    place = get_catalogue().places.get(place_id)
    if place is None:
        abort(404, f"No place has the id {place_id!r}.")
    lang = get_locale()
    sources = [
        (fact, resolve(citation), fact in place.uncertain)
        for fact, citation in sorted(place.sources.items())
    ]
    return render_template(
        "catalogue/detail.html",
        place=place,
        sources=sources,
        services=services_near(place, lang),
    )


#: at most this many services are listed on a place's page
MAX_SERVICES = 8


def services_near(place, lang: str) -> list[dict]:
    """The scheduled services (ferries, boats, cable cars, coach and bus lines) at the network
    nodes a place is reached from, with fares and hours in words."""
    t = translator(lang)
    network = default_network()
    access = attach(as_point(place, network), network)
    nodes = {leg.node for leg in access.legs}
    out = []
    for link in sorted(network.links.values(), key=lambda x: x.id):
        if link.mode not in FARE_MODES or not nodes & {link.source_node, link.target_node}:
            continue
        kind = link.service_kind or link.mode
        key = f"service.{kind}" if kind in SERVICE_KINDS else f"mode.{link.mode}"
        hours = []
        for service in link.services:
            if service.departures:
                times = ", ".join(format_time(t) for t in service.departures)
            elif service.headway_min:
                times = t("svc.every", first=format_time(service.first),
                          last=format_time(service.last), minutes=service.headway_min)  # fmt: skip
            else:
                times = f"{format_time(service.first)}–{format_time(service.last)}"
            when = weekdays_text(service.days, lang)
            season = service.season_name or ""
            hours.append(", ".join(x for x in (times, when, season) if x))
        out.append(
            {
                "name": t.name(link),
                "kind": t(key),
                "fare_vnd": link.fare_vnd,
                "fare_unknown": link.fare_unknown,
                "fare_year": link.fare_year,
                "hours": list(dict.fromkeys(hours)),
                "sources": resolve(link.source),
                "uncertain": link.uncertain,
            }
        )
    return out[:MAX_SERVICES]
