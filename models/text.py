"""Text rules shared by every operation that stores user text.

Invisible characters (zero-width spaces and joiners, direction marks and overrides, the
byte-order mark, soft hyphens...) do not make a value non-blank, and names and emails may
not hold direction controls at all: they make one text display as another. The patterns
below state the same rules for request schemas (msgspec checks them when a body is
decoded; the OpenAPI document shows them), and `is_blank` for every other surface.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from models.errors import Invalid

INVISIBLE = (
    r"\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\uffa0"
)
"""A regex class body of the characters that show nothing."""
BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""A regex class body of the direction controls."""

SPACE = r"\t\n\v\f\r\x1c-\x1f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Python's whitespace, spelled out: JSON Schema's (ECMA) `\\s` is not the same set."""

VISIBLE_PATTERN = rf"^[^\x00]*[^\x00{SPACE}{INVISIBLE}][^\x00]*$"
"""Holds at least one visible character, and no NUL (PostgreSQL text cannot hold it)."""
NAME_PATTERN = rf"^[^\x00{BIDI}]*[^\x00{SPACE}{INVISIBLE}][^\x00{BIDI}]*$"
"""A visible character, and no direction control or NUL."""
EMAIL_PATTERN = rf"^[^@\x00{SPACE}{INVISIBLE}]+@[^@\x00{SPACE}{INVISIBLE}]+$"
"""name@domain, no whitespace, invisible characters or direction controls."""

PATTERN_REASONS = {
    VISIBLE_PATTERN: "must not be blank (spaces and invisible characters do not count)",
    NAME_PATTERN: "must not be blank (spaces and invisible characters do not count) "
    "nor contain direction-control characters",
    EMAIL_PATTERN: "must be an email address such as name@example.com, without spaces, "
    "invisible or direction-control characters",
}
"""What a person is told when a value does not match one of these patterns."""


def is_blank(text: str) -> bool:
    """True when nothing in `text` would show: only whitespace and format characters."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def check_text(values: dict[str, Any]) -> None:
    """Reject NUL characters (PostgreSQL text cannot hold them) as bad input, on every engine."""
    for name, value in values.items():
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise Invalid(f"{name} must not contain NUL characters", field=name)
