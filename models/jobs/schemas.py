"""Typed shapes of jobs at the domain boundary (separate from the tables).

Types and ranges are checked when a body is decoded; rules across fields (min <= max, a
non-blank title, weights summing to 100) are checked by the operations, for every surface.

Write schemas ignore unknown fields, so read-only fields an old integration still sends
(`id`, `owner`, `org`, `user_id`, `public_key`, timestamps) are dropped, never applied.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from models.enums import EmploymentType, GenerationStatus, JobStatus

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=20_000)]
Skill = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Skills = Annotated[list[Skill], msgspec.Meta(max_length=50)]
Years = Annotated[int, msgspec.Meta(ge=0, le=50)]
Location = Annotated[str, msgspec.Meta(max_length=200)]
Weight = Annotated[int, msgspec.Meta(ge=0, le=100)]


class Weights(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """Resume-score weights of a job: integers 0..100 that sum to 100."""

    skills: Weight = 40
    experience: Weight = 30
    education: Weight = 10
    criteria: Weight = 20

    def total(self) -> int:
        return self.skills + self.experience + self.education + self.criteria


class Job(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    org_id: int
    owner_id: int
    title: str
    description: str
    must_have_skills: list[str]
    employment_type: EmploymentType
    min_experience: int
    max_experience: int
    location: str | None
    status: JobStatus
    description_status: GenerationStatus
    description_generated_by: str | None
    description_generated_at: datetime | None
    jd_json: dict[str, Any] | None
    jd_json_status: GenerationStatus
    jd_json_generated_by: str | None
    jd_json_generated_at: datetime | None
    public_key: str
    created_at: datetime
    updated_at: datetime
    weights: Weights | None = None


class JobName(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    title: str
    status: JobStatus


class CandidateJob(msgspec.Struct, frozen=True, kw_only=True):
    """What a candidate sees through the public link: no ids, owners or internals."""

    title: str
    description: str
    must_have_skills: list[str]
    employment_type: EmploymentType
    min_experience: int
    max_experience: int
    location: str | None


class JobCreate(msgspec.Struct, frozen=True, kw_only=True):
    title: Title
    description: Description = ""
    must_have_skills: Skills = msgspec.field(default_factory=list)
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    min_experience: Years = 0
    max_experience: Years = 0
    location: Location | None = None
    status: JobStatus = JobStatus.DRAFT
    weights: Weights | None = None


class JobUpdate(msgspec.Struct, frozen=True, kw_only=True):
    """A partial update (PATCH); PUT sends a full `JobCreate`."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    must_have_skills: Skills | msgspec.UnsetType = msgspec.UNSET
    employment_type: EmploymentType | msgspec.UnsetType = msgspec.UNSET
    min_experience: Years | msgspec.UnsetType = msgspec.UNSET
    max_experience: Years | msgspec.UnsetType = msgspec.UNSET
    location: Location | msgspec.UnsetType | None = msgspec.UNSET
    status: JobStatus | msgspec.UnsetType = msgspec.UNSET
    weights: Weights | msgspec.UnsetType = msgspec.UNSET


class JobPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Job]
    limit: int
    next_cursor: str | None
    offset: int | None = None


class JobFilters(msgspec.Struct, frozen=True, kw_only=True):
    status: JobStatus | None = None
    title: str | None = None


class DraftRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The fields a model needs to write a description (the spec's generate payload)."""

    job_title: Title
    must_have_skills: Skills
    employment_type: EmploymentType
    min_experience: Years
    max_experience: Years
    location: Location | None = None
    notes: Annotated[str, msgspec.Meta(max_length=2_000)] | None = None


class ShareRequest(msgspec.Struct, frozen=True, kw_only=True):
    user_ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=100)]


class SharedWith(msgspec.Struct, frozen=True, kw_only=True):
    job_id: int
    user_ids: list[int]
