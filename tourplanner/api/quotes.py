"""Quotes by group size through the API: the price per person of a saved itinerary for each
group size, under the calling agency's terms (guide fee, markup, VAT), as JSON or .xlsx."""

from __future__ import annotations

from flask import Response
from flask import jsonify

from tourplanner.api.auth import current_principal
from tourplanner.api.common import api_blueprint
from tourplanner.api.common import documents
from tourplanner.api.ownership import check_itinerary
from tourplanner.api.schemas import QuoteQuerySchema
from tourplanner.api.schemas import QuoteSchema
from tourplanner.catalogue.service import get_catalogue
from tourplanner.exports.pricesheet import price_sheet
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.quote import Quote
from tourplanner.services.quote import parse_sizes
from tourplanner.services.quote import quote_itinerary
from tourplanner.services.quote import terms_of
from tourplanner.services.travel_model import get_travel_model
from tourplanner.storage.agencies import AgencyRow
from tourplanner.storage.db import get_session

bp = api_blueprint("api_quotes", "Quotes of an itinerary by group size.")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _quote(itinerary_id: str, sizes: str | None, markup_pct: float | None) -> Quote:
    session = get_session()
    principal = current_principal()
    check_itinerary(session, itinerary_id, principal)
    itinerary = load_itinerary(session, itinerary_id)
    terms = terms_of(session.get(AgencyRow, principal.agency_id), markup_pct=markup_pct)
    return quote_itinerary(
        itinerary, parse_sizes(sizes), get_catalogue(), get_travel_model(), terms
    )


@bp.get("/itineraries/<itinerary_id>/quote")
@bp.arguments(QuoteQuerySchema, location="query", as_kwargs=True)
@bp.response(200, QuoteSchema)
@documents(bp, 400, 404)
def quote(itinerary_id: str, sizes: str | None = None, markup_pct: float | None = None):
    """The itinerary priced for each group size (default 2, 4, 10, 20, 30).

    Each row re-costs the same days with the transport that size uses (public services up to
    4 people, then a hired vehicle sized to the group), rooms of two, meals, tickets, a guide
    per vehicle and day at your agency's fee, your markup and VAT. Prices no source states
    are listed in ``unknown`` and not counted.
    """
    return jsonify(_quote(itinerary_id, sizes, markup_pct).to_dict())


@bp.get("/itineraries/<itinerary_id>/quote.xlsx")
@bp.arguments(QuoteQuerySchema, location="query", as_kwargs=True)
@bp.response(200, description="the quote as an .xlsx price sheet", content_type=XLSX)
@documents(bp, 400, 404)
def quote_xlsx(itinerary_id: str, sizes: str | None = None, markup_pct: float | None = None):
    """The quote as a price sheet: one row per group size."""
    found = _quote(itinerary_id, sizes, markup_pct)
    body = price_sheet([(itinerary_id, found)], title=f"Bảng giá / Price sheet {itinerary_id}")
    return Response(
        body,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="quote-{itinerary_id}.xlsx"'},
    )
