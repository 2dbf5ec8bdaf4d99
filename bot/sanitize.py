"""Cleaning user-typed text before it is parsed or stored (product.md §4, §9).

Pure functions, no Telegram, no database. PostgreSQL refuses NUL and enforces ``VARCHAR(n)``;
SQLite does neither, so the rules live here and both stores see the same, already-valid text:

* :func:`clean_text` drops NUL and other control characters, invisible direction marks
  (U+200E/F, U+202A–202E, U+2066–2069) and zero-width characters (U+200B–200D, U+2060, U+FEFF).
  Tabs become spaces; line breaks are kept (they separate lines).
* :data:`FIELD_LIMITS` are the column lengths of ``storage/models.py`` for text people type.
* :func:`ascii_int` reads a number typed by a person or echoed back in callback data, accepting
  ASCII digits only: ``"²".isdigit()`` is True and ``int("²")`` raises.
"""

from __future__ import annotations

import re

__all__ = ["FIELD_LIMITS", "ascii_int", "caption_year", "clean_text", "is_ascii_digits"]

#: Stored text fields a message or a table row can set, and their column lengths (storage/models.py).
FIELD_LIMITS: dict[str, int] = {
    # destination entries
    "employer": 256,
    "school": 256,
    "city": 64,
    "province": 32,
    "note": 512,
    # graduates (roster rows)
    "student_id": 32,
    "name": 64,
    "department": 128,
    "major": 128,
    "category": 128,
    "class_name": 128,
    "origin": 64,
    "ethnicity": 32,
    "groups": 512,
    "counsellor": 64,
    "major_en": 128,
    "department_en": 128,
}

# C0 controls but \t \n \r, DEL, C1 controls; direction marks and embeddings/isolates; zero-width
# characters and the BOM. U+2028/2029 are line breaks for str.splitlines and are kept.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def clean_text(text: str) -> str:
    """``text`` without control characters, direction marks and zero-width characters; tabs → spaces."""
    if text.isprintable():  # the usual case, checked in C: nothing to strip
        return text
    return _INVISIBLE.sub("", text).replace("\t", " ")


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of the digits 0–9 only (not ``²``, ``١``, ``①``)."""
    return text.isascii() and text.isdigit()


def ascii_int(text: str, *, max_digits: int = 18) -> int | None:
    """``int(text)`` when ``text`` is 1–``max_digits`` ASCII digits, else None (never raises)."""
    if not is_ascii_digits(text) or len(text) > max_digits:
        return None
    return int(text)


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def caption_year(word: str) -> int | None:
    """A cohort year written in a caption (``2023``, ``2023届``, full-width ``２０２３``), else None.

    Superscripts, Arabic-Indic and other non-ASCII digits are not years (``²⁰²³`` → None).
    """
    text = word.strip().removesuffix("届").translate(_FULL_WIDTH_DIGITS)
    year = ascii_int(text, max_digits=4)
    return year if year is not None and len(text) == 4 and 1950 <= year <= 2200 else None
