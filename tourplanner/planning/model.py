"""A TourRequest becomes a solver Problem: candidates, prizes, windows, nights, modes, travel.

* **Candidates**: every must-visit and pin, then the most valuable attractions for this
  traveller; a bay's day routes stand for the bay (its head record is not planned itself), and
  places that lie inside another one (``part_of``: a cave on a route, a pagoda on Yên Tử) come
  with it. A must-visit bay (or a sight seen only on its routes) asks for one of its routes or a
  night on its cruise (``Problem.must_any``).
* **Prizes** from :mod:`tourplanner.planning.prizes`; **kinds** and the diminishing returns too.
* **Windows** from each date's opening hours, or a product's departures; long visits and
  products with lunch on board hold the lunch break.
* **Nights**: every hub with lodging, priced at the requested tier, and every overnight cruise
  (board by its time, leave the boat the next morning, meals and the bay on board).
* **Modes**: a hired vehicle sized to the group, and for up to four travellers (``transport``
  ``auto``) or on request (``public``) public services; each with the day's matrices of
  minutes, km, money for the group and the timetabled pairs (:mod:`tourplanner.travel`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

import numpy as np

import solver
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import LODGING_TIERS
from tourplanner.catalogue.models import Place
from tourplanner.planning import notices
from tourplanner.planning import pricing
from tourplanner.planning import prizes as value_model
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.request import TourRequest
from tourplanner.travel.modes import PRIVATE
from tourplanner.travel.modes import PUBLIC
from tourplanner.travel.modes import PUBLIC_LEAN

log = logging.getLogger(__name__)

DAY = 1440


@dataclass(frozen=True, slots=True)
class Pace:
    """How a pace shapes the days."""

    visit_factor: float
    max_stops: int
    lunch_minutes: int


PACES = {
    "relaxed": Pace(visit_factor=1.25, max_stops=3, lunch_minutes=75),
    "normal": Pace(visit_factor=1.0, max_stops=5, lunch_minutes=60),
    "packed": Pace(visit_factor=0.8, max_stops=7, lunch_minutes=45),
}
LUNCH_WINDOW = (11 * 60, 14 * 60)
#: visits at least this long hold the lunch break (food on site: a national park, Yên Tử)
LUNCH_INSIDE_FROM = 240
#: objective weights: prize units given up per minute of travel, and per VND spent by one
#: traveller (the group's money is shared out: a car hired by one person weighs fully on them;
#: docs/value-model.md says how the rate follows the region's package prices)
TRAVEL_WEIGHT = 0.15
MONEY_WEIGHT = 1 / 6_000
#: how much money weighs for a traveller of each lodging tier (the tier says the budget class:
#: a luxury traveller takes the 5★ cruise a backpacker would not)
MONEY_BY_TIER = {"budget": 1.5, "standard": 1.0, "comfort": 0.6, "luxury": 0.35}
#: must-visits weigh this much more in the search, so that night hubs near them rank first
#: (the itinerary reports their plain value)
MUST_BOOST = 5.0
#: the most valuable places of each province the request requires are always candidates
PER_REQUIRED_PROVINCE = 6
#: how many optional places the solver considers (the most valuable for this traveller)
MAX_CANDIDATES = 120
#: with transport "auto" a group of up to 4 takes public services; a hired vehicle is worth
#: it only on a day it adds at least this much value (about one major sight) beyond its money
PRIVATE_DAY_PENALTY = 80.0
#: the waking hours aboard an overnight cruise (boarding at noon to 22:00, 06:00 to landing at
#: 10:30): the bay's sights of a route, the sunset, the night and the sunrise. A night's
#: value is the bay's appeal times the square root of these hours, beyond the cap of a day
#: visit (a cruise holds more than a route: what a luxury traveller buys the bay for)
CRUISE_MINUTES = 870
#: areas one stays in (islands): see prizes.AREA_VISIT_FROM
AREA_VISIT_FROM = value_model.AREA_VISIT_FROM
AREA_VISIT_MINUTES = value_model.AREA_VISIT_MINUTES


class TravelModel(Protocol):
    """What planning needs from the travel network (see :mod:`tourplanner.services.travel_model`)."""

    def matrix(self, places: Sequence[Place], date: dt.date, mode: str, window: tuple[int, int]):
        """The travel matrix (:class:`tourplanner.travel.matrix.TravelMatrix`) between *places*
        on *date* for *mode*, with its timetabled pairs for departures in *window*."""

    def leg(self, origin: Place, destination: Place, depart: dt.datetime, mode: str) -> Leg | None:
        """The exact leg leaving at *depart*, or ``None`` when unreachable then."""

    def taxi(self):
        """The taxi tariff (:class:`tourplanner.travel.network.TaxiTariff`), or ``None``."""

    def island_of(self, place: Place) -> str | None:
        """The island *place* lies on (a network area of kind island), or ``None``."""

    def warnings(self) -> list[str]:
        """Degradations to report (e.g. the road-time server fell back to the network)."""


@dataclass
class Model:
    """The Problem built for a request, with what is needed to read its Solution back."""

    request: TourRequest
    problem: solver.Problem
    places: dict[str, Place]
    nodes: list[Place]
    prizes: dict[str, float]
    visit_minutes: dict[str, int]
    #: notices (:mod:`tourplanner.planning.notices`) of the festivals at the candidates
    festival_notes: list[dict] = field(default_factory=list)
    #: why each candidate is in the plan: "must", "interest:<name>", "festival"
    reasons: dict[str, list[str]] = field(default_factory=dict)
    #: the requested ids behind each ``must_any`` set (for the dropped list)
    wanted_any: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    modes: tuple[str, ...] = (PRIVATE,)


def transport_modes(request: TourRequest) -> tuple[str, ...]:
    """The ways of travelling the solver may choose from for *request*, per day."""
    public = (PUBLIC_LEAN, PUBLIC)  # short taxi rides only, or taxis where they save time
    if request.transport == "private":
        return (PRIVATE,)
    if request.transport == "public":
        return public
    if request.group_size <= pricing.PUBLIC_MAX_GROUP:
        return (*public, PRIVATE)
    return (PRIVATE,)


def _clock(minute_of_trip: int, start: dt.date) -> dt.datetime:
    return dt.datetime.combine(start, dt.time()) + dt.timedelta(minutes=minute_of_trip)


def visit_minutes(place: Place, pace: Pace, day_length: int) -> int:
    """Minutes the solver reserves for a visit of *place* at *pace* (a product's duration is
    fixed: the boat does not come back sooner)."""
    if place.product is not None:
        return place.product.duration_min
    base = place.visit_minutes or 60
    if base >= AREA_VISIT_FROM:  # an island: half a day of it (a night there counts too)
        return min(max(AREA_VISIT_MINUTES, round(AREA_VISIT_MINUTES * pace.visit_factor)),
                   int(day_length * 0.7))  # fmt: skip
    minutes = round(base * pace.visit_factor)
    if place.min_visit_minutes and base >= LUNCH_INSIDE_FROM and pace.visit_factor <= 1.0:
        # day-long outings come in shorter versions: at a normal pace plan the middle of the
        # range, at a packed pace the shortest
        shortest = place.min_visit_minutes
        minutes = shortest if pace.visit_factor < 1.0 else (base + shortest) // 2
    if place.min_visit_minutes:
        minutes = max(minutes, place.min_visit_minutes)
    if minutes > day_length * 0.7:  # a multi-day place: plan its shortest worthwhile visit
        minutes = min(place.min_visit_minutes or minutes, int(day_length * 0.7))
    return max(minutes, 15)


def parent_of(place: Place, catalogue: Catalogue) -> Place | None:
    """The attraction *place* lies inside, if any."""
    if place.part_of and place.part_of in catalogue.places:
        return catalogue.places[place.part_of]
    return None


def products_of(family: str, catalogue: Catalogue) -> list[Place]:
    """The products (day routes) of *family*."""
    return [p for p in catalogue.attractions() if p.product and p.product.family == family]


def cruises_of(family: str, catalogue: Catalogue) -> list[Place]:
    """The overnight cruises of *family*."""
    return [h for h in catalogue.hubs() if h.cruise is not None and h.cruise.family == family]


def alternatives(
    place_id: str, catalogue: Catalogue, travel: TravelModel | None = None
) -> set[str] | None:
    """What satisfies asking for *place_id*: the products and cruises of a bay (or of a sight
    seen only on its routes), or an island itself or a night at a hub on it; ``None`` when
    the place is planned itself and nothing else."""
    place = catalogue.places[place_id]
    if place.cruise is not None:  # asking for a cruise: a night aboard it
        return {place.id}
    if travel is not None and (place.visit_minutes or 0) >= AREA_VISIT_FROM:
        island = travel.island_of(place)
        if island is not None:
            hubs = {
                h.id
                for h in catalogue.hubs()
                if h.kind == "hub" and h.cruise is None and travel.island_of(h) == island
            }
            if hubs:
                return {place.id, *hubs}
    if products_of(place.id, catalogue):
        found = {p.id for p in products_of(place.id, catalogue)}
        return found | {c.id for c in cruises_of(place.id, catalogue)}
    seen_on = {
        p.id for p in catalogue.attractions() if p.product and place.id in p.product.visits
    } | {h.id for h in catalogue.hubs() if h.cruise and place.id in h.cruise.visits}
    if seen_on:
        return seen_on
    parent = parent_of(place, catalogue)
    if parent is not None:
        return alternatives(parent.id, catalogue) or {parent.id}
    return None


def _planned_alone(place: Place, catalogue: Catalogue) -> bool:
    """Whether *place* is a candidate of its own (not a bay with routes, not inside another)."""
    if parent_of(place, catalogue) is not None:
        return False
    return not products_of(place.id, catalogue)


def select_candidates(
    request: TourRequest, catalogue: Catalogue, travel: TravelModel | None = None
) -> tuple[list[Place], list]:
    """The attractions the solver may choose from, and the ``must_any`` sets of the request:
    every must-visit and pin (or its routes), then the most valuable places for this
    traveller."""
    chosen: dict[str, Place] = {}
    any_sets: list[tuple[str, frozenset[str]]] = []
    for pid in [*request.must_visit, *request.pins]:
        alts = alternatives(pid, catalogue, travel)
        if alts is None:
            chosen[pid] = catalogue.places[pid]
            continue
        any_sets.append((pid, frozenset(alts)))
        for alt in sorted(alts):  # a set: its order would change the problem per process
            place = catalogue.places[alt]
            if place.kind == "attraction":
                chosen[alt] = place
    optional = [
        p
        for p in catalogue.attractions()
        if p.id not in chosen and p.id not in request.exclude and _planned_alone(p, catalogue)
        and not any(p.product and p.product.family == e for e in request.exclude)
    ]  # fmt: skip
    secondary = value_model.secondary_components(catalogue.attractions())
    optional.sort(
        key=lambda p: (-value_model.prize(p, request.interests, False, p.id in secondary), p.id)
    )
    for province in request.provinces:  # a required province must have places to choose from
        local = [p for p in optional if province in (p.province, p.former_province)]
        for place in local[:PER_REQUIRED_PROVINCE]:
            chosen[place.id] = place
    for place in optional[: max(0, MAX_CANDIDATES - len(chosen))]:
        chosen.setdefault(place.id, place)
    return list(chosen.values()), any_sets


def _merge(windows: list[solver.TimeWindow]) -> list[solver.TimeWindow]:
    merged: list[solver.TimeWindow] = []
    for w in sorted(windows, key=lambda w: w.start_min):
        if merged and w.start_min <= merged[-1].end_min + 1:
            last = merged.pop()
            w = solver.TimeWindow(last.start_min, max(last.end_min, w.end_min))
        merged.append(w)
    return merged


def _windows(place: Place, request: TourRequest, days: list[solver.Day], visit: int) -> list:
    """Start windows of *place* over the trip (a pin holds it to its day)."""
    out = []
    pinned_day = request.pins.get(place.id)
    for d, date in enumerate(request.dates):
        if pinned_day is not None and d != pinned_day:
            continue
        opening = place.windows_on(date)
        if not opening:
            continue
        product = place.product
        if product is not None and product.departures:
            for t in product.departures:
                if any(o <= t <= c for o, c in opening):
                    lo = d * DAY + t
                    if days[d].start_min <= lo and lo + visit <= days[d].end_min:
                        out.append(solver.TimeWindow(lo, lo))
            continue
        spans = opening
        if product is not None and product.window is not None:
            first, last = product.window
            spans = [(max(o, first), min(c, last + visit)) for o, c in opening]
        for open_min, close_min in spans:
            lo = max(d * DAY + open_min, days[d].start_min)
            hi = min(d * DAY + close_min, days[d].end_min) - visit
            if product is not None and product.window is not None:
                hi = min(hi, d * DAY + product.window[1])
            if hi >= lo:
                out.append(solver.TimeWindow(lo, hi))
    return _merge(out)


def _travel(
    travel: TravelModel, nodes: list[Place], request: TourRequest, modes: tuple[str, ...]
) -> list[solver.Mode]:
    """One solver mode per transport mode, with the trip's matrices (timetables in trip
    minutes) and the money of each leg for the whole group."""
    group = request.group_size
    vehicle, count = pricing.vehicle_for(group)
    tariff = travel.taxi()
    taxis = pricing.taxis_for(group, tariff.seats if tariff else 4)
    out = []
    for mode in modes:
        matrices = []
        window = (request.day_start_min, request.day_end_min)
        for d, date in enumerate(request.dates):
            m = travel.matrix(nodes, date, mode, window)
            minutes = np.where(m.reachable, m.minutes, -1).astype(np.int64)
            km = np.where(m.reachable, np.nan_to_num(m.km, nan=0.0), np.nan)
            per_vehicle = m.vehicle_vnd if m.vehicle_vnd is not None else m.cost_vnd
            per_seat = m.seat_vnd if m.seat_vnd is not None else np.zeros_like(m.cost_vnd)
            if mode == PRIVATE:
                money = (np.nan_to_num(km) * vehicle.vnd_per_km + per_vehicle) * count
                money = money + per_seat * group
            else:
                # taxi rides: one for a road-only route, one at each end around a service
                road = np.nan_to_num(m.road_km if m.road_km is not None else km)
                rides = np.where(np.nan_to_num(m.scheduled_km) > 0, 2, 1)
                fares = pricing.taxi_fares(tariff, road / rides) * rides
                money = np.where(road > 0.05, fares, 0.0) * taxis + per_seat * group
            money = np.where(m.reachable, money, 0.0)
            timetable = None
            if m.timed_pairs is not None and len(m.timed_pairs):
                arrive = np.where(m.timed_arrive >= 0, m.timed_arrive + d * DAY, -1)
                timetable = solver.Timetable(
                    d * DAY + m.profile_first, m.profile_step, m.timed_pairs, arrive
                )
            matrices.append(solver.TravelMatrix(minutes, km, cost=money, timetable=timetable))
        day_minimum = vehicle.day_minimum_vnd * count if mode == PRIVATE else 0
        penalty = PRIVATE_DAY_PENALTY if mode == PRIVATE and len(modes) > 1 else 0.0
        out.append(solver.Mode(mode, tuple(matrices), day_minimum, penalty))
    return out


def _days(request: TourRequest, pace: Pace) -> list[solver.Day]:
    days = []
    for d in range(request.days):
        lo, hi = d * DAY + request.day_start_min, d * DAY + request.day_end_min
        lunch = None
        window_lo = max(lo, d * DAY + LUNCH_WINDOW[0])
        window_hi = min(hi, d * DAY + LUNCH_WINDOW[1])
        if window_hi - window_lo >= pace.lunch_minutes:
            lunch = solver.Lunch(window_lo, window_hi, pace.lunch_minutes)
        days.append(solver.Day(lo, hi, lunch))
    return days


def _hotels_for(tier: str, hotels: list[Place]) -> list[Place]:
    """The hubs where a traveller asking for *tier* sleeps: for comfort and luxury, those that
    offer that tier or a better one (a typical price is a standard hotel's), unless none does."""
    order = list(LODGING_TIERS)
    if order.index(tier) <= order.index("standard"):
        return hotels
    good = [h for h in hotels if any(order.index(t.tier) >= order.index(tier)
                                     for t in h.lodging_tiers)]  # fmt: skip
    return good or hotels


def _nights(request: TourRequest, catalogue: Catalogue, index: dict[str, int],
            hotels: list[Place], cruises: list[Place]) -> tuple:  # fmt: skip
    nights = []
    for n in range(request.days - 1):
        cands = [
            solver.Hub(
                h.id, index[h.id], pricing.lodging(h, request.lodging, request.group_size).vnd
            )
            for h in hotels
        ]
        for c in cruises:
            cruise = c.cruise
            assert cruise is not None
            head = catalogue.places.get(cruise.family)
            value = 0.0
            if head is not None:
                value = (
                    value_model.appeal(value_model.significance_for_plan(head))
                    * (CRUISE_MINUTES / 60) ** value_model.DURATION_EXPONENT
                    * value_model.interest_weight(head, request.interests)
                )
            cands.append(
                solver.Hub(
                    c.id,
                    index[c.id],
                    pricing.lodging(c, request.lodging, request.group_size).vnd,
                    prize=value,
                    arrive_by_min=n * DAY + cruise.board_min,
                    leave_from_min=(n + 1) * DAY + cruise.leave_min,
                    lunch_on_departure="brunch" in cruise.meals,
                    family=cruise.family,
                )
            )
        nights.append(tuple(cands))
    return tuple(nights)


def build_model(request: TourRequest, catalogue: Catalogue, travel: TravelModel) -> Model:
    """Turn *request* into a :class:`solver.Problem` over the catalogue and the network."""
    pace = PACES[request.pace]
    start = catalogue.places[request.start]
    end = catalogue.places[request.end_place]
    hubs = [h for h in catalogue.hubs() if h.lodging is not None or h.lodging_tiers]
    hotels = _hotels_for(request.lodging, [h for h in hubs if h.cruise is None])
    cruises = [h for h in hubs if h.cruise is not None and h.cruise.family not in request.exclude]
    candidates, any_sets = select_candidates(request, catalogue, travel)
    nodes: list[Place] = []
    index: dict[str, int] = {}
    for place in [start, end, *hotels, *cruises, *candidates]:
        if place.id not in index:
            index[place.id] = len(nodes)
            nodes.append(place)
    modes = transport_modes(request)
    solver_modes = _travel(travel, nodes, request, modes)
    days = _days(request, pace)
    day_length = request.day_end_min - request.day_start_min
    first, last = request.dates[0], request.dates[-1]
    forced = set(request.must_visit) | set(request.pins)
    forced_any = {pid for _, alts in any_sets for pid in alts}
    festival_notes: list[dict] = []
    prize_of: dict[str, float] = {}
    minutes_of: dict[str, int] = {}
    kinds: dict[str, str | None] = {}
    reasons: dict[str, list[str]] = {}
    places = []
    secondary = value_model.secondary_components(catalogue.attractions())
    for place in candidates:
        visit = visit_minutes(place, pace, day_length)
        festivals = place.festivals_between(first, last)
        value = value_model.prize(place, request.interests, bool(festivals), place.id in secondary)
        why = [f"interest:{i}" for i in request.interests
               if value_model.interest_weight(place, [i]) >= 1.0]  # fmt: skip
        if place.id in forced or place.id in forced_any:
            why.insert(0, "must")
        for festival, span_start, span_end in festivals:
            why.append("festival")
            festival_notes.append(
                notices.notice(
                    "festival",
                    place_id=place.id,
                    place=notices.names(place),
                    festival=notices.names(festival),
                    first=span_start.isoformat(),
                    last=span_end.isoformat(),
                )
            )
        reasons[place.id] = why
        prize_of[place.id] = value
        minutes_of[place.id] = visit
        kinds[place.id] = value_model.kind_of(place)
        lunch_inside = bool(place.product.lunch) if place.product else visit >= LUNCH_INSIDE_FROM
        places.append(
            solver.Place(
                id=place.id,
                node=index[place.id],
                prize=value * MUST_BOOST if place.id in forced else value,
                visit_min=visit,
                windows=tuple(_windows(place, request, days, visit)),
                cost=pricing.ticket_cost(place, request.group_size),
                province=place.province,
                quota_key=place.id if place.id in request.quotas else None,
                kind=kinds[place.id],
                family=place.product.family if place.product else None,
                lunch_inside=lunch_inside,
            )
        )
    groups = tuple(solver.Group(f"group-{g + 1}") for g in range(request.groups))
    quotas = tuple(
        solver.Quota(place_id, d, capacity)
        for place_id, capacity in request.quotas.items()
        for d in range(request.days)
    )
    nights = _nights(request, catalogue, index, hotels, cruises)
    # a set is met by a visit or by a night at one of its hubs (a one-day trip has no night)
    known = {p.id for p in places} | {h.id for night in nights for h in night}
    must_any = tuple(
        frozenset(a for a in alts if a in known) for _, alts in any_sets if alts & known
    )
    forced -= {pid for pid, _ in any_sets}  # met through their set, not on their own
    problem = solver.Problem(
        places=tuple(places),
        days=tuple(days),
        travel=solver_modes[0].travel,
        start_node=index[start.id],
        end_node=index[end.id],
        nights=nights,
        groups=groups,
        quotas=quotas,
        must_visit=frozenset(m for m in forced if m in {p.id for p in places}),
        exclude=frozenset(),
        required_provinces=frozenset(request.provinces),
        min_provinces=request.min_provinces or 0,
        budget=request.budget_vnd * request.group_size if request.budget_vnd is not None else None,
        max_drive_min_per_day=request.max_drive_minutes_per_day,
        max_stops_per_day=pace.max_stops,
        shared_places=False,
        travel_weight=TRAVEL_WEIGHT,
        money_weight=MONEY_WEIGHT * MONEY_BY_TIER[request.lodging] / request.group_size,
        modes=tuple(solver_modes),
        variety=value_model.variety_rules(prize_of, kinds, request.interests, request.days),
        must_any=must_any,
    )
    return Model(
        request,
        problem,
        {p.id: p for p in nodes},
        nodes,
        prize_of,
        minutes_of,
        festival_notes,
        reasons,
        any_sets,
        modes,
    )


def default_time_limit(request: TourRequest) -> float:
    """Seconds of search for *request* when it names none: longer trips get longer."""
    return min(0.5 + 0.4 * request.days * request.groups, 8.0)
