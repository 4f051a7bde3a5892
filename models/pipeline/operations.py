"""Candidates moving through a job's pipeline.

Stage counts are never computed by scanning applications: `JobStageCount` is updated in
the same transaction as every change to `Application`, so it is never stale.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from models import events, sync
from models.db import atomic, insert_one
from models.errors import Conflict, Invalid, NotFound
from models.events import EntityType, EventType
from models.identity.actor import Actor
from models.jobs.access import Action, authorize, is_valid_id, load_job, require_jobs
from models.pipeline import schemas
from models.stages import PIPELINE, STAGE_VALUES, Stage
from models.tables import Application, Candidate, JobStageCount
from models.text import check_text

MAX_PAGE = 100
MAX_OFFSET = 1_000_000_000


# The spec's stage filters are a hot path: the job's access facts and its stored counts in one
# query (one row per stage), as SQL: a Piccolo select costs more CPU to build than to run.
_STAGE_COUNTS = (
    "SELECT j.id, j.org, j.owner, "
    'EXISTS (SELECT 1 FROM job_share s WHERE s.job = j.id AND s."user" = {}) AS shared, '
    "c.stage, c.total FROM job j LEFT JOIN job_stage_count c ON c.job = j.id WHERE j.id = {}"
)


async def stage_counts(actor: Actor, job_id: int) -> list[schemas.StageCount]:
    """Every stage of the job's pipeline in order, with its count (zeros included)."""
    rows = (
        await JobStageCount.raw(_STAGE_COUNTS, actor.user_id, job_id) if is_valid_id(job_id) else []
    )
    if not rows:
        raise NotFound(f"job {job_id} not found")
    await authorize(actor, rows[0], Action.READ, shared=bool(rows[0]["shared"]))
    return _stage_list({row["stage"]: row["total"] for row in rows if row["stage"] is not None})


def _stage_list(totals: dict[str, int]) -> list[schemas.StageCount]:
    return [
        schemas.StageCount(
            label=style.label,
            count=totals.get(style.stage.value, 0),
            background_color=style.background_color,
            color=style.color,
        )
        for style in PIPELINE
    ]


async def fresh_counts(job_id: int) -> dict[str, int]:
    """Counts recomputed from the applications themselves (for checks and repairs)."""
    rows = (
        await Application.select(Application.stage, Count(alias="count"))
        .where(Application.job == job_id)
        .group_by(Application.stage)
    )
    found = {row["stage"]: row["count"] for row in rows}
    return {stage: found.get(stage, 0) for stage in STAGE_VALUES}


async def _bump(job_id: int, stage: str, delta: int) -> None:
    await JobStageCount.update({JobStageCount.total: JobStageCount.total + delta}).where(
        (JobStageCount.job == job_id) & (JobStageCount.stage == stage)
    )


def _application_out(row: dict[str, Any]) -> schemas.Application:
    return schemas.Application(
        job_id=row["job"],
        candidate_id=row["candidate"],
        name=row["candidate.name"],
        email=row["candidate.email"],
        stage=Stage(row["stage"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_APPLICATION_COLUMNS = (
    Application.id,  # the sync's cursor position
    Application.job,
    Application.candidate,
    Application.candidate.name,
    Application.candidate.email,
    Application.stage,
    Application.created_at,
    Application.updated_at,
)


async def list_candidates(
    actor: Actor, job_id: int, stage: Stage | None = None, limit: int = 50, offset: int = 0
) -> list[schemas.Application]:
    """A job's candidates, in the order they applied."""
    query = await _candidates(actor, job_id, stage, limit, offset)
    rows = await query.order_by(Application.id).limit(limit).offset(offset)
    return [_application_out(row) for row in rows]


async def candidates_page(
    actor: Actor,
    job_id: int,
    stage: Stage | None = None,
    limit: int = 50,
    offset: int = 0,
    updated_after: datetime | None = None,
    cursor: str | None = None,
) -> list[schemas.Application] | schemas.ApplicationChanges:
    """`list_candidates`; with `updated_after` or a sync cursor, the applications changed
    since (`models.sync`)."""
    position = sync.start(updated_after, cursor)
    if position is None:
        if cursor:
            raise Invalid("cursor must be a next_cursor of this list's sync", field="cursor")
        return await list_candidates(actor, job_id, stage, limit, offset)
    query = await _candidates(actor, job_id, stage, limit, offset)
    changed, next_cursor = await sync.page(query, Application, position, limit)
    items = [_application_out(row) for row in changed]
    return schemas.ApplicationChanges(items=items, next_cursor=next_cursor)


async def _candidates(
    actor: Actor, job_id: int, stage: Stage | None, limit: int, offset: int
) -> Any:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise Invalid("offset must not be negative", field="offset")
    if offset > MAX_OFFSET:
        raise Invalid(f"offset must not be greater than {MAX_OFFSET}", field="offset")
    await load_job(actor, job_id)
    query = Application.select(*_APPLICATION_COLUMNS).where(Application.job == job_id)
    if stage is not None:
        query = query.where(Application.stage == stage)
    return query


async def add_candidate(
    actor: Actor, job_id: int, data: schemas.CandidateIn
) -> schemas.Application:
    """Add a candidate (found by email in the organization, or created) to a job's pipeline."""
    email = data.email.strip().lower()
    check_text({"name": data.name, "email": email})
    async with atomic():
        await load_job(actor, job_id, Action.CHANGE)
        candidate = (
            await Candidate.select(Candidate.id)
            .where((Candidate.org == actor.org_id) & (Candidate.email == email))
            .first()
        )
        if candidate is None:
            candidate = await insert_one(
                Candidate(org=actor.org_id, name=data.name.strip(), email=email)
            )
        elif await Application.exists().where(
            (Application.job == job_id) & (Application.candidate == candidate["id"])
        ):
            raise Conflict(f"{email} is already a candidate for job {job_id}", field="email")
        [added] = await Application.insert(
            Application(job=job_id, candidate=candidate["id"], stage=data.stage)
        ).returning(Application.id)
        await _bump(job_id, data.stage.value, +1)
        await events.record(
            EventType.APPLICATION_CREATED,
            actor.org_id,
            EntityType.APPLICATION,
            added["id"],
            actor=actor,
            job_id=job_id,
            after={"candidate_id": candidate["id"], "stage": data.stage.value},
        )
        return await _application(job_id, candidate["id"])


async def move_candidate(
    actor: Actor, job_id: int, candidate_id: int, stage: Stage
) -> schemas.Application:
    """Move a candidate to another stage of the job's pipeline."""
    async with atomic():
        await load_job(actor, job_id, Action.CHANGE)
        if not is_valid_id(candidate_id):
            raise NotFound(f"candidate {candidate_id} is not in job {job_id}")
        current = (
            await Application.select(Application.id, Application.stage)
            .where((Application.job == job_id) & (Application.candidate == candidate_id))
            .first()
        )
        if current is None:
            raise NotFound(f"candidate {candidate_id} is not in job {job_id}")
        if current["stage"] != stage.value:
            await Application.update(
                {Application.stage: stage, Application.updated_at: datetime.now(UTC)}
            ).where((Application.job == job_id) & (Application.candidate == candidate_id))
            await _bump(job_id, current["stage"], -1)
            await _bump(job_id, stage.value, +1)
            await events.record(
                EventType.APPLICATION_STAGE_CHANGED,
                actor.org_id,
                EntityType.APPLICATION,
                current["id"],
                actor=actor,
                job_id=job_id,
                before={"stage": current["stage"]},
                after={"stage": stage.value},
                data={"candidate_id": candidate_id},
            )
        return await _application(job_id, candidate_id)


async def _application(job_id: int, candidate_id: int) -> schemas.Application:
    [row] = await Application.select(*_APPLICATION_COLUMNS).where(
        (Application.job == job_id) & (Application.candidate == candidate_id)
    )
    return _application_out(row)


async def totals_for_jobs(actor: Actor, job_ids: list[int]) -> dict[int, dict[str, int]]:
    """Stage counts of several jobs the actor can see, at once (Slack's job list, App Home)."""
    if not job_ids:
        return {}
    await require_jobs(actor, set(job_ids), Action.READ)
    rows = await JobStageCount.select(
        JobStageCount.job, JobStageCount.stage, JobStageCount.total
    ).where(JobStageCount.job.is_in(job_ids))
    result: dict[int, dict[str, int]] = {
        job_id: dict.fromkeys(STAGE_VALUES, 0) for job_id in job_ids
    }
    for row in rows:
        result[row["job"]][row["stage"]] = row["total"]
    return result
