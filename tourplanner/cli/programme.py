"""``tourplanner quote ID`` and ``tourplanner programme ID``: an itinerary's prices by group
size, and the tour programme sent to customers, from the terminal.

(In the layered layout this module belongs in ``tourplanner/cli/programme.py``.)
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tourplanner.api.keys import find_agency
from tourplanner.catalogue.service import get_catalogue
from tourplanner.cli.common import fail
from tourplanner.errors import TourplannerError
from tourplanner.exports.programme import money
from tourplanner.exports.programme import t
from tourplanner.i18n import N_
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.quote import Quote
from tourplanner.services.quote import parse_sizes
from tourplanner.services.quote import quote_itinerary
from tourplanner.services.quote import terms_of
from tourplanner.services.travel_model import get_travel_model


def _quote(itinerary_id: str, sizes: str | None, agency: str | None, **overrides) -> tuple:
    with current_app.extensions["tourplanner.storage.db"].session() as session:
        itinerary = load_itinerary(session, itinerary_id)
        row = find_agency(session, agency) if agency else None
        terms = terms_of(row, **overrides)
    quote = quote_itinerary(
        itinerary, parse_sizes(sizes, "--sizes"), get_catalogue(), get_travel_model(), terms
    )
    return itinerary, quote, terms


def quote_text(quote: Quote, lang: str = "vi") -> str:
    """The quote as an aligned table, one line per group size, in *lang*."""
    head = [
        t(key, lang)
        for key in (
            N_("quote.people"),
            N_("quote.vehicle"),
            N_("quote.per_person"),
            N_("quote.child"),
            N_("quote.single"),
            N_("quote.unknown"),
        )
    ]
    lines = [f"{head[0]:>6}  {head[1]:<24} {head[2]:>14} {head[3]:>14} {head[4]:>14}  {head[5]}"]
    for row in quote.rows:
        vehicle = t("quote.public", lang)
        if row.vehicle:
            name = row.vehicle["name_en" if lang == "en" else "name_vi"]
            vehicle = f"{row.vehicle['count']} × {name}" if row.vehicle["count"] > 1 else name
        single = money(row.single_supplement_vnd, lang)
        lines.append(
            f"{row.group_size:>6}  {vehicle:<24} {money(row.per_person_vnd, lang):>14} "
            f"{money(row.child_per_person_vnd, lang):>14} {single:>14}  "
            f"{', '.join(row.unknown) or '—'}"
        )
    terms = quote.terms
    lines.append(
        t(
            "quote.terms",
            lang,
            markup=f"{terms.markup_pct:g}",
            vat=f"{terms.vat_pct:g}",
            guide=money(terms.guide_vnd_per_day, lang),
        )
    )
    return "\n".join(lines)


@click.command("quote")
@click.argument("itinerary_id")
@click.option("--sizes", help="group sizes, e.g. 2,4,10,20,30 (the default)")
@click.option("--agency", help="the agency whose terms apply (name or id)")
@click.option("--markup", "markup_pct", type=float, help="markup in percent")
@click.option("--vat", "vat_pct", type=float, help="VAT in percent")
@click.option("--guide-per-day", "guide_vnd_per_day", type=int, help="guide fee, VND per day")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
@click.option("--json", "as_json", is_flag=True, help="print the quote as JSON")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="also write the quote as an .xlsx price sheet")  # fmt: skip
@with_appcontext
def quote_command(itinerary_id, sizes, agency, lang, as_json, xlsx, **overrides) -> None:
    """Price a saved itinerary for each group size: vehicle, rooms, meals, tickets, guide,
    markup and VAT; the price per person, a child's and the single-room supplement.

    Exit codes: 0 quoted, 2 bad input or unknown id (the message names the field).
    """
    try:
        _, quote, _ = _quote(itinerary_id, sizes, agency, **overrides)
    except TourplannerError as exc:
        fail(exc, as_json=as_json)
    if xlsx is not None:
        from tourplanner.exports.pricesheet import price_sheet

        xlsx.write_bytes(price_sheet([(itinerary_id, quote)]))
    if as_json:
        click.echo(json.dumps(quote.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(quote_text(quote, lang))


@click.command("programme")
@click.argument("itinerary_id")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the PDF file to write")  # fmt: skip
@click.option("--sizes", help="group sizes of the price table (default 2,4,10,20,30)")
@click.option("--agency", help="the agency whose name, logo, contact and terms apply")
@with_appcontext
def programme_command(itinerary_id, lang, out, sizes, agency) -> None:
    """Write the tour programme of a saved itinerary as a PDF: days with meals and nights,
    what the price includes and not, prices by group size, child policy, notes, route map.

    Exit codes: 0 written, 2 bad input or unknown id.
    """
    from tourplanner.exports.programme import build_programme
    from tourplanner.exports.programme import programme_pdf
    from tourplanner.web.programme_views import route_svg

    try:
        itinerary, quote, terms = _quote(itinerary_id, sizes, agency)
    except TourplannerError as exc:
        fail(exc)
    programme = build_programme(itinerary, quote, terms, lang)
    out.write_bytes(programme_pdf(programme, route_svg(itinerary, lang)))
    click.echo(f"{out}: {programme.title} ({programme.code})")
