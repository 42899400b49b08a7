"""Bad input never crashes anything (issue 9): TourRequests generated from the contract schema,
valid and broken, pushed through every entry point.

* ``parse_tour_request`` directly -- the cheapest target, so the most examples: a valid request
  is accepted, its names resolve to the places meant, and its canonical form is a valid
  contract request that parses back to itself; a request with one broken field is refused with
  that field named; anything at all ends in a TourRequest or a ValidationError, nothing else.
* the JSON API ``POST /api/v1/plans``: 201 with an itinerary that matches the itinerary schema,
  whose solution ``solver.validate`` passed and whose times hold together, or 202 and a job that
  finishes; 400 naming the field, 413 above the body limit, 422 when nothing is feasible.
* the CLI ``tourplanner plan``: exit 0, 2 (the field or option named on stderr) or 3; never a
  traceback or exit 1.
* the web form ``POST /`` (CSRF on): a 400 page with the message at the field, or a job that
  finishes; never a 500.

Plus the issue's nasty cases, one by one: 0 or 60 days, Tết, an island start, every place
excluded, a budget of 0, 50 must-sees, lookalike letters, combining diacritics, 1 MB strings,
NaN, Infinity, huge and negative numbers, bools as numbers, null, wrong types, unknown fields,
bad dates and clock times.

Real solves run on the tiny test catalogue with a short time limit and are few; the parse-only
tests run hundreds of examples.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck
from hypothesis import assume
from hypothesis import event
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import solver
from tests.conftest import make_app
from tests.hardening import strategies as s
from tests.web.conftest import TOKEN
from tourplanner import create_app
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.service import get_catalogue
from tourplanner.cli.plan import plan_command
from tourplanner.errors import ValidationError
from tourplanner.planning.request import TourRequest
from tourplanner.planning.request import parse_tour_request
from tourplanner.testing.keys import auth
from tourplanner.testing.keys import make_keys

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "tourplanner" / "api" / "contracts"
ITINERARY = jsonschema.Draft202012Validator(
    json.loads((CONTRACTS / "itinerary.schema.json").read_text("utf-8"))
)
TOUR_REQUEST = jsonschema.Draft202012Validator(s.SCHEMA)


def fuzz(examples: int) -> settings:
    """Hypothesis settings of this module: deterministic, no database, *examples* examples."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


#: real solves: few examples, a short search
SOLVES = 12
TIME_LIMIT = st.sampled_from([0.1, 0.2])
#: what the test client sends as JSON: Python's json writes NaN and Infinity, which JSON lacks
NON_FINITE_JSON = "body"
API_BODY_LIMIT = 256 * 1024


# -- the apps ---------------------------------------------------------------------------------


@dataclass
class World:
    """One app on the tiny test catalogue, shared by every entry point of this module."""

    app: Any
    catalogue: Catalogue
    headers: dict[str, str]

    def parse(self, body: Any) -> TourRequest:
        """Parse *body* the way every entry point does."""
        return parse_tour_request(body, self.catalogue)

    def wait(self, job_id: str) -> None:
        """Block until the background job *job_id* has finished."""
        self.app.extensions["tourplanner.jobs.runner"].wait(job_id, timeout=120)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    """The app (SQLite, tiny catalogue) with a planner key, a high rate limit, CSRF on."""
    app = make_app(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}")
    app.config["API_RATE_LIMIT"] = 10**6  # the fuzzers send thousands of requests
    app.config["API_SYNC_MAX_UNITS"] = 2  # 2 days × 1 group at once; more becomes a job
    assert app.config.get("WTF_CSRF_ENABLED", True)
    keys = make_keys(app)
    with app.app_context():
        catalogue = get_catalogue()
    yield World(app, catalogue, auth(keys.planner))
    app.extensions["tourplanner.storage.db"].dispose()


@contextmanager
def validations() -> Iterator[list[list]]:
    """Record what ``solver.validate`` (the real one) said about every solution planned."""
    seen: list[list] = []
    real = solver.validate

    def spy(problem, solution):
        violations = real(problem, solution)
        seen.append(list(violations))
        return violations

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(solver, "validate", spy)
        yield seen


# -- helpers ----------------------------------------------------------------------------------


def non_finite(value: Any) -> bool:
    """Tell whether *value* holds a float JSON cannot carry (NaN, ±Infinity)."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(non_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(non_finite(v) for v in value)
    return False


def named(fields: list[str] | dict, field: str) -> bool:
    """Tell whether the error *fields* name *field* (``must_visit[3]`` names ``must_visit``)."""
    return any(re.split(r"[\[.]", f, maxsplit=1)[0] == field for f in fields)


def assert_field_errors(exc: ValidationError) -> None:
    """Every field error names a field and says why, in words."""
    assert exc.errors
    for error in exc.errors:
        assert isinstance(error.field, str) and error.field.strip(), error
        assert isinstance(error.reason, str) and len(error.reason) >= 5, error
    assert len(exc.message) < 200_000  # one reason per field, never the whole input echoed


def _time(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")


def check_itinerary(body: dict, request: TourRequest) -> None:
    """The itinerary matches the contract and its times hold together for *request*.

    Each group has one day per trip date; each day leaves its start at or after the day's
    start, runs forward in time, chains its legs from stop to stop, and ends in the day's
    window or says in a warning that exact crossings make it end later; excluded places are
    never visited; every must-visit or pinned place is visited (on its pinned day) or listed as
    dropped with a reason; the travel total is the sum of the legs.
    """
    ITINERARY.validate(body)
    assert body["request"] == request.to_dict()
    dates = [d.isoformat() for d in request.dates]
    for group in range(request.groups):
        assert [d["date"] for d in body["days"] if d["group"] == group] == dates
    assert len(body["days"]) == request.days * request.groups
    visited: dict[str, set[int]] = {}
    legs_total = 0
    for day in body["days"]:
        index = dates.index(day["date"])
        stops, legs = day["stops"], day["legs"]
        midnight = dt.datetime.combine(request.dates[index], dt.time())
        assert stops[0]["kind"] == "start"
        assert stops[-1]["kind"] == ("end" if index == request.days - 1 else "overnight")
        assert _time(stops[0]["depart"]) >= midnight + dt.timedelta(minutes=request.day_start_min)
        for before, after in zip(stops, stops[1:], strict=False):
            assert _time(before["arrive"]) <= _time(before["depart"]) <= _time(after["arrive"])
        places = [x for x in stops if x["kind"] != "meal"]
        assert [leg["from"] for leg in legs] == [x["id"] for x in places[:-1]]
        assert [leg["to"] for leg in legs] == [x["id"] for x in places[1:]]
        for leg in legs:
            assert leg["minutes"] >= 0 and leg["km"] >= 0
            assert _time(leg["arrive"]) - _time(leg["depart"]) == dt.timedelta(
                minutes=leg["minutes"]
            )
            legs_total += leg["minutes"]
        for stop in stops:
            if stop["kind"] == "attraction":
                visited.setdefault(stop["id"], set()).add(index)
        ends = _time(stops[-1]["arrive"])
        if ends > midnight + dt.timedelta(minutes=request.day_end_min + 15):
            assert any(f"ends at {ends:%H:%M}" in w for w in body["warnings"]), body["warnings"]
    assert body["summary"]["travel_minutes"] == legs_total
    assert body["summary"]["cost_vnd"] >= 0
    assert not set(visited) & set(request.exclude)
    dropped = {d["id"] for d in body["dropped"]}
    for place in request.must_visit:
        assert place in visited or place in dropped, place
    for place, day in request.pins.items():
        assert day in visited.get(place, ()) or place in dropped, (place, day)


def check_job(world: World, client, status_url: str, request: TourRequest, headers=None) -> str:
    """Wait for the job behind *status_url*: done with a valid itinerary, or no feasible tour."""
    job_id = status_url.rstrip("/").rsplit("/", 1)[1].removesuffix(".json")
    world.wait(job_id)
    job = client.get(status_url, headers=headers).get_json()
    if job["status"] == "failed":
        assert job["error"]["error"] == "no_feasible_tour", job
        return "failed"
    assert job["status"] == "done", job
    return job["result_id"]


# -- the strategies themselves ----------------------------------------------------------------


def test_strategies_cover_every_field_of_the_contract():
    """The strategies know every property of the schema, and the CLI has an option for each
    (a field added to the contract must be fuzzed too)."""
    for name in s.PROPERTIES:
        s.bad_values(name)  # raises NotImplementedError on a kind of field it does not know
    assert set(CLI_OPTIONS) == set(s.PROPERTIES)
    options = {opt for p in plan_command.params for opt in p.opts}
    assert set(CLI_OPTIONS.values()) <= options
    assert set(s.PROPERTIES) >= FORM_FIELDS


def test_spellings_fold_to_the_same_name():
    """NFD, fullwidth and spaced spellings are the same name once folded."""
    from tourplanner.text import fold

    for spell in s.SPELLINGS:
        assert fold(spell("Vịnh Hạ Long")) == "vinh ha long"
    assert unicodedata.normalize("NFD", "Hạ") != "Hạ"


# -- parse_tour_request directly: the most examples -------------------------------------------


@fuzz(200)
@given(body=s.valid_requests())
def test_parse_accepts_valid_requests_and_round_trips(world, body):
    """A schema-valid request within the product's limits is accepted; every spelling of a
    name (ids, with or without diacritics, NFD, fullwidth, upper case, spaced) resolves to the
    place meant; the canonical form matches the contract and parses back to the same request
    (background jobs re-parse it)."""
    sent, expect = s.split(body)
    TOUR_REQUEST.validate(sent)
    request = world.parse(sent)
    assert request.start == expect["start"]
    assert request.end_place == expect.get("end", expect["start"])
    assert list(request.must_visit) == expect.get("must_visit", [])
    assert list(request.exclude) == expect.get("exclude", [])
    canonical = request.to_dict()
    TOUR_REQUEST.validate(canonical)
    assert world.parse(canonical) == request
    assert world.parse(json.loads(json.dumps(canonical))) == request


@fuzz(300)
@given(case=s.broken_requests())
@example(case=({"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 0}, "days"))
@example(case=({"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 60}, "days"))
@example(
    case=(
        {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "time_limit_s": 10**400},
        "time_limit_s",
    )
)
@example(case=({"start": "hub-ha-noi", "start_date": "2027-03-06", "days": "9" * 5000}, "days"))
@example(case=({"start": "hub-ha-noi", "start_date": "2027-W10-6", "days": 1}, "start_date"))
@example(case=({"start": "hub-ha-noi", "start_date": "20270306", "days": 1}, "start_date"))
def test_parse_names_the_one_broken_field(world, case):
    """A valid request with one field broken (wrong type, null, out of range, unknown name,
    1 MB, NaN, a bool as a number...) is refused, and the error names that field."""
    body, field = case
    with pytest.raises(ValidationError) as caught:
        world.parse(body)
    assert_field_errors(caught.value)
    assert named([e.field for e in caught.value.errors], field), (field, caught.value.errors)


@fuzz(400)
@given(body=s.any_requests())
@example(body=None)
@example(body=[{"start": "hub-ha-noi"}])
@example(body={"pins": {"hub-ha-noi": 0}, "quotas": {str(i): 1 for i in range(2000)}})
@example(body={"quotas": {s.HUGE: 1}, "pins": {s.HUGE: 1}})
@example(body={"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 2, "pins": {"yen-tu": 1}})
def test_parse_anything_gives_a_request_or_field_errors(world, body):
    """Whatever arrives -- any JSON, NaN, 10**400, nested junk, pins and quotas of any shape --
    the parser returns a TourRequest or raises a ValidationError naming fields; nothing else."""
    try:
        request = world.parse(body)
    except ValidationError as exc:
        assert_field_errors(exc)
    else:
        assert isinstance(request, TourRequest)
        assert 1 <= request.days <= s.PROPERTIES["days"]["maximum"]
        TOUR_REQUEST.validate(request.to_dict())
        assert world.parse(request.to_dict()) == request


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("Vịnh Hạ Lоng", "ha-long-bay"),  # Cyrillic о
        ("Hа Nội (Phố cổ)", "hub-ha-noi"),  # Cyrillic а
        ("Yên Тử", "yen-tu"),  # Cyrillic Т
        ("Vịnh Ηạ Long", "ha-long-bay"),  # Greek Η
    ],
    ids=["cyrillic-o", "cyrillic-a", "cyrillic-te", "greek-eta"],
)
def test_parse_lookalike_letters_never_pick_another_place(world, name, place):
    """A name with a lookalike letter is either refused at its field with the real place
    suggested, or (as a clear prefix) resolves to that place, never to another one."""
    cases = [("start", {"start": name})]
    if not place.startswith("hub-"):
        cases.append(("must_visit", {"start": "hub-ha-noi", "must_visit": [name]}))
    for field, body in cases:
        body = {"start_date": "2027-03-06", "days": 1, **body}
        try:
            request = world.parse(body)
        except ValidationError as exc:
            reasons = {e.field: e.reason for e in exc.errors}
            key = field if field == "start" else f"{field}[0]"
            assert place in reasons[key], reasons
        else:
            got = request.start if field == "start" else request.must_visit[0]
            assert got == place


# -- the JSON API -----------------------------------------------------------------------------


def encoded(body: Any) -> bytes:
    """*body* as JSON text the way a client sends it: NaN and Infinity as Python writes them,
    non-ASCII as ``\\u`` escapes (so a lone surrogate still reaches the server)."""
    return json.dumps(body).encode()


def post_plan(world: World, client, body: Any):
    """POST *body* as JSON (NaN and Infinity written the way Python writes them)."""
    return client.post(
        "/api/v1/plans",
        data=encoded(body),
        content_type="application/json",
        headers=world.headers,
    )


def check_api_answer(world: World, client, sent: Any, response) -> tuple[str, dict]:
    """Check one API answer against the contract; return what happened and the final body
    (the itinerary once planned, through its job if there was one)."""
    status = response.status_code
    assert status in (201, 202, 400, 413, 422), (status, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert isinstance(body, dict)
    if status == 413:
        assert len(encoded(sent)) > API_BODY_LIMIT
        return "too-large", body
    if status == 400:
        assert body["error"] == "invalid_input" and body["fields"], body
        for field, reason in body["fields"].items():
            assert field.strip() and len(reason) >= 5, body
        return "invalid", body
    if status == 422:
        assert body["error"] == "no_feasible_tour" and "Try:" in body["message"], body
        return "infeasible", body
    request = world.parse(sent)
    if status == 202:
        result = check_job(world, client, body["status_url"], request, world.headers)
        if result == "failed":
            return "job-infeasible", body
        body = client.get(f"/api/v1/itineraries/{result}", headers=world.headers).get_json()
    check_itinerary(body, request)
    return "planned", body


@fuzz(SOLVES)
@given(body=s.valid_requests(max_days=3, max_groups=2, time_limit=TIME_LIMIT))
@example(
    body={
        "start": "Hà Nội (Phố cổ)",
        "start_date": "2027-02-04",
        "days": 3,
        "must_visit": ["Yên Tử", "Vịnh Hạ Long"],
        "time_limit_s": 0.2,
        "expect": {},
    }
)
def test_api_valid_requests_are_planned_and_validated(world, body):
    """A valid request gets an itinerary (at once, or through a job) that matches the
    itinerary schema, whose solution passed ``solver.validate`` and whose times hold together;
    or a 422 saying what to relax. An unknown field is ignored; NaN anywhere is a 400."""
    sent, _ = s.split(body)
    client = world.app.test_client()
    with validations() as seen:
        response = post_plan(world, client, sent)
        if non_finite(sent):
            event("NaN or Infinity in an unknown field: 400")
            assert response.status_code == 400
            assert NON_FINITE_JSON in response.get_json()["fields"]
            return
        outcome, _ = check_api_answer(world, client, sent, response)
    event(f"{response.status_code} {outcome}")
    assert outcome in ("planned", "infeasible", "job-infeasible"), outcome
    if outcome == "planned":
        assert seen and all(v == [] for v in seen), seen


@fuzz(60)
@given(case=s.broken_requests())
def test_api_names_the_broken_field(world, case):
    """One broken field: 400 naming it (or the body, for NaN and Infinity, which JSON does not
    have), or 413 when the body is over the API's limit; never a 500."""
    body, field = case
    response = post_plan(world, world.app.test_client(), body)
    event(str(response.status_code))
    if response.status_code == 413:
        assert len(encoded(body)) > API_BODY_LIMIT
        return
    assert response.status_code == 400, (field, response.get_json())
    fields = response.get_json()["fields"]
    assert named(fields, field) or (non_finite(body) and NON_FINITE_JSON in fields), fields


@fuzz(60)
@given(body=s.any_requests())
def test_api_anything_is_answered_by_the_contract(world, body):
    """Any JSON at all: 201/202 with a valid itinerary, 400 with fields and reasons, 413, or
    422; never a 500. (A request that happens to be valid gets a short search.)"""
    try:
        world.parse(body)
    except ValidationError:
        pass
    else:
        body = {**body, "time_limit_s": 0.1}
    client = world.app.test_client()
    response = post_plan(world, client, body)
    outcome, _ = check_api_answer(world, client, body, response)
    event(f"{response.status_code} {outcome}")


@fuzz(30)
@given(
    raw=st.one_of(
        st.binary(max_size=64),
        st.text(max_size=64).map(str.encode),
        st.sampled_from(
            [b"{", b"[]", b"null", b'{"days": NaN}', b'{"days": 1e999}', b"\xef\xbb\xbf{}"]
        ),
        st.just(b'{"a":' * 5000 + b"1" + b"}" * 5000),
    ),
    content_type=st.sampled_from(["application/json", "text/plain", "application/json; x=1"]),
)
def test_api_raw_bodies_are_400_not_500(world, raw, content_type):
    """Bytes that are not a JSON object (broken UTF-8, a BOM, deep nesting, NaN, a list) are
    400s with the reason, never a 500."""
    response = world.app.test_client().post(
        "/api/v1/plans", data=raw, content_type=content_type, headers=world.headers
    )
    assert response.status_code == 400, (raw[:40], response.get_data(as_text=True)[:300])
    assert response.get_json()["error"] == "invalid_input"


# -- the CLI ----------------------------------------------------------------------------------

CLI_OPTIONS = {
    "start": "--start",
    "end": "--end",
    "start_date": "--date",
    "days": "--days",
    "day_start": "--day-start",
    "day_end": "--day-end",
    "pace": "--pace",
    "interests": "--interests",
    "must_visit": "--must",
    "exclude": "--exclude",
    "provinces": "--province",
    "min_provinces": "--min-provinces",
    "group_size": "--group-size",
    "groups": "--groups",
    "budget_vnd": "--budget",
    "max_drive_minutes_per_day": "--max-drive",
    "language": "--lang",
    "time_limit_s": "--time-limit",
    "lodging": "--lodging",
    "transport": "--transport",
}


def _cli_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def cli_args(body: dict[str, Any]) -> list[str]:
    """The ``tourplanner plan`` arguments for *body* (a list repeats its option)."""
    args = ["plan"]
    for name, value in body.items():
        option = CLI_OPTIONS.get(name)
        if option is None or value is None:
            continue
        repeated = s.PROPERTIES[name].get("type") == "array" and isinstance(value, list)
        items = value if repeated else [value]
        args += [f"{option}={_cli_text(item)}" for item in items]
    return args


def run_cli(world: World, args: list[str]):
    """Run the CLI; check it ended with 0, 2 or 3 and no traceback."""
    result = world.app.test_cli_runner().invoke(args=args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args[:6],
        result.exc_info,
    )
    assert result.exit_code in (0, 2, 3), (args[:6], result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output
    return result


@fuzz(6)
@given(
    body=s.valid_requests(max_days=2, max_groups=2, time_limit=TIME_LIMIT, extra=False),
)
def test_cli_plans_valid_requests(world, body):
    """A valid request planned on the command line exits 0 with the itinerary JSON (valid,
    times consistent) or 3 with the reason."""
    sent, _ = s.split(body)
    with validations() as seen:
        result = run_cli(world, [*cli_args(sent), "--json"])
    event(f"exit {result.exit_code}")
    if result.exit_code == 3:
        assert json.loads(result.stdout)["error"] == "no_feasible_tour"
        return
    assert result.exit_code == 0, result.output[-2000:]
    check_itinerary(json.loads(result.stdout), world.parse(sent))
    assert seen and all(v == [] for v in seen), seen


@fuzz(80)
@given(case=s.broken_requests(extra=False))
@example(case=({"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "pace": "x"}, "pace"))
def test_cli_names_the_broken_field(world, case):
    """One broken option: exit 2 and the field (or the option) named on stderr."""
    body, field = case
    result = run_cli(world, cli_args(body))
    assert result.exit_code == 2, (field, result.output[-1000:])
    said = result.stderr
    event("click usage error" if "Usage:" in said else "field error from the parser")
    assert re.search(rf"\b{field}\b", said) or CLI_OPTIONS[field] in said, (field, said[-500:])


@pytest.mark.parametrize(
    "extra",
    [
        ["--seed=99999999999999999999999999"],
        ["--seed=-1"],
        ["--seed=x"],
        ["--days"],
        ["--bogus=1"],
        ["--must="] * 3,
        ["--interests=,,,"],
    ],
    ids=[
        "huge-seed",
        "negative-seed",
        "text-seed",
        "missing-value",
        "unknown-option",
        "empty-musts",
        "commas",
    ],
)
def test_cli_odd_arguments_exit_cleanly(world, extra):
    """Odd arguments beyond the request's fields: 0, 2 or 3, never a traceback."""
    run_cli(
        world,
        ["plan", "--start=hub-ha-noi", "--date=2027-03-06", "--days=1", "--time-limit=0.1", *extra],
    )


# -- the web form -----------------------------------------------------------------------------

FORM_FIELDS = {
    "start",
    "end",
    "start_date",
    "days",
    "day_start",
    "day_end",
    "pace",
    "interests",
    "budget_vnd",
    "group_size",
    "must_visit",
    "provinces",
    "language",
    "lodging",
    "transport",
}
#: the largest form field werkzeug reads (its max_form_memory_size): 413 above
FORM_FIELD_LIMIT = 500_000
#: the largest request body the app reads (tourplanner/security.py)
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
#: form fields whose value the view strips before parsing (blank means "not given")
STRIPPED = {"start", "end", "start_date", "days", "day_start", "day_end", "group_size"}


def form_data(body: dict[str, Any], token: str) -> dict[str, Any]:
    """The form fields a browser would post for *body* (strings; lists repeat the field)."""
    data: dict[str, Any] = {"csrf_token": token}
    for name, value in body.items():
        if name not in FORM_FIELDS or value is None:
            continue
        if isinstance(value, list) and s.PROPERTIES[name].get("type") == "array":
            data[name] = [_cli_text(v) for v in value]
        else:
            data[name] = _cli_text(value)
    return data


def still_bad_in_form(field: str, value: Any) -> bool:
    """Tell whether a broken *value* stays broken once the form view has tidied it."""
    text = _cli_text(value) if value is not None else ""
    if field in STRIPPED and field not in s.REQUIRED and not text.strip():
        return False  # a blank optional field is simply not given
    if field == "budget_vnd":  # thousands separators are dropped: "1.500.000"
        cleaned = text.replace(",", "").replace(".", "").replace(" ", "").strip()
        if not cleaned:
            return False
        try:
            return not 0 <= int(cleaned) <= 10**12
        except ValueError:
            return True
    return True


@pytest.fixture(scope="module")
def browser(world):
    """A test client with the form's CSRF token (from the form page itself)."""
    client = world.app.test_client()
    html = client.get("/").get_data(as_text=True)
    return client, TOKEN.search(html).group(1)


@fuzz(4)
@given(
    body=s.valid_requests(max_days=2, max_groups=1, fields=tuple(sorted(FORM_FIELDS)), extra=False)
)
def test_form_valid_requests_start_a_job_that_finishes(world, browser, body):
    """A valid form starts a job that finishes: the itinerary page and its JSON (valid, times
    consistent), or a 422 page saying nothing is feasible."""
    sent, _ = s.split(body)
    client, token = browser
    with validations() as seen:
        response = client.post("/", data=form_data(sent, token))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        request = world.parse({k: v for k, v in sent.items() if k in FORM_FIELDS})
        job_url = response.headers["Location"].split("?")[0]
        result = check_job(world, client, f"{job_url}.json", request)
    event("job failed: no feasible tour" if result == "failed" else "job done")
    page = client.get(job_url)
    if result == "failed":
        assert page.status_code == 422
        return
    assert page.status_code == 302 and page.headers["Location"] == f"/i/{result}"
    assert client.get(f"/i/{result}").status_code == 200
    check_itinerary(client.get(f"/i/{result}.json").get_json(), request)
    assert seen and all(v == [] for v in seen), seen


@fuzz(60)
@given(case=s.broken_requests(fields=tuple(sorted(FORM_FIELDS)), extra=False))
@example(
    case=(
        {
            "start": "hub-ha-noi",
            "start_date": "2027-03-06",
            "days": "2",
            "must_visit": ["Vịnh Hạ Long"] * 11,
        },
        "must_visit",
    )
)
@example(
    case=(
        {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": "2", "language": "xx"},
        "language",
    )
)
def test_form_shows_the_message_at_the_broken_field(world, browser, case):
    """One broken form field: a 400 page with the message at that field and what was typed
    kept; never a 500."""
    body, field = case
    assume(still_bad_in_form(field, body.get(field)))
    client, token = browser
    data = form_data(body, token)
    response = client.post("/", data=data)
    html = response.get_data(as_text=True)
    if response.status_code == 413:  # werkzeug reads at most 500 KB of one field, 2 MiB in all
        event("413: a field or the form over its size limit")
        sizes = [
            len(x.encode("utf-8"))
            for v in data.values()
            for x in (v if isinstance(v, list) else [v])
            if isinstance(x, str)
        ]
        assert any(n > FORM_FIELD_LIMIT for n in sizes) or sum(sizes) > MAX_CONTENT_LENGTH
        assert "413" in html
        return
    assert response.status_code == 400, (field, response.status_code, html[:500])
    assert f'id="{field}-error"' in html, (field, re.findall(r'id="(\w+)-error"', html))


def test_form_without_csrf_token_is_refused(world):
    """The fuzzers post with the token: without it the same form is refused (CSRF is on)."""
    response = world.app.test_client().post(
        "/", data={"start": "hub-ha-noi", "start_date": "2027-03-06", "days": "1"}
    )
    assert response.status_code == 400


# -- the nasty cases, one by one, through the API -------------------------------------

BASE = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "time_limit_s": 0.2}
ATTRACTIONS = sorted({pid for _, pid in s.NAMES.attractions})
NFD_HA_LONG = unicodedata.normalize("NFD", "Vịnh Hạ Long")


def _nasty(name, changes, status, check=None):
    return pytest.param({**BASE, **changes}, status, check, id=name)


def _field(field):
    return lambda body: named(body["fields"], field)


def _stops_on(body, day):
    return [x["id"] for x in body["days"][day]["stops"]]


def _warns(text):
    return lambda body: any(text in w for w in body["warnings"])


NASTY = [
    _nasty("0-days", {"days": 0}, 400, _field("days")),
    _nasty("60-days", {"days": 60}, 400, _field("days")),
    _nasty("tet-2027", {"start_date": "2027-02-04", "days": 5}, 202, _warns("Tết")),
    _nasty(
        "every-place-excluded",
        {"exclude": ATTRACTIONS, "days": 2},
        201,
        lambda body: all(x["kind"] != "attraction" for d in body["days"] for x in d["stops"]),
    ),
    _nasty("budget-0", {"budget_vnd": 0, "days": 2}, 422, lambda b: "budget" in b["message"]),
    _nasty(
        "50-must-sees",
        {"must_visit": [spell(n) for spell in s.SPELLINGS for n, _ in s.NAMES.attractions][:50]},
        201,
        lambda body: set(body["request"]["must_visit"]) == set(ATTRACTIONS),
    ),
    _nasty("51-must-sees", {"must_visit": ["Yên Tử"] * 51}, 400, _field("must_visit")),
    _nasty(
        "cyrillic-lookalike",
        {"start": "Hа Nội (Phố cổ)"},
        400,
        lambda body: "hub-ha-noi" in body["fields"]["start"],
    ),
    _nasty(
        "fullwidth-letters",
        {"start": s.fullwidth("Ha Noi (Pho co)")},
        201,
        lambda body: body["request"]["start"] == "hub-ha-noi",
    ),
    _nasty(
        "combining-diacritics",
        {"must_visit": [NFD_HA_LONG]},
        201,
        lambda body: body["request"]["must_visit"] == ["ha-long-bay"],
    ),
    _nasty("1mb-name", {"start": s.HUGE}, 413),
    _nasty("1mb-list", {"must_visit": ["x" * 30_000] * 40}, 413),
    _nasty("long-name", {"end": "x" * 100_000}, 400, _field("end")),
    _nasty("nan", {"days": math.nan}, 400, _field(NON_FINITE_JSON)),
    _nasty("infinity", {"time_limit_s": math.inf}, 400, _field(NON_FINITE_JSON)),
    _nasty("huge-int", {"time_limit_s": 10**400}, 400, _field("time_limit_s")),
    _nasty("negative", {"group_size": -1}, 400, _field("group_size")),
    _nasty("negative-budget", {"budget_vnd": -1}, 400, _field("budget_vnd")),
    _nasty("bool-as-number", {"days": True}, 400, _field("days")),
    _nasty("float-days", {"days": 1.5}, 400, _field("days")),
    _nasty("wrong-types", {"start": 5, "interests": {"a": 1}}, 400, _field("interests")),
    _nasty("null-required", {"start": None}, 400, _field("start")),
    _nasty("null-optional", {"end": None, "pace": None}, 201),
    _nasty("unknown-fields", {"foo": 1, "Start": [None], "days_": {"x": []}}, 201),
    _nasty("date-slashes", {"start_date": "06/02/2027"}, 400, _field("start_date")),
    _nasty("date-feb-30", {"start_date": "2027-02-30"}, 400, _field("start_date")),
    _nasty("date-week", {"start_date": "2027-W06-6"}, 400, _field("start_date")),
    _nasty("end-before-start", {"day_start": "18:00", "day_end": "08:00"}, 400, _field("day_end")),
    _nasty("25-oclock", {"day_start": "25:00"}, 400, _field("day_start")),
    _nasty("pin-a-hub", {"pins": {"hub-bai-chay": 0}}, 400, _field("pins")),
    _nasty("pin-excluded", {"pins": {"yen-tu": 0}, "exclude": ["yen-tu"]}, 400, _field("pins")),
    _nasty(
        "pins-hold-their-days",
        {"pins": {"vinh-nghiem": 0, "kiep-bac": 1}, "days": 2, "time_limit_s": 0.3},
        201,
        lambda body: "vinh-nghiem" in _stops_on(body, 0) and "kiep-bac" in _stops_on(body, 1),
    ),
    _nasty("51-quotas", {"quotas": {f"p{i}": 1 for i in range(51)}}, 400, _field("quotas")),
    _nasty(
        "last-year",
        {"start_date": "2099-12-25", "days": 14},
        202,
    ),
    _nasty(
        "biggest-request",
        {"days": 14, "groups": 20, "group_size": 200, "time_limit_s": 0.5},
        202,
    ),
]


@pytest.mark.parametrize(("body", "status", "check"), NASTY)
def test_api_nasty_request(world, body, status, check):
    """Each nasty case of the issue gets its documented answer; a plan made for one is valid."""
    client = world.app.test_client()
    response = post_plan(world, client, body)
    assert response.status_code == status, response.get_json()
    outcome, answer = check_api_answer(world, client, body, response)
    if status in (201, 202):
        assert outcome == "planned", answer
    if check is not None:
        assert check(answer), answer


# -- an island start, on the embedded catalogue ------------------------------------------------


@pytest.fixture(scope="module")
def islands(tmp_path_factory):
    """The app on the embedded (full) catalogue, which has the islands."""
    url = f"sqlite:///{tmp_path_factory.mktemp('islands') / 'islands.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context():
        catalogue = get_catalogue()
    yield World(app, catalogue, auth(make_keys(app).planner))
    app.extensions["tourplanner.storage.db"].dispose()


@pytest.mark.parametrize(
    ("start", "place"),
    [("Cát Bà", "cat-ba-island"), ("Cô Tô", "co-to-island"), ("quan lan", "hub-quan-lan")],
    ids=["cat-ba", "co-to", "quan-lan"],
)
def test_api_island_start_is_planned_or_refused_clearly(islands, start, place):
    """A tour that starts on an island (ferries only) is planned from there, valid and
    consistent, or refused with a 422 that says what to relax."""
    body = {"start": start, "start_date": "2027-03-06", "days": 2, "time_limit_s": 0.3}
    client = islands.app.test_client()
    response = post_plan(islands, client, body)
    outcome, answer = check_api_answer(islands, client, body, response)
    assert outcome in ("planned", "infeasible"), outcome
    if outcome == "planned":
        assert answer["request"]["start"] == place
