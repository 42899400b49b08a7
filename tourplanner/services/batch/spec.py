"""Reading a batch file: product specs as CSV or JSON, checked row by row.

Every row is a product: a ``name`` plus :class:`~tourplanner.planning.request.TourRequest` fields.
In CSV, list fields are written ``a|b|c`` and quotas ``place:2|other place:1``. A bad row is
reported with its row number (1-based, counting products, not the CSV header), the field and
the reason; the good rows still run.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.errors import FieldError
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.planning.request import MAX_NAME
from tourplanner.planning.request import TourRequest
from tourplanner.planning.request import parse_tour_request

#: at most this many products in one batch
MAX_PRODUCTS = 500
#: CSV columns that hold lists, written ``a|b``
LIST_FIELDS = ("interests", "must_visit", "exclude", "provinces")


@dataclass(frozen=True, slots=True)
class Product:
    """A good row: its number, its name and the checked request."""

    row: int
    name: str
    request: TourRequest


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad field of one row."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """Return the error as JSON."""
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class BatchSpec:
    """A parsed batch file: the good products, the raw bad rows and every row error."""

    products: tuple[Product, ...]
    invalid: tuple[tuple[int, str, dict[str, Any]], ...]
    errors: tuple[RowError, ...]


class BatchFileError(ValidationError):
    """The file as a whole cannot be read (not CSV/JSON, no rows, too many rows)."""


def _file_error(reason: Reason) -> BatchFileError:
    return BatchFileError([FieldError("file", reason)])


def _csv_rows(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in [f.strip() for f in reader.fieldnames]:
        raise _file_error(Reason.of(N_("reason.csv_needs_name")))
    rows = []
    for raw in reader:
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if key is None:  # more cells than header columns
                row["_extra"] = value
                continue
            key = key.strip()
            value = (value or "").strip()
            if value == "":
                continue
            if key in LIST_FIELDS:
                row[key] = [v.strip() for v in value.split("|") if v.strip()]
            elif key == "quotas":
                row[key] = _csv_quotas(value)
            else:
                row[key] = value
        rows.append(row)
    return rows


def _csv_quotas(value: str) -> dict[str, Any] | str:
    quotas: dict[str, Any] = {}
    for part in value.split("|"):
        name, sep, capacity = part.rpartition(":")
        if not sep or not name.strip():
            return value  # parse_tour_request reports it as not a mapping
        capacity = capacity.strip()
        quotas[name.strip()] = int(capacity) if capacity.isdigit() else capacity
    return quotas


def _json_rows(text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _file_error(
            Reason.of(N_("reason.not_json_at"), line=exc.lineno, detail=exc.msg)
        ) from None
    if isinstance(data, Mapping):
        data = data.get("products")
    if not isinstance(data, list):
        raise _file_error(Reason.of(N_("reason.batch_json_shape")))
    return data


def read_rows(content: bytes | str, filename: str = "") -> list[Any]:
    """Split a batch file into raw rows (CSV when named ``*.csv`` or not starting with JSON).

    :raise BatchFileError: when the file cannot be read at all.
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _file_error(Reason.of(N_("reason.utf8"))) from None
    text = content.lstrip("\ufeff")
    if not text.strip():
        raise _file_error(Reason.of(N_("reason.no_products")))
    is_json = filename.lower().endswith(".json") or (
        not filename.lower().endswith(".csv") and text.lstrip()[:1] in ("[", "{")
    )
    rows = _json_rows(text) if is_json else _csv_rows(text)
    if not rows:
        raise _file_error(Reason.of(N_("reason.no_products")))
    if len(rows) > MAX_PRODUCTS:
        raise _file_error(
            Reason.of(N_("reason.too_many_products"), count=len(rows), max=MAX_PRODUCTS)
        )
    return rows


def parse_batch(content: bytes | str, catalogue: Catalogue, filename: str = "") -> BatchSpec:
    """Read and check a batch file: every row is parsed, bad rows are collected, not raised.

    :raise BatchFileError: when the file as a whole is unreadable.
    """
    products: list[Product] = []
    invalid: list[tuple[int, str, dict[str, Any]]] = []
    errors: list[RowError] = []
    for number, raw in enumerate(read_rows(content, filename), start=1):
        row_errors: list[FieldError] = []
        if not isinstance(raw, Mapping):
            invalid.append((number, f"#{number}", {}))
            errors.append(RowError(number, "row", Reason.of(N_("reason.batch_row_object"))))
            continue
        data = {k: v for k, v in raw.items() if k != "name"}
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            row_errors.append(FieldError("name", Reason.of(N_("reason.required"))))
            name = f"#{number}"
        elif len(name) > MAX_NAME:
            row_errors.append(FieldError("name", Reason.of(N_("reason.too_long"), max=MAX_NAME)))
            name = name[:MAX_NAME]
        if "_extra" in data:
            row_errors.append(FieldError("row", Reason.of(N_("reason.more_cells_than_columns"))))
            data.pop("_extra")
        request = None
        try:
            request = parse_tour_request(data, catalogue)
        except ValidationError as exc:
            row_errors.extend(exc.errors)
        if row_errors or request is None:
            invalid.append((number, name.strip(), _jsonable(raw)))
            errors.extend(RowError(number, e.field, e.reason) for e in row_errors)
        else:
            products.append(Product(number, name.strip(), request))
    return BatchSpec(tuple(products), tuple(invalid), tuple(errors))


def _jsonable(raw: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(dict(raw), ensure_ascii=False, default=str))
