"""Text helpers: Unicode normalisation and diacritic folding for search."""

from __future__ import annotations

import re
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


def slugify(text: str) -> str:
    """Return a slug (``a-z``, ``0-9`` and ``-``) made from *text*."""
    return fold(text).replace(" ", "-")
