"""Typed shapes of candidates, applications and stage counts."""

from __future__ import annotations

from datetime import datetime

import msgspec

from models.identity.schemas import Email, Name
from models.stages import Stage


class StageCount(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the spec's stage filters."""

    label: str
    count: int
    background_color: str = msgspec.field(name="backgroundColor")
    color: str


class CandidateIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    email: Email
    stage: Stage = Stage.APPLIED


class StageChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
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
