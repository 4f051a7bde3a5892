"""The one rule for lists of skills: trimmed, blanks dropped, duplicates dropped ignoring
case (`casefold`, so "Straße" and "STRASSE" are one), first spelling and order kept."""

from __future__ import annotations

from collections.abc import Iterable


def clean_skills(skills: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    cleaned = []
    for skill in skills:
        text = skill.strip()
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            cleaned.append(text)
    return cleaned


def parse_skills(raw: str | Iterable[str]) -> list[str]:
    """Skills as the spec sends them ("Python, C++"), typed in a modal, or as a list."""
    return clean_skills(raw.split(",") if isinstance(raw, str) else raw)
