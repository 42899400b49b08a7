"""Quotes by group size: one saved itinerary re-costed for 2, 4, 10, 20, 30 … people.

For each size the same days are priced with the transport that size would use (public
services up to :data:`tourplanner.planning.pricing.PUBLIC_MAX_GROUP` people when the request said
``auto``, a hired vehicle sized to the group above; a day planned the other way is routed
again with the travel model at the leg's planned departure), the rooms of two, the meals,
the tickets, a guide per vehicle and day (the agency's fee), then the agency's markup and VAT.
A price no source states is listed in ``unknown`` and never counted as 0; an agency term that
is not set (the guide fee) is listed the same way.

(In the layered layout this module belongs in ``tourplanner/services/quote.py``.)
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.errors import FieldError
from tourplanner.errors import Grouped
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.planning import pricing
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.itinerary import ItineraryDay
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.model import TravelModel

DEFAULT_SIZES = (2, 4, 10, 20, 30)
MAX_SIZES = 12
MAX_GROUP = 200
#: children under this age travel free (they share their parents' bed and seat)
CHILD_FREE_UNDER = 5
#: children under this age (and from CHILD_FREE_UNDER) pay the child price: no bed of their own
CHILD_UNDER = 11
#: what a markup or VAT rate may be
MAX_PCT = 100.0
#: the highest guide fee per day, VND
MAX_GUIDE_VND = 100_000_000


@dataclass(frozen=True, slots=True)
class Terms:
    """An agency's terms of sale: guide fee, markup and VAT, and who it is.

    ``guide_vnd_per_day`` ``None`` means not set: the quote lists the guide as unknown.
    """

    guide_vnd_per_day: int | None = None
    markup_pct: float = 0.0
    vat_pct: float = 0.0
    agency_name: str = ""
    contact: str = ""
    logo_png: bytes | None = None

    def __post_init__(self) -> None:
        errors = []
        if self.guide_vnd_per_day is not None and not 0 <= self.guide_vnd_per_day <= MAX_GUIDE_VND:
            errors.append(
                FieldError(
                    "guide_vnd_per_day",
                    Reason.of(N_("reason.between"), min=0, max=Grouped(MAX_GUIDE_VND)),
                )
            )
        for name in ("markup_pct", "vat_pct"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value)) or not (
                0 <= value <= MAX_PCT
            ):
                errors.append(
                    FieldError(
                        name, Reason.of(N_("reason.number_between"), min=0, max=f"{MAX_PCT:g}")
                    )
                )
        if errors:
            raise ValidationError(errors)


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """The price of the tour for one group size; every amount in VND."""

    group_size: int
    transport: str
    vehicle: dict[str, Any] | None
    guides: int
    transport_vnd: int
    tickets_vnd: int
    lodging_vnd: int
    meals_vnd: int
    guide_vnd: int
    cost_vnd: int
    markup_vnd: int
    vat_vnd: int
    total_vnd: int
    per_person_vnd: int
    single_supplement_vnd: int | None
    child_per_person_vnd: int
    unknown: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON."""
        body = asdict(self)
        body["unknown"] = list(self.unknown)
        return body


@dataclass(frozen=True, slots=True)
class Quote:
    """Quotes of one itinerary for several group sizes, with the terms used."""

    itinerary_id: str | None
    days: int
    nights: int
    terms: Terms
    rows: tuple[QuoteRow, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The quote as JSON (the API's and ``tourplanner quote --json``'s answer)."""
        return {
            "itinerary_id": self.itinerary_id,
            "days": self.days,
            "nights": self.nights,
            "markup_pct": self.terms.markup_pct,
            "vat_pct": self.terms.vat_pct,
            "guide_vnd_per_day": self.terms.guide_vnd_per_day,
            "child_policy": {"free_under": CHILD_FREE_UNDER, "child_under": CHILD_UNDER},
            "rows": [r.to_dict() for r in self.rows],
        }


def parse_sizes(text: str | None, field_name: str = "sizes") -> tuple[int, ...]:
    """Read ``"2,4,10"`` into sorted distinct group sizes (the defaults when empty).

    :raise ValidationError: naming *field_name* for anything but 1–12 whole sizes of 1–200.
    """
    if text is None or not str(text).strip():
        return DEFAULT_SIZES
    sizes = []
    for part in str(text).split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= MAX_GROUP:
            raise ValidationError(
                [
                    FieldError(
                        field_name,
                        Reason.of(N_("reason.not_a_group_size"), value=repr(part), max=MAX_GROUP),
                    )
                ]
            )
        sizes.append(int(part))
    sizes = sorted(set(sizes))
    if len(sizes) > MAX_SIZES:
        raise ValidationError(
            [FieldError(field_name, Reason.of(N_("reason.at_most_sizes"), max=MAX_SIZES))]
        )
    return tuple(sizes)


def transport_for(request: dict[str, Any], group_size: int) -> str:
    """``public`` or ``private``: how a group of *group_size* travels under *request*."""
    asked = request.get("transport", "auto")
    if asked in ("public", "private"):
        return asked
    return "public" if group_size <= pricing.PUBLIC_MAX_GROUP else "private"


def _leg_cost(leg: Leg, group_size: int, taxi_seats: int) -> tuple[int, float]:
    """What *leg* costs a group of *group_size* (as the planner counts it) and its hired km."""
    taxis = pricing.taxis_for(group_size, taxi_seats)
    vehicles = pricing.vehicle_for(group_size)[1]
    taxi_vnd = sum(s.get("vehicle_vnd", 0) for s in leg.services if s["kind"] == "taxi")
    tolls = sum(s.get("vehicle_vnd", 0) for s in leg.services if s["kind"] == "hired_vehicle")
    seats = sum(s.get("fare_per_person_vnd", 0) for s in leg.services)
    km = sum(s.get("km", 0.0) for s in leg.services if s["kind"] == "hired_vehicle")
    return seats * group_size + taxi_vnd * taxis + tolls * vehicles, km


def _child_leg_cost(leg: Leg) -> int:
    """A child's seats and tickets on *leg* (the child fare where one is known)."""
    total = 0
    for s in leg.services:
        child = s.get("fare_child_vnd")
        total += child if child is not None else s.get("fare_per_person_vnd", 0)
    return total


class _Pricer:
    """Re-costs the days of one group of an itinerary for other group sizes."""

    def __init__(self, itinerary: Itinerary, catalogue: Catalogue, travel: TravelModel) -> None:
        self.itinerary = itinerary
        self.catalogue = catalogue
        self.travel = travel
        self.days = [d for d in itinerary.days if d.group == 0]
        self.request = itinerary.request
        self.tier = self.request.get("lodging", "standard")
        tariff = travel.taxi()
        self.taxi_seats = tariff.seats if tariff is not None else 4
        self._rerouted: dict[tuple[int, str], list[Leg] | None] = {}

    def day_legs(self, index: int, day: ItineraryDay, mode: str) -> list[Leg] | None:
        """The legs of *day* travelled by *mode* (routed again when planned otherwise)."""
        planned = {leg.mode for leg in day.legs}
        if not day.legs or planned == {mode}:
            return list(day.legs)
        key = (index, mode)
        if key not in self._rerouted:
            legs: list[Leg] | None = []
            for leg in day.legs:
                a = self.catalogue.places.get(leg.from_id)
                b = self.catalogue.places.get(leg.to_id)
                found = None
                if a is not None and b is not None and leg.depart:
                    found = self.travel.leg(a, b, dt.datetime.fromisoformat(leg.depart), mode)
                if found is None:
                    legs = None
                    break
                legs.append(found)
            self._rerouted[key] = legs
        return self._rerouted[key]

    def row(self, group_size: int, terms: Terms) -> QuoteRow:
        unknown: list[str] = []
        mode = transport_for(self.request, group_size)
        vehicle, vehicle_count = pricing.vehicle_for(group_size)
        transport = child_transport = seat_pp = 0
        private_days = 0
        for index, day in enumerate(self.days):
            legs = self.day_legs(index, day, mode)
            if legs is None:
                unknown.append(f"transport:{day.date}")
                continue
            km = 0.0
            for leg in legs:
                cost, hired_km = _leg_cost(leg, group_size, self.taxi_seats)
                transport += cost
                child_transport += _child_leg_cost(leg)
                seat_pp += sum(s.get("fare_per_person_vnd", 0) for s in leg.services)
                km += hired_km
                if leg.fare_unknown:
                    unknown.extend(
                        f"fare:{s.get('name_vi') or s['kind']}"
                        for s in leg.services
                        if s.get("fare_unknown")
                    )
            if mode == "private":
                private_days += 1
                transport += pricing.hire_day(km, group_size)
        tickets = child_tickets = 0
        lodging = single = 0
        single_known = True
        for day in self.days:
            for stop in day.stops:
                place = self.catalogue.places.get(stop.id)
                if stop.kind == "attraction":
                    if place is None:
                        unknown.append(f"ticket:{stop.id}")
                        continue
                    quote = pricing.ticket(place, group_size)
                    tickets += quote.vnd
                    if quote.unknown:
                        unknown.append(f"ticket:{stop.id}")
                    if place.ticket is not None and place.ticket.child_vnd is not None:
                        child_tickets += place.ticket.child_vnd
                    else:
                        child_tickets += quote.vnd // max(group_size, 1)
                elif stop.kind == "overnight":
                    if place is None:
                        unknown.append(f"lodging:{stop.id}")
                        continue
                    quote = pricing.lodging(place, self.tier, group_size)
                    lodging += quote.vnd
                    if quote.unknown:
                        unknown.append(f"lodging:{stop.id}")
                    if quote.unit == "room":
                        # alone in a room of two: the half the room-mate would have paid
                        room = pricing.lodging(place, self.tier, 1).vnd
                        single += room - room // 2
                    else:
                        single_known = False
        # meals: the planner counted them per person at the request's tier (over all groups)
        meals_pp = self.itinerary.costs.meals_vnd // max(self.itinerary.costs.travellers, 1)
        meals = meals_pp * group_size
        unknown.extend(u for u in self.itinerary.costs.unknown if u.startswith("meal:"))
        guides = vehicle_count if mode == "private" else 1
        day_count = len({d.date for d in self.days})
        if terms.guide_vnd_per_day is None:
            guide = 0
            unknown.append("guide")
        else:
            guide = terms.guide_vnd_per_day * day_count * guides
        cost = transport + tickets + lodging + meals + guide
        markup = round(cost * terms.markup_pct / 100)
        vat = round((cost + markup) * terms.vat_pct / 100)
        total = cost + markup + vat
        factor = (1 + terms.markup_pct / 100) * (1 + terms.vat_pct / 100)
        # a child (5-10): its own seats, tickets and meals, a share of the vehicles, taxis and
        # guide like an adult's, no bed of its own (it shares its parents' room)
        shared = transport - seat_pp * group_size + guide
        child_cost = shared / max(group_size, 1) + child_transport + child_tickets + meals_pp
        return QuoteRow(
            group_size=group_size,
            transport=mode,
            vehicle=(
                {
                    "id": vehicle.id,
                    "name_vi": vehicle.name_vi,
                    "name_en": vehicle.name_en,
                    "seats": vehicle.seats,
                    "count": vehicle_count,
                }
                if mode == "private" and private_days
                else None
            ),
            guides=guides,
            transport_vnd=transport,
            tickets_vnd=tickets,
            lodging_vnd=lodging,
            meals_vnd=meals,
            guide_vnd=guide,
            cost_vnd=cost,
            markup_vnd=markup,
            vat_vnd=vat,
            total_vnd=total,
            per_person_vnd=pricing.per_person(total, group_size),
            single_supplement_vnd=(
                pricing.per_person(round(single * factor), 1) if single_known else None
            ),
            child_per_person_vnd=pricing.per_person(round(child_cost * factor), 1),
            unknown=tuple(dict.fromkeys(unknown)),
        )


def quote_itinerary(
    itinerary: Itinerary,
    sizes: tuple[int, ...],
    catalogue: Catalogue,
    travel: TravelModel,
    terms: Terms | None = None,
) -> Quote:
    """Price *itinerary* (its first group's days) for each of *sizes*.

    Parameters
    ----------
    itinerary : a saved itinerary.
    sizes : group sizes, each 1–200 (see :func:`parse_sizes`).
    catalogue, travel : for the tickets and rooms, and the legs of days travelled otherwise.
    terms : the agency's guide fee, markup and VAT (none set: no markup, no VAT, guide unknown).
    """
    terms = terms or Terms()
    pricer = _Pricer(itinerary, catalogue, travel)
    dates = {d.date for d in pricer.days}
    nights = sum(1 for d in pricer.days for s in d.stops if s.kind == "overnight")
    rows = tuple(pricer.row(n, terms) for n in sizes)
    return Quote(itinerary.id, len(dates), nights, terms, rows)


def terms_of(agency: Any | None, **overrides: Any) -> Terms:
    """The :class:`Terms` of an agency row (``tourplanner.storage.agencies.AgencyRow``; ``None``:
    no agency), with *overrides* that are not ``None`` (``markup_pct=20`` from a request).

    :raise ValidationError: when an override is out of range (named by its field).
    """
    values: dict[str, Any] = {}
    if agency is not None:
        values = {
            "guide_vnd_per_day": agency.guide_vnd_per_day,
            "markup_pct": agency.markup_pct or 0.0,
            "vat_pct": agency.vat_pct or 0.0,
            "agency_name": agency.name,
            "contact": agency.contact or "",
            "logo_png": agency.logo_png,
        }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Terms(**values)
