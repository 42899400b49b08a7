"""Search and name resolution, with and without diacritics, by province and category."""

from __future__ import annotations

import pytest

from tourplanner.catalogue.catalogue import AmbiguousName
from tourplanner.catalogue.catalogue import UnknownName
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import NotFound


@pytest.fixture
def catalogue(any_app):
    """The test catalogue, read back from SQLite and from PostgreSQL."""
    with any_app.app_context():
        yield get_catalogue()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("ha long", "ha-long-bay"),
        ("Hạ Long", "ha-long-bay"),
        ("HA  LONG", "ha-long-bay"),
        ("Halong Bay", "ha-long-bay"),
        ("yen tu", "yen-tu"),
        ("Yên Tử", "yen-tu"),
        ("Kiếp Bạc", "kiep-bac"),
        ("vinh nghiem", "vinh-nghiem"),
        ("Vinh Nghiem Pagoda", "vinh-nghiem"),
        ("Ha\u0323 Long", "ha-long-bay"),  # combining dot below typed separately
    ],
    ids=[
        "ascii",
        "diacritics",
        "case-spaces",
        "english-alias",
        "yen-tu",
        "yen-tu-vi",
        "kiep-bac",
        "vinh-nghiem",
        "english",
        "combining",
    ],
)
def test_search_finds_by_name_any_spelling(catalogue, query, first):
    """Names match without diacritics or case, in Vietnamese or English."""
    hits = catalogue.search(query)
    assert hits and hits[0].place.id == first


def test_search_by_former_province_finds_merged_places(catalogue):
    """ "Hải Dương" (merged into Hải Phòng in 2025) still finds Côn Sơn and Kiếp Bạc."""
    assert {m.place.id for m in catalogue.search("Hải Dương")} == {"con-son", "kiep-bac"}
    assert {m.place.id for m in catalogue.search("", province="hai duong")} == {
        "con-son",
        "kiep-bac",
    }
    assert {m.place.id for m in catalogue.search("", province="Bắc Giang")} == {"vinh-nghiem"}


def test_search_by_current_province_includes_former_parts(catalogue):
    """Filtering by Hải Phòng includes the places of the former Hải Dương."""
    ids = {m.place.id for m in catalogue.search("", province="Hải Phòng")}
    assert {"con-son", "kiep-bac"} <= ids
    assert "ha-long-bay" not in ids


def test_search_by_category_and_kind(catalogue):
    """Category and kind filters narrow the list."""
    assert {m.place.id for m in catalogue.search("", category="museum")} == {"quang-ninh-museum"}
    assert {m.place.id for m in catalogue.search("", kind="hub")} == {"hub-ha-noi", "hub-bai-chay"}


def test_search_unknown_province_is_an_error(catalogue):
    """A province filter that names nothing says so rather than returning nothing."""
    with pytest.raises(NotFound, match="province: unknown province 'Atlantis'"):
        catalogue.search("", province="Atlantis")


def test_resolve_exact_names_and_ids(catalogue):
    """Ids, exact names and clear name beginnings resolve to one place."""
    assert catalogue.resolve("yen-tu").id == "yen-tu"
    assert catalogue.resolve("vinh ha long").id == "ha-long-bay"
    assert catalogue.resolve("Yên Tử").id == "yen-tu"


def test_resolve_ambiguous_and_unknown_names(catalogue):
    """An ambiguous name lists the candidates; an unknown one suggests the closest."""
    with pytest.raises(AmbiguousName) as ambiguous:
        catalogue.resolve("Hạ Long")
    assert {p.id for p in ambiguous.value.candidates} == {"ha-long-bay", "hub-bai-chay"}
    with pytest.raises(UnknownName) as unknown:
        catalogue.resolve("Vinh Ha Lonh")
    assert unknown.value.suggestions[0].id == "ha-long-bay"


def test_opening_windows_follow_weekday_season_and_closures(catalogue):
    """Closed on Monday, longer weekend evenings in summer only."""
    import datetime as dt

    museum = catalogue.places["quang-ninh-museum"]
    assert museum.windows_on(dt.date(2027, 3, 8)) == []  # a Monday
    assert museum.windows_on(dt.date(2027, 3, 6)) == [(480, 1020)]  # Saturday in March
    assert museum.windows_on(dt.date(2027, 7, 3)) == [(480, 1260)]  # Saturday in July
    assert museum.windows_on(dt.date(2027, 7, 6)) == [(480, 1020)]  # Tuesday in July
