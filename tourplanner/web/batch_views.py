"""The agency workspace under ``/agency/``: batch upload and progress, summary and exports,
the linkage report, scenario re-plans and their comparison, and request variants."""

from __future__ import annotations

import json

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session as flask_session
from flask import url_for

from tourplanner.api.keys import Principal
from tourplanner.api.keys import authenticate
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import NotFound
from tourplanner.errors import ValidationError
from tourplanner.errors import reason_in
from tourplanner.i18n import N_
from tourplanner.i18n import get_locale
from tourplanner.i18n import translator
from tourplanner.planning.request import parse_tour_request
from tourplanner.services.batch import report
from tourplanner.services.batch import service
from tourplanner.services.batch.spec import parse_batch
from tourplanner.services.batch.svg import bar_chart
from tourplanner.services.batch.variants import compare_variants
from tourplanner.services.travel_model import get_travel_model
from tourplanner.storage.agencies import AgencyRow
from tourplanner.storage.agencies import ApiKeyRow
from tourplanner.travel.network import default_network

bp = Blueprint("agency", __name__, url_prefix="/agency")

#: upload limit of a batch file
MAX_UPLOAD_BYTES = 1_000_000
#: request fields read from the variants page's query string (lists as ``a|b`` or repeated)
LIST_ARGS = ("interests", "must_visit", "exclude", "provinces")


#: the workspace's pages that work without signing in
PUBLIC_ENDPOINTS = {"agency.login", "agency.login_submit"}
#: the session key holding the signed-in API key's id
SESSION_KEY = "agency_key_id"


def _database():
    return current_app.extensions["tourplanner.storage.db"]


def _principal(session) -> Principal | None:
    """Who is signed in: the key in the session, if it still exists and is not revoked."""
    key_id = flask_session.get(SESSION_KEY)
    if not key_id:
        return None
    key = session.get(ApiKeyRow, key_id)
    if key is None or key.revoked_at is not None:
        return None
    agency = session.get(AgencyRow, key.agency_id)
    return Principal(key.id, key.prefix, agency.id, agency.name, key.role)


@bp.before_request
def require_sign_in():
    """Every workspace page needs an agency's API key, given once on the sign-in page."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    with _database().session() as session:
        principal = _principal(session)
    if principal is None:
        flask_session.pop(SESSION_KEY, None)
        return redirect(url_for("agency.login", next=request.full_path.rstrip("?")))
    g.agency = principal
    return None


@bp.app_context_processor
def signed_in_agency():
    """The signed-in agency for the templates (``None`` outside the workspace)."""
    return {"agency": g.get("agency")}


@bp.app_template_global()
def status_text(status: str) -> str:
    """A product's state in the page's language (``done`` → ``Đã xong``/``Planned``)."""
    key = STATUS_KEYS.get(status)
    return translator(get_locale())(key) if key else status


@bp.app_template_global()
def role_text(role: str) -> str:
    """An API key's role in the page's language."""
    key = ROLE_KEYS.get(role)
    return translator(get_locale())(key) if key else role


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/agency") and "//" not in target:
        return target
    return url_for("agency.index")


@bp.get("/login")
def login():
    """The sign-in form: an agency signs in with one of its API keys."""
    return render_template("agency/login.html", next=request.args.get("next", ""), error=None)


@bp.post("/login")
def login_submit():
    """Check the key; remember it in the (signed, HttpOnly) session cookie."""
    token = request.form.get("token", "").strip()
    with _database().session() as session:
        principal = authenticate(session, token) if token else None
    if principal is None:
        t = translator(get_locale())
        return render_template(
            "agency/login.html",
            next=request.form.get("next", ""),
            error=t("agency.login.bad_key"),
        ), 401
    flask_session.clear()
    flask_session[SESSION_KEY] = principal.key_id
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    """Forget the signed-in key."""
    flask_session.pop(SESSION_KEY, None)
    return redirect(url_for("agency.login"))


def _unknown_batch(batch_id: str):
    """Answer 404 for a batch that does not exist or belongs to another agency."""
    t = translator(get_locale())
    abort(404, t("agency.batch.unknown", id=batch_id))


def _load(batch_id: str) -> service.BatchView:
    with _database().session() as session:
        if not service.visible_to(session, batch_id, g.agency.agency_id):
            _unknown_batch(batch_id)
        try:
            return service.load_batch(session, batch_id, lang=get_locale())
        except NotFound:
            _unknown_batch(batch_id)


#: the words for a product's state (the raw state stays the row's CSS class); ``missing``
#: is a product that a re-plan lacks (``report.compare``)
STATUS_KEYS = {
    service.DONE: N_("agency.status.done"),
    service.FAILED: N_("agency.status.failed"),
    service.INVALID: N_("agency.status.invalid"),
    service.QUEUED: N_("agency.status.queued"),
    service.RUNNING: N_("agency.status.running"),
    "missing": N_("agency.status.missing"),
}
#: the words for an API key's role
ROLE_KEYS = {
    "planner": N_("agency.role.planner"),
    "editor": N_("agency.role.editor"),
    "admin": N_("agency.role.admin"),
}

#: the network's scenarios described in the page's language; a scenario the catalogues do
#: not know yet is shown with the network file's own (English) description
SCENARIO_KEYS = {
    "cat-ba-cable-car-closed": N_("agency.scenario.cat-ba-cable-car-closed"),
    "storm-no-sailings": N_("agency.scenario.storm-no-sailings"),
    "tuan-chau-ferry-off-season": N_("agency.scenario.tuan-chau-ferry-off-season"),
    "tuan-chau-ferry-suspended": N_("agency.scenario.tuan-chau-ferry-suspended"),
    "with-lai-xuan": N_("agency.scenario.with-lai-xuan"),
    "without-bach-dang-bridge": N_("agency.scenario.without-bach-dang-bridge"),
    "without-ben-rung": N_("agency.scenario.without-ben-rung"),
}


def _scenarios() -> dict[str, str]:
    """Each scenario's name and its description in the page's language."""
    t = translator(get_locale())
    return {
        name: t(SCENARIO_KEYS[name]) if name in SCENARIO_KEYS else s.description
        for name, s in sorted(default_network().scenarios.items())
    }


def _download(body: str, filename: str, mimetype: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _index(error: str | None = None, status: int = 200):
    with _database().session() as session:
        batches = service.list_batches(session, agency_id=g.agency.agency_id)
    return render_template(
        "agency/index.html", batches=batches, scenarios=_scenarios(), error=error
    ), status


@bp.get("/")
def index():
    """The batches so far and the upload form."""
    return _index()


@bp.post("/batches")
def upload():
    """Read the uploaded CSV/JSON, start the batch, go to its page (bad rows shown there)."""
    t = translator(get_locale())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(t("agency.upload.no_file"), 400)
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _index(t("agency.upload.too_large", mb=t.number(MAX_UPLOAD_BYTES / 1e6)), 400)
    try:
        spec = parse_batch(content, get_catalogue(), upload.filename)
        with _database().session() as session:
            batch_id = service.create_batch(
                session,
                request.form.get("name", "").strip() or upload.filename.rsplit(".", 1)[0],
                spec,
                scenario=request.form.get("scenario") or None,
                agency_id=g.agency.agency_id,
            )
    except ValidationError as exc:
        return _index(t("agency.upload.unreadable", detail=exc.message_in(get_locale())), 400)
    return redirect(url_for("agency.batch", batch_id=batch_id))


@bp.get("/batches/<batch_id>")
def batch(batch_id: str):
    """Progress per product while running; the summary table, exports and links after."""
    view = _load(batch_id)
    return render_template(
        "agency/batch.html",
        batch=view,
        rows=report.summary_rows(view),
        scenarios=_scenarios(),
    )


@bp.get("/batches/<batch_id>.json")
def batch_json(batch_id: str):
    """The batch summary as JSON (also what the page polls)."""
    return jsonify(report.batch_json(_load(batch_id)))


@bp.get("/batches/<batch_id>.csv")
def batch_csv(batch_id: str):
    """The batch summary as CSV."""
    return _download(report.batch_csv(_load(batch_id)), f"batch-{batch_id}.csv", "text/csv")


@bp.get("/batches/<batch_id>/prices.xlsx")
def batch_prices(batch_id: str):
    """The batch's price sheet (.xlsx): every planned product for each group size
    (``?sizes=2,4,10,20,30``) under the signed-in agency's terms."""
    from tourplanner.exports.pricesheet import batch_price_sheet
    from tourplanner.services.quote import parse_sizes
    from tourplanner.services.quote import terms_of

    sizes = parse_sizes(request.args.get("sizes"))
    view = _load(batch_id)
    with _database().session() as session:
        terms = terms_of(session.get(AgencyRow, g.agency.agency_id))
    body = batch_price_sheet(view, sizes, get_catalogue(), get_travel_model(view.scenario), terms)
    return _download(
        body,
        f"prices-{batch_id}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/batches/<batch_id>/export.json")
def batch_export(batch_id: str):
    """The whole batch with every itinerary, as one JSON file."""
    view = _load(batch_id)
    body = {
        **report.batch_json(view),
        "itineraries": {i.itinerary_id: i.itinerary for i in view.items if i.itinerary},
    }
    return _download(
        json.dumps(body, ensure_ascii=False, indent=2), f"batch-{batch_id}.json", "application/json"
    )


@bp.post("/batches/<batch_id>/replan")
def replan(batch_id: str):
    """Re-plan the batch's products under a network scenario; go to the new batch."""
    scenario = request.form.get("scenario") or None
    with _database().session() as session:
        if not service.visible_to(session, batch_id, g.agency.agency_id):
            _unknown_batch(batch_id)
        try:
            new_id = service.replan_batch(session, batch_id, scenario)
        except NotFound:
            _unknown_batch(batch_id)
        except ValidationError as exc:
            t = translator(get_locale())
            abort(400, t("agency.replan.refused", detail=exc.message_in(get_locale())))
    return redirect(url_for("agency.batch", batch_id=new_id))


def _linkage(batch_id: str):
    view = _load(batch_id)
    return view, report.batch_linkage(view)


@bp.get("/batches/<batch_id>/report")
def linkage_page(batch_id: str):
    """The linkage report: time and spend per province, flows, named links, as SVG charts."""
    view, linkage = _linkage(batch_id)
    t = translator(get_locale())
    charts = {
        "minutes": bar_chart(
            [(p.province, p.visit_minutes) for p in linkage.provinces],
            title=t("agency.chart.visit_minutes"),
            shown=lambda v: t("unit.minutes", n=t.number(v)),
        ),
        "spend": bar_chart(
            [(p.province, p.spend_vnd) for p in linkage.provinces],
            title=t("agency.chart.spend"),
            shown=lambda v: t.money(int(v)),
        ),
        "flows": bar_chart(
            [(f"{f['from']} → {f['to']}", f["legs"]) for f in linkage.flows],
            title=t("agency.chart.flows"),
            shown=lambda v: t("agency.unit.legs", n=t.number(v)),
        ),
        "links": bar_chart(
            [(link["name"], link["tours"]) for link in linkage.links],
            title=t("agency.chart.links"),
            shown=lambda v: t("agency.unit.tours", n=t.number(v)),
        ),
    }
    return render_template("agency/report.html", batch=view, report=linkage, charts=charts)


@bp.get("/batches/<batch_id>/report.json")
def linkage_json(batch_id: str):
    """The linkage report as JSON."""
    return jsonify(_linkage(batch_id)[1].to_dict())


@bp.get("/batches/<batch_id>/report.csv")
def linkage_csv(batch_id: str):
    """The linkage report as CSV (one ``section`` column: province, flow, link, mode)."""
    return _download(
        report.linkage_csv(_linkage(batch_id)[1]), f"linkage-{batch_id}.csv", "text/csv"
    )


def _comparison(batch_id: str):
    other = _load(batch_id)
    if other.base_id is None:
        t = translator(get_locale())
        abort(404, t("agency.compare.not_replan"))
    return other, report.compare(_load(other.base_id), other)


@bp.get("/batches/<batch_id>/compare")
def compare_page(batch_id: str):
    """A re-planned batch against its base: feasibility kept and lost, value change."""
    other, comparison = _comparison(batch_id)
    t = translator(get_locale())
    chart = bar_chart(
        [(f"#{p['row']} {p['name']}", abs(p["change"] or 0)) for p in comparison["products"]],
        title=t("agency.chart.value_change"),
        shown=lambda v: t.number(v, 2),
    )
    return render_template("agency/compare.html", batch=other, comparison=comparison, chart=chart)


@bp.get("/batches/<batch_id>/compare.json")
def compare_json(batch_id: str):
    """The comparison as JSON."""
    return jsonify(_comparison(batch_id)[1])


@bp.get("/batches/<batch_id>/compare.csv")
def compare_csv(batch_id: str):
    """The comparison's product rows as CSV."""
    return _download(
        report.compare_csv(_comparison(batch_id)[1]), f"compare-{batch_id}.csv", "text/csv"
    )


def _variant_args() -> dict:
    data: dict = {}
    for key, value in request.args.items(multi=False):
        if key in LIST_ARGS:
            items = [v for raw in request.args.getlist(key) for v in raw.split("|")]
            data[key] = [v.strip() for v in items if v.strip()]
        elif key != "lang" and value.strip():
            data[key] = value.strip()
    return data


def _variants():
    data = _variant_args()
    if not data:
        return None, None
    try:
        tour_request = parse_tour_request(data, get_catalogue())
    except ValidationError as exc:
        return data, exc
    result = compare_variants(tour_request, get_catalogue(), get_travel_model)
    lang = get_locale()
    for entry in result["variants"]:
        if entry.get("error") is not None:  # why it failed, in the page's language
            entry["error"] = reason_in(entry["error"], lang)
    return data, result


@bp.get("/variants")
def variants_page():
    """One request planned four ways side by side (the form when no request is given)."""
    data, result = _variants()
    if isinstance(result, ValidationError):
        return render_template(
            "agency/variants.html",
            values=data,
            errors=[{"field": e.field, "reason": e.reason_in(get_locale())} for e in result.errors],
            result=None,
        ), 400
    return render_template("agency/variants.html", values=data or {}, errors=[], result=result)


@bp.get("/variants.json")
def variants_json():
    """The variants as JSON (the same query string as the page)."""
    data, result = _variants()
    if data is None:
        t = translator(get_locale())
        return jsonify({"error": "invalid_input", "message": t("agency.variants.no_request")}), 400
    if isinstance(result, ValidationError):
        return jsonify(result.to_dict(get_locale())), 400
    return jsonify(result)
