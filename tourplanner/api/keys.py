"""Agencies and their API keys.

A token looks like ``tp_<prefix>_<secret>``: the 8-character prefix names the key to people
(listings, revocation) and finds its row; only the SHA-256 of the whole token is stored and it
is compared in constant time. The token itself is shown once, when the key is made.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tourplanner.errors import FieldError
from tourplanner.errors import NotFound
from tourplanner.errors import Reason
from tourplanner.errors import ValidationError
from tourplanner.i18n import N_
from tourplanner.storage.agencies import AgencyRow
from tourplanner.storage.agencies import ApiKeyRow

#: planner: plan and read; editor: also change the catalogue and read its audit log; admin:
#: everything an editor may (keys and agencies are managed on the command line only)
ROLES = ("planner", "editor", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}
_TOKEN = re.compile(r"^tp_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key and the agency it belongs to."""

    key_id: str
    prefix: str
    agency_id: str
    agency_name: str
    role: str

    def may(self, role: str) -> bool:
        """Tell whether this key's role includes *role* (admin ⊃ editor ⊃ planner)."""
        return _RANK[self.role] >= _RANK[role]


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of *token* (tokens carry 256 random bits: no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_agency(session: Session, name: str) -> AgencyRow:
    """Create the agency *name* and commit.

    :raise ValidationError: when the name is empty, too long or taken.
    """
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise ValidationError(
            [FieldError("name", Reason.of(N_("reason.length_between"), min=1, max=120))]
        )
    if session.scalar(select(AgencyRow).where(AgencyRow.name == name)) is not None:
        raise ValidationError(
            [FieldError("name", Reason.of(N_("reason.agency_exists"), name=repr(name)))]
        )
    row = AgencyRow(id=secrets.token_hex(8), name=name, created_at=datetime.now(UTC))
    session.add(row)
    session.commit()
    return row


def find_agency(session: Session, name_or_id: str) -> AgencyRow:
    """Return the agency with this name or id.

    :raise NotFound: when there is none.
    """
    row = session.scalar(
        select(AgencyRow).where((AgencyRow.name == name_or_id) | (AgencyRow.id == name_or_id))
    )
    if row is None:
        raise NotFound(Reason.of(N_("reason.not_found.agency"), name=repr(name_or_id)))
    return row


def create_key(session: Session, agency: AgencyRow, role: str) -> tuple[ApiKeyRow, str]:
    """Make a key of *role* for *agency* and commit; return the row and the token (shown once).

    :raise ValidationError: when *role* is not one of :data:`ROLES`.
    """
    if role not in ROLES:
        raise ValidationError(
            [FieldError("role", Reason.of(N_("reason.one_of"), choices=", ".join(ROLES)))]
        )
    while True:
        prefix = secrets.token_hex(4)
        if session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix)) is None:
            break
    token = f"tp_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(
        id=secrets.token_hex(8),
        agency_id=agency.id,
        prefix=prefix,
        key_hash=hash_token(token),
        role=role,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.commit()
    return row, token


def revoke_key(session: Session, prefix: str) -> ApiKeyRow:
    """Revoke the key with *prefix* (from now on it is refused) and commit.

    :raise NotFound: when no key has that prefix.
    """
    prefix = prefix.removeprefix("tp_").split("_", 1)[0]
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
    if row is None:
        raise NotFound(Reason.of(N_("reason.not_found.key"), prefix=repr(prefix)))
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        session.commit()
    return row


def authenticate(session: Session, token: str) -> Principal | None:
    """Return who holds *token*, or ``None`` when it is malformed, unknown or revoked."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == match.group(1)))
    if row is None or not hmac.compare_digest(row.key_hash, hash_token(token)):
        return None
    if row.revoked_at is not None:
        return None
    agency = session.get(AgencyRow, row.agency_id)
    return Principal(row.id, row.prefix, agency.id, agency.name, row.role)
