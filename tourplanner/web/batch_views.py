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
        return render_template(
            "agency/login.html",
            next=request.form.get("next", ""),
            error="Khóa không hợp lệ hoặc đã bị thu hồi / unknown or revoked key",
        ), 401
    flask_session.clear()
    flask_session[SESSION_KEY] = principal.key_id
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    """Forget the signed-in key."""
    flask_session.pop(SESSION_KEY, None)
    return redirect(url_for("agency.login"))


def _load(batch_id: str) -> service.BatchView:
    with _database().session() as session:
        if not service.visible_to(session, batch_id, g.agency.agency_id):
            abort(404, f"no batch has the id {batch_id!r}")
        try:
            return service.load_batch(session, batch_id)
        except NotFound as exc:
            abort(404, exc.message)


def _scenarios() -> dict[str, str]:
    return {name: s.description for name, s in sorted(default_network().scenarios.items())}


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
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index("Chọn một tệp CSV hoặc JSON / choose a CSV or JSON file", 400)
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _index("Tệp quá lớn / the file is larger than 1 MB", 400)
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
        return _index(exc.message, 400)
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
            abort(404, f"no batch has the id {batch_id!r}")
        try:
            new_id = service.replan_batch(session, batch_id, scenario)
        except NotFound as exc:
            abort(404, exc.message)
        except ValidationError as exc:
            abort(400, exc.message)
    return redirect(url_for("agency.batch", batch_id=new_id))


def _linkage(batch_id: str):
    view = _load(batch_id)
    return view, report.batch_linkage(view)


@bp.get("/batches/<batch_id>/report")
def linkage_page(batch_id: str):
    """The linkage report: time and spend per province, flows, named links, as SVG charts."""
    view, linkage = _linkage(batch_id)
    charts = {
        "minutes": bar_chart(
            [(p.province, p.visit_minutes) for p in linkage.provinces],
            title="Thời gian tham quan theo tỉnh / visit minutes per province",
            unit="min",
        ),
        "spend": bar_chart(
            [(p.province, p.spend_vnd) for p in linkage.provinces],
            title="Chi tiêu theo tỉnh / spend per province",
            unit="₫",
        ),
        "flows": bar_chart(
            [(f"{f['from']} → {f['to']}", f["legs"]) for f in linkage.flows],
            title="Luồng liên tỉnh / cross-province flows",
            unit="legs",
        ),
        "links": bar_chart(
            [(link["name"], link["tours"]) for link in linkage.links],
            title="Tuyến nối được dùng / named links used",
            unit="tours",
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
        abort(404, "this batch is not a re-plan of another batch")
    return other, report.compare(_load(other.base_id), other)


@bp.get("/batches/<batch_id>/compare")
def compare_page(batch_id: str):
    """A re-planned batch against its base: feasibility kept and lost, value change."""
    other, comparison = _comparison(batch_id)
    chart = bar_chart(
        [(f"#{p['row']} {p['name']}", abs(p["change"] or 0)) for p in comparison["products"]],
        title="Thay đổi giá trị / change of value",
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
    return data, compare_variants(tour_request, get_catalogue(), get_travel_model)


@bp.get("/variants")
def variants_page():
    """One request planned four ways side by side (the form when no request is given)."""
    data, result = _variants()
    if isinstance(result, ValidationError):
        return render_template(
            "agency/variants.html", values=data, errors=result.errors, result=None
        ), 400
    return render_template("agency/variants.html", values=data or {}, errors=[], result=result)


@bp.get("/variants.json")
def variants_json():
    """The variants as JSON (the same query string as the page)."""
    data, result = _variants()
    if data is None:
        return jsonify(
            {"error": "invalid_input", "message": "give a request: start, start_date, days ..."}
        ), 400
    if isinstance(result, ValidationError):
        return jsonify(result.to_dict()), 400
    return jsonify(result)
