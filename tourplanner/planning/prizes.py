"""The value model of a plan: what each experience is worth to this traveller.

See docs/value-model.md. In short, a place's prize is

    appeal (significance² / 60, significance 20..100 from citable evidence:
    tourplanner/value.py; a serial World Heritage property's secondary components count less
    for the inscription)
  x duration weight (hours of the experience ** 0.5: a 4-hour bay route is worth twice a
    1-hour temple of the same significance, not four times)
  x interest weight (1 for a place matching the traveller's interests, +25 % per further
    interest matched, 0.35 for a place matching none)
  x festival boost (1.25 while one of its festivals runs on a trip day)

and the solver adds diminishing returns (:func:`variety_rules`): the 2nd, 3rd and 4th place of
one kind in a day lose 35 %, 60 % and 100 % of that kind's typical prize, at most 3 of a kind
fit a day (4 when the traveller asked for that kind, at half the penalties), and each place of
a kind beyond ``max(2, days)`` in the whole trip loses another 25 %.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from collections.abc import Sequence

import solver
from tourplanner.catalogue.models import Place
from tourplanner.catalogue.value import BASE
from tourplanner.catalogue.value import UNESCO_POINTS

#: a serial World Heritage property's secondary components count this many points for the
#: inscription (instead of the full points), and a component drawing this many visitors a year
#: is never secondary
SERIAL_COMPONENT_POINTS = 12
ICON_VISITORS = 1_000_000
#: appeal grows with the square of significance; a place of this significance keeps its score
APPEAL_PIVOT = 60.0
#: a place whose typical visit is this long is an area one stays in (an island): a visit
#: plans half a day of it, and asking for it is also met by a night on it
AREA_VISIT_FROM = 720
AREA_VISIT_MINUTES = 240
#: an experience's weight grows with the square root of its hours, within these bounds
DURATION_EXPONENT = 0.5
DURATION_BOUNDS = (0.6, 2.6)
#: prize of a place that matches none of the traveller's interests, relative to one that does
OFF_INTEREST = 0.35
#: each further interest a place matches adds this share of its value
EXTRA_INTEREST = 0.25
FESTIVAL_BOOST = 1.25
#: diminishing returns in one day: shares of the kind's typical prize lost by its 2nd, 3rd,
#: 4th (and every further) place
DAY_PENALTIES = (0.35, 0.6, 1.0)
DAY_CAP = 3
#: ... when the traveller asked for that kind: half the penalties, one more place
ASKED_FACTOR = 0.5
ASKED_CAP = 4
#: over the trip: places of a kind beyond max(TRIP_FREE_MIN, days) lose this share each
TRIP_FREE_MIN = 2
TRIP_PENALTY = 0.25

#: tags that also count for an interest (a seafood market is cuisine, a pagoda spiritual)
INTEREST_TAGS = {
    "cuisine": {"seafood", "street-food", "night-market", "market", "food", "specialty"},
    "beach": {"swimming", "beach"},
    "spiritual": {"pagoda", "temple", "church", "cathedral", "pilgrimage"},
    "heritage": {"unesco", "world-heritage", "relic"},
    "nature": {"national-park", "karst", "cave", "bay", "hike"},
    "festival": {"festival"},
}

#: kinds of places for the diminishing returns, the first that matches wins, with the
#: categories or tags that make a place that kind and the interests that ask for it
KINDS: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = (
    ("beach", frozenset({"beach", "swimming"}), frozenset({"beach"})),
    ("museum", frozenset({"museum"}), frozenset({"museum"})),
    (
        "worship",
        frozenset({"spiritual", "pagoda", "temple", "church", "cathedral"}),
        frozenset({"spiritual", "pagoda", "temple", "pilgrimage"}),
    ),
    ("village", frozenset({"village"}), frozenset({"village"})),
    (
        "market",
        frozenset({"shopping", "market", "night-market"}),
        frozenset({"shopping", "cuisine", "market"}),
    ),
    ("water", frozenset({"bay", "island"}), frozenset({"bay", "island"})),
    ("cave", frozenset({"cave"}), frozenset({"cave"})),
    ("nature", frozenset({"nature", "national-park", "hike"}), frozenset({"nature"})),
    ("heritage", frozenset({"heritage", "landmark", "relic"}), frozenset({"heritage", "landmark"})),
)


def kind_of(place: Place) -> str | None:
    """The kind of *place* for the diminishing returns (``None``: never discounted)."""
    features = {*place.categories, *place.tags}
    for kind, marks, _ in KINDS:
        if features & marks:
            return kind
    return None


def interest_weight(place: Place, interests: Sequence[str]) -> float:
    """How much *place* is worth to someone with *interests*, relative to its base value."""
    if not interests:
        return 1.0
    features = {*place.categories, *place.tags}
    matched = sum(1 for i in interests if i in features or features & INTEREST_TAGS.get(i, set()))
    if matched == 0:
        return OFF_INTEREST
    return 1.0 + EXTRA_INTEREST * (matched - 1)


def experience_minutes(place: Place) -> int:
    """How long the experience of *place* lasts (a product's duration, else its visit; an
    area one stays in, an island, is planned for half a day of it)."""
    if place.product is not None:
        return place.product.duration_min
    minutes = place.visit_minutes or 60
    return AREA_VISIT_MINUTES if minutes >= AREA_VISIT_FROM else minutes


def duration_weight(minutes: int) -> float:
    """The weight of an experience of *minutes* (1 for one hour)."""
    lo, hi = DURATION_BOUNDS
    return min(hi, max(lo, (max(minutes, 1) / 60.0) ** DURATION_EXPONENT))


def appeal(significance: float) -> float:
    """What a place of *significance* draws: significance x significance / :data:`APPEAL_PIVOT`
    (an icon of 95 weighs 150, a national relic of 50 weighs 42, an unranked place of 20 weighs
    7): travellers cross the region for the icons, not for one more local shrine."""
    return significance * significance / APPEAL_PIVOT


def secondary_components(places: Iterable[Place]) -> frozenset[str]:
    """The ids of the secondary components of serial World Heritage properties among
    *places*: a property's places other than its most significant ones and those drawing at
    least :data:`ICON_VISITORS` a year. Seeing one component of the Yên Tử – Vĩnh Nghiêm –
    Côn Sơn, Kiếp Bạc complex is seeing the property; its tenth pagoda is a pagoda."""
    by_property: dict[str, list[Place]] = {}
    for place in places:
        basis = place.value_basis
        if basis is not None and basis.unesco == "world_heritage" and basis.unesco_property:
            by_property.setdefault(basis.unesco_property, []).append(place)
    out = set()
    for members in by_property.values():
        best = max(p.value or 0 for p in members)
        for p in members:
            visitors = p.value_basis.visitors_per_year or 0
            if (p.value or 0) < best and visitors < ICON_VISITORS:
                out.add(p.id)
    return frozenset(out)


def significance_for_plan(place: Place, secondary: bool = False) -> float:
    """The place's significance as planning weighs it: a secondary component of a serial
    World Heritage property (:func:`secondary_components`) counts
    :data:`SERIAL_COMPONENT_POINTS` for the inscription instead of the full points."""
    value = float(place.value or BASE)
    if secondary:
        value -= UNESCO_POINTS["world_heritage"] - SERIAL_COMPONENT_POINTS
    return max(value, float(BASE))


def base_prize(place: Place, secondary: bool = False) -> float:
    """Appeal times duration weight: the value of the experience to anyone."""
    significance = significance_for_plan(place, secondary)
    return appeal(significance) * duration_weight(experience_minutes(place))


def prize(place: Place, interests: Sequence[str], festival: bool, secondary: bool = False) -> float:
    """The prize of *place* for this traveller (see the module docstring); *secondary*: the
    place is a secondary component of a serial World Heritage property."""
    value = base_prize(place, secondary) * interest_weight(place, interests)
    return value * FESTIVAL_BOOST if festival else value


def asked(kind: str, interests: Sequence[str]) -> bool:
    """Whether the traveller's interests ask for places of *kind*."""
    for name, marks, wanted in KINDS:
        if name == kind:
            return bool(set(interests) & (wanted | marks))
    return False


def variety_rules(
    prizes: dict[str, float], kinds: dict[str, str | None], interests: Sequence[str], days: int
) -> tuple[solver.VarietyRule, ...]:
    """The solver's diminishing returns for the candidates' kinds (see the module doc)."""
    by_kind: dict[str, list[float]] = {}
    for pid, kind in kinds.items():
        if kind is not None:
            by_kind.setdefault(kind, []).append(prizes[pid])
    rules = []
    for kind, values in sorted(by_kind.items()):
        # the scale of the penalties: what the places a plan would pick are worth (the best
        # of the kind, as many as the trip's days could hold), not the median shrine
        top = sorted(values, reverse=True)[: max(1, days * DAY_CAP)]
        typical = statistics.median(top)
        factor, cap = (ASKED_FACTOR, ASKED_CAP) if asked(kind, interests) else (1.0, DAY_CAP)
        rules.append(
            solver.VarietyRule(
                kind=kind,
                day_penalties=tuple(round(typical * f * factor, 3) for f in DAY_PENALTIES),
                day_cap=cap,
                trip_free=max(TRIP_FREE_MIN, days),
                trip_penalty=round(typical * TRIP_PENALTY * factor, 3),
            )
        )
    return tuple(rules)
