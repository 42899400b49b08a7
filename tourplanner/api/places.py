"""The shared catalogue through the API: search and read for every key; create, edit and
retire for editors, each change written to the audit log with the place before and after."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC
from datetime import datetime

from flask import jsonify
from flask import request
from flask import url_for
from sqlalchemy import select
from sqlalchemy import update

from tourplanner.api.auth import current_principal
from tourplanner.api.auth import requires
from tourplanner.api.body import json_object
from tourplanner.api.common import api_blueprint
from tourplanner.api.common import documents
from tourplanner.api.errors import Conflict
from tourplanner.api.schemas import AuditSchema
from tourplanner.api.schemas import PlaceInSchema
from tourplanner.api.schemas import PlacePageSchema
from tourplanner.api.schemas import PlaceQuerySchema
from tourplanner.api.schemas import PlaceSchema
from tourplanner.api.schemas import ProvinceSchema
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import Place
from tourplanner.catalogue.records import parse_place
from tourplanner.catalogue.records import place_to_record
from tourplanner.catalogue.records import province_index
from tourplanner.catalogue.repository import CatalogueRepository
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import FieldError
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.storage.agencies import AuditRow
from tourplanner.storage.db import get_session
from tourplanner.storage.tables import PlaceRow

bp = api_blueprint("api_catalogue", "Search, read and (editors) change the shared catalogue.")

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')


def place_json(place: Place) -> dict:
    """Return *place* as the API shows it: its catalogue record plus ``version``."""
    return {**place_to_record(place), "version": place.version}


def _respond(place: Place, status: int = 200, headers: dict | None = None):
    response = jsonify(place_json(place))
    response.status_code = status
    response.headers["ETag"] = f'"{place.version}"'
    response.headers.update(headers or {})
    return response


def _find(catalogue: Catalogue, place_id: str) -> Place:
    place = catalogue.places.get(place_id)
    if place is None:
        raise NotFound(Reason.of(N_("reason.not_found.place"), id=repr(place_id)))
    return place


def _expected_version(body: dict) -> int:
    """The version the client edited: ``If-Match`` or the body's ``version``."""
    header = request.headers.get("If-Match")
    if header is not None:
        match = _ETAG.match(header)
        if match is None:
            raise ValidationError([FieldError("If-Match", Reason.of(N_("reason.etag")))])
        return int(match.group(1))
    version = body.get("version")
    if version is None:
        raise ValidationError([FieldError("version", Reason.of(N_("reason.version_required")))])
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 10**9:
        raise ValidationError(
            [FieldError("version", Reason.of(N_("reason.positive_whole_number")))]
        )
    return version


def _parse(record: dict) -> Place:
    """Check *record* like a catalogue file row; every bad field becomes a field error."""
    session = get_session()
    provinces = CatalogueRepository(session).provinces()
    place, errors = parse_place(record, province_index(provinces), file="request", row=0)
    if place is None:
        raise ValidationError([FieldError(e.field, e.reason) for e in errors])
    return place


def _audit(place_id: str, action: str, before: dict | None, after: dict | None) -> None:
    principal = current_principal()
    get_session().add(
        AuditRow(
            at=datetime.now(UTC),
            agency_id=principal.agency_id,
            key_id=principal.key_id,
            place_id=place_id,
            action=action,
            before=before,
            after=after,
        )
    )


def _save(old: Place | None, new: Place, action: str, expected: int | None) -> Place:
    """Store *new* (bumping its version), write the audit row, commit; return the stored place.

    The version check and the write happen in one transaction: the conditional UPDATE locks
    the row, so of two edits of the same version exactly one wins and the other gets 409.
    """
    session = get_session()
    if expected is not None:
        claimed = session.execute(
            update(PlaceRow)
            .where((PlaceRow.id == new.id) & (PlaceRow.version == expected))
            .values(version=expected)
        ).rowcount
        if not claimed:
            session.rollback()
            current = session.scalar(select(PlaceRow.version).where(PlaceRow.id == new.id))
            raise Conflict(
                Reason.of(
                    N_("reason.api.stale_version"), id=repr(new.id), current=current, sent=expected
                )
            )
    changed = CatalogueRepository(session).save_places([new])
    if changed:
        row = session.get(PlaceRow, new.id)
        stored = replace(new, version=row.version)
        _audit(new.id, action, place_json(old) if old else None, place_json(stored))
    else:
        stored = old or new
    session.commit()
    return stored


@bp.get("/places")
@bp.arguments(PlaceQuerySchema, location="query", as_kwargs=True)
@bp.response(200, PlacePageSchema)
@documents(bp, 400)
def list_places(q: str, limit: int, offset: int, **filters: str):
    """Search the catalogue (active places), best matches first, one page at a time.

    ``q`` matches names in Vietnamese (with or without diacritics) or English; ``province``
    accepts a current or a former province ("Hải Dương" finds Côn Sơn, now in Hải Phòng).
    """
    try:
        matches = get_catalogue().search(
            q,
            province=filters.get("province"),
            category=filters.get("category"),
            kind=filters.get("kind"),
        )
    except NotFound as exc:
        raise ValidationError(
            [FieldError("province", Reason.of(N_("reason.not_a_known_province")))]
        ) from exc
    page = matches[offset : offset + limit]
    following = None
    if offset + limit < len(matches):
        args = {**request.args.to_dict(), "offset": offset + limit, "limit": limit}
        following = url_for("api_catalogue.list_places", **args)
    return jsonify(
        {
            "items": [place_json(m.place) for m in page],
            "total": len(matches),
            "limit": limit,
            "offset": offset,
            "next": following,
        }
    )


@bp.get("/places/<place_id>")
@bp.response(200, PlaceSchema, headers={"ETag": {"schema": {"type": "string"}}})
@documents(bp, 404)
def get_place(place_id: str):
    """One place, retired ones included (old itineraries name them); ``ETag`` is its version."""
    return _respond(_find(get_catalogue(), place_id))


@bp.post("/places")
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": PlaceInSchema}}})
@bp.response(201, PlaceSchema)
@documents(bp, 400, 403, 409, 413)
@requires("editor")
def create_place():
    """Add a place (editors). The body is a catalogue record, checked field by field."""
    body = json_object()
    body.pop("version", None)
    place = _parse({**body, "retired": False})
    if get_session().get(PlaceRow, place.id) is not None:
        raise Conflict(Reason.of(N_("reason.api.place_exists"), id=repr(place.id)))
    stored = _save(None, place, "create", None)
    location = url_for("api_catalogue.get_place", place_id=stored.id)
    return _respond(stored, 201, {"Location": location})


def _edit(place_id: str, merge: bool):
    body = json_object()
    expected = _expected_version(body)
    old = _find(get_catalogue(), place_id)
    if "id" in body and body["id"] != place_id:
        raise ValidationError([FieldError("id", Reason.of(N_("reason.id_unchangeable")))])
    fields = {k: v for k, v in body.items() if k not in ("version", "id", "ticket_vnd")}
    record = {**place_to_record(old), **fields} if merge else fields
    record = {**record, "id": place_id, "kind": record.get("kind") or old.kind}
    record.setdefault("retired", old.retired)
    new = _parse(record)
    return _respond(_save(old, new, "update", expected))


@bp.put("/places/<place_id>")
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": PlaceInSchema}}})
@bp.response(200, PlaceSchema)
@documents(bp, 400, 403, 404, 409, 413)
@requires("editor")
def replace_place(place_id: str):
    """Replace a place (editors): the body is the whole record and the version you edited."""
    return _edit(place_id, merge=False)


@bp.patch("/places/<place_id>")
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": PlaceInSchema}}})
@bp.response(200, PlaceSchema)
@documents(bp, 400, 403, 404, 409, 413)
@requires("editor")
def patch_place(place_id: str):
    """Change some fields of a place (editors), with the version you edited."""
    return _edit(place_id, merge=True)


@bp.delete("/places/<place_id>")
@bp.response(200, PlaceSchema)
@documents(bp, 400, 403, 404, 409)
@requires("editor")
def retire_place(place_id: str):
    """Retire a place (editors): it leaves search and planning; saved itineraries keep it.

    ``If-Match`` is optional here; when sent, a stale version gets 409.
    """
    old = _find(get_catalogue(), place_id)
    expected = None
    if request.headers.get("If-Match") is not None:
        expected = _expected_version({})
    if old.retired:
        return _respond(old)
    return _respond(_save(old, replace(old, retired=True), "retire", expected))


@bp.get("/places/<place_id>/audit")
@bp.response(200, AuditSchema(many=True))
@documents(bp, 403, 404)
@requires("editor")
def place_audit(place_id: str):
    """Every change of a place made through the API, oldest first (editors; read-only)."""
    _find(get_catalogue(), place_id)
    rows = get_session().scalars(
        select(AuditRow).where(AuditRow.place_id == place_id).order_by(AuditRow.id)
    )
    return jsonify(
        [
            {
                "id": r.id,
                "at": r.at.isoformat(),
                "agency_id": r.agency_id,
                "key_id": r.key_id,
                "place_id": r.place_id,
                "action": r.action,
                "before": r.before,
                "after": r.after,
            }
            for r in rows
        ]
    )


@bp.get("/provinces")
@bp.response(200, ProvinceSchema(many=True))
@documents(bp)
def provinces():
    """Every province: the 2025 ones and the former ones with the province they merged into."""
    catalogue = get_catalogue()
    return jsonify(
        [
            {
                "id": p.id,
                "name_vi": p.name_vi,
                "name_en": p.name_en,
                "status": p.status,
                "merged_into": p.merged_into,
                "aliases": list(p.aliases),
            }
            for p in sorted(catalogue.provinces.values(), key=lambda p: (p.status, p.id))
        ]
    )
