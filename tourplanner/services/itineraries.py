"""Saved itineraries: stored once under an unguessable id, read back by permalink."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.i18n import N_
from tourplanner.planning.itinerary import Itinerary
from tourplanner.storage.tables import ItineraryRow
from tourplanner.text import url_token

ID_BYTES = 12  # 96 random bits, 16 URL-safe characters


def new_id() -> str:
    """Return a fresh unguessable itinerary id."""
    return url_token(ID_BYTES)


def save_itinerary(session: Session, itinerary: Itinerary, *, commit: bool = True) -> Itinerary:
    """Store *itinerary* and commit (unless *commit* is false: the caller commits it together
    with its own changes); return it with its new id.

    :raise NotFound: when it names a parent itinerary that does not exist.
    """
    if itinerary.parent_id and session.get(ItineraryRow, itinerary.parent_id) is None:
        raise NotFound(
            Reason.of(N_("reason.not_found.parent_itinerary"), id=repr(itinerary.parent_id))
        )
    saved = replace(itinerary, id=new_id())
    body = saved.to_dict()
    session.add(
        ItineraryRow(
            id=saved.id,
            parent_id=saved.parent_id,
            start_date=str(body["request"].get("start_date", "")),
            days=len({d["date"] for d in body["days"]}),
            value=body["summary"]["value"],
            cost_per_person_vnd=body["summary"]["cost_vnd"],
            body=body,
        )
    )
    if commit:
        session.commit()
    return saved


def load_itinerary(session: Session, itinerary_id: str) -> Itinerary:
    """Return the saved itinerary *itinerary_id*.

    :raise NotFound: when no itinerary has that id.
    """
    row = session.get(ItineraryRow, itinerary_id) if len(itinerary_id) <= 32 else None
    if row is None:
        raise NotFound(Reason.of(N_("reason.not_found.itinerary"), id=repr(itinerary_id)))
    return Itinerary.from_dict(row.body)
