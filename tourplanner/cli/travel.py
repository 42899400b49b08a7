"""``tourplanner travel FROM TO``: print one leg of the regional network."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from tourplanner.cli.common import fail
from tourplanner.errors import FieldError
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import TourplannerError
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_

if TYPE_CHECKING:
    from tourplanner.travel.attach import Point
    from tourplanner.travel.legs import Leg
    from tourplanner.travel.network import Network

#: departure time used when --depart is not given
DEFAULT_DEPART = dt.time(8, 0)


def _parse_depart(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.combine(dt.date.today(), DEFAULT_DEPART)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            [FieldError("depart", Reason.of(N_("reason.not_a_datetime"), value=repr(text)))]
        ) from None


def _resolve(name: str, network: Network) -> Point:
    """Resolve *name* in the catalogue (id, any-diacritics name), else as a network node id."""
    from tourplanner.catalogue.service import get_catalogue
    from tourplanner.travel.attach import Point

    try:
        place = get_catalogue().resolve(name, prefer=("hub", "gateway"))
    except NotFound:
        node = network.nodes.get(name)
        if node is None:
            raise
        return Point(node.id, node.name_vi, node.lat, node.lon)
    return Point(place.id, place.name_vi, place.lat, place.lon)


def _describe(result: Leg, origin: Point, destination: Point) -> list[str]:
    lines = [
        f"{origin.name} ({origin.id}) → {destination.name} ({destination.id})",
        f"depart {result.depart:%Y-%m-%d %H:%M}, arrive {result.arrive:%Y-%m-%d %H:%M}: "
        f"{result.minutes} min, of which {result.wait_minutes} min waiting",
        f"{result.km:.1f} km; modes: {', '.join(result.modes) or '-'}; "
        f"cost {result.cost_vnd:,} VND (tolls {result.toll_vnd:,} per car, "
        f"fares {result.fare_vnd:,} per person)",
    ]
    if result.via:
        lines.append("via: " + "; ".join(result.via))
    for step in result.steps:
        wait = f" (wait {step.wait_minutes} min)" if step.wait_minutes else ""
        label = step.name or step.mode
        lines.append(
            f"  {step.depart:%H:%M}–{step.arrive:%H:%M}{wait} {label}: "
            f"{step.from_id} → {step.to_id}, {step.km:.1f} km"
        )
    if result.uncertain:
        lines.append("note: some figures on this route are estimates (marked uncertain)")
    return lines


@click.command("travel")
@click.argument("origin", metavar="FROM")
@click.argument("destination", metavar="TO")
@click.option(
    "--depart",
    metavar="DATETIME",
    help="local departure, e.g. 2027-03-06T08:00 (default today 08:00)",
)
@click.option("--scenario", metavar="NAME", help="a network scenario, e.g. without-ben-rung")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@with_appcontext
def travel_command(
    origin: str, destination: str, depart: str | None, scenario: str | None, as_json: bool
) -> None:
    """Print the travel leg from FROM to TO with the exact timetables.

    FROM and TO are catalogue places (id, Vietnamese name with or without diacritics, or
    English name) or network node ids. Exit codes: 0 ok, 2 bad input or unknown place,
    3 unreachable (e.g. no ferry leaves in time).
    """
    # imported here so that the app (and every other command) starts without numpy/scipy
    from tourplanner.travel.legs import leg
    from tourplanner.travel.network import default_network

    network = default_network()
    try:
        depart_at = _parse_depart(depart)
        network.scenario(scenario)
        a = _resolve(origin, network)
        b = _resolve(destination, network)
        result = leg(a, b, depart_at, scenario=scenario, network=network)
    except TourplannerError as exc:
        fail(exc, as_json=as_json)
        return
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    for line in _describe(result, a, b):
        click.echo(line)
