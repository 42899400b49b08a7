"""How much of the catalogue rests on cited sources: ``tourplanner catalogue stats``.

A fact counts as sourced when its citation in ``sources`` is not ``K`` (the compiler's own
knowledge) and the fact is not listed in ``uncertain``. Retired places are left out. The
network's links count for fares: a ferry, boat, cable car or coach link has a fare, or says
its fare is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import Place
from tourplanner.travel.network import FARE_MODES
from tourplanner.travel.network import Network


@dataclass(frozen=True, slots=True)
class Share:
    """``sourced`` of ``total`` items."""

    sourced: int
    total: int

    @property
    def percent(self) -> float:
        """The share in percent (100 for no item)."""
        return 100.0 * self.sourced / self.total if self.total else 100.0

    def to_dict(self) -> dict[str, float | int]:
        """JSON shape."""
        return {"sourced": self.sourced, "total": self.total, "percent": round(self.percent, 1)}


def sourced(place: Place, fact: str) -> bool:
    """Whether *fact* of *place* has a citation other than ``K`` and is not uncertain."""
    citation = place.sources.get(fact, "K").strip()
    return bool(citation) and not citation.startswith("K") and fact not in place.uncertain


def catalogue_stats(catalogue: Catalogue, network: Network) -> dict[str, Share]:
    """Shares of sourced facts among the active places and the network's fares."""
    active = [p for p in catalogue.places.values() if not p.retired]
    attractions = [p for p in active if p.kind == "attraction"]
    hubs = [p for p in active if p.kind == "hub"]

    def share(items: list[Place], fact: str) -> Share:
        return Share(sum(1 for p in items if sourced(p, fact)), len(items))

    fare_links = [link for link in network.links.values() if link.mode in FARE_MODES]
    return {
        "coordinates (all places)": share(active, "coords"),
        "coordinates (attractions)": share(attractions, "coords"),
        "coordinates (hubs and gateways)": share(
            [p for p in active if p.kind != "attraction"], "coords"
        ),
        "tickets": share(attractions, "ticket"),
        "opening hours": share(attractions, "hours"),
        "value evidence": Share(
            sum(1 for p in attractions if p.value_basis is not None), len(attractions)
        ),
        "lodging prices (hubs)": Share(
            sum(
                1
                for p in hubs
                if any(sourced(p, f"lodging.{t.tier}") for t in p.lodging_tiers)
                or sourced(p, "lodging")
            ),
            len(hubs),
        ),  # fmt: skip
        "fares with a cited source": Share(
            sum(
                1
                for link in fare_links
                if not link.fare_unknown and any(c != "K" for c in link.source.split())
            ),
            len(fare_links),
        ),
        "fares stated or flagged unknown": Share(
            sum(1 for link in fare_links if link.fare_vnd or link.fare_unknown), len(fare_links)
        ),
    }
