"""Mask personal data in sample rows: e-mail addresses, phone numbers, card and IBAN numbers."""

from __future__ import annotations

import re
from functools import partial

_PATTERNS = (
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("[iban]", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")),
    ("[card]", re.compile(r"\b(?:\d[ -]?){12,18}\d\b")),
    (
        "[phone]",
        re.compile(
            r"(?<![\w-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?"
            r"\d{2,4}[ .-]\d{3,4}(?:[ .-]\d{3,5})?(?![\w-])"
        ),
    ),
)


def mask(text: str) -> str:
    """`text` with personal data replaced by placeholders like `[email]`."""
    for placeholder, pattern in _PATTERNS:
        text = pattern.sub(partial(_replace, placeholder), text)
    return text


def _replace(placeholder: str, match: re.Match[str]) -> str:
    found = match.group()
    return placeholder if _digits(found) >= 9 or "@" in found else found


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


def clip(text: str, limit: int = 300) -> tuple[str, int]:
    """The first `limit` characters, and the full length (so the report can say it was cut)."""
    return (text if len(text) <= limit else text[:limit] + "…"), len(text)
