"""A validated Solution becomes an Itinerary: exact legs, meals, nights, costs and warnings.

The solver timed every day with the timetables (its arrivals can always be met), so each leg
is re-timed from the solver's departure with the exact timetables of its mode and reaches the
next stop no later than planned; the visit then starts at the planned time. Lunch is placed
where the solver placed it: at a stop, inside a visit that holds it (on board, on site), at the
night's hub or on board before leaving. Costs count what the group pays for the way it travels
each day (the hired vehicle's day with its minimum and tolls, or seats and taxi rides), the
tickets, the nights at the requested tier, and the meals not included in a product or cruise;
prices no source states are listed, never counted as 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from dataclasses import field

import solver
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import Place
from tourplanner.festivals import holidays_between
from tourplanner.planning import pricing
from tourplanner.planning.itinerary import Costs
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.itinerary import ItineraryDay
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.itinerary import Stop
from tourplanner.planning.model import DAY
from tourplanner.planning.model import Model
from tourplanner.planning.model import TravelModel
from tourplanner.travel.modes import PUBLIC
from tourplanner.travel.modes import is_public

log = logging.getLogger(__name__)

DROP_TEXT = {
    solver.DropReason.CLOSED: (
        "đóng cửa trong những ngày của chuyến đi",
        "closed on every day of the trip",
    ),
    solver.DropReason.CANNOT_FIT: (
        "không xếp vừa lịch trình (thời gian đi lại, giờ mở cửa, giờ tàu xe)",
        "cannot fit the days (travel time, opening hours and departures)",
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


def _iso(minute_of_trip: int, start: dt.date) -> str:
    return _clock(minute_of_trip, start).strftime("%Y-%m-%dT%H:%M")


def _clock(minute_of_trip: int, start: dt.date) -> dt.datetime:
    return dt.datetime.combine(start, dt.time()) + dt.timedelta(minutes=minute_of_trip)


def _minute(text: str, start: dt.date) -> int:
    moment = dt.datetime.fromisoformat(text)
    return round((moment - dt.datetime.combine(start, dt.time())).total_seconds() / 60)


@dataclass
class _Totals:
    value: float = 0.0
    travel_minutes: int = 0
    drive_minutes: int = 0
    km: float = 0.0
    tickets: int = 0
    lodging: int = 0
    meals: int = 0
    transport: int = 0
    unknown: list[str] = field(default_factory=list)


class _Day:
    """Builds one group-day of the itinerary from the solver's route."""

    def __init__(self, model: Model, catalogue: Catalogue, travel: TravelModel,
                 totals: _Totals, warnings: list[str], provinces: dict[str, None]) -> None:  # fmt: skip
        self.model = model
        self.catalogue = catalogue
        self.travel = travel
        self.totals = totals
        self.warnings = warnings
        self.provinces = provinces
        self.request = model.request
        self.english = self.request.language == "en"

    def text(self, vi: str, en: str) -> str:
        return en if self.english else vi

    def _stop(self, place: Place, kind: str, arrive: int, depart: int, **extra) -> Stop:
        start = self.request.start_date
        return Stop(
            id=place.id,
            kind=kind,
            name_vi=place.name_vi,
            name_en=place.name_en,
            province=place.province,
            lat=place.lat,
            lon=place.lon,
            arrive=_iso(arrive, start),
            depart=_iso(depart, start),
            former_province=place.former_province,
            **extra,
        )

    def _span(self, start: int, minutes: int) -> str:
        """``12:00–13:00`` of trip minutes."""
        begin = self.request.start_date
        return f"{_iso(start, begin)[11:]}–{_iso(start + minutes, begin)[11:]}"

    def _meal(self, g: int, d: int, where: Place, start: int, minutes: int, note: str) -> Stop:
        begin = self.request.start_date
        return Stop(
            id=f"meal-{g}-{d}",
            kind="meal",
            name_vi="Ăn trưa",
            name_en="Lunch",
            province=where.province,
            lat=where.lat,
            lon=where.lon,
            arrive=_iso(start, begin),
            depart=_iso(start + minutes, begin),
            note=note,
        )

    def _leg(self, a: Place, b: Place, t: int, arrive_by: int, mode: str, d: int) -> Leg:
        """The exact leg leaving *a* at trip minute *t* by *mode* (planned to arrive by
        *arrive_by*)."""
        start = self.request.start_date
        found = self.travel.leg(a, b, _clock(t, start), mode)
        group = self.request.group_size
        if found is None:
            # the solver's timetables say this leg runs; the exact router disagrees (a bug)
            log.error("no exact leg %s -> %s at %s (%s)", a.id, b.id, _iso(t, start), mode)
            minutes = max(arrive_by - t, 0)
            return Leg(a.id, b.id, minutes, 0.0, ("road",), depart=_iso(t, start),
                       arrive=_iso(t + minutes, start), mode=mode)  # fmt: skip
        arrive = t + found.minutes
        if arrive > arrive_by:
            log.error("exact leg %s -> %s arrives %d min after the plan", a.id, b.id,
                      arrive - arrive_by)  # fmt: skip
        tariff = self.travel.taxi()
        taxis = pricing.taxis_for(group, tariff.seats if tariff else 4)
        vehicles = pricing.vehicle_for(group)[1]
        taxi_vnd = sum(s["vehicle_vnd"] for s in found.services if s["kind"] == "taxi")
        tolls = sum(s["vehicle_vnd"] for s in found.services if s["kind"] == "hired_vehicle")
        seats = sum(s["fare_per_person_vnd"] for s in found.services)
        group_cost = seats * group + taxi_vnd * taxis + tolls * vehicles
        per_person = seats + (taxi_vnd * taxis + tolls * vehicles) / group
        for s in found.services:
            if s["fare_unknown"]:
                name = s["name_en"] if self.english else s["name_vi"]
                self.totals.unknown.append(f"fare:{name or s['kind']}")
        return dataclasses.replace(
            found,
            cost_vnd=int(group_cost),
            depart=_iso(t, start),
            arrive=_iso(arrive, start),
            fare_per_person_vnd=int(-(-per_person // 1000) * 1000) if per_person else 0,
        )

    def build(self, plan: solver.GroupPlan, route: solver.DayRoute, g: int) -> ItineraryDay:
        model, request, d = self.model, self.request, route.day
        begin = request.start_date
        nodes = model.nodes
        origin, finish = nodes[route.start_node], nodes[route.end_node]
        mode = route.mode
        lunch = model.problem.days[d].lunch
        ls = route.lunch_start_min
        dur = lunch.duration_min if lunch is not None else 0
        stops = [self._stop(origin, "start", route.depart_min, route.depart_min)]
        legs: list[Leg] = []
        self.provinces[origin.province] = None
        t = route.depart_min
        previous = origin
        lunch_done = ls is None
        for visit in [*route.visits, None]:
            target = self.catalogue.places[visit.place_id] if visit else finish
            planned_arrive = visit.arrive_min if visit else route.return_min
            if (
                not lunch_done
                and ls < planned_arrive
                and (visit is None or route.lunch_inside != visit.place_id)
            ):
                # eaten here before leaving (the solver's lunch starts before it travels on)
                stops.append(self._meal(g, d, previous, ls, dur, self.text(
                    f"gần {previous.name_vi}", f"near {previous.name_en}")))  # fmt: skip
                t = max(t, ls + dur)
                lunch_done = True
            leg = self._leg(previous, target, t, planned_arrive, mode, d)
            legs.append(leg)
            self._count(leg)
            self.provinces[target.province] = None
            ready = _minute(leg.arrive, begin)
            if (
                not lunch_done
                and visit is not None
                and route.lunch_inside != visit.place_id
                and ls >= ready
                and ls + dur <= visit.start_min
            ):
                # eaten on arrival, before the visit: the stop is reached after lunch
                stops.append(self._meal(g, d, target, ls, dur, self.text(
                    f"gần {target.name_vi}", f"near {target.name_en}")))  # fmt: skip
                ready = ls + dur
                lunch_done = True
            if visit is None:
                t = ready
                break
            place = model.places[target.id]
            quote = pricing.ticket(place, request.group_size)
            self.totals.tickets += quote.vnd
            if quote.unknown:
                self.totals.unknown.append(f"ticket:{target.id}")
            self.totals.value += model.prizes.get(target.id, 0.0)
            includes = ()
            if place.product is not None:
                includes = tuple(
                    (self.catalogue.places[x].name_en if self.english else self.catalogue.places[x].name_vi)
                    for x in place.product.visits
                    if x in self.catalogue.places
                )  # fmt: skip
            stops.append(
                self._stop(
                    target, "attraction", ready, visit.depart_min,
                    cost_vnd=quote.vnd, value=model.prizes.get(target.id, 0.0),
                    ticket_unknown=quote.unknown, reasons=tuple(model.reasons.get(target.id, ())),
                    includes=includes,
                )
            )  # fmt: skip
            if not lunch_done and route.lunch_inside == visit.place_id:
                # the visit holds lunch (on board, at the site): said on the stop itself
                on_board = place.product is not None and place.product.lunch
                where = self.text(
                    "ăn trưa trên tàu" if on_board else "ăn trưa tại điểm tham quan",
                    "lunch on board" if on_board else "lunch at the site",
                )
                stops[-1] = dataclasses.replace(stops[-1], note=f"{where} {self._span(ls, dur)}")
                lunch_done = True
            previous, t = target, visit.depart_min
        lunch_at_end = not lunch_done
        self._meals(route, finish, d, lunch_at_end)
        if d == request.days - 1:
            stops.append(self._stop(finish, "end", t, t))
        else:
            stops.append(self._night(plan, d, t, finish))
        if lunch_at_end:  # at the night's hub (or on board) after arriving: said on that stop
            on_board = finish.cruise is not None and "lunch" in finish.cruise.meals
            where = self.text(
                "ăn trưa trên tàu" if on_board else "ăn trưa tại nơi nghỉ",
                "lunch on board" if on_board else "lunch at the hotel",
            )
            stops[-1] = dataclasses.replace(stops[-1], note=f"{where} {self._span(ls, dur)}")
        if t > d * DAY + request.day_end_min:
            log.error(
                "day %d of %s ends at %s after the asked end", d, plan.group_id, _iso(t, begin)
            )
        self._transport(route, legs, mode)
        return ItineraryDay(
            date=(begin + dt.timedelta(days=d)).isoformat(),
            group=g,
            stops=tuple(stops),
            legs=tuple(legs),
        )

    def _night(self, plan: solver.GroupPlan, d: int, t: int, hub: Place) -> Stop:
        request = self.request
        quote = pricing.lodging(hub, request.lodging, request.group_size)
        self.totals.lodging += quote.vnd
        if quote.unknown:
            self.totals.unknown.append(f"lodging:{hub.id}")
        tier = hub.tier(request.lodging)
        info = {
            "type": "cruise" if hub.cruise is not None else "hotel",
            "tier": tier.tier if tier is not None else "typical",
            "asked_tier": request.lodging,
            "example": tier.examples[0] if tier is not None and tier.examples else None,
            "unit_vnd": (
                tier.typical_vnd
                if tier is not None
                else (hub.lodging.typical_vnd if hub.lodging else None)
            ),  # fmt: skip
            "per": quote.unit,
            "count": (
                request.group_size
                if quote.unit == "person"
                else pricing.rooms_for(request.group_size)
            ),  # fmt: skip
            "total_vnd": quote.vnd,
            "uncertain": quote.uncertain,
            "meals": list(hub.cruise.meals) if hub.cruise is not None else [],
        }
        next_depart = plan.days[d + 1].depart_min
        return self._stop(hub, "overnight", t, next_depart, cost_vnd=quote.vnd, lodging=info)

    def _meals(self, route: solver.DayRoute, finish: Place, d: int, lunch_at_end: bool) -> None:
        """Lunch (unless a product with lunch holds it, or it is served on board) and dinner
        (unless the night is on a cruise), per person at the requested tier."""
        request = self.request
        model = self.model
        lunch_included = route.lunch_start_min is None  # brunch on board before leaving
        if route.lunch_inside is not None:
            place = model.places.get(route.lunch_inside)
            lunch_included = bool(place and place.product and place.product.lunch)
        if lunch_at_end and finish.cruise is not None and "lunch" in finish.cruise.meals:
            lunch_included = True
        if not lunch_included:
            quote = pricing.meal("lunch", request.lodging, request.group_size)
            self.totals.meals += quote.vnd
            if quote.unknown:
                self.totals.unknown.append("meal:lunch")
        if d < request.days - 1 and finish.cruise is None:
            quote = pricing.meal("dinner", request.lodging, request.group_size)
            self.totals.meals += quote.vnd
            if quote.unknown:
                self.totals.unknown.append("meal:dinner")

    def _count(self, leg: Leg) -> None:
        self.totals.travel_minutes += leg.minutes
        self.totals.drive_minutes += leg.minutes - leg.wait_minutes
        self.totals.km += leg.km

    def _transport(self, route: solver.DayRoute, legs: list[Leg], mode: str) -> None:
        """What the day's travel costs the group: the hired vehicle's day (per km, with its
        daily minimum) and tolls, or the seats and taxi rides; fares on top."""
        group = self.request.group_size
        fares = sum(leg.cost_vnd for leg in legs)
        if mode == "private":
            km = sum(s["km"] for leg in legs for s in leg.services if s["kind"] == "hired_vehicle")
            fares += pricing.hire_day(km, group)
        self.totals.transport += fares


def build_itinerary(
    model: Model,
    solution: solver.Solution,
    catalogue: Catalogue,
    travel: TravelModel,
    solve_seconds: float,
) -> Itinerary:
    """Re-time the solution with exact timetables, price it, and explain what was left out."""
    request = model.request
    english = request.language == "en"

    def text(vi: str, en: str) -> str:
        return en if english else vi

    warnings: list[str] = []
    provinces: dict[str, None] = {}
    totals = _Totals()
    builder = _Day(model, catalogue, travel, totals, warnings, provinces)
    days = [
        builder.build(plan_, route, int(plan_.group_id.rsplit("-", 1)[1]) - 1)
        for plan_ in solution.plans
        for route in plan_.days
    ]
    travellers = request.group_size * request.groups
    costs = Costs(
        tickets_vnd=totals.tickets,
        transport_vnd=totals.transport,
        lodging_vnd=totals.lodging,
        per_person_vnd=0,
        travellers=travellers,
        meals_vnd=totals.meals,
        unknown=tuple(dict.fromkeys(totals.unknown)),
    )
    costs = dataclasses.replace(
        costs, per_person_vnd=pricing.per_person(costs.total_vnd, travellers)
    )
    budget_total = costs.tickets_vnd + costs.transport_vnd + costs.lodging_vnd
    if (
        request.budget_vnd is not None
        and pricing.per_person(budget_total, travellers) > request.budget_vnd
    ):
        warnings.append(text(
            f"Chi phí ước tính {pricing.per_person(budget_total, travellers):,} ₫/người vượt ngân sách {request.budget_vnd:,} ₫",
            f"The estimated cost of {pricing.per_person(budget_total, travellers):,} VND per person exceeds the budget of {request.budget_vnd:,} VND",
        ))  # fmt: skip
    visited = {v for _, v in solution.visited()}
    nights = {h for plan_ in solution.plans for h in plan_.night_hubs}
    wanted = set(request.must_visit) | set(request.pins)
    dropped: list[tuple[str, str]] = []
    for drop in solution.dropped:
        if drop.place_id in visited or drop.place_id not in wanted:
            continue
        vi, en = DROP_TEXT[drop.reason]
        dropped.append((drop.place_id, en if english else vi))
    for asked, alts in model.wanted_any:
        if not (alts & (visited | nights)):
            dropped.append((asked, text(DROP_TEXT[solver.DropReason.CANNOT_FIT][0],
                                        DROP_TEXT[solver.DropReason.CANNOT_FIT][1])))  # fmt: skip
    visited_places = [catalogue.places[p] for p in sorted(visited)]
    warnings.extend(_unmet_text(u, english) for u in solution.unmet if "none of" not in u)
    warnings.extend(
        n
        for n in model.festival_notes
        if any(n.startswith(p.name_vi + ":") for p in visited_places)
    )
    for holiday in holidays_between(request.start_date, request.dates[-1]):
        warnings.append(text(
            f"{holiday.date:%d/%m}: {holiday.name_vi} — đông khách, giá cao",
            f"{holiday.date:%d/%m}: {holiday.name_en} — crowds and higher prices",
        ))  # fmt: skip
    unverified = sorted((p.name_en if english else p.name_vi) for p in visited_places
                        if "hours" in p.uncertain)  # fmt: skip
    if unverified:
        warnings.append(text(
            "Giờ mở cửa chưa kiểm chứng, nên gọi trước: ",
            "Opening hours not verified, call ahead: ",
        ) + ", ".join(unverified))  # fmt: skip
    if costs.unknown:
        warnings.append(text(
            "Một số giá chưa rõ nên chưa tính vào tổng: ", "Some prices are unknown and not counted: "
        ) + ", ".join(_unknown_text(u, catalogue, english) for u in costs.unknown))  # fmt: skip
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
        extra={
            "modes": list(dict.fromkeys(PUBLIC if is_public(m) else m for m in model.modes)),
            "lodging": request.lodging,
            "transport": request.transport,
            "vehicle": _vehicle(request, days),
        },
    )


def _vehicle(request, days) -> dict | None:
    """The hired vehicle(s) of the trip's private days (``None``: no private day)."""
    private = [d.date for d in days if any(leg.mode == "private" for leg in d.legs)]
    if not private:
        return None
    vehicle, count = pricing.vehicle_for(request.group_size)
    return {
        "id": vehicle.id,
        "name_vi": vehicle.name_vi,
        "name_en": vehicle.name_en,
        "seats": vehicle.seats,
        "count": count,
        "vnd_per_km": vehicle.vnd_per_km,
        "day_minimum_vnd": vehicle.day_minimum_vnd,
        "uncertain": vehicle.uncertain,
        "year": vehicle.year,
        "days": private,
    }


def _unmet_text(message: str, english: bool) -> str:
    return message


def _unknown_text(key: str, catalogue: Catalogue, english: bool) -> str:
    kind, _, what = key.partition(":")
    if kind in ("ticket", "lodging") and what in catalogue.places:
        place = catalogue.places[what]
        name = place.name_en if english else place.name_vi
        return (f"vé {name}" if not english else f"ticket of {name}") if kind == "ticket" else name
    if kind == "meal":
        return {"lunch": ("bữa trưa", "lunch"), "dinner": ("bữa tối", "dinner")}[what][int(english)]
    return what
