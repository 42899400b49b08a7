"""The planning service: a TourRequest becomes a solver Problem, the Solution an Itinerary.

Prizes come from the traveller's interests and each place's base value; time windows from the
opening hours on each actual date (weekday, season, lunar closures), raised for festivals on
trip days; pace sets visit lengths, lunch and stops per day; each night's hub is chosen among
the catalogue's hubs; transport is priced by the group's hired vehicle. Every solution is
checked by ``solver.validate`` before an itinerary is built from it, and the itinerary is
re-timed leg by leg with the network's exact timetables.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Protocol

import numpy as np

import solver
from tourplanner import pricing
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import Place
from tourplanner.errors import PlanningFailed
from tourplanner.errors import TourplannerError
from tourplanner.festivals import holidays_between
from tourplanner.itinerary import Costs
from tourplanner.itinerary import Itinerary
from tourplanner.itinerary import ItineraryDay
from tourplanner.itinerary import Leg
from tourplanner.itinerary import Stop
from tourplanner.tour_request import TourRequest

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
#: visits at least this long include the lunch break (a cruise, a mountain climb)
LUNCH_INCLUDED_FROM = 240
#: prize of a place that matches none of the traveller's interests, relative to one that does
OFF_INTEREST = 0.35
FESTIVAL_BOOST = 1.25
#: objective weights: prize units given up per minute of travel and per VND spent
TRAVEL_WEIGHT = 0.08
MONEY_WEIGHT = 1 / 250_000
#: must-visits weigh this much more in the search, so that night hubs near them rank first
#: (the itinerary reports their plain value)
MUST_BOOST = 5.0
#: the most valuable places of each province the request requires are always candidates
PER_REQUIRED_PROVINCE = 6
#: how many optional places the solver considers (the most valuable for this traveller)
MAX_CANDIDATES = 120


class TravelModel(Protocol):
    """What planning needs from the travel network (see :mod:`tourplanner.travel`)."""

    def matrix(self, places: Sequence[Place], date: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """Minutes (``solver.UNREACHABLE`` where no route) and km between *places* on *date*."""

    def leg(self, origin: Place, destination: Place, depart: dt.datetime) -> Leg | None:
        """The exact leg leaving at *depart*, or ``None`` when unreachable then."""

    def warnings(self) -> list[str]:
        """Degradations to report (e.g. the road-time server fell back to the network)."""


class PlannerBug(TourplannerError):
    """The solver returned a plan its own validator rejects. Logged; never shown as valid."""

    code = "planner_error"
    http_status = 500
    exit_code = 1


@dataclass
class Model:
    """The Problem built for a request, with what is needed to read its Solution back."""

    request: TourRequest
    problem: solver.Problem
    places: dict[str, Place]
    nodes: list[Place]
    prizes: dict[str, float]
    visit_minutes: dict[str, int]
    festival_notes: list[str] = field(default_factory=list)


def _clock(minute_of_trip: int, start: dt.date) -> dt.datetime:
    return dt.datetime.combine(start, dt.time()) + dt.timedelta(minutes=minute_of_trip)


def _iso(minute_of_trip: int, start: dt.date) -> str:
    return _clock(minute_of_trip, start).strftime("%Y-%m-%dT%H:%M")


#: tags that also count for an interest (a seafood market is cuisine, a pagoda spiritual)
INTEREST_TAGS = {
    "cuisine": {"seafood", "street-food", "night-market", "market", "food", "specialty"},
    "beach": {"swimming", "beach"},
    "spiritual": {"pagoda", "temple", "church", "cathedral", "pilgrimage"},
    "heritage": {"unesco", "world-heritage", "relic"},
    "nature": {"national-park", "karst", "cave", "bay", "hike"},
    "festival": {"festival"},
}
#: each further interest a place matches adds this share of its value
EXTRA_INTEREST = 0.25


def interest_weight(place: Place, interests: Sequence[str]) -> float:
    """How much *place* is worth to someone with *interests*, relative to its base value."""
    if not interests:
        return 1.0
    features = {*place.categories, *place.tags}
    matched = sum(1 for i in interests if i in features or features & INTEREST_TAGS.get(i, set()))
    if matched == 0:
        return OFF_INTEREST
    return 1.0 + EXTRA_INTEREST * (matched - 1)


def _visit_minutes(place: Place, pace: Pace, day_length: int) -> int:
    """Minutes the solver reserves for a visit of *place* at *pace*.

    A visit of half a day or more (a bay cruise, the Yên Tử climb) includes lunch, as those
    trips do in practice: the lunch break's length is taken off the visit so that the break
    can sit next to it instead of being squeezed into a leg.
    """
    base = place.visit_minutes or 60
    minutes = round(base * pace.visit_factor)
    if place.min_visit_minutes and base >= LUNCH_INCLUDED_FROM and pace.visit_factor <= 1.0:
        # Day-long outings (a 7-hour cruise) come in shorter versions: at a normal pace plan
        # the middle of the range, at a packed pace the shortest.
        shortest = place.min_visit_minutes
        minutes = shortest if pace.visit_factor < 1.0 else (base + shortest) // 2
    if place.min_visit_minutes:
        minutes = max(minutes, place.min_visit_minutes)
    if minutes > day_length * 0.7:  # a multi-day place: plan its shortest worthwhile visit
        minutes = min(place.min_visit_minutes or minutes, int(day_length * 0.7))
    if minutes >= LUNCH_INCLUDED_FROM:
        minutes -= pace.lunch_minutes
    return max(minutes, 15)


def _part_of_bay(place: Place, catalogue: Catalogue) -> bool:
    """A sight inside a bay that the bay cruise already covers (tagged with the bay's id)."""
    return any(
        tag in catalogue.places
        and catalogue.places[tag].kind == "attraction"
        and "bay" in catalogue.places[tag].categories
        for tag in place.tags
    )


def select_candidates(request: TourRequest, catalogue: Catalogue) -> list[Place]:
    """Return the attractions the solver may choose from: every must-visit and pin, then the
    most valuable places for this traveller (excluded places and bay sub-sights left out)."""
    forced = [*request.must_visit, *request.pins]
    chosen = {pid: catalogue.places[pid] for pid in forced}
    optional = [
        p
        for p in catalogue.attractions()
        if p.id not in chosen and p.id not in request.exclude and not _part_of_bay(p, catalogue)
    ]
    optional.sort(
        key=lambda p: (
            -(p.value or 0) * interest_weight(p, request.interests),
            p.id,
        )
    )
    for province in request.provinces:  # a required province must have places to choose from
        local = [p for p in optional if province in (p.province, p.former_province)]
        for place in local[:PER_REQUIRED_PROVINCE]:
            chosen[place.id] = place
    for place in optional[: max(0, MAX_CANDIDATES - len(chosen))]:
        chosen.setdefault(place.id, place)
    return list(chosen.values())


def build_model(request: TourRequest, catalogue: Catalogue, travel: TravelModel) -> Model:
    """Turn *request* into a :class:`solver.Problem` over the catalogue and the network."""
    pace = PACES[request.pace]
    start = catalogue.places[request.start]
    end = catalogue.places[request.end_place]
    hubs = [h for h in catalogue.hubs() if h.lodging is not None]
    candidates = select_candidates(request, catalogue)
    nodes: list[Place] = []
    index: dict[str, int] = {}
    for place in [start, end, *hubs, *candidates]:
        if place.id not in index:
            index[place.id] = len(nodes)
            nodes.append(place)

    dates = request.dates
    day_length = request.day_end_min - request.day_start_min
    matrices = []
    for date in dates:
        minutes, km = travel.matrix(nodes, date)
        matrices.append(solver.TravelMatrix(minutes, km))

    days = []
    for d in range(request.days):
        lo, hi = d * DAY + request.day_start_min, d * DAY + request.day_end_min
        lunch = None
        window_lo = max(lo, d * DAY + LUNCH_WINDOW[0])
        window_hi = min(hi, d * DAY + LUNCH_WINDOW[1])
        if window_hi - window_lo >= pace.lunch_minutes:
            lunch = solver.Lunch(window_lo, window_hi, pace.lunch_minutes)
        days.append(solver.Day(lo, hi, lunch))

    first, last = dates[0], dates[-1]
    forced = set(request.must_visit) | set(request.pins)
    festival_notes: list[str] = []
    prizes: dict[str, float] = {}
    visit_minutes: dict[str, int] = {}
    places = []
    for place in candidates:
        visit = _visit_minutes(place, pace, day_length)
        windows = []
        pinned_day = request.pins.get(place.id)
        for d, date in enumerate(dates):
            if pinned_day is not None and d != pinned_day:  # a pin holds the place to its day
                continue
            for open_min, close_min in place.windows_on(date):
                lo = max(d * DAY + open_min, days[d].start_min)
                hi = min(d * DAY + close_min, days[d].end_min) - visit
                if hi >= lo:
                    windows.append(solver.TimeWindow(lo, hi))
        prize = float(place.value or 1) * interest_weight(place, request.interests)
        for festival, span_start, span_end in place.festivals_between(first, last):
            prize *= FESTIVAL_BOOST
            festival_notes.append(
                f"{place.name_vi}: {festival.name_vi} ({span_start:%d/%m}–{span_end:%d/%m}) — "
                "đông khách, nên đi sớm / crowded, go early"
            )
        prizes[place.id] = prize
        visit_minutes[place.id] = visit
        places.append(
            solver.Place(
                id=place.id,
                node=index[place.id],
                prize=prize * MUST_BOOST if place.id in forced else prize,
                visit_min=visit,
                windows=tuple(_merge(windows)),
                cost=pricing.ticket_cost(place, request.group_size),
                province=place.province,
                quota_key=place.id if place.id in request.quotas else None,
            )
        )

    nights = tuple(
        tuple(
            solver.Hub(h.id, index[h.id], pricing.lodging_cost(h, request.group_size)) for h in hubs
        )
        for _ in range(request.days - 1)
    )
    groups = tuple(solver.Group(f"group-{g + 1}") for g in range(request.groups))
    quotas = tuple(
        solver.Quota(place_id, d, capacity)
        for place_id, capacity in request.quotas.items()
        for d in range(request.days)
    )
    vehicle, count = pricing.vehicle_for(request.group_size)
    problem = solver.Problem(
        places=tuple(places),
        days=tuple(days),
        travel=tuple(matrices),
        start_node=index[start.id],
        end_node=index[end.id],
        nights=nights,
        groups=groups,
        quotas=quotas,
        must_visit=frozenset(request.must_visit) | frozenset(request.pins),
        exclude=frozenset(),
        required_provinces=frozenset(request.provinces),
        min_provinces=request.min_provinces or 0,
        budget=request.budget_vnd * request.group_size if request.budget_vnd is not None else None,
        cost_per_km=float(vehicle.vnd_per_km * count),
        max_drive_min_per_day=request.max_drive_minutes_per_day,
        max_stops_per_day=pace.max_stops,
        shared_places=False,
        travel_weight=TRAVEL_WEIGHT,
        money_weight=MONEY_WEIGHT,
    )
    return Model(
        request, problem, {p.id: p for p in nodes}, nodes, prizes, visit_minutes, festival_notes
    )


def _merge(windows: list[solver.TimeWindow]) -> list[solver.TimeWindow]:
    merged: list[solver.TimeWindow] = []
    for w in sorted(windows, key=lambda w: w.start_min):
        if merged and w.start_min <= merged[-1].end_min + 1:
            last = merged.pop()
            w = solver.TimeWindow(last.start_min, max(last.end_min, w.end_min))
        merged.append(w)
    return merged


def default_time_limit(request: TourRequest) -> float:
    """Seconds of search for *request* when it names none: longer trips get longer."""
    return min(0.5 + 0.4 * request.days * request.groups, 8.0)


DROP_TEXT = {
    solver.DropReason.CLOSED: (
        "đóng cửa trong những ngày của chuyến đi",
        "closed on every day of the trip",
    ),
    solver.DropReason.CANNOT_FIT: (
        "không xếp vừa lịch trình (thời gian đi lại, giờ mở cửa)",
        "cannot fit the days (travel time and opening hours)",
    ),
    solver.DropReason.OVER_BUDGET: ("vượt ngân sách", "over budget"),
    solver.DropReason.QUOTA_FULL: ("hết suất trong ngày", "quota full on the open days"),
    solver.DropReason.UNREACHABLE: (
        "không có phương tiện tới được vào những ngày này",
        "unreachable on these days (no crossing runs)",
    ),
    solver.DropReason.EXCLUDED: ("bị loại theo yêu cầu", "excluded by the request"),
    solver.DropReason.NOT_SELECTED: ("không được chọn", "not selected"),
}


def plan(
    request: TourRequest,
    catalogue: Catalogue,
    travel: TravelModel,
    *,
    on_progress: Callable[[solver.Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    seed: int = 0,
) -> Itinerary:
    """Plan *request*: build the problem, solve it, validate the solution, build the itinerary.

    :raise PlanningFailed: when no tour is feasible at all; the message says what to relax.
    :raise PlannerBug: when the solver's plan fails its own validator (logged).
    """
    started = time.perf_counter()
    model = build_model(request, catalogue, travel)
    params = solver.SolveParams(
        time_limit_s=request.time_limit_s or default_time_limit(request), seed=seed
    )
    solution = solver.solve(model.problem, params, on_progress=on_progress, should_stop=should_stop)
    if solution.status is solver.Status.INFEASIBLE or not solution.plans:
        raise PlanningFailed(_infeasible_message(request, solution))
    violations = solver.validate(model.problem, solution)
    if violations or solution.status is solver.Status.INVALID:
        log.error("invalid plan for %s: %s", request.to_dict(), violations)
        raise PlannerBug("the planner produced a plan that failed validation; this has been logged")
    return build_itinerary(model, solution, catalogue, travel, time.perf_counter() - started)


def _infeasible_message(request: TourRequest, solution: solver.Solution) -> str:
    hints = []
    if request.budget_vnd is not None:
        hints.append("raise the budget")
    if request.max_drive_minutes_per_day:
        hints.append("allow more driving per day")
    if request.must_visit:
        hints.append("drop a must-visit")
    hints.append("add a day or start earlier")
    reason = (solution.message or "no feasible tour").rstrip(". ")
    return f"{reason}. Try: {', '.join(hints)}."


def _stop(
    place: Place, kind: str, arrive: str, depart: str, cost: int = 0, value: float = 0.0
) -> Stop:
    return Stop(
        id=place.id,
        kind=kind,
        name_vi=place.name_vi,
        name_en=place.name_en,
        province=place.province,
        lat=place.lat,
        lon=place.lon,
        arrive=arrive,
        depart=depart,
        cost_vnd=cost,
        former_province=place.former_province,
        value=value,
    )


def _meal(
    group: int, day: int, where: Place, start: int, minutes: int, trip_start: dt.date, english: bool
) -> Stop:
    return Stop(
        id=f"meal-{group}-{day}",
        kind="meal",
        name_vi="Ăn trưa",
        name_en="Lunch",
        province=where.province,
        lat=where.lat,
        lon=where.lon,
        arrive=_iso(start, trip_start),
        depart=_iso(start + minutes, trip_start),
        note=f"near {where.name_en}" if english else f"gần {where.name_vi}",
    )


@dataclass
class _Totals:
    value: float = 0.0
    travel_minutes: int = 0
    drive_minutes: int = 0
    km: float = 0.0
    tickets: int = 0
    lodging: int = 0
    crossings: int = 0
    km_by_group: dict[int, float] = field(default_factory=dict)


class _Retimer:
    """Walks one group's day leg by leg with the exact timetables."""

    def __init__(
        self,
        model: Model,
        catalogue: Catalogue,
        travel: TravelModel,
        totals: _Totals,
        warnings: list[str],
        provinces: dict[str, None],
    ) -> None:
        self.model = model
        self.catalogue = catalogue
        self.travel = travel
        self.totals = totals
        self.warnings = warnings
        self.provinces = provinces
        self.request = model.request
        self.vehicles = pricing.vehicle_for(self.request.group_size)[1]
        self.english = self.request.language == "en"

    def _leg(self, a: Place, b: Place, t: int, d: int) -> Leg:
        start_date = self.request.start_date
        found = self.travel.leg(a, b, _clock(t, start_date))
        if found is None:
            self.warnings.append(
                f"{a.name_vi} → {b.name_vi}: không có chuyến vào giờ này / no crossing at that "
                "time; check the timetable"
            )
            i, j = self.model.nodes.index(a), self.model.nodes.index(b)
            minutes = max(int(self.model.problem.matrix(d).minutes[i, j]), 0)
            found = Leg(a.id, b.id, minutes, 0.0, ("road",))
        group_cost = found.toll_vnd * self.vehicles + found.fare_vnd * self.request.group_size
        return Leg(
            from_id=a.id,
            to_id=b.id,
            minutes=found.minutes,
            km=found.km,
            modes=found.modes,
            wait_minutes=found.wait_minutes,
            via=found.via,
            cost_vnd=group_cost,
            depart=_iso(t, start_date),
            arrive=_iso(t + found.minutes, start_date),
            toll_vnd=found.toll_vnd,
            fare_vnd=found.fare_vnd,
        )

    def _count(self, leg: Leg, group: int) -> None:
        totals = self.totals
        totals.travel_minutes += leg.minutes
        totals.drive_minutes += leg.minutes - leg.wait_minutes
        totals.km += leg.km
        totals.crossings += leg.cost_vnd
        totals.km_by_group[group] = totals.km_by_group.get(group, 0.0) + leg.km

    def day(self, plan_: solver.GroupPlan, route: solver.DayRoute, group: int) -> ItineraryDay:
        """Return the re-timed day *route* of *plan_*."""
        model, request, d = self.model, self.request, route.day
        start_date = request.start_date
        origin, finish = model.nodes[route.start_node], model.nodes[route.end_node]
        t = route.depart_min
        stops = [_stop(origin, "start", _iso(t, start_date), _iso(t, start_date))]
        legs: list[Leg] = []
        self.provinces[origin.province] = None
        lunch = model.problem.days[d].lunch
        lunch_pending = route.lunch_start_min is not None and lunch is not None
        previous = origin
        for visit in [*route.visits, None]:
            target = self.catalogue.places[visit.place_id] if visit else finish
            lunch_here = lunch_pending and (
                visit is None or route.lunch_start_min < visit.start_min
            )
            if lunch_here:
                # The solver takes lunch somewhere on this leg: eat where that point is nearer.
                span = self._leg(previous, target, t, d).minutes
                if route.lunch_start_min - t <= t + span - route.lunch_start_min:
                    meal_start = max(t, lunch.earliest_start_min)
                    stops.append(
                        _meal(
                            group,
                            d,
                            previous,
                            meal_start,
                            lunch.duration_min,
                            start_date,
                            self.english,
                        )
                    )
                    t = meal_start + lunch.duration_min
                    lunch_pending = False
            leg = self._leg(previous, target, t, d)
            legs.append(leg)
            self._count(leg, group)
            self.provinces[target.province] = None
            ready = t + leg.minutes
            if lunch_here and lunch_pending:
                meal_start = max(ready, lunch.earliest_start_min)
                stops.append(
                    _meal(
                        group, d, target, meal_start, lunch.duration_min, start_date, self.english
                    )
                )
                ready = meal_start + lunch.duration_min
                lunch_pending = False
            if visit is None:
                t = ready
                break
            begin = max(ready, visit.start_min)
            windows = model.problem.place(visit.place_id).windows or ()
            if windows and not any(w.start_min <= begin <= w.end_min for w in windows):
                self.warnings.append(
                    f"{target.name_vi}: theo giờ phà/tàu thực tế sẽ đến muộn hơn dự kiến / "
                    "exact crossing times make this visit late"
                )
            depart = begin + model.visit_minutes[target.id]
            cost = pricing.ticket_cost(target, request.group_size)
            self.totals.tickets += cost
            self.totals.value += model.prizes[target.id]
            stops.append(
                _stop(
                    target,
                    "attraction",
                    _iso(ready, start_date),
                    _iso(depart, start_date),
                    cost,
                    model.prizes[target.id],
                )
            )
            previous, t = target, depart
        if d == request.days - 1:
            stops.append(_stop(finish, "end", _iso(t, start_date), _iso(t, start_date)))
        else:
            night = self.catalogue.places[plan_.night_hubs[d]]
            cost = pricing.lodging_cost(night, request.group_size)
            self.totals.lodging += cost
            next_depart = plan_.days[d + 1].depart_min
            stops.append(
                _stop(night, "overnight", _iso(t, start_date), _iso(next_depart, start_date), cost)
            )
        if t > d * DAY + request.day_end_min + 15:
            self.warnings.append(
                f"{(start_date + dt.timedelta(days=d)):%d/%m}: với giờ phà/tàu thực tế ngày kết thúc lúc "
                f"{_iso(t, start_date)[11:]} / with exact crossing times the day ends at {_iso(t, start_date)[11:]}"
            )
        return ItineraryDay(
            date=(start_date + dt.timedelta(days=d)).isoformat(),
            group=group,
            stops=tuple(stops),
            legs=tuple(legs),
        )


def build_itinerary(
    model: Model,
    solution: solver.Solution,
    catalogue: Catalogue,
    travel: TravelModel,
    solve_seconds: float,
) -> Itinerary:
    """Re-time the solution with exact timetables, price it, and explain what was left out."""
    request = model.request
    warnings: list[str] = []
    provinces: dict[str, None] = {}
    totals = _Totals()
    retimer = _Retimer(model, catalogue, travel, totals, warnings, provinces)
    days = [
        retimer.day(plan_, route, int(plan_.group_id.rsplit("-", 1)[1]) - 1)
        for plan_ in solution.plans
        for route in plan_.days
    ]
    travellers = request.group_size * request.groups
    vehicle_total = sum(
        pricing.vehicle_cost(totals.km_by_group.get(g, 0.0), request.days, request.group_size)
        for g in range(request.groups)
    )
    transport = vehicle_total + totals.crossings
    costs = Costs(
        tickets_vnd=totals.tickets,
        transport_vnd=transport,
        lodging_vnd=totals.lodging,
        per_person_vnd=pricing.per_person(totals.tickets + transport + totals.lodging, travellers),
        travellers=travellers,
    )
    if request.budget_vnd is not None and costs.per_person_vnd > request.budget_vnd:
        warnings.append(
            f"Chi phí ước tính {costs.per_person_vnd:,} ₫/người vượt ngân sách "
            f"{request.budget_vnd:,} ₫ (giá thuê xe tối thiểu theo ngày) / the estimated cost exceeds "
            "the budget (vehicle hire has a daily minimum)"
        )
    lang_en = request.language == "en"
    visited = {v for _, v in solution.visited()}
    wanted = set(request.must_visit) | set(request.pins)
    dropped: list[tuple[str, str]] = []
    for drop in solution.dropped:
        if drop.place_id in visited or drop.place_id not in wanted:
            continue
        vi, en = DROP_TEXT[drop.reason]
        dropped.append((drop.place_id, en if lang_en else vi))
    visited_places = [catalogue.places[p] for p in sorted(visited)]
    warnings.extend(solution.unmet)
    warnings.extend(
        n
        for n in model.festival_notes
        if any(n.startswith(p.name_vi + ":") for p in visited_places)
    )
    for holiday in holidays_between(request.start_date, request.dates[-1]):
        warnings.append(
            f"{holiday.date:%d/%m}: {holiday.name_vi} / {holiday.name_en} — "
            "đông khách, giá cao / crowds and higher prices"
        )
    unverified = sorted(p.name_vi for p in visited_places if "hours" in p.uncertain)
    if unverified:
        warnings.append(
            "Giờ mở cửa chưa kiểm chứng, nên gọi trước / opening hours not verified, call ahead: "
            + ", ".join(unverified)
        )
    warnings.extend(travel.warnings())
    return Itinerary(
        request=request.to_dict(),
        days=tuple(days),
        value=totals.value,
        travel_minutes=totals.travel_minutes,
        drive_minutes=totals.drive_minutes,
        km=totals.km,
        costs=costs,
        provinces=tuple(provinces),
        dropped=tuple(dict.fromkeys(dropped)),
        warnings=tuple(dict.fromkeys(warnings)),
        solve_seconds=solve_seconds,
    )
