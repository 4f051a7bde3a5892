"""Typed shapes of screening criteria and candidate responses (separate from the tables).

Write schemas reject unknown fields (the API drops the original module's identity fields
first, `api.validation`). Rules that
depend on other fields or on stored rows (an expected answer fitting the kind, a response
fitting its criterion) are checked by the operations, so every surface gets them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from models.enums import CriteriaKind
from models.ids import Id
from models.text import VISIBLE_PATTERN

Question = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2_000,
        pattern=VISIBLE_PATTERN,
        examples=["How many years have you run PostgreSQL in production?"],
    ),
]
Option = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern=VISIBLE_PATTERN, examples=["Yes"])
]
Options = Annotated[list[Option], msgspec.Meta(max_length=50)]
Answer = Annotated[str, msgspec.Meta(max_length=2_000)]
Weight = Annotated[int, msgspec.Meta(ge=0, le=100)]
Position = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
# A response as a client sends it: text, or a number or boolean that is stored as text.
ResponseValue = Annotated[str, msgspec.Meta(max_length=10_000)] | int | float | bool


class Criteria(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    job_id: int
    question: str
    kind: CriteriaKind
    options: list[str]
    required: bool
    expected_answer: str | None
    weight: int
    position: int
    created_at: datetime


class CriteriaFields(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every writable field of a criterion (PUT sends all of them)."""

    question: Question
    kind: CriteriaKind = CriteriaKind.TEXT
    options: Options = msgspec.field(default_factory=list)
    required: bool = False
    expected_answer: Answer | None = None
    weight: Weight = 1
    position: Position = 0


class CriteriaCreate(CriteriaFields, frozen=True, kw_only=True):
    job_id: Id


class CriteriaUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A partial update (PATCH); the job of a criterion never changes."""

    question: Question | msgspec.UnsetType = msgspec.UNSET
    kind: CriteriaKind | msgspec.UnsetType = msgspec.UNSET
    options: Options | msgspec.UnsetType = msgspec.UNSET
    required: bool | msgspec.UnsetType = msgspec.UNSET
    expected_answer: Answer | msgspec.UnsetType | None = msgspec.UNSET
    weight: Weight | msgspec.UnsetType = msgspec.UNSET
    position: Position | msgspec.UnsetType = msgspec.UNSET


class CriteriaItem(CriteriaUpdate, frozen=True, kw_only=True):
    """One item of a bulk write: with an `id` it updates that criterion, changing only the
    fields given; without one it creates a criterion (`question` required, the other
    fields as in `POST /api/criteria/`)."""

    id: Id | None = None


class CriteriaBulk(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    job_id: Id
    criteria: list[CriteriaItem]


class CriteriaBulkResult(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["success"] = "success"
    created: int
    updated: int
    criteria: list[Criteria]


class CandidateResponse(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    candidate_id: int
    job_id: int
    criteria_id: int
    response: str
    created_at: datetime
    updated_at: datetime


class CandidateResponseCreate(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    candidate_id: Id
    job_id: Id
    criteria_id: Id
    response: ResponseValue = ""


class CandidateResponseChange(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """PUT: the answer is the only field that changes; candidate, job and criteria are fixed."""

    response: ResponseValue


class CandidateResponseUpdate(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True
):
    """PATCH."""

    response: ResponseValue | msgspec.UnsetType = msgspec.UNSET


class ResponseItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    criteria_id: Id
    response: ResponseValue = ""


class ResponsesUpsert(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The spec's `create_or_update_candidate_responses` payload."""

    candidate_id: Id
    job_id: Id
    responses: list[ResponseItem]


class UpsertResult(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["success"] = "success"
    created: int
    updated: int


class CriteriaChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Incremental sync of criteria: those changed since, oldest change first."""

    items: list[Criteria]
    deleted: list[int]
    """Criteria deleted since (in this page's stretch of changes)."""
    next_cursor: str
    """Always set: pass it as `cursor` for the next page, or later for what changed since."""


class ResponseChanges(msgspec.Struct, frozen=True, kw_only=True):
    """Incremental sync of candidate responses: those written since, oldest first."""

    items: list[CandidateResponse]
    next_cursor: str
    """Always set: pass it as `cursor` for the next page, or later for what changed since."""
