"""Translations: complete catalogues, compiled files in step with them, locale formats."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tourplanner import i18n
from tourplanner.api.keys import ROLES
from tourplanner.catalogue.models import ACCESS_NEEDS
from tourplanner.catalogue.models import CATEGORIES
from tourplanner.catalogue.models import LODGING_TIERS
from tourplanner.planning.itinerary import LEG_MODES
from tourplanner.planning.itinerary import SERVICE_KINDS
from tourplanner.planning.request import PACES
from tourplanner.services.batch import service as batch_service
from tourplanner.web.batch_views import ROLE_KEYS
from tourplanner.web.batch_views import SCENARIO_KEYS
from tourplanner.web.batch_views import STATUS_KEYS

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalogue(lang: str):
    with open(i18n.TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def _used_msgids() -> set[str]:
    """What pybabel extracts with babel.cfg (as README's command does), plus every key given
    literally to ``_``/``t``/``N_`` anywhere, f-strings included (pybabel skips those)."""
    method_map = [("tourplanner/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "N_": None, "t": None}
    found = {
        message[2]
        for message in extract_from_dir(str(ROOT), method_map, keywords=keywords)
        if isinstance(message[2], str)
    }
    literal = re.compile(r"""(?<![\w.])(?:_|t|N_)\(\s*["']([a-z][a-z_]*\.[a-z0-9_.]+)["']""")
    for pattern in ("tourplanner/**/*.py", "templates/**/*.html"):
        for path in ROOT.glob(pattern):
            found.update(literal.findall(path.read_text(encoding="utf-8")))
    return found


RUNTIME_FAMILIES = [
    *(f"cat.{c}" for c in CATEGORIES),
    *(f"mode.{m}" for m in LEG_MODES),
    *(f"service.{k}" for k in SERVICE_KINDS),
    *(f"tier.{t}" for t in (*LODGING_TIERS, "typical")),
    *(f"access.{a}" for a in ACCESS_NEEDS),
    *(f"pace.{p}" for p in PACES),
    *(f"transport.{w}" for w in ("auto", "public", "private")),
    *(f"lodging.{k}" for k in ("hotel", "cruise", "room", "person")),
    *(f"agency.role.{r}" for r in ROLES),
    *(
        f"agency.status.{s}"
        for s in (
            batch_service.INVALID,
            batch_service.QUEUED,
            batch_service.RUNNING,
            batch_service.DONE,
            batch_service.FAILED,
            "missing",  # a product the re-plan lacks (report.compare)
        )
    ),
    *SCENARIO_KEYS.values(),
]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_translates_every_message_used(lang):
    """Every message the templates and code use, and every key built at run time from the
    catalogue's enumerations, has a non-empty translation in the vi and the en catalogue."""
    catalogue = _catalogue(lang)
    translated = {m.id for m in catalogue if m.id and m.string}
    used = _used_msgids() | set(RUNTIME_FAMILIES)
    assert len(used) > 150  # the scan found the templates and the code
    assert sorted(used - translated) == []


def test_catalogues_have_the_same_messages_and_parameters():
    """vi and en translate the same msgids, each with the same %(name)s parameters."""
    vi, en = _catalogue("vi"), _catalogue("en")
    assert {m.id for m in vi if m.id} == {m.id for m in en if m.id}
    for message in vi:
        if message.id:
            assert set(PLACEHOLDER.findall(message.string)) == set(
                PLACEHOLDER.findall(en[message.id].string)
            ), message.id


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compiled_catalogue_is_current(lang):
    """The committed messages.mo says what messages.po says (run ``pybabel compile`` after
    editing a .po file)."""
    translations = i18n.translations(lang)
    for message in _catalogue(lang):
        if message.id:
            assert translations.gettext(message.id) == message.string, message.id


@pytest.mark.parametrize(
    ("lang", "money", "date", "plain", "number"),
    [
        ("vi", "1.200.000\u00a0₫", "Thứ Bảy, 06/03/2027", "06/03/2027", "1.234,5"),
        ("en", "₫1,200,000", "Sat 6 Mar 2027", "6 Mar 2027", "1,234.5"),
    ],
    ids=["vi", "en"],
)
def test_money_dates_and_numbers_in_the_locale_format(lang, money, date, plain, number):
    """Vietnamese groups thousands with dots and names the weekday first; English the
    other way round."""
    day = dt.date(2027, 3, 6)
    assert i18n.format_money(1_200_000, lang) == money
    assert i18n.format_date(day, lang) == date
    assert i18n.format_date("2027-03-06", lang, weekday=False) == plain
    assert i18n.format_number(1234.5, lang, 1) == number


def test_translator_fills_parameters_and_falls_back_to_vietnamese():
    """Parameters fill the message; an unsupported language is the default one."""
    assert i18n.translator("en")("svc.every", first="06:00", last="18:00", minutes=30) == (
        "06:00–18:00, every 30 min"
    )
    assert i18n.translator("fr").lang == "vi"
    assert i18n.translator("vi")("it.day") == "Ngày"


def test_every_network_scenario_has_a_description_in_the_catalogues():
    """The agency pages describe each scenario of the network in the page's language, so a
    scenario added to the network file needs its ``agency.scenario.*`` message too."""
    from tourplanner.travel.network import default_network

    assert sorted(SCENARIO_KEYS) == sorted(default_network().scenarios)
    assert all(key == f"agency.scenario.{name}" for name, key in SCENARIO_KEYS.items())


def test_every_product_state_and_key_role_has_its_words():
    """The agency pages name every state of a product and every role of a key in words."""
    states = {batch_service.INVALID, batch_service.QUEUED, batch_service.RUNNING}
    states |= {batch_service.DONE, batch_service.FAILED, "missing"}
    assert set(STATUS_KEYS) == states and set(ROLE_KEYS) == set(ROLES)
    assert all(key == f"agency.status.{s}" for s, key in STATUS_KEYS.items())
    assert all(key == f"agency.role.{r}" for r, key in ROLE_KEYS.items())
