"""Input-error reasons in the language of the output (issue 19): the form in the page's
language, the API in ``?lang=``/Accept-Language (English by default), the plan CLI in its
``--lang``; every reason key in both catalogues with the same parameters."""

from __future__ import annotations

import json
import pickle
import re
import string
from html import unescape

import pytest
from babel.messages.pofile import read_po

from tests.test_i18n import ROOT
from tests.web.conftest import csrf_token
from tourplanner import i18n
from tourplanner.errors import FieldError
from tourplanner.errors import Grouped
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.errors import stored_error
from tourplanner.errors import stored_reason
from tourplanner.planning.request import parse_tour_request
from tourplanner.testing.keys import auth
from tourplanner.testing.keys import make_keys

#: a request with one bad field: 99 days (at most 14)
BAD_DAYS = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 99}
DAYS_EN = "must be between 1 and 14"
DAYS_VI = "phải từ 1 đến 14"


def _catalogue(lang: str):
    with open(i18n.TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return {m.id: m.string for m in read_po(f, locale=lang) if m.id}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _reason_keys() -> set[str]:
    """Every ``reason.*`` key the code names (``N_("reason.…")``, default arguments too)."""
    literal = re.compile(r"""N_\(\s*["'](reason\.[a-z0-9_.]+)["']""")
    found: set[str] = set()
    for path in (ROOT / "tourplanner").rglob("*.py"):
        found.update(literal.findall(path.read_text(encoding="utf-8")))
    return found


# -- the Reason type ----------------------------------------------------------------------------


def test_reason_is_its_english_text_and_renders_in_vietnamese():
    """A Reason compares equal to its English text (old tests and callers keep working) and is
    written in Vietnamese on request, numbers grouped the locale's way."""
    reason = Reason.of("reason.between", min=1, max=Grouped(1_000_000))
    assert reason == "must be between 1 and 1,000,000"
    assert "between 1 and" in reason
    assert reason.in_("en") == reason.in_(None) == str(reason)
    assert reason.in_("vi") == "phải từ 1 đến 1.000.000"


def test_reason_format_fills_the_parameters_marshmallow_gives():
    """marshmallow formats its messages with the field's values: a Reason stays a Reason, with
    only the parameters its message names."""
    template = Reason.of("reason.too_long")
    filled = template.format(max=200, input="x" * 300, min=None)
    assert isinstance(filled, Reason) and filled == "is longer than 200 characters"
    assert filled.params == {"max": 200}
    assert filled.in_("vi") == "dài quá 200 ký tự"


def test_reason_survives_pickle_and_storage():
    """A Reason crosses a job queue (pickle) and a database row (JSON) with its key."""
    reason = Reason.of("reason.between", min=0, max=Grouped(100_000_000))
    again = pickle.loads(pickle.dumps(reason))
    assert again.key == reason.key and again.in_("vi") == reason.in_("vi")
    stored = json.loads(json.dumps(stored_error("budget_vnd", reason)))
    assert stored["reason"] == "must be between 0 and 100,000,000"
    assert stored_reason(stored, "vi") == "phải từ 0 đến 100.000.000"
    # a row stored before reasons had keys is shown as it was written
    assert stored_reason({"field": "x", "reason": "is required"}, "vi") == "is required"


def test_plain_text_reasons_still_render_as_they_are():
    """A FieldError with a plain str reason renders it unchanged in every language."""
    exc = ValidationError([FieldError("x", "legacy text")])
    assert exc.to_dict("vi")["fields"] == {"x": "legacy text"}


def test_validation_error_to_dict_in_vietnamese_and_by_default_english(app):
    """``to_dict(lang)`` writes fields and message in *lang*; without one, English."""
    from tourplanner.catalogue.service import get_catalogue

    with app.app_context(), pytest.raises(ValidationError) as info:
        parse_tour_request(BAD_DAYS, get_catalogue())
    assert info.value.to_dict()["fields"] == {"days": DAYS_EN}
    body = info.value.to_dict("vi")
    assert body["fields"] == {"days": DAYS_VI}
    assert body["message"] == f"days: {DAYS_VI}"


# -- the catalogues -----------------------------------------------------------------------------


def test_every_reason_key_is_in_both_catalogues():
    """Every reason key the code uses has a non-empty translation in vi and in en."""
    used = _reason_keys()
    assert len(used) > 100  # the scan found the reasons
    for lang in ("vi", "en"):
        catalogue = _catalogue(lang)
        assert sorted(k for k in used if not catalogue.get(k)) == [], lang


def test_reason_parameters_match_between_languages():
    """Every reason's ``{parameters}`` are the same in the vi and the en message, and the
    Vietnamese one is not the English text left untranslated."""
    vi, en = _catalogue("vi"), _catalogue("en")
    keys = sorted(k for k in en if k.startswith("reason."))
    assert keys
    for key in keys:
        assert _placeholders(vi[key]) == _placeholders(en[key]), key
    untranslated = [k for k in keys if vi[k] == en[k]]
    assert untranslated == []


def test_pot_holds_every_reason_key():
    """The template the catalogues are updated from has every reason key (README's pybabel
    extract was run)."""
    with open(i18n.TRANSLATIONS / "messages.pot", "rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert sorted(_reason_keys() - template) == []


# -- the outputs --------------------------------------------------------------------------------


def test_vietnamese_form_shows_vietnamese_reason_only(client):
    """A Vietnamese form with a bad field shows the Vietnamese reason and no English one."""
    token = csrf_token(client, "/?lang=vi")
    response = client.post(
        "/", data={"csrf_token": token, "language": "vi", **BAD_DAYS, "days": "99"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="days-error"' in html and DAYS_VI in html
    assert DAYS_EN not in html


def test_english_form_shows_english_reason(client):
    """The same form in English shows the English reason."""
    token = csrf_token(client, "/?lang=en")
    response = client.post(
        "/", data={"csrf_token": token, "language": "en", **BAD_DAYS, "days": "99"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and DAYS_EN in html and DAYS_VI not in html


@pytest.mark.parametrize(
    ("headers", "query", "reason"),
    [
        ({}, "", DAYS_EN),
        ({"Accept-Language": "vi"}, "", DAYS_VI),
        ({"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}, "", DAYS_VI),
        ({"Accept-Language": "fr"}, "", DAYS_EN),
        ({"Accept-Language": "vi"}, "?lang=en", DAYS_EN),
        ({}, "?lang=vi", DAYS_VI),
    ],
    ids=["none-english", "vi", "vi-weighted", "unsupported-english", "query-wins", "query-vi"],
)
def test_api_reasons_follow_lang_then_accept_language(app, client, headers, query, reason):
    """The API's ``fields`` are in ``?lang=``, else Accept-Language's best of vi/en, else
    English."""
    keys = make_keys(app)
    response = client.post(
        f"/api/v1/plans{query}", json=BAD_DAYS, headers={**auth(keys.planner), **headers}
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_input"
    assert body["fields"] == {"days": reason}
    assert body["message"] == f"days: {reason}"


def test_api_body_error_in_vietnamese(app, client):
    """An error of the body itself (not JSON) follows the API language too."""
    keys = make_keys(app)
    response = client.post(
        "/api/v1/plans",
        data="{",
        headers={**auth(keys.planner), "Accept-Language": "vi", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["fields"]["body"].startswith("không phải JSON hợp lệ")


@pytest.mark.parametrize(
    ("lang", "expected", "other"),
    [("en", f"Error: days: {DAYS_EN}", DAYS_VI), ("vi", f"Lỗi: days: {DAYS_VI}", DAYS_EN)],
    ids=["en", "vi"],
)
def test_plan_cli_errors_follow_lang(runner, lang, expected, other):
    """``tourplanner plan --lang`` decides the language of its errors."""
    args = ["plan", "--start", "hub-ha-noi", "--date", "2027-03-06", "--days", "99"]
    result = runner.invoke(args=[*args, "--lang", lang])
    assert result.exit_code == 2
    assert expected in result.output and other not in result.output


def test_plan_cli_json_error_follows_lang(runner):
    """With ``--json`` the error shape carries the reasons in ``--lang``."""
    args = ["plan", "--start", "hub-ha-noi", "--date", "2027-03-06", "--days", "99", "--json"]
    body = json.loads(runner.invoke(args=[*args, "--lang", "vi"]).stdout)
    assert body["fields"] == {"days": DAYS_VI}


def test_plan_cli_without_lang_writes_english_errors(runner):
    """Without ``--lang`` the errors are English (as the API's), as they always were."""
    args = ["plan", "--start", "hub-ha-noi", "--date", "2027-03-06", "--days", "99"]
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and f"Error: days: {DAYS_EN}" in result.output


def test_api_query_parameter_reasons_follow_the_api_language(app, client):
    """A bad query parameter (webargs) is a reason in the API's language too."""
    keys = make_keys(app)
    url = "/api/v1/places?limit=0"
    english = client.get(url, headers=auth(keys.planner)).get_json()
    assert english["fields"] == {"limit": "must be between 1 and 100"}
    vietnamese = client.get(url, headers={**auth(keys.planner), "Accept-Language": "vi"})
    assert vietnamese.status_code == 400
    assert vietnamese.get_json()["fields"] == {"limit": "phải từ 1 đến 100"}


def test_network_file_reasons_render_in_vietnamese():
    """The network file's reasons are keys too (its checks run on every load)."""
    from tourplanner.travel.network import parse_network

    with pytest.raises(ValidationError) as info:
        parse_network({"nodes": [{"id": "a", "lat": "x"}]})
    reasons = {e.field: e.reason_in("vi") for e in info.value.errors}
    assert reasons["nodes[a].lat"] == "phải là một số, không phải 'x'"


def test_not_found_message_that_is_a_reason_follows_the_language(app):
    """An unknown place name (a NotFound whose message is a Reason) is written in the asked
    language by the API shape and the CLI."""
    from tourplanner.catalogue.service import get_catalogue

    with app.app_context(), pytest.raises(NotFound) as info:
        get_catalogue().resolve("atlantis")
    assert info.value.to_dict()["message"].startswith("no place is called 'atlantis'")
    assert info.value.to_dict("vi")["message"].startswith("không có địa điểm nào tên 'atlantis'")


@pytest.mark.parametrize(
    ("path", "vi", "en"),
    [
        ("/i/nope", "không có lịch trình nào có mã 'nope'", "no itinerary has the id 'nope'"),
        ("/jobs/nope", "không có công việc nào có mã 'nope'", "no job has the id 'nope'"),
    ],
)
def test_missing_shared_link_says_so_in_the_page_language(client, path, vi, en):
    """A broken link to an itinerary or a job: the 404 page in the page's language only."""
    html = unescape(client.get(f"{path}?lang=vi").get_data(as_text=True))
    assert vi in html and en not in html
    response = client.get(f"{path}?lang=en")
    assert response.status_code == 404
    html = unescape(response.get_data(as_text=True))
    assert en in html and vi not in html


def test_service_failures_read_in_the_page_language():
    """The messages of our own failures (database or queue down, a bug) exist in both
    languages and a stored job failure is written in the reader's."""
    from tourplanner.errors import stored_message
    from tourplanner.jobs.runner import _internal_error

    stored = _internal_error(Reason.of("reason.internal.job"))
    assert (
        stored_message(stored, "en")["message"] == "the job failed on our side; it has been logged"
    )
    assert stored_message(stored, "vi")["message"].startswith("công việc bị lỗi từ phía chúng tôi")
    assert "reason" not in stored_message(stored, "vi")
    for key in ("reason.unavailable.queue", "reason.unavailable.database", "reason.internal"):
        assert Reason.of(key).in_("vi") != str(Reason.of(key))


def test_api_refusals_follow_the_api_language(client):
    """No key: English by default, Vietnamese when the client asks for it."""
    en = client.get("/api/v1/places").get_json()
    assert en["error"] == "unauthorized"
    assert en["message"] == "send your API key as 'Authorization: Bearer <key>' or 'X-API-Key'"
    vi = client.get("/api/v1/places", headers={"Accept-Language": "vi"}).get_json()
    assert vi["error"] == "unauthorized" and vi["message"].startswith("hãy gửi khóa API")
