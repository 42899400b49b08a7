"""The tourplanner command line: catalogue load, export and search."""

from __future__ import annotations

import csv
import io
import json

from tests.conftest import CATALOGUE_FILES


def test_catalogue_export_json(runner):
    """`catalogue export --format json` prints every place with the contract keys."""
    result = runner.invoke(args=["catalogue", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 9
    assert {r["kind"] for r in records} == {"attraction", "hub", "gateway"}
    con_son = next(r for r in records if r["id"] == "con-son")
    assert (con_son["province"], con_son["former_province"]) == ("Hải Phòng", "Hải Dương")


def test_catalogue_export_csv(runner):
    """`catalogue export --format csv` prints a header and one row a place."""
    result = runner.invoke(args=["catalogue", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 9
    assert next(r for r in rows if r["id"] == "ha-long-bay")["ticket_vnd"] == "290000"


def test_catalogue_load_is_idempotent(runner):
    """Loading the already loaded files reports no change."""
    result = runner.invoke(args=["catalogue", "load", *map(str, CATALOGUE_FILES)])
    assert result.exit_code == 0, result.output
    assert "loaded 9 places (0 new or changed)" in result.output


def test_catalogue_load_bad_file_exits_2_and_lists_rows(runner, tmp_path):
    """Bad rows are printed as 'file, row N, field: reason' and the command exits 2."""
    rows = json.loads(CATALOGUE_FILES[1].read_text(encoding="utf-8"))
    rows[0]["lat"] = 95
    rows[3]["festivals"] = [{"name_vi": "Hội", "lunar_month": 2, "lunar_day": 31}]
    path = tmp_path / "attractions.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["catalogue", "load", str(path)])
    assert result.exit_code == 2
    assert "attractions.json, row 1, lat: 95 is out of range" in result.output
    assert (
        "attractions.json, row 4, festivals[0].lunar_day: malformed lunar day 31 (1..30)"
        in result.output
    )
    assert "nothing was loaded" in result.output


def test_catalogue_search_json(runner):
    """`catalogue search` finds places without diacritics and prints JSON on request."""
    result = runner.invoke(args=["catalogue", "search", "hai duong", "--json"])
    assert result.exit_code == 0, result.output
    assert {r["id"] for r in json.loads(result.stdout)} == {"con-son", "kiep-bac"}


def test_catalogue_search_unknown_province_exits_2(runner):
    """An unknown province filter is a clear error with exit code 2."""
    result = runner.invoke(args=["catalogue", "search", "--province", "Atlantis"])
    assert result.exit_code == 2
    assert "unknown province 'Atlantis'" in result.output
