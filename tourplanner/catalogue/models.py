"""Domain values of the catalogue (frozen dataclasses; the database rows live in tables.py).

Times of day are minutes after midnight (``24:00`` is 1440). Money is integer VND.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field

from tourplanner.festivals import solar_to_lunar
from tourplanner.festivals import spans_overlapping

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CATEGORIES = (
    "heritage",
    "nature",
    "beach",
    "spiritual",
    "festival",
    "cuisine",
    "museum",
    "village",
    "adventure",
    "island",
    "cave",
    "bay",
    "landmark",
    "shopping",
    "family",
)
KINDS = ("attraction", "hub", "gateway")
HUB_TYPES = ("city", "town", "island", "resort", "airport", "rail", "bus", "pier", "cruise")
ACCESS_NEEDS = ("boat", "cable_car", "hike", "ferry", "permit")
HERITAGE_RANKS = ("special_national", "national", "provincial")
UNESCO_KINDS = ("world_heritage", "intangible", "memory_of_the_world", "biosphere")
#: lodging tiers a traveller chooses from (guesthouse/1–2★, 3★, 4★, 5★; cruises 3★–5★)
LODGING_TIERS = ("budget", "standard", "comfort", "luxury")
MEALS = ("breakfast", "brunch", "lunch", "dinner")


@dataclass(frozen=True, slots=True)
class Province:
    """A provincial unit; ``status`` is "current" (2025) or "former" (merged)."""

    id: str
    name_vi: str
    name_en: str
    status: str
    merged_into: str | None = None
    aliases: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OpeningRule:
    """Opening hours on some weekdays, optionally only within a season (``MM-DD`` bounds)."""

    days: tuple[str, ...]
    open_min: int
    close_min: int
    season_from: str | None = None
    season_to: str | None = None

    def in_season(self, date: dt.date) -> bool:
        """Tell whether *date* lies in this rule's season (always, for all-year rules)."""
        if self.season_from is None or self.season_to is None:
            return True
        key = date.strftime("%m-%d")
        if self.season_from <= self.season_to:
            return self.season_from <= key <= self.season_to
        return key >= self.season_from or key <= self.season_to  # a season across New Year


@dataclass(frozen=True, slots=True)
class Festival:
    """A yearly festival fixed in the lunar calendar."""

    name_vi: str
    name_en: str
    lunar_month: int
    lunar_day: int
    duration_days: int = 1

    def spans(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
        """Return the solar date spans of this festival that overlap ``[first, last]``."""
        return spans_overlapping(self.lunar_month, self.lunar_day, self.duration_days, first, last)


@dataclass(frozen=True, slots=True)
class Ticket:
    """Entrance fee per person in VND, with the year the price was quoted for."""

    adult_vnd: int | None
    child_vnd: int | None = None
    year: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Lodging:
    """Room price range per night in VND (two people per room)."""

    min_vnd: int
    typical_vnd: int
    max_vnd: int
    year: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ValueBasis:
    """Citable evidence of an attraction's significance, from which its value is computed
    (:func:`tourplanner.catalogue.value.significance`); each fact's source is in ``Place.sources`` under
    ``unesco``, ``heritage``, ``national_park``, ``national_tourist_area``, ``visitors`` and
    ``rankings``."""

    unesco: str | None = None
    unesco_property: str = ""
    national_park: bool = False
    national_tourist_area: bool = False
    visitors_per_year: int | None = None
    visitors_year: int | None = None
    rankings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    """A trip sold as one product: a bay route by boat, a river boat, with its departures.

    ``departures`` are fixed times (minutes after midnight); otherwise boats leave at any time
    in ``window``. ``visits`` are the catalogue's attractions seen on the trip, which are not
    visited separately; ``family`` names the experience it is one way of having (the bay), so
    that a plan takes one product of a family at most. ``boat_vnd`` is the boat fare per person
    on a shared boat, besides the ticket (``None`` with ``boat_unknown``: not known).
    """

    family: str
    duration_min: int
    departures: tuple[int, ...] = ()
    window: tuple[int, int] | None = None
    lunch: bool = False
    visits: tuple[str, ...] = ()
    boat_vnd: int | None = None
    boat_unknown: bool = False
    year: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class LodgingTier:
    """One tier of lodging at a hub: a price range per room-night (per person on a cruise),
    the year of the prices and a few real examples."""

    tier: str
    min_vnd: int
    typical_vnd: int
    max_vnd: int
    year: int | None = None
    examples: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Cruise:
    """An overnight cruise: board at the hub's pier at ``board_min`` on the first day, leave
    the boat at ``leave_min`` the next; ``meals`` served on board; ``visits`` seen on the way;
    ``family`` the bay (a night aboard excludes that bay's day routes)."""

    family: str
    board_min: int
    leave_min: int
    meals: tuple[str, ...] = ()
    visits: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Place:
    """An attraction, an overnight hub or a gateway of the catalogue."""

    id: str
    kind: str
    name_vi: str
    name_en: str
    province: str
    lat: float
    lon: float
    former_province: str | None = None
    aliases: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    visit_minutes: int | None = None
    min_visit_minutes: int | None = None
    opening_hours: tuple[OpeningRule, ...] = ()
    closed_dates: tuple[str, ...] = ()
    ticket: Ticket | None = None
    value: int | None = None
    unesco: bool = False
    heritage_rank: str | None = None
    festivals: tuple[Festival, ...] = ()
    access_needs: tuple[str, ...] = ()
    access_note_vi: str = ""
    access_note_en: str = ""
    hub_type: str | None = None
    lodging: Lodging | None = None
    description_vi: str = ""
    description_en: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    uncertain: tuple[str, ...] = ()
    retired: bool = False
    version: int = 1
    value_basis: ValueBasis | None = None
    #: the attraction this one lies inside and is seen with (a cave on a bay route, a pagoda
    #: on Yên Tử): it is not planned on its own
    part_of: str | None = None
    product: Product | None = None
    lodging_tiers: tuple[LodgingTier, ...] = ()
    cruise: Cruise | None = None

    def tier(self, name: str) -> LodgingTier | None:
        """The lodging tier called *name*, or the nearest one the hub has (cheaper first)."""
        by_name = {t.tier: t for t in self.lodging_tiers}
        if name in by_name:
            return by_name[name]
        if not by_name:
            return None
        order = list(LODGING_TIERS)
        want = order.index(name) if name in order else 1
        ranked = sorted(by_name.values(), key=lambda t: (abs(order.index(t.tier) - want),
                                                          order.index(t.tier)))  # fmt: skip
        return ranked[0]

    def is_closed_on(self, date: dt.date) -> bool:
        """Tell whether a fixed closure (solar ``MM-DD`` or lunar ``LMM-DD``) falls on *date*."""
        if not self.closed_dates:
            return False
        solar_key = date.strftime("%m-%d")
        lunar = solar_to_lunar(date)
        lunar_key = f"L{lunar.month:02d}-{lunar.day:02d}"
        return any(key in (solar_key, lunar_key) for key in self.closed_dates)

    def windows_on(self, date: dt.date) -> list[tuple[int, int]]:
        """Return the opening windows on *date* as (open, close) minutes after midnight.

        A place with no rules at all (a beach, a town) is open all day. Seasonal rules replace
        the all-year rules for the weekdays they name.
        """
        if self.is_closed_on(date):
            return []
        if not self.opening_hours:
            return [(0, 1440)]
        weekday = WEEKDAYS[date.weekday()]
        seasonal = [
            r
            for r in self.opening_hours
            if r.season_from and weekday in r.days and r.in_season(date)
        ]
        rules = seasonal or [
            r for r in self.opening_hours if not r.season_from and weekday in r.days
        ]
        return sorted((r.open_min, r.close_min) for r in rules)

    def festivals_between(
        self, first: dt.date, last: dt.date
    ) -> list[tuple[Festival, dt.date, dt.date]]:
        """Return this place's festivals that overlap ``[first, last]`` with their solar spans."""
        return [(f, a, b) for f in self.festivals for a, b in f.spans(first, last)]
