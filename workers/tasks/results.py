"""What the tasks return (and keep under their idempotency keys): small JSON-safe dicts."""

from __future__ import annotations

from typing import NotRequired

# pydantic (which taskiq uses to read results back) needs this TypedDict before Python 3.12.
from typing_extensions import TypedDict


class GenerationOutcome(TypedDict):
    ok: bool
    job_id: int
    text: str | None
    """The stored description (when ok)."""
    reason: str | None
    """Why it failed, for users (when not ok)."""
    generated_by: str | None


class RewriteOutcome(TypedDict):
    ok: bool
    job_id: int | None
    job_description: str | None
    suggested_skills: list[str]
    reason: str | None
    generated_by: str | None
    base: NotRequired[str]
    """The description that was rewritten (what the changes are counted against)."""
    call_id: NotRequired[int | None]
    """The model call that wrote it (provenance of an accepted version)."""


class ConversionOutcome(TypedDict):
    ok: bool
    job_id: int
    digest: str | None
    """Fingerprint of the description that was converted."""
    stale: bool
    """The description changed meanwhile; the newer one's conversion takes over."""
    reason: str | None
    generated_by: str | None
