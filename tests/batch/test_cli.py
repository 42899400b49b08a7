"""``tourplanner batch FILE`` from the terminal (jobs in-process: no REDIS_URL)."""

from __future__ import annotations

import json

from tests.batch.conftest import SMALL_CSV


def test_batch_cli_json_summary_and_bad_rows_on_stderr(runner, tmp_path):
    """--json prints only the batch JSON on stdout; bad rows go to stderr; exit 2 for bad rows."""
    path = tmp_path / "products.csv"
    path.write_text(SMALL_CSV, encoding="utf-8")
    result = runner.invoke(args=["batch", str(path), "--json"])
    assert result.exit_code == 2, result.output
    body = json.loads(result.stdout)
    assert body["name"] == "products" and body["counts"]["done"] == 3
    assert [p["status"] for p in body["products"]] == ["done", "done", "invalid", "done"]
    assert "bad row 3: start_date:" in result.stderr


def test_batch_cli_text_summary_all_good_exits_zero(runner, tmp_path):
    """A file of good rows prints the text summary and exits 0."""
    path = tmp_path / "good.json"
    path.write_text(
        json.dumps(
            [
                {
                    "name": "Côn Sơn day",
                    "start": "Hà Nội",
                    "start_date": "2027-03-08",
                    "days": 1,
                    "time_limit_s": 0.3,
                }
            ]
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["batch", str(path), "--name", "One"])
    assert result.exit_code == 0, result.output
    assert "batch " in result.stdout and "· One" in result.stdout
    assert "1 planned, 0 failed, 0 bad rows" in result.stdout


def test_batch_cli_unknown_scenario_is_an_error(runner, tmp_path):
    """An unknown scenario is refused before anything runs."""
    path = tmp_path / "p.csv"
    path.write_text(SMALL_CSV, encoding="utf-8")
    result = runner.invoke(args=["batch", str(path), "--scenario", "no-such"])
    assert result.exit_code == 2
    assert "unknown scenario" in result.stderr
