"""Batches run in-process (no Redis): results saved once per (batch, row), shapes of the views."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from tests.batch.conftest import run_batch
from tourplanner.services.batch import service
from tourplanner.storage.batches import BatchItemRow
from tourplanner.storage.tables import ItineraryRow


def test_batch_in_process_runs_good_rows_and_keeps_bad_ones(any_app):
    """Without Redis the products run in threads; the bad row stays with its errors."""
    view = run_batch(any_app)
    assert [(i.row, i.status) for i in view.items] == [
        (1, "done"),
        (2, "done"),
        (3, "invalid"),
        (4, "done"),
    ]
    bad = view.items[2]
    assert {e["field"] for e in bad.errors} == {"start", "start_date", "days"}
    two_groups = view.items[1].itinerary
    assert {d["group"] for d in two_groups["days"]} == {0, 1}
    assert two_groups["batch"] == {"id": view.id, "row": 2, "name": "1N Yên Tử two groups"}


def test_batch_product_job_saves_each_row_once(any_app):
    """Running a finished product's handler again returns the same itinerary, saves nothing."""
    view = run_batch(any_app)
    database = any_app.extensions["tourplanner.storage.db"]
    with any_app.app_context():
        again = service.batch_product_job({"batch_id": view.id, "row": 1}, None)
    assert again == view.items[0].itinerary_id
    with database.session() as session:
        saved = session.scalar(select(func.count()).select_from(ItineraryRow))
        linked = session.scalar(
            select(func.count(BatchItemRow.itinerary_id)).where(BatchItemRow.batch_id == view.id)
        )
    assert saved == linked == 3


def test_save_product_second_writer_loses_and_gets_first_id(any_app):
    """Two runs of one product racing to save: the second writes nothing and gets the first id."""
    view = run_batch(any_app)
    database = any_app.extensions["tourplanner.storage.db"]
    from tourplanner.planning.itinerary import Itinerary

    itinerary = Itinerary.from_dict(view.items[0].itinerary)
    with database.session() as session:
        before = session.scalar(select(func.count()).select_from(ItineraryRow))
        again = service.save_product(session, view.id, 1, itinerary)
        after = session.scalar(select(func.count()).select_from(ItineraryRow))
    assert again == view.items[0].itinerary_id
    assert before == after
