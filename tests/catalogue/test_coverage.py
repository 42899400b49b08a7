"""What the embedded catalogue rests on: coordinates, fares and the stats command.

The embedded data must keep its sources: at least 90 % of all places with a cited coordinate
source, and every ferry, boat, cable car and coach link with a fare or an explicit "fare
unknown" flag (never a silent 0).
"""

from __future__ import annotations

import json
from pathlib import Path

from tourplanner import create_app
from tourplanner.catalogue.service import get_catalogue
from tourplanner.catalogue.stats import catalogue_stats
from tourplanner.travel.network import FARE_MODES
from tourplanner.travel.network import default_network

DATA = Path(__file__).resolve().parents[2] / "tourplanner" / "data"


def _embedded(tmp_path):
    """The embedded catalogue, as a fresh database seeds it."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "t"})
    try:
        with app.app_context():
            return get_catalogue()
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


def test_every_water_cable_and_coach_link_has_a_fare_or_says_it_is_unknown():
    """No crossing of the embedded network is silently free."""
    raw = json.loads((DATA / "network.json").read_text(encoding="utf-8"))
    missing = [
        link["id"]
        for link in raw["links"]
        if link["mode"] in FARE_MODES
        and link.get("status", "open") != "closed"
        and link.get("fare_vnd") is None
        and not link.get("fare_unknown")
    ]
    assert missing == []
    network = default_network()
    for link in network.links.values():
        if link.mode in FARE_MODES:
            assert link.fare_vnd is not None or link.fare_unknown, link.id
            assert link.fare_vnd is None or link.fare_vnd > 0 or link.fare_unknown, link.id


def test_catalogue_stats_report_sourced_coordinates_over_90_percent(tmp_path):
    """The stats count what the data cites; coordinates are sourced for >= 90 % of places."""
    stats = catalogue_stats(_embedded(tmp_path), default_network())
    coords = stats["coordinates (all places)"]
    assert coords.total >= 200
    assert coords.percent >= 90.0, coords
    assert stats["fares stated or flagged unknown"].percent == 100.0
    assert stats["value evidence"].percent == 100.0
    for share in stats.values():
        assert 0 <= share.sourced <= share.total


def test_catalogue_stats_command_prints_a_table_and_json(runner):
    """``tourplanner catalogue stats`` prints the shares (and ``--json`` the same figures)."""
    result = runner.invoke(args=["catalogue", "stats"])
    assert result.exit_code == 0, result.output
    assert "coordinates (all places)" in result.output
    assert "%" in result.output
    result = runner.invoke(args=["catalogue", "stats", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    for share in body.values():
        assert set(share) == {"sourced", "total", "percent"}
