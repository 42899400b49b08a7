"""``tourplanner travel FROM TO``: names resolve like everywhere else; exit codes 0, 2, 3."""

from __future__ import annotations

import json

import pytest


def _json(result) -> dict:
    return json.loads(result.output.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "origin",
    ["hub-ha-noi", "Hà Nội (Phố cổ)", "ha noi (pho co)", "Hanoi Old Quarter"],
    ids=["id", "vietnamese", "no-diacritics", "english"],
)
def test_travel_resolves_names_in_every_form(runner, origin):
    """FROM resolves by id, Vietnamese name with or without diacritics, or English name."""
    result = runner.invoke(
        args=["travel", origin, "Đền Kiếp Bạc", "--depart", "2027-03-06T08:00", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = _json(result)
    assert list(body) == [
        "from",
        "to",
        "depart",
        "minutes",
        "wait_minutes",
        "km",
        "modes",
        "via",
        "cost_vnd",
    ]
    assert (body["from"], body["to"], body["depart"]) == (
        "hub-ha-noi",
        "kiep-bac",
        "2027-03-06T08:00",
    )
    assert 60 <= body["minutes"] <= 150 and body["km"] > 50


def test_travel_prints_a_readable_leg_with_waits_and_via(runner):
    """The text output names the ferry crossing and the waiting time."""
    result = runner.invoke(
        args=["travel", "hub-bai-chay", "ha-long-bay", "--depart", "2027-03-06T08:10"]
    )
    assert result.exit_code == 0, result.output
    assert "Hạ Long – Bãi Cháy (hub-bai-chay) → Vịnh Hạ Long (ha-long-bay)" in result.output
    assert "min waiting" in result.output
    assert "via: " in result.output and "Tàu tham quan vịnh Hạ Long" in result.output


def test_travel_accepts_network_node_ids(runner):
    """A network node (a pier) can be named directly."""
    result = runner.invoke(
        args=["travel", "got-pier", "cat-ba-town", "--depart", "2027-03-06T09:00", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert _json(result)["to"] == "cat-ba-town"


def test_travel_unreachable_exits_3_with_a_reason(runner):
    """After the last ferry the leg is unreachable: JSON error and exit code 3."""
    result = runner.invoke(
        args=["travel", "got-pier", "cat-ba-town", "--depart", "2027-03-06T23:30", "--json"]
    )
    assert result.exit_code == 3
    body = _json(result)
    assert body["error"] == "unreachable"
    assert "Phà Gót – Cái Viềng has no departure after 23:30" in body["message"]


def test_travel_scenario_changes_the_route(runner):
    """--scenario with-lai-xuan routes Hải Phòng to Đông Triều over the Lại Xuân bridge."""
    args = ["travel", "hai-phong", "dong-trieu", "--depart", "2027-03-06T09:00", "--json"]
    base = _json(runner.invoke(args=args))
    opened = _json(runner.invoke(args=[*args, "--scenario", "with-lai-xuan"]))
    assert "Cầu Lại Xuân" in opened["via"] and "Cầu Lại Xuân" not in base["via"]
    assert opened["minutes"] < base["minutes"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["travel", "atlantis", "kiep-bac"], "unknown_name", "no place is called 'atlantis'"),
        (
            ["travel", "hub-ha-noi", "kiep-bac", "--scenario", "tunnel"],
            "invalid_input",
            "scenario: unknown scenario 'tunnel'",
        ),
        (
            ["travel", "hub-ha-noi", "kiep-bac", "--depart", "tomorrow"],
            "invalid_input",
            "depart: 'tomorrow' is not a date and time like 2027-03-06T08:00",
        ),
    ],
    ids=["unknown-place", "unknown-scenario", "bad-depart"],
)
def test_travel_bad_input_exits_2(runner, args, code, message):
    """Unknown places, scenarios and malformed times are errors with exit code 2."""
    result = runner.invoke(args=[*args, "--json"])
    assert result.exit_code == 2
    body = _json(result)
    assert body["error"] == code
    assert message in body["message"]


def test_travel_bad_input_without_json_goes_to_stderr(runner):
    """Without --json the error is one line on stderr."""
    result = runner.invoke(args=["travel", "atlantis", "kiep-bac"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no place is called 'atlantis'")
