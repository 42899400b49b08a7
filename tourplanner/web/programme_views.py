"""The tour programme of a saved itinerary: ``/i/<id>/programme`` (HTML) and ``.pdf``.

The programme is priced by group size (``?sizes=2,4,10``) under the terms of the agency signed
in to the workspace (its name, logo, contact, guide fee, markup and VAT); without one it has no
agency header, no markup and no VAT, and the guide is listed as not priced.
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import render_template
from flask import request

from tourplanner.catalogue.service import get_catalogue
from tourplanner.exports.programme import Programme
from tourplanner.exports.programme import build_programme
from tourplanner.i18n import get_locale
from tourplanner.planning.itinerary import Itinerary
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.quote import parse_sizes
from tourplanner.services.quote import quote_itinerary
from tourplanner.services.quote import terms_of
from tourplanner.services.travel_model import get_travel_model
from tourplanner.services.travel_model import network_lines
from tourplanner.storage.agencies import AgencyRow
from tourplanner.web.svgmap import render_map

bp = Blueprint("programme", __name__)


def programme_for(
    itinerary: Itinerary, agency: AgencyRow | None, lang: str, sizes: str | None = None
) -> Programme:
    """The programme of *itinerary* priced for *sizes* under *agency*'s terms.

    :raise ValidationError: for bad *sizes* (field ``sizes``).
    """
    terms = terms_of(agency)
    quote = quote_itinerary(
        itinerary, parse_sizes(sizes), get_catalogue(), get_travel_model(), terms
    )
    return build_programme(itinerary, quote, terms, lang)


def route_svg(itinerary: Itinerary, lang: str) -> str:
    """The route map over the packaged basemap, as SVG."""
    return render_map(
        itinerary, network_lines(), english=lang == "en", static_folder=current_app.static_folder
    )


def _load(itinerary_id: str) -> tuple[Itinerary, Programme]:
    from tourplanner.web.batch_views import _principal  # who is signed in to the workspace

    with current_app.extensions["tourplanner.storage.db"].session() as session:
        itinerary = load_itinerary(session, itinerary_id)
        principal = _principal(session)
        agency = session.get(AgencyRow, principal.agency_id) if principal else None
        return itinerary, programme_for(itinerary, agency, get_locale(), request.args.get("sizes"))


@bp.get("/i/<itinerary_id>/programme")
def programme(itinerary_id: str):
    """The tour programme to send customers: days, meals, nights, prices by group size."""
    itinerary, found = _load(itinerary_id)
    return render_template(
        "programme/programme.html",
        p=found,
        it=itinerary,
        svg=route_svg(itinerary, found.lang),
        sizes=request.args.get("sizes", ""),
    )


@bp.get("/i/<itinerary_id>/programme.pdf")
def programme_pdf_view(itinerary_id: str):
    """The tour programme as a PDF."""
    from tourplanner.exports.programme import programme_pdf

    itinerary, found = _load(itinerary_id)
    body = programme_pdf(found, route_svg(itinerary, found.lang))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="programme-{itinerary_id}.pdf"'},
    )
