"""Typed shapes of candidates, applications and stage counts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from models.stages import Stage

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


class StageCount(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the spec's stage filters."""

    label: str
    count: int
    background_color: str = msgspec.field(name="backgroundColor")
    color: str


class CandidateIn(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: Email
    stage: Stage = Stage.APPLIED


class StageChange(msgspec.Struct, frozen=True, kw_only=True):
    stage: Stage


class Application(msgspec.Struct, frozen=True, kw_only=True):
    job_id: int
    candidate_id: int
    name: str
    email: str
    stage: Stage
    created_at: datetime
    updated_at: datetime


class ApplicationChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Incremental sync of a job's candidates: those changed since, oldest change first."""

    items: list[Application]
    next_cursor: str
    """Always set: pass it as `cursor` for the next page, or later for what changed since."""
