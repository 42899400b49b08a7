"""The catalogue as the application sees it: a cached snapshot, reloaded after edits."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy import select

from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.loader import load_files
from tourplanner.catalogue.repository import CatalogueRepository
from tourplanner.storage.db import get_database
from tourplanner.storage.tables import PlaceRow

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


class CatalogueCache:
    """Keeps one snapshot per catalogue state; the state is (places, latest edit, versions)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._catalogue: Catalogue | None = None

    def get(self) -> Catalogue:
        """Return the current catalogue, reading the database only when it changed."""
        database = get_database()
        with database.session() as session:
            key = tuple(
                session.execute(
                    select(
                        func.count(PlaceRow.id),
                        func.max(PlaceRow.updated_at),
                        func.sum(PlaceRow.version),
                    )
                ).one()
            )
            with self._lock:
                if key != self._key or self._catalogue is None:
                    self._catalogue = CatalogueRepository(session).snapshot()
                    self._key = key
                return self._catalogue


def init_app(app: Flask) -> None:
    """Attach the catalogue cache to *app*."""
    app.extensions["tourplanner.catalogue"] = CatalogueCache()


def get_catalogue() -> Catalogue:
    """Return the current app's catalogue snapshot."""
    from flask import current_app

    return current_app.extensions["tourplanner.catalogue"].get()


def prepare_database(app: Flask) -> None:
    """Migrate the database and, if it holds no place yet, load the embedded catalogue."""
    database = app.extensions["tourplanner.storage.db"]
    database.upgrade()
    if not app.config.get("AUTO_SEED", True):
        return
    with database.session() as session:
        if CatalogueRepository(session).count_places() == 0:
            report = load_files(session)
            log.info("loaded the embedded catalogue: %d places", report.places)
