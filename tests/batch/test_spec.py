"""Reading batch files: CSV and JSON rows, bad rows reported by row, field and reason."""

from __future__ import annotations

import json

import pytest

from tests.batch.conftest import SMALL_CSV
from tourplanner.catalogue.service import get_catalogue
from tourplanner.services.batch.spec import BatchFileError
from tourplanner.services.batch.spec import parse_batch


def test_parse_batch_csv_keeps_good_rows_and_reports_bad_ones(app):
    """The bad row 3 is reported field by field; rows 1, 2 and 4 become products."""
    with app.app_context():
        spec = parse_batch(SMALL_CSV, get_catalogue(), "p.csv")
    assert [p.row for p in spec.products] == [1, 2, 4]
    assert {(e.row, e.field) for e in spec.errors} == {
        (3, "start"),
        (3, "start_date"),
        (3, "days"),
    }
    assert "not a date" in next(e.reason for e in spec.errors if e.field == "start_date")
    assert [r[0] for r in spec.invalid] == [3]


def test_parse_batch_csv_reads_lists_and_quotas(app):
    """``a|b`` cells become lists and ``place:n`` cells quotas; groups are read as numbers."""
    text = (
        "name,start,start_date,days,must_visit,provinces,groups,quotas\n"
        "p,Hà Nội,2027-03-06,2,Vịnh Hạ Long|Yên Tử,Quảng Ninh|Hải Phòng,3,Yên Tử:2\n"
    )
    with app.app_context():
        spec = parse_batch(text, get_catalogue(), "p.csv")
    (product,) = spec.products
    assert product.request.must_visit == ("ha-long-bay", "yen-tu")
    assert product.request.provinces == ("Quảng Ninh", "Hải Phòng")
    assert product.request.groups == 3
    assert dict(product.request.quotas) == {"yen-tu": 2}


def test_parse_batch_json_reports_missing_name_and_bad_quota(app):
    """JSON products use contract fields; a missing name and a bad quota are row errors."""
    products = [
        {"name": "ok", "start": "Hà Nội", "start_date": "2027-03-06", "days": 1},
        {"start": "Hà Nội", "start_date": "2027-03-06", "days": 1, "quotas": {"yen-tu": -1}},
        "not an object",
    ]
    with app.app_context():
        spec = parse_batch(json.dumps({"products": products}), get_catalogue(), "p.json")
    assert [p.name for p in spec.products] == ["ok"]
    assert {(e.row, e.field) for e in spec.errors} == {
        (2, "name"),
        (2, "quotas.yen-tu"),
        (3, "row"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no products"),
        ("start,days\nHà Nội,1\n", "'name' column"),
        ("[1, 2", "not valid JSON"),
        ('{"x": 1}', "list of products"),
    ],
)
def test_parse_batch_unreadable_file_is_one_error(app, text, message):
    """A file that cannot be read at all raises one error naming the file."""
    with app.app_context(), pytest.raises(BatchFileError) as info:
        parse_batch(text, get_catalogue())
    assert message in info.value.message
