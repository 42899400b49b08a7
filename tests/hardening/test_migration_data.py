"""Migrations on a database that holds data: every row survives, and the app reads it back.

A *donor* app at the current schema makes real rows in every table the way the product does
(the embedded catalogue, an API plan that became a job and an itinerary, a re-plan with a
parent, agencies and keys, an audited API edit, rate-limit windows, a batch with a bad row and
its re-plan under a scenario). The test then starts an empty database at the FIRST revision,
fills every table that exists there with the donor's rows, and upgrades one revision at a
time, filling each table (and column) a revision adds. After every step every row inserted so
far must still be there with identical values; at head the app must read them: the catalogue
exports the same, each itinerary loads through the store, jobs and batches read, the donor's
API key still authenticates. Then it downgrades one revision at a time (the migrations have
downgrade functions): the tables that stay keep their rows; upgrading again works. On SQLite
and PostgreSQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Column
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.batch.conftest import start_batch
from tests.conftest import make_app
from tourplanner import create_app
from tourplanner.catalogue.loader import export_json
from tourplanner.catalogue.loader import load_files
from tourplanner.catalogue.repository import CatalogueRepository
from tourplanner.jobs.runner import get_job
from tourplanner.planning.itinerary import Itinerary
from tourplanner.services.batch import service
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.itineraries import save_itinerary
from tourplanner.storage.agencies import AgencyRow
from tourplanner.storage.db import Base
from tourplanner.storage.db import Database
from tourplanner.storage.db import alembic_config
from tourplanner.testing.keys import auth
from tourplanner.testing.keys import make_keys

#: a batch of two products: one good, one that is not a tour request (row 2)
BATCH_CSV = """name,start,start_date,days,must_visit,groups,quotas,time_limit_s
1N Yên Tử,hub-ha-noi,2027-03-06,1,yen-tu,1,,0.5
broken,Nowhere,2027-13-01,x,,,,
"""
PLAN = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "time_limit_s": 0.5}


@dataclass
class Donor:
    """Rows of every table as the current product writes them, and what the app reads back."""

    rows: dict[str, list[dict[str, Any]]]
    catalogue_json: str
    itineraries: dict[str, dict]
    jobs: dict[str, str]
    batches: dict[str, tuple]
    token: str
    place_version: int


def _utc(value: Any) -> Any:
    """Datetimes compare as UTC instants (SQLite keeps no zone, PostgreSQL converts)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def _model(name: str) -> Table:
    return Base.metadata.tables[name]


def _read(engine, table: Table) -> list[dict[str, Any]]:
    """Every row of *table* in primary-key order, datetimes as UTC instants."""
    with engine.connect() as conn:
        rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        return [{k: _utc(v) for k, v in row.items()} for row in rows]


def _batch_view(view) -> tuple:
    items = tuple((i.row, i.name, i.status, i.itinerary_id, len(i.errors)) for i in view.items)
    return view.name, view.scenario, view.base_id, items


@pytest.fixture(scope="module")
def donor(tmp_path_factory) -> Donor:
    """A SQLite app at head holding rows in every table, made through the product."""
    url = f"sqlite:///{tmp_path_factory.mktemp('donor') / 'donor.sqlite3'}"
    app = make_app(url)
    database = app.extensions["tourplanner.storage.db"]
    keys = make_keys(app)
    client = app.test_client()
    planned = client.post("/api/v1/plans", json=PLAN, headers=auth(keys.planner))
    assert planned.status_code == 201, planned.get_json()
    slow = client.post(
        "/api/v1/plans", json={**PLAN, "days": 2, "groups": 2}, headers=auth(keys.planner)
    )
    assert slow.status_code == 202, slow.get_json()
    app.extensions["tourplanner.jobs.runner"].wait(slow.get_json()["job"], timeout=60)
    edited = client.patch(
        "/api/v1/places/con-son",
        json={"description_en": "Edited through the API", "version": 1},
        headers=auth(keys.editor),
    )
    assert edited.status_code == 200, edited.get_json()
    with database.session() as session:
        first = load_itinerary(session, planned.get_json()["id"])
        save_itinerary(session, Itinerary.from_dict({**first.to_dict(), "parent_id": first.id}))
        agency = session.scalars(select(AgencyRow).where(AgencyRow.name == "Agency A")).one()
        agency_id = agency.id
    batch_id = start_batch(app, BATCH_CSV, name="Yên Tử products", agency_id=agency_id)
    service.wait_for_batch(database, batch_id, timeout=60)
    with app.app_context(), database.session() as session:
        replan_id = service.replan_batch(session, batch_id, None)
    service.wait_for_batch(database, replan_id, timeout=60)
    through_api = client.post(  # a batch of one bad row: an idempotency key, no solve
        "/api/v1/batches",
        json={"name": "API batch", "products": [{"name": "broken", "start": "Nowhere"}]},
        headers={**auth(keys.planner), "Idempotency-Key": "donor-1"},
    )
    assert through_api.status_code == 202, through_api.get_json()
    with database.session() as session:
        agency = session.get(AgencyRow, agency_id)
        agency.guide_vnd_per_day, agency.markup_pct, agency.vat_pct = 800_000, 15.0, 8.0
        agency.contact, agency.logo_png = "0203 123 456", b"\x89PNG\r\n\x1a\n"
        session.commit()
    runner = app.extensions["tourplanner.jobs.runner"]
    with database.session() as session:
        for job_id in session.scalars(select(_model("jobs").c.id)).all():
            runner.wait(job_id, timeout=60)  # no job still writing while the rows are read
        load_files(session)  # the whole embedded catalogue on top of the test one
    meta = MetaData()
    meta.reflect(database.engine)
    names = [t.name for t in meta.sorted_tables if t.name != "alembic_version"]
    rows = {name: _read(database.engine, _model(name)) for name in names}
    with database.session() as session:
        catalogue_json = export_json(CatalogueRepository(session).snapshot())
        itineraries = {
            r["id"]: load_itinerary(session, r["id"]).to_dict() for r in rows["itineraries"]
        }
        job_status = {r["id"]: get_job(session, r["id"]).status for r in rows["jobs"]}
        batches = {
            r["id"]: _batch_view(service.load_batch(session, r["id"])) for r in rows["batches"]
        }
        version = CatalogueRepository(session).snapshot().places["con-son"].version
    database.dispose()
    assert set(job_status.values()) <= {"done", "failed"}, job_status
    return Donor(rows, catalogue_json, itineraries, job_status, batches, keys.editor, version)


def revisions() -> list[str]:
    """Every revision from the first to head, in order."""
    script = ScriptDirectory.from_config(alembic_config())
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def _columns(engine) -> dict[str, set[str]]:
    found = inspect(engine)
    return {t: {c["name"] for c in found.get_columns(t)} for t in found.get_table_names()}


def _table(name: str, columns: set[str]) -> Table:
    """The model's table cut down to the *columns* the database has at this revision."""
    model = _model(name)
    return Table(
        name,
        MetaData(),
        *[
            Column(c.name, c.type, primary_key=c.primary_key)
            for c in model.columns
            if c.name in columns
        ],
    )


def _parents_first(table: Table, rows: list[dict]) -> list[dict]:
    """Rows whose self-reference (itineraries.parent_id, batches.base_id) is empty go first."""
    selfref = [
        fk.parent.name
        for fk in _model(table.name).foreign_keys
        if fk.column.table.name == table.name
    ]
    return sorted(rows, key=lambda r: any(r.get(c) for c in selfref))


def _fill(engine, donor: Donor, before: dict[str, set[str]], now: dict[str, set[str]]) -> None:
    """Insert the donor's rows into each table this revision added; set each added column."""
    order = [t.name for t in Base.metadata.sorted_tables if t.name in now]
    with engine.begin() as conn:
        for name in order:
            added = now[name] - before.get(name, set())
            if not added:
                continue
            if name not in before:
                table = _table(name, now[name])
                rows = [{c: r[c] for c in now[name]} for r in donor.rows[name]]
                if rows:
                    conn.execute(table.insert(), _parents_first(table, rows))
                continue
            table = _table(name, now[name])
            key = [c for c in table.primary_key.columns]
            for row in donor.rows[name]:
                conn.execute(
                    table.update()
                    .where(*[c == row[c.name] for c in key])
                    .values({c: row[c] for c in added})
                )


def _check(engine, rows: dict[str, list], now: dict[str, set[str]], filled: set[str]) -> dict:
    """Every filled table holds exactly the expected *rows* (in the columns it has now)."""
    counts = {}
    for name in sorted(filled & set(now)):
        table = _table(name, now[name])
        expected = [{c: _utc(r[c]) for c in now[name]} for r in rows[name]]
        assert _read(engine, table) == expected, f"{name}: rows changed"
        counts[name] = len(expected)
    return counts


def _app_reads_everything(url: str, donor: Donor) -> None:
    """At head the application reads the migrated rows exactly as the donor did."""
    app = create_app({"TESTING": True, "DATABASE_URL": url, "AUTO_SEED": False, "SECRET_KEY": "t"})
    database = app.extensions["tourplanner.storage.db"]
    try:
        with database.session() as session:
            assert export_json(CatalogueRepository(session).snapshot()) == donor.catalogue_json
            for itinerary_id, body in donor.itineraries.items():
                assert load_itinerary(session, itinerary_id).to_dict() == body
            for job_id, status in donor.jobs.items():
                assert get_job(session, job_id).status == status
            for batch_id, view in donor.batches.items():
                assert _batch_view(service.load_batch(session, batch_id)) == view
        client = app.test_client()
        place = client.get("/api/v1/places/con-son", headers=auth(donor.token))
        assert place.status_code == 200  # the key (stored hashed) still authenticates
        assert place.headers["ETag"] == f'"{donor.place_version}"'
        audit = client.get("/api/v1/places/con-son/audit", headers=auth(donor.token))
        assert [e["action"] for e in audit.get_json()] == ["update"]
        first = next(iter(donor.itineraries))
        assert client.get(f"/i/{first}").status_code == 200  # the itinerary page renders
    finally:
        database.dispose()


def test_upgrade_step_by_step_keeps_every_row_then_downgrade(database_url, donor):
    """First revision → head one step at a time, filling each new table: no row is lost or
    changed at any step and the app reads them all; then head → first revision one step at a
    time keeps the rows of the tables that remain, and upgrading again works."""
    database = Database(database_url)
    engine = database.engine
    steps = revisions()
    assert steps[0] == "0001" and len(steps) >= 6
    columns: dict[str, set[str]] = {}
    filled: set[str] = set()
    try:
        for revision in steps:
            command.upgrade(alembic_config(engine), revision)
            now = _columns(engine)
            _fill(engine, donor, columns, now)
            filled |= {n for n in now if n in donor.rows}
            _check(engine, donor.rows, now, filled)
            columns = now
        counts = _check(engine, donor.rows, columns, filled)
        assert filled == set(donor.rows)  # every table of the schema got rows
        assert all(counts[name] > 0 for name in counts), counts
        if engine.dialect.name == "sqlite":  # foreign keys are enforced again after migrating
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO batch_items (batch_id, row, name, request, errors) "
                        "VALUES ('no-such-batch', 1, 'x', '{}', '[]')"
                    )
                )
        _app_reads_everything(database_url, donor)
        # the API requests just made counted in the rate-limit windows (and a key's older
        # windows are dropped when a new minute starts): that table is the only one changed
        windows = _read(engine, _model("api_rate_windows"))
        expected = {**donor.rows, "api_rate_windows": windows}
        _check(engine, expected, columns, filled)

        for revision in reversed(steps[:-1]):
            command.downgrade(alembic_config(engine), revision)
            now = _columns(engine)
            _check(engine, expected, now, filled)
        assert set(_columns(engine)) == {"alembic_version", "provinces", "places"}
        kept = _columns(engine)  # the columns of the first revision
        command.upgrade(alembic_config(engine), "head")
        _check(engine, donor.rows, kept, {"provinces", "places"})
        # columns that later revisions added to places came back empty (their downgrade
        # dropped them, as a downgrade must)
        later = _columns(engine)["places"] - kept["places"]
        for row in _read(engine, _table("places", later)):
            assert set(row.values()) <= {None, False}
        assert _read(engine, _model("itineraries")) == []  # dropped with 0002's downgrade
    finally:
        database.dispose()


def test_donor_covers_every_table(donor):
    """The donor has rows in every table of the models, so no table goes untested."""
    assert set(donor.rows) == {t.name for t in Base.metadata.sorted_tables}
    empty = sorted(name for name, rows in donor.rows.items() if not rows)
    assert empty == []
    assert len(json.loads(donor.catalogue_json)) > 200  # the embedded catalogue
