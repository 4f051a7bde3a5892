"""System writes of model-written fields: the description and the structured JD.

These run in the workers, on behalf of a run that an authorized user (or the API) queued,
so they take no actor. Each store commits the job's change together with the run's
idempotency key (`models.idempotency.record`): a redelivered run writes nothing new and
gets the first run's result. The job rows are changed with conditional updates, so a
result never overwrites an edit that happened while the model was writing.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from models import idempotency, list_versions
from models.db import atomic
from models.enums import GenerationStatus
from models.errors import NotFound
from models.jobs import schemas, versions
from models.jobs.operations import job_out, now
from models.tables import Job

# A description may be (re)written while it waits for a model or after a failed attempt;
# any other state means someone wrote it by hand meanwhile, and their text wins.
_WRITABLE = (GenerationStatus.PENDING, GenerationStatus.FAILED)


class AlreadyRecorded(Exception):
    """Internal: another delivery of the run committed first; roll back and use its result."""


class Stored(msgspec.Struct, frozen=True):
    """The result kept for a run, and whether this call was the one that stored it."""

    result: dict[str, Any]
    first: bool


def digest(text: str) -> str:
    """A short fingerprint of a description, to tell which version a result belongs to."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


async def load_job(job_id: int) -> schemas.Job:
    row = await Job.select().where(Job.id == job_id).first()
    if row is None:
        raise NotFound(f"job {job_id} not found")
    return job_out(row)


async def mark_description_pending(job_id: int) -> None:
    """A (re)generation was queued: the description is pending until a run stores it."""
    async with atomic():
        org = await _update_org(
            job_id,
            {
                Job.description_status: GenerationStatus.PENDING,
                Job.description_error: None,
                Job.description_draft: None,
                Job.updated_at: now(),
            },
        )
        if org is None:
            raise NotFound(f"job {job_id} not found")
        await list_versions.jobs_changed(org, [job_id])


async def mark_jd_json_pending(job_id: int) -> None:
    """A conversion was queued again: the structure is pending until a run stores it."""
    async with atomic():
        org = await _update_org(
            job_id, {Job.jd_json_status: GenerationStatus.PENDING, Job.jd_json_error: None}
        )
        if org is None:
            raise NotFound(f"job {job_id} not found")
        await list_versions.jobs_changed(org, [job_id])


async def give_up_description(job_id: int, reason: str) -> None:
    """A pending description that could not be written after every retry: failed, with why."""
    await _fail(job_id, Job.description_status, Job.description_error, reason)


async def give_up_jd_json(job_id: int, reason: str) -> None:
    """A pending structure that could not be built after every retry: failed, with why."""
    await _fail(job_id, Job.jd_json_status, Job.jd_json_error, reason)


async def _fail(job_id: int, status: Any, error: Any, reason: str) -> None:
    async with atomic():
        org = await _update_org(
            job_id,
            {status: GenerationStatus.FAILED, error: reason[:1000]},
            status == GenerationStatus.PENDING,
        )
        if org is not None:
            await list_versions.jobs_changed(org, [job_id])


async def write_draft(job_id: int, text: str) -> None:
    """The text so far while the model writes (for the API's generation state)."""
    await Job.update({Job.description_draft: text}).where(
        (Job.id == job_id) & (Job.description_status == GenerationStatus.PENDING)
    )


async def set_slack_thread(job_id: int, channel: str, thread_ts: str) -> None:
    """Remember the Slack thread where the job's conversation lives (the bot's worker task
    that started it does this, for the user who asked)."""
    await Job.update({Job.slack_channel: channel, Job.slack_thread_ts: thread_ts}).where(
        Job.id == job_id
    )


async def slack_thread(job_id: int) -> tuple[str, str] | None:
    """The Slack thread of the job's conversation, `(channel, thread_ts)`, if it has one."""
    row = await Job.select(Job.slack_channel, Job.slack_thread_ts).where(Job.id == job_id).first()
    if row is None or not row["slack_channel"] or not row["slack_thread_ts"]:
        return None
    return row["slack_channel"], row["slack_thread_ts"]


async def store_description(
    job_id: int,
    text: str,
    generated_by: str,
    *,
    run_key: str,
    result: dict[str, Any],
    call_id: int | None = None,
    requested_by: int | None = None,
) -> Stored:
    """Store a generated description as the job's next version (structured JD becomes
    pending) and record the run.

    If the description was edited by hand meanwhile, nothing is stored and the recorded
    result says so (`ok: false`).
    """

    async def change() -> int | None:
        org = await _update_org(
            job_id,
            {
                Job.description: text,
                Job.description_status: GenerationStatus.READY,
                Job.description_generated_by: generated_by,
                Job.description_generated_at: now(),
                Job.description_error: None,
                Job.description_draft: None,
                Job.jd_json_status: GenerationStatus.PENDING,
                Job.jd_json_error: None,
                Job.updated_at: now(),
            },
            Job.description_status.is_in(list(_WRITABLE)),
        )
        if org is not None:
            provenance = versions.Provenance.generated(generated_by, call_id, requested_by)
            await versions.record(job_id, text, provenance)
        return org

    unchanged = {
        **result,
        "ok": False,
        "text": None,
        "reason": "The description was edited while it was being written; "
        "the generated text was not stored.",
    }
    return await _store(job_id, run_key, change, result, unchanged)


async def store_description_failure(job_id: int, *, run_key: str, result: dict[str, Any]) -> Stored:
    """Mark a pending description failed (the reason is in `result`) and record the run."""

    async def change() -> int | None:
        return await _update_org(
            job_id,
            {
                Job.description_status: GenerationStatus.FAILED,
                Job.description_error: str(result.get("reason") or "")[:1000] or None,
                Job.description_draft: None,
                Job.updated_at: now(),
            },
            Job.description_status == GenerationStatus.PENDING,
        )

    return await _store(job_id, run_key, change, result, result)


async def store_jd_json(
    job_id: int,
    source: str,
    jd_json: dict[str, Any],
    generated_by: str,
    *,
    run_key: str,
    result: dict[str, Any],
) -> Stored:
    """Store the structured JD of `source` if `source` is still the job's description."""

    async def change() -> int | None:
        return await _update_org(
            job_id,
            {
                Job.jd_json: msgspec.json.encode(jd_json).decode(),
                Job.jd_json_status: GenerationStatus.READY,
                Job.jd_json_generated_by: generated_by,
                Job.jd_json_generated_at: now(),
                Job.jd_json_error: None,
            },
            Job.description == source,
        )

    return await _store(job_id, run_key, change, result, _stale(result))


async def store_jd_json_failure(
    job_id: int, source: str, *, run_key: str, result: dict[str, Any]
) -> Stored:
    """Mark the structured JD failed, unless the description changed meanwhile."""

    async def change() -> int | None:
        return await _update_org(
            job_id,
            {
                Job.jd_json_status: GenerationStatus.FAILED,
                Job.jd_json_error: str(result.get("reason") or "")[:1000] or None,
            },
            Job.description == source,
        )

    return await _store(job_id, run_key, change, result, _stale(result))


async def record_outcome(run_key: str, result: dict[str, Any]) -> Stored:
    """Record a run that changes no job (a rewrite, a job that is gone)."""
    if await idempotency.record(run_key, result):
        return Stored(result=result, first=True)
    return Stored(result=await _recorded(run_key), first=False)


def _stale(result: dict[str, Any]) -> dict[str, Any]:
    return {
        **result,
        "ok": False,
        "stale": True,
        "reason": "The description changed while it was being structured; "
        "the newer description is converted instead.",
    }


async def _update_org(job_id: int, values: dict[Any, Any], condition: Any = None) -> int | None:
    """Apply `values` to the job if `condition` holds; the job's organization, or None."""
    where = Job.id == job_id if condition is None else (Job.id == job_id) & condition
    rows = await Job.update(values).where(where).returning(Job.org)
    return rows[0]["org"] if rows else None


async def _store(
    job_id: int,
    run_key: str,
    change: Any,
    result: dict[str, Any],
    unchanged: dict[str, Any],
) -> Stored:
    """Run `change` and record the run in one transaction; on a duplicate, roll back."""
    try:
        async with atomic():
            org = await change()
            outcome = result if org is not None else unchanged
            if not await idempotency.record(run_key, outcome):
                raise AlreadyRecorded(run_key)
            if org is not None:
                await list_versions.jobs_changed(org, [job_id])
    except AlreadyRecorded:
        return Stored(result=await _recorded(run_key), first=False)
    return Stored(result=outcome, first=True)


async def _recorded(run_key: str) -> dict[str, Any]:
    existing = await idempotency.stored(run_key)
    if existing is None:
        # Only a claim (not a result) holds the key: a caller mixed claim() and record().
        raise RuntimeError(f"{run_key} is claimed but has no result")
    return existing
