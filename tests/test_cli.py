"""The tourplanner command line: catalogue load, export and search."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

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


def _tourplanner(args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    """Run the installed ``tourplanner`` entry point in a fresh process on a new SQLite file."""
    environ = {
        k: v for k, v in os.environ.items() if k not in ("LOG_LEVEL", "REDIS_URL", "OSRM_URL")
    }
    environ.update(DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", **env)
    code = "from tourplanner.cli import main; main(prog_name='tourplanner')"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", [["--help"], ["plan", "--help"], ["batch", "--help"]])
def test_help_touches_no_database_and_logs_nothing(args, tmp_path):
    result = _tourplanner(args, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage: tourplanner" in result.stdout
    assert result.stderr == ""
    assert not (tmp_path / "cli.db").exists()


def test_commands_are_quiet_unless_verbose(tmp_path):
    """A first run migrates the new database: quiet by default, the info lines with -v."""
    quiet = _tourplanner(["catalogue", "search", "cat ba"], tmp_path, AUTO_SEED="0")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    assert (tmp_path / "cli.db").exists()
    (tmp_path / "cli.db").unlink()
    verbose = _tourplanner(["-v", "catalogue", "search", "cat ba"], tmp_path, AUTO_SEED="0")
    assert verbose.returncode == 0, verbose.stderr
    assert " INFO tourplanner.storage.db " in verbose.stderr
    assert "migrating" in verbose.stderr
