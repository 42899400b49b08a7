"""The tourist's pages: the form, the progress of a solve, the itinerary, its exports, re-plan."""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.i18n import get_locale
from tourplanner.jobs.runner import get_job
from tourplanner.jobs.runner import submit
from tourplanner.planning import notices
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.request import LODGING
from tourplanner.planning.request import PACES
from tourplanner.planning.request import TRANSPORT
from tourplanner.planning.request import parse_tour_request
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.travel_model import network_lines
from tourplanner.web import guide
from tourplanner.web import maplinks
from tourplanner.web.basemap import BASEMAP_FILES
from tourplanner.web.basemap import attribution
from tourplanner.web.basemap import network_geojson
from tourplanner.web.routemap import DAY_COLOURS
from tourplanner.web.routemap import route_map
from tourplanner.web.svgmap import render_map

bp = Blueprint("planner", __name__)

MAX_MUSTS = 10


def _session():
    return current_app.extensions["tourplanner.storage.db"].session()


def _form_defaults() -> dict:
    start = dt.date.today() + dt.timedelta(days=14)
    return {
        "start": "",
        "end": "",
        "start_date": start.isoformat(),
        "days": "3",
        "day_start": "08:00",
        "day_end": "18:30",
        "pace": "normal",
        "interests": [],
        "budget_vnd": "",
        "group_size": "2",
        "must_visit": [],
        "provinces": [],
        "language": get_locale(),
        "lodging": "standard",
        "transport": "auto",
    }


def _form_values() -> dict:
    form = request.form
    return {
        "start": form.get("start", "").strip(),
        "end": form.get("end", "").strip(),
        "start_date": form.get("start_date", "").strip(),
        "days": form.get("days", "").strip(),
        "day_start": form.get("day_start", "").strip(),
        "day_end": form.get("day_end", "").strip(),
        "pace": form.get("pace", "normal"),
        "interests": form.getlist("interests"),
        "budget_vnd": form.get("budget_vnd", "")
        .replace(",", "")
        .replace(".", "")
        .replace(" ", "")
        .strip(),
        "group_size": form.get("group_size", "").strip(),
        "must_visit": [m.strip() for m in form.getlist("must_visit") if m.strip()],
        "provinces": form.getlist("provinces"),
        "language": form.get("language", get_locale()),
        "lodging": form.get("lodging", "standard"),
        "transport": form.get("transport", "auto"),
    }


def _field_errors(exc: ValidationError) -> dict[str, str]:
    """The first reason of each form field, in the page's language."""
    errors: dict[str, str] = {}
    for e in exc.errors:
        key = e.field.split("[", 1)[0].split(".", 1)[0]
        errors.setdefault(key, e.reason_in(get_locale()))
    return errors


def _render_form(values: dict, errors: dict[str, str], status: int = 200):
    catalogue = get_catalogue()
    starts = sorted(
        catalogue.hubs() + [p for p in catalogue.active() if p.kind == "gateway"],
        key=lambda p: p.name_vi,
    )
    return render_template(
        "planner/form.html",
        values=values,
        errors=errors,
        starts=starts,
        categories=catalogue.categories(),
        provinces=catalogue.current_provinces(),
        paces=PACES,
        lodging_tiers=LODGING,
        transports=TRANSPORT,
    ), status


@bp.get("/")
def form():
    """The trip form."""
    return _render_form(_form_defaults(), {})


@bp.post("/")
def submit_form():
    """Check the form; re-render it with a message at each bad field, or start the solve."""
    values = _form_values()
    data = {k: v for k, v in values.items() if v not in ("", [])}
    errors: dict[str, str] = {}
    musts = len(values["must_visit"])
    if musts > MAX_MUSTS:  # said, not silently cut: the traveller chose every one of them
        too_many = Reason.of(N_("reason.too_many_places"), count=musts, max=MAX_MUSTS)
        errors["must_visit"] = too_many.in_(get_locale())
    try:
        tour_request = parse_tour_request(data, get_catalogue())
    except ValidationError as exc:
        errors = {**_field_errors(exc), **errors}
    if errors:
        return _render_form(values, errors, 400)
    job_id = submit("plan", {"request": tour_request.to_dict()})
    return redirect(url_for("planner.job", job_id=job_id, lang=tour_request.language))


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    """Progress of a solve; moves on to the itinerary when it is done."""
    with _session() as session:
        found = get_job(session, job_id)
    if found.status == "done":
        return redirect(url_for("planner.itinerary", itinerary_id=found.result_id))
    status = 422 if found.status == "failed" else 200
    error = found.error_in(get_locale())
    return render_template("planner/job.html", job=found, error=error), status


@bp.get("/jobs/<job_id>.json")
def job_json(job_id: str):
    """Progress of a solve, for polling."""
    with _session() as session:
        found = get_job(session, job_id)
    body = found.to_dict(get_locale())
    if found.result_id:
        body["url"] = url_for("planner.itinerary", itinerary_id=found.result_id)
    return jsonify(body)


def _load(itinerary_id: str) -> Itinerary:
    with _session() as session:
        return load_itinerary(session, itinerary_id)


def _svg(found: Itinerary, english: bool) -> str:
    return render_map(
        found, network_lines(), english=english, static_folder=current_app.static_folder
    )


def _map_context() -> dict:
    """What the itinerary page's interactive map needs besides the itinerary."""
    return {
        "basemap_urls": [url_for("static", filename=name) for name in BASEMAP_FILES],
        "map_attribution": attribution(current_app.static_folder),
        "day_colours": len(DAY_COLOURS),
    }


@bp.app_template_global()
def warning_texts(itinerary) -> list[str]:
    """The itinerary's warnings in the page's language."""
    return notices.warning_texts(itinerary, get_locale())


@bp.app_template_global()
def dropped_texts(itinerary) -> list[tuple[str, str]]:
    """The dropped places with their reasons in the page's language."""
    return notices.dropped_texts(itinerary, get_locale())


@bp.app_template_global()
def note_of(stop) -> str:
    """A stop's note (where lunch is eaten) in the page's language."""
    return notices.stop_note(stop, get_locale())


@bp.app_template_global()
def day_guide(day) -> guide.DayGuide:
    """A day's header in the page's language: route, time and km on the road, lodging."""
    return guide.day_guide(day, get_locale())


@bp.app_template_global()
def stop_guide(stop, day) -> guide.StopGuide | None:
    """What an attraction stop is, its hours on *day*, its ticket and why it is planned."""
    return guide.stop_guide(stop, day.date, get_catalogue().places.get(stop.id), get_locale())


@bp.app_template_global()
def leg_services(leg) -> tuple[guide.LegService, ...]:
    """The services of a leg in the page's language, with fares per person."""
    return guide.leg_services(leg, get_locale())


@bp.app_template_global()
def stop_map_links(stop) -> dict[str, str]:
    """Open-in-maps links of a stop, in the page's language."""
    return maplinks.stop_links(stop, english=get_locale() == "en")


@bp.app_template_global()
def day_map_links(day) -> dict[str, str | None]:
    """Open-in-maps links of a day (directions through its stops)."""
    return maplinks.day_links([s for s in day.stops if s.kind != "meal"])


@bp.app_template_global()
def leg_map_links(day, leg) -> dict[str, str] | None:
    """Directions links of one leg of *day*, or None when its stops are not found."""
    ends = {s.id: s for s in day.stops if s.kind != "meal"}
    origin, destination = ends.get(leg.from_id), ends.get(leg.to_id)
    if origin is None or destination is None:
        return None
    return maplinks.leg_links(origin, destination)


@bp.get("/i/<itinerary_id>")
def itinerary(itinerary_id: str):
    """The itinerary page: timeline, map, totals, dropped places, warnings, exports, re-plan."""
    found = _load(itinerary_id)
    english = get_locale() == "en"
    catalogue = get_catalogue()
    return render_template(
        "planner/itinerary.html",
        it=found,
        catalogue=catalogue,
        english=english,
        share_url=url_for("planner.itinerary", itinerary_id=itinerary_id, _external=True),
        **_map_context(),
    )


@bp.get("/i/<itinerary_id>/map.json")
def itinerary_map(itinerary_id: str):
    """The interactive map's data: legs along the network, numbered stops, day colours."""
    body = route_map(_load(itinerary_id), english=get_locale() == "en")
    return jsonify(body)


@bp.get("/i/<itinerary_id>/map.svg")
def itinerary_map_svg(itinerary_id: str):
    """The route as the offline SVG map over the basemap (the page's fallback without script)."""
    svg = _svg(_load(itinerary_id), get_locale() == "en")
    return Response(svg, mimetype="image/svg+xml")


@bp.get("/map/network.geojson")
def network_map():
    """The travel network's links as GeoJSON, for the background of the maps."""
    response = Response(network_geojson(), mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/i/<itinerary_id>/print")
def printable(itinerary_id: str):
    """A printer-friendly page."""
    found = _load(itinerary_id)
    english = get_locale() == "en"
    return render_template(
        "planner/print.html",
        it=found,
        english=english,
        svg=_svg(found, english),
    )


@bp.get("/i/<itinerary_id>.json")
def itinerary_json(itinerary_id: str):
    """The itinerary in the contract's JSON."""
    return jsonify(_load(itinerary_id).to_dict())


def _download(itinerary_id: str, body: str | bytes, mimetype: str, extension: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="tour-{itinerary_id}.{extension}"'},
    )


@bp.get("/i/<itinerary_id>.geojson")
def itinerary_geojson(itinerary_id: str):
    """The route as GeoJSON."""
    from tourplanner.exports.geojson import to_geojson

    body = json.dumps(to_geojson(_load(itinerary_id)), ensure_ascii=False)
    return _download(itinerary_id, body, "application/geo+json", "geojson")


@bp.get("/i/<itinerary_id>.ics")
def itinerary_ics(itinerary_id: str):
    """One calendar event per stop."""
    from tourplanner.exports.ical import to_ical

    body = to_ical(_load(itinerary_id), lang=get_locale())
    return _download(itinerary_id, body, "text/calendar", "ics")


@bp.get("/i/<itinerary_id>.pdf")
def itinerary_pdf(itinerary_id: str):
    """The plan as a PDF."""
    from tourplanner.exports.pdf import to_pdf  # fpdf is heavy: load it on first PDF

    body = to_pdf(_load(itinerary_id), lang=get_locale())
    return _download(itinerary_id, body, "application/pdf", "pdf")


@bp.post("/i/<itinerary_id>/replan")
def replan(itinerary_id: str):
    """Remove stops, pin stops to days, add a must-see, and re-optimise as a new version."""
    found = _load(itinerary_id)
    data = dict(found.request)
    day_of: dict[str, int] = {}
    for index, date in enumerate(sorted({d.date for d in found.days})):
        for day in found.days:
            if day.date == date:
                for stop in day.stops:
                    if stop.kind == "attraction":
                        day_of.setdefault(stop.id, index)
    removed = [pid for pid in request.form.getlist("remove") if pid in day_of]
    pins = {
        pid: day_of[pid]
        for pid in request.form.getlist("pin")
        if pid in day_of and pid not in removed
    }
    data["exclude"] = list(dict.fromkeys([*data.get("exclude", []), *removed]))
    data["must_visit"] = [m for m in data.get("must_visit", []) if m not in removed]
    data["pins"] = pins
    added = request.form.get("add_must", "").strip()
    if added:
        data["must_visit"] = [*data["must_visit"], added]
    try:
        tour_request = parse_tour_request(data, get_catalogue())
    except ValidationError as exc:
        english = get_locale() == "en"
        return render_template(
            "planner/itinerary.html",
            it=found,
            catalogue=get_catalogue(),
            english=english,
            replan_errors=_field_errors(exc),
            share_url=url_for("planner.itinerary", itinerary_id=itinerary_id, _external=True),
            **_map_context(),
        ), 400
    job_id = submit("plan", {"request": tour_request.to_dict(), "parent_id": itinerary_id})
    return redirect(url_for("planner.job", job_id=job_id))


@bp.get("/api/suggest")
def suggest():
    """Places matching ?q= (any diacritics) for search-as-you-type: [{id, name_vi, name_en}]."""
    query = request.args.get("q", "")[:100]
    kind = request.args.get("kind")
    if kind not in (None, "attraction", "hub", "gateway"):
        abort(400, "kind must be attraction, hub or gateway")
    if len(query.strip()) < 2:
        return jsonify([])
    try:
        matches = get_catalogue().search(query, kind=kind, limit=8)
    except NotFound:
        matches = []
    return jsonify(
        [
            {
                "id": m.place.id,
                "name_vi": m.place.name_vi,
                "name_en": m.place.name_en,
                "province": m.place.province,
            }
            for m in matches
        ]
    )
