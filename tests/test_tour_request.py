"""TourRequest parsing: names resolve, every bad field is reported together."""

from __future__ import annotations

import datetime as dt

import pytest

from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import ValidationError
from tourplanner.planning.request import parse_tour_request


@pytest.fixture
def catalogue(app):
    """The tiny test catalogue."""
    with app.app_context():
        yield get_catalogue()


def _reasons(exc: ValidationError) -> dict[str, str]:
    return {e.field: e.reason for e in exc.errors}


def test_parse_minimal_request_uses_contract_defaults(catalogue):
    """start, start_date and days suffice; the rest takes the schema's defaults."""
    request = parse_tour_request(
        {"start": "Ha Noi (Pho co)", "start_date": "2027-03-06", "days": 3}, catalogue
    )
    assert request.start == "hub-ha-noi"
    assert request.end_place == "hub-ha-noi"
    assert request.start_date == dt.date(2027, 3, 6)
    assert (request.day_start_min, request.day_end_min) == (480, 1110)
    assert (request.pace, request.group_size, request.groups, request.language) == (
        "normal",
        2,
        1,
        "vi",
    )
    assert request.dates[-1] == dt.date(2027, 3, 8)


def test_parse_resolves_names_any_spelling(catalogue):
    """Must-visits, exclusions and provinces resolve by Vietnamese, ASCII or English names."""
    request = parse_tour_request(
        {
            "start": "hub-ha-noi",
            "start_date": "2027-03-06",
            "days": 3,
            "must_visit": ["Vịnh Hạ Long", "yen tu"],
            "exclude": ["Kiep Bac Temple"],
            "provinces": ["hai duong", "Quảng Ninh"],
            "interests": ["Heritage", "nature"],
            "min_provinces": 3,
        },
        catalogue,
    )
    assert request.must_visit == ("ha-long-bay", "yen-tu")
    assert request.exclude == ("kiep-bac",)
    assert request.provinces == ("Hải Phòng", "Quảng Ninh")  # a former province maps to today's
    assert request.interests == ("heritage", "nature")


def test_parse_reports_every_bad_field_at_once(catalogue):
    """Each bad field is named with its reason, all in one error."""
    with pytest.raises(ValidationError) as caught:
        parse_tour_request(
            {
                "start": "Atlantis",
                "start_date": "2027-02-30",
                "days": 60,
                "pace": "sprint",
                "day_start": "25:00",
                "interests": ["skiing"],
                "must_visit": ["Vinh Ha Lonh"],
                "group_size": 0,
                "budget_vnd": -5,
                "time_limit_s": float("nan"),
            },
            catalogue,
        )
    reasons = _reasons(caught.value)
    assert set(reasons) == {
        "start",
        "start_date",
        "days",
        "pace",
        "day_start",
        "interests[0]",
        "must_visit[0]",
        "group_size",
        "budget_vnd",
        "time_limit_s",
    }
    assert reasons["start"].startswith("no place is called 'Atlantis'")
    assert reasons["start_date"] == "'2027-02-30' is not a date (use YYYY-MM-DD)"
    assert reasons["days"] == "must be between 1 and 14"
    assert reasons["pace"] == "must be one of relaxed, normal, packed"
    assert reasons["must_visit[0]"].startswith(
        "no place is called 'Vinh Ha Lonh'; closest: Vịnh Hạ Long (ha-long-bay)"
    )
    assert reasons["time_limit_s"] == "must be a finite number"


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({}, "start", "is required"),
        ({"start": "hub-ha-noi", "days": 2}, "start_date", "is required"),
        ({"start": "hub-ha-noi", "start_date": "2027-03-06"}, "days", "is required"),
        (
            {"start": "x" * 500, "start_date": "2027-03-06", "days": 1},
            "start",
            "is longer than 200 characters",
        ),
        (
            {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": True},
            "days",
            "must be a whole number",
        ),
        (
            {
                "start": "hub-ha-noi",
                "start_date": "2027-03-06",
                "days": 2,
                "day_start": "12:00",
                "day_end": "13:00",
            },
            "day_end",
            "must be at least 3 hours after day_start",
        ),
        (
            {
                "start": "hub-ha-noi",
                "start_date": "2027-03-06",
                "days": 2,
                "must_visit": ["yen-tu"],
                "exclude": ["yen-tu"],
            },
            "exclude",
            "yen-tu is both a must-visit and excluded",
        ),
        (
            {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 2, "provinces": ["Narnia"]},
            "provinces[0]",
            "unknown province 'Narnia'; known: Bắc Ninh, Hà Nội, Hải Phòng, Hưng Yên, "
            "Lạng Sơn, Ninh Bình, Quảng Ninh",
        ),
        (
            {
                "start": "hub-ha-noi",
                "start_date": "2027-03-06",
                "days": 2,
                "must_visit": ["a"] * 51,
            },
            "must_visit",
            "has 51 items; at most 50 are allowed",
        ),
    ],
    ids=[
        "no-start",
        "no-date",
        "no-days",
        "huge-string",
        "bool-days",
        "short-day",
        "must-and-exclude",
        "unknown-province",
        "too-many-musts",
    ],
)
def test_parse_single_bad_field(catalogue, data, field, reason):
    """One bad field gives exactly its reason."""
    with pytest.raises(ValidationError) as caught:
        parse_tour_request(data, catalogue)
    assert _reasons(caught.value)[field] == reason


def test_parse_rejects_non_object(catalogue):
    """A JSON array instead of an object is a clear error, not a crash."""
    with pytest.raises(ValidationError, match="request: must be a JSON object"):
        parse_tour_request(["start"], catalogue)


def test_to_dict_round_trips(catalogue):
    """The contract dict of a parsed request parses back to the same request."""
    first = parse_tour_request(
        {
            "start": "hub-ha-noi",
            "start_date": "2027-03-06",
            "days": 2,
            "budget_vnd": 3_000_000,
            "must_visit": ["yen-tu"],
            "pace": "relaxed",
        },
        catalogue,
    )
    assert parse_tour_request(first.to_dict(), catalogue) == first


def test_start_prefers_an_overnight_base_over_sights_of_the_same_name(catalogue):
    """ "Hạ Long" as a start is the Bãi Cháy hub, not the bay; as a must-visit it is the bay."""
    request = parse_tour_request(
        {"start": "Hạ Long", "start_date": "2027-03-06", "days": 2, "must_visit": ["Hạ Long"]},
        catalogue,
    )
    assert request.start == "hub-bai-chay"
    assert request.must_visit == ("ha-long-bay",)


def test_parse_names_each_bad_item_by_its_position_as_sent(catalogue):
    """A bad item and an unknown name in one list are each named by the index the client
    sent, not by their place among the items that survived (blank items count too)."""
    with pytest.raises(ValidationError) as caught:
        parse_tour_request(
            {
                "start": "hub-ha-noi",
                "start_date": "2027-03-06",
                "days": 2,
                "must_visit": [5, "  ", "Atlantis", "yen-tu"],
            },
            catalogue,
        )
    reasons = _reasons(caught.value)
    assert set(reasons) == {"must_visit[0]", "must_visit[2]"}
    assert reasons["must_visit[0]"] == "must be text"
    assert reasons["must_visit[2]"].startswith("no place is called 'Atlantis'")


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"min_provinces": 8}, "min_provinces", "must be between 1 and 7"),
        ({"budget_vnd": 10**13}, "budget_vnd", "must be at most 1,000,000,000,000"),
        ({"time_limit_s": 0}, "time_limit_s", "must be more than 0 and at most 120"),
        ({"time_limit_s": "soon"}, "time_limit_s", "must be a number, not 'soon'"),
        ({"days": "two"}, "days", "must be a whole number, not 'two'"),
        ({"pins": [1]}, "pins", "must map place ids to day numbers"),
        ({"start_date": "2100-01-01"}, "start_date", "must be between 2000 and 2099"),
    ],
    ids=["min-provinces", "budget", "time-limit-0", "time-limit-text", "days-text", "pins", "2100"],
)
def test_schema_bounds_keep_their_reasons(catalogue, changes, field, reason):
    """The bounds the schema declares give the reasons the parser always gave (the largest
    min_provinces comes from the catalogue: 7 current provinces in the test one)."""
    body = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 2, **changes}
    with pytest.raises(ValidationError) as caught:
        parse_tour_request(body, catalogue)
    assert _reasons(caught.value) == {field: reason}


def test_parse_lists_errors_in_the_order_of_the_fields(catalogue):
    """Errors of the schema and of the catalogue step come in the fields' order (a summary
    that shows the first one shows the first field), not grouped by the step that found them."""
    with pytest.raises(ValidationError) as caught:
        parse_tour_request(
            {"start": "Nowhere", "start_date": "2027-13-01", "days": "x", "provinces": ["?"]},
            catalogue,
        )
    assert [e.field for e in caught.value.errors] == ["start", "start_date", "days", "provinces[0]"]
