"""The value model of a plan: what each experience is worth to this traveller.

See docs/value-model.md. In short, a place's prize is

    significance (20..100, from citable evidence: tourplanner/value.py)
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
from collections.abc import Sequence

import solver
from tourplanner.catalogue.models import Place

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
    """How long the experience of *place* lasts (a product's duration, else its visit)."""
    if place.product is not None:
        return place.product.duration_min
    return place.visit_minutes or 60


def duration_weight(minutes: int) -> float:
    """The weight of an experience of *minutes* (1 for one hour)."""
    lo, hi = DURATION_BOUNDS
    return min(hi, max(lo, (max(minutes, 1) / 60.0) ** DURATION_EXPONENT))


def base_prize(place: Place) -> float:
    """Significance times duration weight: the value of the experience to anyone."""
    return float(place.value or 20) * duration_weight(experience_minutes(place))


def prize(place: Place, interests: Sequence[str], festival: bool) -> float:
    """The prize of *place* for this traveller (see the module docstring)."""
    value = base_prize(place) * interest_weight(place, interests)
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
        typical = statistics.median(values)
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
