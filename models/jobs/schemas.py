"""Typed shapes of jobs at the domain boundary (separate from the tables).

Types and ranges are checked when a body is decoded; rules across fields (min <= max, a
non-blank title, weights summing to 100) are checked by the operations, for every surface.

Write schemas reject unknown fields (a misspelt `stauts` is an error, not a no-op); the
API drops the original module's identity fields (`user`, `user_id`, `owner`, `org`) before
decoding (`api.validation`). Text that must not be blank must hold a visible character.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from models.enums import Author, EmploymentType, GenerationStatus, JobStatus, VersionSource
from models.ids import Id
from models.jobs.skills import parse_skills
from models.text import INVISIBLE, VISIBLE_PATTERN

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_SKILLS = 50
MAX_SKILL_LENGTH = 100
MAX_YEARS = 50
MAX_LOCATION = 200
MAX_NOTES = 2_000
MAX_INSTRUCTION = 2_000

EXAMPLE_DESCRIPTION = (
    "We are looking for a Senior Backend Engineer to design, build and run the services "
    "behind our hiring platform. You will own APIs end to end, from PostgreSQL schemas to "
    "deployment, and mentor two engineers."
)

Title = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_TITLE,
        pattern=VISIBLE_PATTERN,
        examples=["Senior Backend Engineer"],
    ),
]
Description = Annotated[
    str, msgspec.Meta(max_length=MAX_DESCRIPTION, examples=[EXAMPLE_DESCRIPTION])
]
Skill = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=MAX_SKILL_LENGTH, pattern=VISIBLE_PATTERN, examples=["Python"]
    ),
]
Skills = Annotated[
    list[Skill],
    msgspec.Meta(max_length=MAX_SKILLS, examples=[["Python", "PostgreSQL", "Docker"]]),
]
SkillList = Annotated[
    str,
    msgspec.Meta(
        # At most MAX_SKILLS parts of at most MAX_SKILL_LENGTH characters, the first visible.
        pattern=rf"^\s*[^\s,{INVISIBLE}][^,]{{0,{MAX_SKILL_LENGTH - 1}}}"
        rf"(,[^,]{{0,{MAX_SKILL_LENGTH}}}){{0,{MAX_SKILLS - 1}}}$",
        examples=["Python, PostgreSQL, Docker"],
    ),
]
Years = Annotated[int, msgspec.Meta(ge=0, le=MAX_YEARS, examples=[5])]
Location = Annotated[str, msgspec.Meta(max_length=MAX_LOCATION, examples=["Remote (EU)"])]
Notes = Annotated[
    str, msgspec.Meta(max_length=MAX_NOTES, examples=["Mention the on-call rotation."])
]
Instruction = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_INSTRUCTION,
        pattern=VISIBLE_PATTERN,
        examples=["Make it more senior and mention remote work."],
    ),
]
Weight = Annotated[int, msgspec.Meta(ge=0, le=100)]


class Weights(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Resume-score weights of a job: integers 0..100 that sum to 100."""

    skills: Weight = 40
    experience: Weight = 30
    education: Weight = 10
    criteria: Weight = 20

    def total(self) -> int:
        return self.skills + self.experience + self.education + self.criteria


# Lists build thousands of these: `gc=False` keeps them out of the cyclic collector, which is
# safe because a frozen struct of plain values can never be part of a reference cycle.
class Job(msgspec.Struct, frozen=True, kw_only=True, gc=False):
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
    description_error: str | None = None
    """Why the last attempt to write it failed (with `description_status` "failed")."""
    jd_json: dict[str, Any] | None
    jd_json_status: GenerationStatus
    jd_json_generated_by: str | None
    jd_json_generated_at: datetime | None
    jd_json_error: str | None = None
    public_key: str
    created_at: datetime
    updated_at: datetime
    weights: Weights | None = None
    """In a job's detail; null in lists (`operations.LIST_SHAPE`)."""
    description_provenance: DescriptionProvenance | None = None
    """Who wrote the current description (in a job's detail)."""
    language_check: LanguageSummary | None = None
    """The inclusive-language check of the current description (in a job's detail)."""


class DescriptionProvenance(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    written_by: Author
    """"person" or "model"."""
    source: VersionSource
    author_user_id: int | None
    model: str | None
    model_call_id: int | None
    accepted_by_id: int | None
    accepted_by_name: str | None
    created_at: datetime


class LanguageSummary(msgspec.Struct, frozen=True, kw_only=True):
    passed: bool
    summary: str
    findings: int
    """Details at `GET /api/jobs/{id}/language-check`."""


GenerationState = Literal["pending", "writing", "ready", "failed"]


class Generation(msgspec.Struct, frozen=True, kw_only=True):
    """Where the writing of a job's description stands."""

    job_id: int
    state: GenerationState
    text: str
    """The text so far while writing; the stored description once ready."""
    error: str | None = None


class JobName(msgspec.Struct, frozen=True, kw_only=True, gc=False):  # (as `Job`)
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


class JobCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    description: Description = ""
    must_have_skills: Skills = msgspec.field(default_factory=list)
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    min_experience: Years = 0
    max_experience: Years = 0
    location: Location | None = None
    status: JobStatus = JobStatus.DRAFT
    weights: Weights | None = None


class JobUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
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
    """The fields a model needs to write a description (a draft from any surface)."""

    job_title: Title
    must_have_skills: Skills
    employment_type: EmploymentType
    min_experience: Years
    max_experience: Years
    location: Location | None = None
    notes: Notes | None = None


class GenerateRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The spec's generate payload."""

    job_title: Title
    must_have_skills: SkillList | Annotated[list[Skill], msgspec.Meta(min_length=1)]
    """Comma-separated ("Python, SQL") as in the spec, or a list."""
    employment_type: EmploymentType
    min_experience: Years
    max_experience: Years
    location: Location | None = None
    notes: Notes | None = None

    def __post_init__(self) -> None:
        skills = parse_skills(self.must_have_skills)
        if not skills:
            raise ValueError("must_have_skills must name at least one skill")
        if len(skills) > MAX_SKILLS:
            raise ValueError(f"must_have_skills may name at most {MAX_SKILLS} skills")
        if any(len(skill) > MAX_SKILL_LENGTH for skill in skills):
            raise ValueError(
                f"must_have_skills names a skill longer than {MAX_SKILL_LENGTH} characters"
            )

    def draft(self) -> DraftRequest:
        return DraftRequest(
            job_title=self.job_title,
            must_have_skills=parse_skills(self.must_have_skills),
            employment_type=self.employment_type,
            min_experience=self.min_experience,
            max_experience=self.max_experience,
            location=self.location,
            notes=self.notes,
        )


class RewriteRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The spec's rewrite payload: a description and how to change it (nothing is stored)."""

    job_title: Title
    job_description: Annotated[Description, msgspec.Meta(min_length=1, pattern=VISIBLE_PATTERN)]
    user_prompt: Instruction


class ShareRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    user_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=100)]


class SharedWith(msgspec.Struct, frozen=True, kw_only=True):
    job_id: int
    user_ids: list[int]
