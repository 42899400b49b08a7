"""Loading catalogue files: idempotent, all or nothing, every bad row reported."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.conftest import CATALOGUE_FILES
from tourplanner.catalogue.loader import CatalogueImportError
from tourplanner.catalogue.loader import export_csv
from tourplanner.catalogue.loader import export_json
from tourplanner.catalogue.loader import load_files
from tourplanner.catalogue.repository import CatalogueRepository
from tourplanner.storage.db import Database

ATTRACTIONS = json.loads(CATALOGUE_FILES[1].read_text(encoding="utf-8"))


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def database(database_url):
    """A migrated, empty database (SQLite and PostgreSQL)."""
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def test_load_then_reload_changes_nothing(database):
    """Loading the same files twice gives the same catalogue and reports no change."""
    with database.session() as session:
        first = load_files(session, CATALOGUE_FILES)
        second = load_files(session, CATALOGUE_FILES)
        places = CatalogueRepository(session).places()
    assert (first.places, first.places_changed) == (9, 9)
    assert (second.places, second.places_changed) == (9, 0)
    assert second.provinces_changed == 0
    assert all(p.version == 1 for p in places)


def test_load_changed_row_bumps_its_version(database, tmp_path):
    """Editing one row in a file updates only that place and bumps its version."""
    changed = copy.deepcopy(ATTRACTIONS)
    changed[0]["visit_minutes"] = 120
    with database.session() as session:
        load_files(session, CATALOGUE_FILES)
        report = load_files(session, [_write(tmp_path, "attractions.json", changed)])
        places = {p.id: p for p in CatalogueRepository(session).places()}
    assert report.places_changed == 1
    assert places["con-son"].visit_minutes == 120
    assert places["con-son"].version == 2
    assert places["kiep-bac"].version == 1


BAD_ROWS = [
    ("province", "Hải Dươngg", "province", "unknown province 'Hải Dươngg'"),
    ("lat", 95.0, "lat", "95.0 is out of range: latitude must be between 19.0 and 23.5"),
    ("name_vi", "", "name_vi", "is missing"),
    (
        "opening_hours",
        [{"days": ["mon"], "open": "18:00", "close": "08:00"}],
        "opening_hours[0].close",
        "closes at 08:00, before it opens at 18:00",
    ),
    (
        "festivals",
        [{"name_vi": "Hội", "lunar_month": 13, "lunar_day": 1}],
        "festivals[0].lunar_month",
        "malformed lunar month 13 (1..12)",
    ),
    (
        "opening_hours",
        [{"days": ["mon"], "open": "8h", "close": "17:00"}],
        "opening_hours[0].open",
        "malformed time '8h' (use HH:MM)",
    ),
]


@pytest.mark.parametrize(
    ("key", "value", "field", "reason"),
    BAD_ROWS,
    ids=[
        "unknown-province",
        "latitude",
        "missing-name",
        "close-before-open",
        "lunar-month",
        "time",
    ],
)
def test_bad_row_is_reported_and_nothing_loaded(database, tmp_path, key, value, field, reason):
    """A bad row names file, row and field; the database keeps exactly what it had."""
    bad = copy.deepcopy(ATTRACTIONS)
    bad[2][key] = value
    bad[2]["visit_minutes"] = 999  # a change that must not land
    with database.session() as session:
        load_files(session, CATALOGUE_FILES)
        before = export_json(CatalogueRepository(session).snapshot())
        with pytest.raises(CatalogueImportError) as caught:
            load_files(session, [_write(tmp_path, "attractions.json", bad)])
        after = export_json(CatalogueRepository(session).snapshot())
    assert [(e.file, e.row, e.field, e.reason) for e in caught.value.errors] == [
        ("attractions.json", 3, field, reason)
    ]
    assert after == before


def test_every_bad_row_is_reported_at_once(database, tmp_path):
    """Several bad rows in several files are all listed; an empty database stays empty."""
    bad = copy.deepcopy(ATTRACTIONS)
    bad[1]["province"] = "Atlantis"
    bad[4]["id"] = bad[0]["id"]
    bad[5]["lat"] = "north"
    hubs = [
        {
            "id": "hub-x",
            "kind": "hub",
            "hub_type": "city",
            "name_vi": "X",
            "name_en": "X",
            "province": "Hà Nội",
            "lat": 21.0,
            "lon": 105.8,
        }
    ]
    files = [
        CATALOGUE_FILES[0],
        _write(tmp_path, "attractions.json", bad),
        _write(tmp_path, "hubs.json", hubs),
    ]
    with database.session() as session, pytest.raises(CatalogueImportError) as caught:
        load_files(session, files)
    found = {(e.file, e.row, e.field) for e in caught.value.errors}
    assert found == {
        ("attractions.json", 2, "province"),
        ("attractions.json", 5, "id"),
        ("attractions.json", 6, "lat"),
        ("hubs.json", 1, "lodging"),
    }
    with database.session() as session:
        assert CatalogueRepository(session).count_places() == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe garbage", "is not UTF-8 (byte 0)"),
        (b'{"id": "x"}', "must hold a JSON list of objects"),
        (b"[{", "is not valid JSON: Expecting property name enclosed in double quotes at line 1"),
    ],
    ids=["encoding", "not-a-list", "broken-json"],
)
def test_unreadable_file_is_one_clear_error(database, tmp_path, content, reason):
    """A file that is not a JSON list is reported as a whole, at row 0."""
    path = tmp_path / "attractions.json"
    path.write_bytes(content)
    with database.session() as session, pytest.raises(CatalogueImportError) as caught:
        load_files(session, [CATALOGUE_FILES[0], path])
    assert [(e.file, e.row, e.field, e.reason) for e in caught.value.errors] == [
        ("attractions.json", 0, "file", reason)
    ]


def test_json_export_round_trips(database, tmp_path):
    """Export → load into a second database → export gives the same text."""
    with database.session() as session:
        load_files(session, CATALOGUE_FILES)
        exported = export_json(CatalogueRepository(session).snapshot())
    records = json.loads(exported)
    assert {
        "id",
        "kind",
        "name_vi",
        "name_en",
        "province",
        "former_province",
        "lat",
        "lon",
        "categories",
        "visit_minutes",
        "opening_hours",
        "ticket_vnd",
        "festivals",
    } <= set(records[0])
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.upgrade()
    try:
        with other.session() as session:
            load_files(session, [CATALOGUE_FILES[0], _write(tmp_path, "export.json", records)])
            assert export_json(CatalogueRepository(session).snapshot()) == exported
    finally:
        other.dispose()


def test_csv_export_round_trips(database, tmp_path):
    """The CSV export loads back into the same catalogue (formula guards undone)."""
    with database.session() as session:
        load_files(session, CATALOGUE_FILES)
        snapshot = CatalogueRepository(session).snapshot()
    csv_text = export_csv(snapshot)
    assert csv_text.splitlines()[0].startswith("id,kind,name_vi,name_en")
    path = tmp_path / "catalogue.csv"
    path.write_text(csv_text, encoding="utf-8")
    other = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    other.upgrade()
    try:
        with other.session() as session:
            load_files(session, [CATALOGUE_FILES[0], path])
            assert export_json(CatalogueRepository(session).snapshot()) == export_json(snapshot)
    finally:
        other.dispose()


def test_csv_export_guards_formulas(database, tmp_path):
    """A name that starts like a spreadsheet formula is exported inert and read back intact."""
    evil = copy.deepcopy(ATTRACTIONS[:1])
    evil[0]["name_en"] = '=HYPERLINK("http://x")'
    with database.session() as session:
        load_files(session, [CATALOGUE_FILES[0], _write(tmp_path, "attractions.json", evil)])
        csv_text = export_csv(CatalogueRepository(session).snapshot())
    assert ",'=HYPERLINK(" in csv_text.replace('"', "")


@pytest.mark.parametrize("brk", ["\n", "\r", "\t", "\x85", "\u2028", "\u2029"])
def test_one_line_texts_refuse_every_kind_of_line_break(brk):
    """A name must stay on one line in every export (a U+2028 in a name could start a new
    property in a lenient iCalendar reader); descriptions may hold line breaks."""
    from tourplanner.catalogue.records import text_problem

    assert text_problem(f"Hạ Long{brk}ATTENDEE:x") == "must be on one line (no tab or line break)"
    assert text_problem(f"Hạ Long{brk}more", multiline=True) is None
