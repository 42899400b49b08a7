"""Catalogue rows ⇄ domain values, through SQLAlchemy (never string-built SQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import Place
from tourplanner.catalogue.models import Province
from tourplanner.catalogue.records import RowError
from tourplanner.catalogue.records import parse_place
from tourplanner.catalogue.records import place_to_record
from tourplanner.catalogue.records import province_index
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.storage.tables import PlaceRow
from tourplanner.storage.tables import ProvinceRow

# Record keys that are not columns of their own (derived, or folded into another column).
_DERIVED = {"province", "former_province", "ticket_vnd", "retired", "kind"}


def province_from_row(row: ProvinceRow) -> Province:
    """Build a :class:`Province` from its row."""
    return Province(
        row.id,
        row.name_vi,
        row.name_en,
        row.status,
        row.merged_into,
        tuple(row.aliases),
        dict(row.sources),
    )


def _province_values(province: Province) -> dict:
    return {
        "name_vi": province.name_vi,
        "name_en": province.name_en,
        "status": province.status,
        "merged_into": province.merged_into,
        "aliases": list(province.aliases),
        "sources": dict(province.sources),
    }


def _place_values(place: Place, provinces: dict[str, Province]) -> dict:
    record = place_to_record(place)
    values = {k: v for k, v in record.items() if k not in _DERIVED and k != "id"}
    values["kind"] = place.kind
    values["province_id"] = provinces[place.province].id
    values["former_province_id"] = (
        provinces[place.former_province].id if place.former_province else None
    )
    return values


def place_from_row(row: PlaceRow, provinces_by_id: dict[str, Province], index: dict) -> Place:
    """Build a :class:`Place` from its row (the stored data was checked when it was saved).

    :param index: :func:`province_index` of the provinces, built once by the caller.
    """
    record = {c.key: getattr(row, c.key) for c in PlaceRow.__table__.columns}
    record["province"] = provinces_by_id[row.province_id].name_vi
    former = provinces_by_id.get(row.former_province_id) if row.former_province_id else None
    record["former_province"] = former.name_vi if former else None
    place, errors = parse_place(record, index, file="database", row=0)
    if place is None:
        raise RuntimeError(f"place {row.id} in the database is invalid: {errors}")
    return replace(place, retired=row.retired, version=row.version)


class CatalogueRepository:
    """Reads and writes the catalogue in one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def provinces(self) -> list[Province]:
        """Return every province."""
        rows = self.session.scalars(select(ProvinceRow).order_by(ProvinceRow.id))
        return [province_from_row(r) for r in rows]

    def places(self) -> list[Place]:
        """Return every place, retired ones included."""
        provinces = self.provinces()
        by_id, index = {p.id: p for p in provinces}, province_index(provinces)
        rows = self.session.scalars(select(PlaceRow).order_by(PlaceRow.kind, PlaceRow.id))
        return [place_from_row(r, by_id, index) for r in rows]

    def stored_place_errors(self) -> list[RowError]:
        """Check every stored place against the stored provinces (after a province changed).

        :return: one error per bad field, named ``<place id>.<field>`` in file ``database``.
        """
        provinces = self.provinces()
        by_id, index = {p.id: p for p in provinces}, province_index(provinces)
        errors: list[RowError] = []
        for row in self.session.scalars(select(PlaceRow).order_by(PlaceRow.id)):
            record = {c.key: getattr(row, c.key) for c in PlaceRow.__table__.columns}
            current, former = by_id.get(row.province_id), by_id.get(row.former_province_id)
            record["province"] = current.name_vi if current else row.province_id
            record["former_province"] = former.name_vi if former else None
            _, found = parse_place(record, index, file="database", row=0)
            errors.extend(
                RowError(
                    "database",
                    0,
                    f"{row.id}.{e.field}",
                    Reason.of(N_("reason.would_become_invalid"), reason=e.reason),
                )
                for e in found
            )
        return errors

    def snapshot(self) -> Catalogue:
        """Return the whole catalogue in memory."""
        return Catalogue(self.provinces(), self.places())

    def count_places(self) -> int:
        """Return how many places are stored."""
        return len(self.session.scalars(select(PlaceRow.id)).all())

    def save_provinces(self, provinces: list[Province]) -> int:
        """Insert or update *provinces* (former ones after the current ones); return changes."""
        changed = 0
        ordered = sorted(provinces, key=lambda p: p.status != "current")
        for province in ordered:
            values = _province_values(province)
            row = self.session.get(ProvinceRow, province.id)
            if row is None:
                self.session.add(ProvinceRow(id=province.id, **values))
                changed += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed += 1
            self.session.flush()
        return changed

    def save_places(self, places: list[Place]) -> int:
        """Insert or update *places*; an unchanged place is left alone. Return how many changed."""
        provinces = {p.name_vi: p for p in self.provinces()}
        changed = 0
        for place in places:
            values = _place_values(place, provinces)
            values["retired"] = place.retired
            row = self.session.get(PlaceRow, place.id)
            if row is None:
                self.session.add(
                    PlaceRow(id=place.id, version=1, updated_at=datetime.now(UTC), **values)
                )
                changed += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.version += 1
                row.updated_at = datetime.now(UTC)
                changed += 1
        self.session.flush()
        return changed
