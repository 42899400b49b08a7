"""Text helpers: Unicode normalisation, diacritic folding for search, spreadsheet-safe cells."""

from __future__ import annotations

import re
import secrets
import unicodedata

_SPACES = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """Return *text* in NFC with surrounding white space removed (how names are stored)."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Fold *text* for matching: lower-case ASCII words separated by single spaces.

    Diacritics are removed whether they were typed precomposed or combining, and ``đ``/``Đ``
    become ``d``, so "Hạ Long", "ha long" and "HA  LONG" all fold to ``"ha long"``.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", ascii_only.lower()).strip()


#: a spreadsheet runs a cell starting with one of these as a formula (``=HYPERLINK(...)``,
#: ``+cmd``, ``@SUM``); a cell that starts with ``'`` itself is guarded too, so that removing
#: one guard quote on import gives back exactly the text that was exported
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_safe(cell: object) -> object:
    """Return a CSV cell a spreadsheet shows as text: a string that would start a formula
    gets a leading ``'``; numbers and everything else pass unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def url_token(nbytes: int) -> str:
    """An unguessable URL-safe token of *nbytes* random bytes that does not start with ``-``:
    ``tourplanner show -1Hx...`` would take such an id for an option (one id in 64 did)."""
    while (token := secrets.token_urlsafe(nbytes)).startswith("-"):
        pass
    return token
