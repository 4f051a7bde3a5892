"""Text rules shared by every operation that stores user text."""

from __future__ import annotations

from typing import Any

from models.errors import Invalid


def check_text(values: dict[str, Any]) -> None:
    """Reject NUL characters (PostgreSQL text cannot hold them) as bad input, on every engine."""
    for name, value in values.items():
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise Invalid(f"{name} must not contain NUL characters", field=name)
