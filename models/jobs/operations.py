"""Operations on jobs. Each takes the acting user first and applies the access rules.

Multi-row writes run in one transaction (`atomic`), which also bumps the version counters
of the job lists the change can alter (`models.list_versions`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from piccolo.columns.combination import WhereRaw

from models import cursors, events, list_versions, sync
from models.db import atomic, insert_one, is_postgres
from models.enums import EmploymentType, GenerationStatus, JobStatus, Role, VersionSource
from models.errors import Invalid, NotFound
from models.events import EntityType, EventType
from models.identity.actor import Actor
from models.jobs import schemas, versions
from models.jobs.access import (
    Action,
    is_valid_id,
    load_job,
    owned_or_shared,
    require_create,
    visible_jobs,
)
from models.jobs.skills import clean_skills
from models.json_lists import JsonList
from models.language import LanguageReport, check_language
from models.stages import STAGE_VALUES
from models.tables import Job, JobShare, JobStageCount, ResumeScoreWeights, User
from models.text import check_text, is_blank

MAX_PAGE = 100
MAX_OFFSET = 1_000_000_000
_PUBLIC_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


def now() -> datetime:
    return datetime.now(UTC)


def new_public_key() -> str:
    """256 random bits, URL-safe: the candidate-facing link cannot be guessed."""
    return secrets.token_urlsafe(32)


# Enum members by stored value: a dict lookup, where calling the enum costs a microsecond or
# two per field (thousands per list).
_EMPLOYMENT = {member.value: member for member in EmploymentType}
_STATUS = {member.value: member for member in JobStatus}
_GENERATION = {member.value: member for member in GenerationStatus}

LIST_SHAPE = (
    "Each job has the detail's shape, but `weights`, `description_provenance` and "
    "`language_check` are null in lists (they cost a query per job): read them at "
    "`GET /api/jobs/{id}` or `GET /api/jobs/{id}/weights`."
)
"""What lists leave out of a job, as the API documents it."""


JOB_COLUMNS = tuple(column for column in Job.all_columns() if column is not Job.description_draft)
"""What a job's representation reads (the draft being written is not part of it)."""


def job_out(row: Mapping[str, Any], weights: dict[str, Any] | None = None) -> schemas.Job:
    """A job row (a dict, or an asyncpg record from `fetch_rows`) as the API shows it."""
    jd_json = row["jd_json"]
    return schemas.Job(
        id=row["id"],
        org_id=row["org"],
        owner_id=row["owner"],
        title=row["title"],
        description=row["description"],
        must_have_skills=list(row["must_have_skills"] or ()),
        employment_type=_EMPLOYMENT[row["employment_type"]],
        min_experience=row["min_experience"],
        max_experience=row["max_experience"],
        location=row["location"],
        status=_STATUS[row["status"]],
        description_status=_GENERATION[row["description_status"]],
        description_generated_by=row["description_generated_by"],
        description_generated_at=row["description_generated_at"],
        description_error=row.get("description_error"),
        jd_json=_json(jd_json) if isinstance(jd_json, str) else jd_json,
        jd_json_status=_GENERATION[row["jd_json_status"]],
        jd_json_generated_by=row["jd_json_generated_by"],
        jd_json_generated_at=row["jd_json_generated_at"],
        jd_json_error=row.get("jd_json_error"),
        public_key=row["public_key"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        weights=weights_out(weights) if weights else None,
    )


def _json(raw: str) -> dict[str, Any] | None:
    value = msgspec.json.decode(raw)
    return value if isinstance(value, dict) else None


def weights_out(row: dict[str, Any]) -> schemas.Weights:
    return schemas.Weights(
        skills=row["skills"],
        experience=row["experience"],
        education=row["education"],
        criteria=row["criteria"],
    )


def _weights_values(weights: schemas.Weights) -> dict[Any, int]:
    """Column values of valid weights (the sum rule is checked here, for every surface)."""
    if weights.total() != 100:
        raise Invalid(f"weights must sum to 100, not {weights.total()}", field="weights")
    return {
        ResumeScoreWeights.skills: weights.skills,
        ResumeScoreWeights.experience: weights.experience,
        ResumeScoreWeights.education: weights.education,
        ResumeScoreWeights.criteria: weights.criteria,
    }


async def _weights_row(job_id: int) -> dict[str, Any] | None:
    return await ResumeScoreWeights.select().where(ResumeScoreWeights.job == job_id).first()


# Reading -----------------------------------------------------------------------------------


async def get_job(actor: Actor, job_id: int) -> schemas.Job:
    row = await load_job(actor, job_id)
    return job_out(row, await _weights_row(job_id))


async def job_detail(actor: Actor, job_id: int) -> schemas.Job:
    """The job with who wrote its description and the language check's summary."""
    job = await get_job(actor, job_id)
    latest = await versions.latest(job_id)
    report = check_language(job.description)
    return msgspec.structs.replace(
        job,
        description_provenance=None if latest is None else _provenance(latest),
        language_check=schemas.LanguageSummary(
            passed=report.passed, summary=report.summary, findings=len(report.findings)
        ),
    )


def _provenance(latest: versions.VersionSummary) -> schemas.DescriptionProvenance:
    return schemas.DescriptionProvenance(
        version=latest.number,
        written_by=latest.author,
        source=latest.source,
        author_user_id=latest.author_user_id,
        model=latest.model,
        model_call_id=latest.model_call_id,
        accepted_by_id=latest.accepted_by_id,
        accepted_by_name=latest.accepted_by_name,
        created_at=latest.created_at,
    )


async def language_check(actor: Actor, job_id: int) -> LanguageReport:
    """The inclusive-language check of the job's current description."""
    return language_check_of(await get_job(actor, job_id))


def language_check_of(job: schemas.Job) -> LanguageReport:
    """The check of a job already read (plain code, a few milliseconds)."""
    return check_language(job.description)


async def generation_state(actor: Actor, job_id: int) -> schemas.Generation:
    """Where the writing of the description stands, with the text so far."""
    row = await load_job(actor, job_id)
    status = GenerationStatus(row["description_status"])
    if status is GenerationStatus.PENDING:
        draft = row.get("description_draft") or ""
        return schemas.Generation(
            job_id=job_id, state="writing" if draft else "pending", text=draft
        )
    if status is GenerationStatus.FAILED:
        return schemas.Generation(
            job_id=job_id, state="failed", text="", error=row.get("description_error")
        )
    return schemas.Generation(job_id=job_id, state="ready", text=row["description"])


async def list_owned_and_shared(actor: Actor) -> list[schemas.Job]:
    """The spec's `list/`: jobs the caller owns or that are shared with them (any role)."""
    return await _OWNED_AND_SHARED.structs(actor.org_id, actor.user_id)


async def list_owned_and_shared_json(actor: Actor) -> bytes:
    """`list_owned_and_shared` as the API's JSON, joined by the database where it can."""
    return await _OWNED_AND_SHARED.encode(actor.org_id, actor.user_id)


def _list_query(columns: Sequence[Any], org_id: int, user_id: int) -> Any:
    actor = Actor(user_id=user_id, org_id=org_id, role=Role.EDITOR, name="", email="")
    return Job.select(*columns).where(owned_or_shared(actor)).order_by(Job.id)


def _names_query(admin: bool, titled: bool) -> Callable[..., Any]:
    """The names select of an Admin or not, with a title filter or not (`Compiled` wants one
    statement per shape)."""

    def build(columns: Sequence[Any], org_id: int, user_id: int, pattern: str = "") -> Any:
        role = Role.ADMIN if admin else Role.EDITOR
        actor = Actor(user_id=user_id, org_id=org_id, role=role, name="", email="")
        query = Job.select(*columns).where(visible_jobs(actor))
        if titled:
            query = query.where(title_like(pattern))
        return query.order_by(Job.id)

    return build


def _job_name(row: Mapping[str, Any]) -> schemas.JobName:
    return schemas.JobName(id=row["id"], title=row["title"], status=_STATUS[row["status"]])


JOB_IN_LISTS = {
    "org_id": "org",
    "owner_id": "owner",
    "weights": None,
    "description_provenance": None,
    "language_check": None,
}
"""The columns behind a job's fields in lists (None: null in lists, `LIST_SHAPE`): what
`job_out` reads, and what the trigger storing each job's JSON writes (`models.json_lists`)."""

_OWNED_AND_SHARED = JsonList(_list_query, JOB_COLUMNS, job_out, table="job", stored="list_json")
_NAMES = {
    (admin, titled): JsonList(
        _names_query(admin, titled),
        (Job.id, Job.title, Job.status),
        _job_name,
        table="job",
        stored="names_json",
    )
    for admin in (True, False)
    for titled in (True, False)
}


def _names_of(actor: Actor, title: str | None) -> tuple[JsonList[schemas.JobName], tuple[Any, ...]]:
    check_text({"title": title})
    values: tuple[Any, ...] = (actor.org_id, actor.user_id)
    if title and title.strip():
        return _NAMES[actor.is_admin, True], (*values, like_pattern(title.strip()))
    return _NAMES[actor.is_admin, False], values


async def job_names(actor: Actor, title: str | None = None) -> list[schemas.JobName]:
    """The spec's `job-names-list/`: visible jobs (all of the organization for Admins)."""
    names, values = _names_of(actor, title)
    return await names.structs(*values)


async def job_names_json(actor: Actor, title: str | None = None) -> bytes:
    """`job_names` as the API's JSON, written by the database where it can."""
    names, values = _names_of(actor, title)
    return await names.encode(*values)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with `%`, `_` and `\\` literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def title_like(pattern: str) -> WhereRaw:
    """Jobs whose title matches the LIKE `pattern`, ignoring case.

    The ESCAPE clause is explicit because SQLite's LIKE has no default escape character
    (PostgreSQL's is the backslash); SQLite's LIKE already ignores ASCII case.
    """
    operator = "ILIKE" if is_postgres() else "LIKE"
    return WhereRaw(f'"job"."title" {operator} {{}} ESCAPE \'\\\'', pattern)


def title_contains(text: str) -> WhereRaw:
    """Jobs whose title contains `text`, ignoring case (`like_pattern`)."""
    return title_like(like_pattern(text))


async def list_jobs(
    actor: Actor,
    filters: schemas.JobFilters,
    limit: int = 50,
    cursor: str | None = None,
    offset: int | None = None,
    updated_after: datetime | None = None,
) -> schemas.JobPage:
    """A page of visible jobs, newest first. `cursor` (opaque) or `offset` picks the page.
    With `updated_after` or a sync cursor: the jobs changed since, oldest change first
    (`models.sync`)."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset is not None and offset < 0:
        raise Invalid("offset must not be negative", field="offset")
    if offset is not None and offset > MAX_OFFSET:
        raise Invalid(f"offset must not be greater than {MAX_OFFSET}", field="offset")
    check_text({"title": filters.title})
    if cursor and offset is not None:
        raise Invalid("give either cursor or offset, not both", field="cursor")
    query = Job.select().where(visible_jobs(actor))
    if filters.status is not None:
        query = query.where(Job.status == filters.status)
    if filters.title and filters.title.strip():
        query = query.where(title_contains(filters.title.strip()))
    position = sync.start(updated_after, cursor)
    if position is not None:
        if offset is not None:
            raise Invalid("offset does not go with updated_after or a sync cursor", field="offset")
        rows, next_position = await sync.page(query, Job, position, limit)
        changed = [job_out(row) for row in rows]
        return schemas.JobPage(items=changed, limit=limit, next_cursor=next_position)
    if cursor:
        query = query.where(Job.id < decode_cursor(cursor))
    if offset:
        query = query.offset(offset)
    rows = await query.order_by(Job.id, ascending=False).limit(limit + 1)
    items = [job_out(row) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return schemas.JobPage(items=items, limit=limit, next_cursor=next_cursor, offset=offset)


def encode_cursor(job_id: int) -> str:
    return cursors.encode("j", job_id)


def decode_cursor(cursor: str) -> int:
    return cursors.decode("j", cursor)


async def candidate_view(public_key: str) -> schemas.CandidateJob:
    """The public job posting behind a candidate link; only open jobs are shown."""
    if not _PUBLIC_KEY.match(public_key):
        raise NotFound("job not found")
    row = (
        await Job.select()
        .where((Job.public_key == public_key) & (Job.status == JobStatus.OPEN))
        .first()
    )
    if row is None:
        raise NotFound("job not found")
    return schemas.CandidateJob(
        title=row["title"],
        description=row["description"],
        must_have_skills=list(row["must_have_skills"] or []),
        employment_type=EmploymentType(row["employment_type"]),
        min_experience=row["min_experience"],
        max_experience=row["max_experience"],
        location=row["location"],
    )


# Writing -----------------------------------------------------------------------------------


async def create_job(
    actor: Actor,
    data: schemas.JobCreate,
    *,
    description_status: GenerationStatus = GenerationStatus.NONE,
    jd_json_status: GenerationStatus | None = None,
    provenance: versions.Provenance | None = None,
) -> schemas.Job:
    """Create a job owned by `actor`, with its weights and zeroed stage counts.

    A description becomes version 1 (typed by `actor` unless `provenance` says otherwise).
    The structured JD is marked pending when there is a description to convert; the caller
    queues the conversion after this returns (the row must be committed first).
    """
    require_create(actor)
    check_fields(data.title, data.min_experience, data.max_experience)
    check_text(
        {
            "title": data.title,
            "description": data.description,
            "must_have_skills": data.must_have_skills,
            "location": data.location,
        }
    )
    if jd_json_status is None:
        jd_json_status = (
            GenerationStatus.PENDING if data.description.strip() else GenerationStatus.NONE
        )
    # A description the model (or the offline writer) wrote is a ready generated one.
    generated_by = (
        provenance.model
        if provenance is not None
        and provenance.source == VersionSource.GENERATED
        and data.description.strip()
        else None
    )
    if generated_by is not None:
        description_status = GenerationStatus.READY
    async with atomic():
        row = await insert_one(
            Job(
                org=actor.org_id,
                owner=actor.user_id,
                title=data.title.strip(),
                description=data.description,
                must_have_skills=clean_skills(data.must_have_skills),
                employment_type=data.employment_type,
                min_experience=data.min_experience,
                max_experience=data.max_experience,
                location=(data.location or "").strip() or None,
                status=data.status,
                description_status=description_status,
                description_generated_by=generated_by,
                description_generated_at=datetime.now(UTC) if generated_by else None,
                jd_json_status=jd_json_status,
                public_key=new_public_key(),
            )
        )
        weights = data.weights or schemas.Weights()
        await ResumeScoreWeights.insert(
            ResumeScoreWeights({ResumeScoreWeights.job: row["id"], **_weights_values(weights)})
        )
        await JobStageCount.insert(
            *[JobStageCount(job=row["id"], stage=stage, total=0) for stage in STAGE_VALUES]
        )
        await _record_job(
            actor,
            EventType.JOB_CREATED,
            row["id"],
            after={**_audited(row), "weights": msgspec.structs.asdict(weights)},
        )
        if data.description.strip():
            written = provenance or versions.Provenance.typed(actor)
            await versions.record(row["id"], data.description, written)
        await list_versions.jobs_changed(actor.org_id, [row["id"]])
    return job_out(row, msgspec.structs.asdict(weights))


AUDITED_FIELDS = (
    "title",
    "must_have_skills",
    "employment_type",
    "min_experience",
    "max_experience",
    "location",
    "status",
)
"""What a job's events show of it (its description is in the description's events)."""


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    values = {name: row[name] for name in AUDITED_FIELDS}
    values["must_have_skills"] = list(values["must_have_skills"] or [])
    return values


async def _record_job(
    actor: Actor,
    type: EventType,
    job_id: int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    await events.record(
        type,
        actor.org_id,
        EntityType.JOB,
        job_id,
        actor=actor,
        job_id=job_id,
        before=before,
        after=after,
        data=data,
    )


async def _record_job_update(
    actor: Actor, job_id: int, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """job.updated with the fields that changed, and job.published or job.closed when
    the status became open or closed."""
    was, now_ = events.changed(before, after)
    if not now_:
        return
    await _record_job(actor, EventType.JOB_UPDATED, job_id, before=was, after=now_)
    status = now_.get("status")
    if status in (JobStatus.OPEN, JobStatus.CLOSED):
        kind = EventType.JOB_PUBLISHED if status == JobStatus.OPEN else EventType.JOB_CLOSED
        await _record_job(
            actor, kind, job_id, before={"status": was["status"]}, after={"status": status}
        )


def check_fields(title: str, min_experience: int, max_experience: int) -> None:
    """The rules across fields that a schema cannot state."""
    if is_blank(title):
        raise Invalid("title must not be blank", field="title")
    if min_experience > max_experience:
        raise Invalid(
            "min_experience must not be greater than max_experience", field="min_experience"
        )


class UpdateResult(msgspec.Struct, frozen=True):
    job: schemas.Job
    description_changed: bool


async def update_job(
    actor: Actor,
    job_id: int,
    data: schemas.JobUpdate | schemas.JobCreate,
    *,
    provenance: versions.Provenance | None = None,
) -> UpdateResult:
    """Apply a full (JobCreate) or partial (JobUpdate) update, weights included.

    A new description becomes the next version (typed by `actor` unless `provenance` says
    otherwise) and its structured JD becomes pending; the caller re-queues the conversion
    (`description_changed`).
    """
    async with atomic():
        current = await load_job(actor, job_id, Action.CHANGE)
        changes = _changes(data)
        check_text(changes)
        check_fields(
            changes.get("title", current["title"]),
            changes.get("min_experience", current["min_experience"]),
            changes.get("max_experience", current["max_experience"]),
        )
        description_changed = (
            "description" in changes and changes["description"] != current["description"]
        )
        if description_changed:
            changes["jd_json_status"] = (
                GenerationStatus.PENDING
                if changes["description"].strip()
                else GenerationStatus.NONE
            )
            changes["description_generated_by"] = None
            changes["description_generated_at"] = None
            changes["description_status"] = GenerationStatus.NONE
            changes["description_error"] = None
        changes["updated_at"] = now()
        weights = data.weights
        # The weights as they were, for the event: read only when they may change.
        old_weights = await _weights_row(job_id) if isinstance(weights, schemas.Weights) else None
        await Job.update({Job._meta.get_column_by_name(k): v for k, v in changes.items()}).where(
            Job.id == job_id
        )
        if isinstance(weights, schemas.Weights):
            await ResumeScoreWeights.update(_weights_values(weights)).where(
                ResumeScoreWeights.job == job_id
            )
        if description_changed:
            await versions.record(
                job_id, changes["description"], provenance or versions.Provenance.typed(actor)
            )
        [row] = await Job.select().where(Job.id == job_id)
        weights_row = await _weights_row(job_id)
        await _record_job_update(
            actor,
            job_id,
            {**_audited(current), "weights": _weights_of(old_weights or weights_row)},
            {**_audited(row), "weights": _weights_of(weights_row)},
        )
        await list_versions.jobs_changed(actor.org_id, [job_id])
    return UpdateResult(job=job_out(row, weights_row), description_changed=description_changed)


def _weights_of(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return msgspec.structs.asdict(weights_out(row)) if row else None


def _changes(data: schemas.JobUpdate | schemas.JobCreate) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in (
        "title",
        "description",
        "must_have_skills",
        "employment_type",
        "min_experience",
        "max_experience",
        "location",
        "status",
    ):
        value = getattr(data, name)
        if value is msgspec.UNSET:
            continue
        if name == "title":
            value = value.strip()
        elif name == "must_have_skills":
            value = clean_skills(value)
        elif name == "location":
            value = (value or "").strip() or None
        changes[name] = value
    return changes


async def delete_job(actor: Actor, job_id: int) -> None:
    """Delete a job and (by cascade) its shares, weights, pipeline, criteria and responses."""
    async with atomic():
        job = await load_job(actor, job_id, Action.MANAGE)
        await list_versions.jobs_changed(actor.org_id, [job_id])
        await Job.delete().where(Job.id == job_id)
        await _record_job(actor, EventType.JOB_DELETED, job_id, before=_audited(job))


async def rotate_public_key(actor: Actor, job_id: int) -> schemas.Job:
    """Issue a new candidate link; the old one stops working at once."""
    async with atomic():
        await load_job(actor, job_id, Action.MANAGE)
        [row] = (
            await Job.update({Job.public_key: new_public_key(), Job.updated_at: now()})
            .where(Job.id == job_id)
            .returning(*Job.all_columns())
        )
        # The link itself is a secret of sorts: the event says only that it changed.
        await _record_job(actor, EventType.JOB_UPDATED, job_id, data={"rotated": "public_key"})
        await list_versions.jobs_changed(actor.org_id, [job_id])
    return job_out(row)


async def get_weights(actor: Actor, job_id: int) -> schemas.Weights:
    await load_job(actor, job_id)
    row = await _weights_row(job_id)
    return weights_out(row) if row else schemas.Weights()


async def set_weights(actor: Actor, job_id: int, weights: schemas.Weights) -> schemas.Weights:
    async with atomic():
        await load_job(actor, job_id, Action.CHANGE)
        before = _weights_of(await _weights_row(job_id))
        await ResumeScoreWeights.update(_weights_values(weights)).where(
            ResumeScoreWeights.job == job_id
        )
        after = msgspec.structs.asdict(weights)
        if before != after:
            await _record_job(
                actor,
                EventType.JOB_UPDATED,
                job_id,
                before={"weights": before},
                after={"weights": after},
            )
    return weights


async def share_job(actor: Actor, job_id: int, user_ids: list[int]) -> list[int]:
    """Share a job with colleagues of the same organization; returns all it is shared with."""
    if not user_ids:
        raise Invalid("user_ids must name at least one user", field="user_ids")
    wanted = sorted(set(user_ids))
    async with atomic():
        job = await load_job(actor, job_id, Action.MANAGE)
        valid = [uid for uid in wanted if is_valid_id(uid)]
        found = (
            await User.select(User.id).where(User.id.is_in(valid) & (User.org == actor.org_id))
            if valid
            else []
        )
        missing = sorted(set(wanted) - {row["id"] for row in found})
        if missing:
            raise NotFound(
                f"no user {', '.join(map(str, missing))} in your organization", field="user_ids"
            )
        existing = await JobShare.select(JobShare.user).where(JobShare.job == job_id)
        already = {row["user"] for row in existing}
        new = [uid for uid in wanted if uid not in already and uid != job["owner"]]
        if new:
            await JobShare.insert(*[JobShare(job=job_id, user=uid) for uid in new])
            await _record_job(actor, EventType.JOB_SHARED, job_id, data={"user_ids": new})
        shared = await JobShare.select(JobShare.user).where(JobShare.job == job_id)
        await list_versions.jobs_changed(actor.org_id, [job_id])
    return sorted(row["user"] for row in shared)


async def unshare_job(actor: Actor, job_id: int, user_id: int) -> None:
    async with atomic():
        await load_job(actor, job_id, Action.MANAGE)
        if not is_valid_id(user_id):
            raise NotFound(f"job {job_id} is not shared with user {user_id}")
        await list_versions.jobs_changed(actor.org_id, [job_id])
        deleted = (
            await JobShare.delete()
            .where((JobShare.job == job_id) & (JobShare.user == user_id))
            .returning(JobShare.id)
        )
        if not deleted:
            raise NotFound(f"job {job_id} is not shared with user {user_id}")
        await _record_job(actor, EventType.JOB_UNSHARED, job_id, data={"user_ids": [user_id]})


async def shared_with(actor: Actor, job_id: int) -> list[int]:
    await load_job(actor, job_id)
    rows = (
        await JobShare.select(JobShare.user).where(JobShare.job == job_id).order_by(JobShare.user)
    )
    return [row["user"] for row in rows]


async def draft_for_generation(actor: Actor, request: schemas.DraftRequest) -> schemas.Job:
    """A draft job whose description a model will write (status: pending)."""
    return await create_job(
        actor,
        schemas.JobCreate(
            title=request.job_title,
            must_have_skills=request.must_have_skills,
            employment_type=request.employment_type,
            min_experience=request.min_experience,
            max_experience=request.max_experience,
            location=request.location,
        ),
        description_status=GenerationStatus.PENDING,
        jd_json_status=GenerationStatus.NONE,
    )


async def add_skill(actor: Actor, job_id: int, skill: str) -> schemas.Job:
    """Add one must-have skill, unless the job has it already (ignoring case), in one
    transaction that locks the job's row, so concurrent additions all land."""
    cleaned = clean_skills([skill])
    if not cleaned:
        raise Invalid("the skill must not be blank", field="must_have_skills")
    check_text({"must_have_skills": cleaned})
    async with atomic():
        query = Job.select(Job.must_have_skills).where(Job.id == job_id)
        await load_job(actor, job_id, Action.CHANGE)
        [current] = await (query.lock_rows() if is_postgres() else query)
        skills = clean_skills([*(current["must_have_skills"] or []), *cleaned])
        if len(skills) > schemas.MAX_SKILLS:
            raise Invalid(
                f"a job has at most {schemas.MAX_SKILLS} must-have skills", field="must_have_skills"
            )
        if skills != list(current["must_have_skills"] or []):
            await Job.update({Job.must_have_skills: skills, Job.updated_at: now()}).where(
                Job.id == job_id
            )
            await _record_job(
                actor,
                EventType.JOB_UPDATED,
                job_id,
                before={"must_have_skills": list(current["must_have_skills"] or [])},
                after={"must_have_skills": skills},
            )
            await list_versions.jobs_changed(actor.org_id, [job_id])
        [row] = await Job.select().where(Job.id == job_id)
    return job_out(row)


async def set_status(actor: Actor, job_id: int, status: JobStatus) -> schemas.Job:
    """Publish (draft -> open), close or reopen a job."""
    return (await update_job(actor, job_id, schemas.JobUpdate(status=status))).job


async def find_jobs(
    actor: Actor, reference: str, *, action: Action = Action.READ
) -> list[schemas.JobName]:
    """Jobs matching a user's reference: an id ("42", "#42") or part of a title."""
    text = reference.strip().lstrip("#")
    if text.isdigit():
        try:
            row = await load_job(actor, int(text), action)
        except NotFound:
            return []
        return [schemas.JobName(id=row["id"], title=row["title"], status=JobStatus(row["status"]))]
    names = await job_names(actor, text)
    exact = [n for n in names if n.title.lower() == text.lower()]
    return exact or names
