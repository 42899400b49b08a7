"""`tourplanner plan` and `tourplanner show` on the tiny test catalogue."""

from __future__ import annotations

import json

import pytest


def test_plan_prints_tables_and_show_prints_it_again(runner):
    """A plan is printed day by day, saved, and `show ID` prints the same plan."""
    result = runner.invoke(
        args=[
            "plan",
            "--start",
            "hub-ha-noi",
            "--date",
            "2027-03-06",
            "--days",
            "2",
            "--must",
            "Vịnh Hạ Long",
            "--time-limit",
            "2",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Ngày 1 — Thứ Bảy, 06/03/2027" in result.output
    assert "Vịnh Hạ Long" in result.output
    itinerary_id = result.output.splitlines()[0].split()[-1]
    shown = runner.invoke(args=["show", itinerary_id, "--lang", "en"])
    assert shown.exit_code == 0, shown.output
    assert "Day 2 — Sun 7 Mar 2027" in shown.output
    assert "Ha Long Bay" in shown.output


def test_plan_json_is_the_contract(runner):
    """--json prints the itinerary contract with its saved id."""
    result = runner.invoke(
        args=[
            "plan",
            "--start",
            "Hạ Long",
            "--date",
            "2027-03-06",
            "--days",
            "1",
            "--json",
            "--interests",
            "heritage,nature",
            "--lang",
            "en",
            "--time-limit",
            "1",
        ]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["request"]["start"] == "hub-bai-chay"
    assert body["request"]["interests"] == ["heritage", "nature"]
    shown = runner.invoke(args=["show", body["id"], "--json"])
    assert json.loads(shown.stdout) == body


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--start", "Atlantis", "--date", "2027-03-06", "--days", "2"],
            "start: no place is called 'Atlantis'",
        ),
        (
            ["--start", "hub-ha-noi", "--date", "06/03/2027", "--days", "2"],
            "start_date: '06/03/2027' is not a date",
        ),
        (
            ["--start", "hub-ha-noi", "--date", "2027-03-06", "--days", "0"],
            "days: must be between 1 and 14",
        ),
        (
            ["--start", "hub-ha-noi", "--date", "2027-03-06", "--days", "2", "--budget", "lots"],
            "budget_vnd: must be a whole number",
        ),
    ],
    ids=["unknown-start", "bad-date", "zero-days", "bad-budget"],
)
def test_plan_bad_input_exits_2_naming_the_field(runner, args, message):
    """Bad input exits 2 with a message that names the field."""
    result = runner.invoke(args=["plan", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_plan_bad_input_json(runner):
    """With --json an error is the JSON error shape."""
    result = runner.invoke(
        args=["plan", "--start", "x", "--date", "2027-03-06", "--days", "99", "--json"]
    )
    assert result.exit_code == 2
    body = json.loads(result.stdout)
    assert body["error"] == "invalid_input"
    assert set(body["fields"]) == {"start", "days"}


def test_show_unknown_id_exits_2(runner):
    """An unknown itinerary id is a clear error."""
    result = runner.invoke(args=["show", "nope"])
    assert result.exit_code == 2
    assert "no itinerary has the id 'nope'" in result.output


def test_plan_with_nothing_feasible_exits_3_and_says_why(runner):
    """An evening day cannot reach the bay (its boats leave 07:30-14:00): exit 3 with the reason
    and what to relax."""
    result = runner.invoke(
        args=[
            "plan",
            "--start",
            "hub-ha-noi",
            "--end",
            "ha-long-bay",
            "--date",
            "2027-03-06",
            "--days",
            "1",
            "--day-start",
            "19:00",
            "--day-end",
            "23:00",
        ]
    )
    assert result.exit_code == 3
    assert (
        "No feasible tour: day 1 cannot be travelled within its hours from any start to any "
        "end. Try: add a day or start earlier." in result.output
    )


def test_plan_in_english_prints_english_only(runner):
    """`plan --lang en` prints its labels, dates, money and warnings in English, and none of
    the Vietnamese ones; `show --lang vi` prints the same plan in Vietnamese only."""
    from tourplanner.i18n import translator
    from tourplanner.planning.notices import notice_text

    result = runner.invoke(
        args=["plan", "--start", "hub-ha-noi", "--date", "2027-03-06", "--days", "2",
              "--must", "Vịnh Hạ Long", "--time-limit", "2", "--lang", "en", "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["notices"]  # warnings to look for
    keys = ("it.day", "cli.total", "it.provinces", "it.per_person", "cli.itinerary")
    outputs = {}
    for lang in ("en", "vi"):
        shown = runner.invoke(args=["show", body["id"], "--lang", lang])
        assert shown.exit_code == 0, shown.output
        outputs[lang] = shown.output
    for lang, other in (("en", "vi"), ("vi", "en")):
        texts = [translator(lang)(k, id=body["id"]) for k in keys]
        texts += [notice_text(n, lang) for n in body["notices"]]
        others = [translator(other)(k, id=body["id"]) for k in keys]
        others += [notice_text(n, other) for n in body["notices"]]
        assert all(t in outputs[lang] for t in texts)
        assert not [t for t in others if t in outputs[lang]]
    assert "Day 1 — Sat 6 Mar 2027" in outputs["en"]
    assert "Ngày 1 — Thứ Bảy, 06/03/2027" in outputs["vi"]
    assert translator("en").money(body["summary"]["cost_vnd"]) in outputs["en"]
