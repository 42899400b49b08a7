"""An in-memory snapshot of the catalogue with search and name resolution.

The catalogue is small (a few hundred places), so search runs over the snapshot: the same
results on SQLite and PostgreSQL, diacritics folded in Python rather than by a collation.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from tourplanner.catalogue.models import Place
from tourplanner.catalogue.models import Province
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.text import fold


@dataclass(frozen=True, slots=True)
class Match:
    """A search hit with its score (higher is better)."""

    place: Place
    score: int


class AmbiguousName(NotFound):
    """A name matches several places; ``candidates`` lists them."""

    code = "ambiguous_name"

    def __init__(self, name: str, candidates: list[Place]) -> None:
        self.candidates = candidates
        listed = "; ".join(f"{p.name_vi} ({p.id})" for p in candidates[:8])
        super().__init__(Reason.of(N_("reason.ambiguous_name"), name=repr(name), places=listed))


class UnknownName(NotFound):
    """A name matches no place; ``suggestions`` lists the closest ones."""

    code = "unknown_name"

    def __init__(self, name: str, suggestions: list[Place]) -> None:
        self.suggestions = suggestions
        hint = "; ".join(f"{p.name_vi} ({p.id})" for p in suggestions)
        if hint:
            message = Reason.of(N_("reason.unknown_name_closest"), name=repr(name), closest=hint)
        else:
            message = Reason.of(N_("reason.unknown_name"), name=repr(name))
        super().__init__(message)


class Catalogue:
    """Provinces and places, indexed for lookup and search.

    :param provinces: every province, current and former.
    :param places: every place; retired ones are kept (old itineraries name them) but are
        neither searched nor resolved.
    """

    def __init__(self, provinces: list[Province], places: list[Place]) -> None:
        self.provinces = {p.id: p for p in provinces}
        self.places = {p.id: p for p in places}
        self._province_keys = {}
        for p in provinces:
            for key in (p.id, p.name_vi, p.name_en, *p.aliases):
                self._province_keys[fold(key)] = p
        self._names: dict[str, list[Place]] = {}
        self._haystacks: dict[str, tuple[str, str]] = {}
        for place in self.active():
            names = [fold(n) for n in (place.id, place.name_vi, place.name_en, *place.aliases)]
            for name in {*names, fold(place.id.replace("-", " "))}:
                self._names.setdefault(name, []).append(place)
            context = [place.province, place.former_province or "", *place.categories, *place.tags]
            context += [self._province_en(place.province), self._province_en(place.former_province)]
            self._haystacks[place.id] = (
                " " + " ".join(names) + " ",
                " " + " ".join(fold(c) for c in context if c) + " ",
            )

    def _province_en(self, name_vi: str | None) -> str:
        province = self._province_keys.get(fold(name_vi)) if name_vi else None
        return province.name_en if province else ""

    def active(self) -> list[Place]:
        """Return the places that are not retired."""
        return [p for p in self.places.values() if not p.retired]

    def attractions(self) -> list[Place]:
        """Return the active attractions."""
        return [p for p in self.active() if p.kind == "attraction"]

    def hubs(self) -> list[Place]:
        """Return the active overnight hubs."""
        return [p for p in self.active() if p.kind == "hub"]

    def province(self, name: str) -> Province | None:
        """Return the province called *name* (id, Vietnamese or English, any diacritics)."""
        return self._province_keys.get(fold(name))

    def current_provinces(self) -> list[Province]:
        """Return the current (2025) provinces."""
        return [p for p in self.provinces.values() if p.status == "current"]

    def categories(self) -> list[str]:
        """Return the categories used by active attractions, most frequent first."""
        counts: dict[str, int] = {}
        for place in self.attractions():
            for c in place.categories:
                counts[c] = counts.get(c, 0) + 1
        return sorted(counts, key=lambda c: (-counts[c], c))

    def in_province(self, place: Place, province: Province) -> bool:
        """Tell whether *place* lies in *province*, current or former."""
        names = {province.name_vi}
        return place.province in names or place.former_province in names

    def search(
        self,
        query: str = "",
        *,
        province: str | None = None,
        category: str | None = None,
        kind: str | None = None,
        limit: int | None = None,
    ) -> list[Match]:
        """Find places by name (any diacritics, Vietnamese or English), province or category.

        A query names a place or a province: "ha long", "Hạ Long", "Halong Bay", "Hải Dương"
        (finds Côn Sơn, now in Hải Phòng) all work. Filters narrow the result; an empty query
        with filters lists everything that passes them, most valuable first.

        :raise NotFound: when *province* names no province.
        """
        wanted_province = None
        if province:
            wanted_province = self.province(province)
            if wanted_province is None:
                raise NotFound(Reason.of(N_("reason.not_found.province"), name=repr(province)))
        folded = fold(query)
        tokens = folded.split()
        category = fold(category) if category else None
        hits: list[Match] = []
        for place in self.active():
            if kind and place.kind != kind:
                continue
            if wanted_province and not self.in_province(place, wanted_province):
                continue
            if category and category not in place.categories and category not in place.tags:
                continue
            score = self._score(place, folded, tokens) if tokens else 1
            if score:
                hits.append(Match(place, score))
        hits.sort(key=lambda m: (-m.score, -(m.place.value or 0), m.place.name_vi))
        return hits[:limit] if limit else hits

    def _score(self, place: Place, folded: str, tokens: list[str]) -> int:
        names, context = self._haystacks[place.id]
        if place in self._names.get(folded, ()):
            return 100
        if f" {folded}" in names:
            return 80
        everything = names + context
        if all(f" {t}" in names for t in tokens):
            return 60
        if f" {folded} " in context:
            return 50
        if all(f" {t}" in everything for t in tokens):
            return 40
        return 0

    def resolve(
        self, name: str, *, kinds: tuple[str, ...] | None = None, prefer: tuple[str, ...] = ()
    ) -> Place:
        """Return the one place *name* designates: an id or an exact name, any diacritics.

        :param prefer: kinds that settle an ambiguity, in order: "Hải Phòng" as a place to
            start from is the city's hub, not one of the sights named after the city.
        :raise AmbiguousName: when several places carry that name.
        :raise UnknownName: when none does; the closest names are suggested.
        """
        try:
            return self._resolve(name, kinds)
        except AmbiguousName as exc:
            for kind in prefer:
                preferred = [p for p in exc.candidates if p.kind == kind]
                if len(preferred) == 1:
                    return preferred[0]
            raise

    def _resolve(self, name: str, kinds: tuple[str, ...] | None) -> Place:
        folded = fold(name)
        candidates = [p for p in self._names.get(folded, []) if not kinds or p.kind in kinds]
        if not candidates:
            # A phrase that starts exactly one place's name is clear enough ("Yên Tử").
            phrase = [m.place for m in self.search(name) if m.score >= 80]
            phrase = [p for p in phrase if not kinds or p.kind in kinds]
            if len(phrase) == 1:
                return phrase[0]
            if phrase:
                raise AmbiguousName(name, phrase)
            raise UnknownName(name, self.suggest(name, kinds=kinds))
        unique = list({p.id: p for p in candidates}.values())
        if len(unique) > 1:
            raise AmbiguousName(name, unique)
        return unique[0]

    def suggest(
        self, name: str, *, kinds: tuple[str, ...] | None = None, n: int = 5
    ) -> list[Place]:
        """Return up to *n* places whose names are closest to *name*."""
        folded = fold(name)
        hits = [m.place for m in self.search(name, limit=n) if not kinds or m.place.kind in kinds]
        keys = [k for k, ps in self._names.items() if any(not kinds or p.kind in kinds for p in ps)]
        for key in difflib.get_close_matches(folded, keys, n=n, cutoff=0.6):
            hits.extend(p for p in self._names[key] if not kinds or p.kind in kinds)
        return list({p.id: p for p in hits}.values())[:n]
