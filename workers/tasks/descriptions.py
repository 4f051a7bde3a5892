"""Writing a job's description and structuring it as JSON.

Plain async functions: `workers.tasks` registers them on the broker, and tests call them
directly with their resources. Both are idempotent per `run_id`: the first delivery's
result is stored with the job's change (`generate:<run_id>`, `convert:<run_id>`) and every
later delivery returns it without calling the model or writing again.
"""

from __future__ import annotations

import logging
from typing import Annotated, cast

import msgspec
from taskiq import AsyncBroker, TaskiqDepends

from models import idempotency
from models.errors import NotFound
from models.jobs import generation as store
from workers import queue
from workers.broker import broker_of, gateway_of
from workers.llm import JobDescriptionInput, LLMError, LLMGateway
from workers.tasks.names import CONVERT_TASK
from workers.tasks.results import ConversionOutcome, GenerationOutcome

log = logging.getLogger(__name__)


def _generation(
    job_id: int,
    *,
    text: str | None = None,
    reason: str | None = None,
    generated_by: str | None = None,
) -> GenerationOutcome:
    return {
        "ok": text is not None,
        "job_id": job_id,
        "text": text,
        "reason": reason,
        "generated_by": generated_by,
    }


async def generate_job_description(
    job_id: int,
    run_id: str,
    notes: str | None = None,
    *,
    gateway: Annotated[LLMGateway, TaskiqDepends(gateway_of)],
    broker: Annotated[AsyncBroker, TaskiqDepends(broker_of)],
) -> GenerationOutcome:
    """Write the job's description with the model and store it; then queue its conversion
    to JSON."""
    key = f"generate:{run_id}"
    earlier = await idempotency.stored(key)
    if earlier is None:
        written = await _write_description(job_id, key, notes, gateway)
        result = cast(GenerationOutcome, written.result)
        # Of concurrent deliveries, the one that stored the result queues the conversion.
        convert = written.first and result["ok"]
    else:
        result = cast(GenerationOutcome, earlier)
        # A redelivery: the delivery that stored the result may have died before queueing
        # the conversion. Queue it (again): the conversion is idempotent per run.
        convert = result["ok"] and not await idempotency.is_done(f"convert:{run_id}")
    if convert:
        # Through the outbox, under a task id of its own; the run id keeps it idempotent.
        conversion = broker.find_task(CONVERT_TASK)
        if conversion is None:
            raise LookupError(f"task {CONVERT_TASK} is not registered")
        await queue.send(conversion, job_id=job_id, run_id=run_id, task_id=f"{run_id}:convert")
    return result


async def _write_description(
    job_id: int, key: str, notes: str | None, gateway: LLMGateway
) -> store.Stored:
    try:
        job = await store.load_job(job_id)
    except NotFound as exc:
        return await store.record_outcome(key, dict(_generation(job_id, reason=exc.message)))
    data = JobDescriptionInput(
        title=job.title,
        must_have_skills=job.must_have_skills,
        employment_type=str(job.employment_type),
        min_experience=job.min_experience,
        max_experience=job.max_experience,
        location=job.location,
        notes=notes,
    )
    try:
        written = await gateway.generate(data)
    except LLMError as exc:
        failure = _generation(job_id, reason=exc.reason, generated_by=gateway.name)
        return await store.store_description_failure(job_id, run_key=key, result=dict(failure))
    success = _generation(job_id, text=written.text, generated_by=written.generated_by)
    return await store.store_description(
        job_id, written.text, written.generated_by, run_key=key, result=dict(success)
    )


def _conversion(
    job_id: int,
    *,
    digest: str | None = None,
    ok: bool = False,
    reason: str | None = None,
    generated_by: str | None = None,
) -> ConversionOutcome:
    return {
        "ok": ok,
        "job_id": job_id,
        "digest": digest,
        "stale": False,
        "reason": reason,
        "generated_by": generated_by,
    }


async def convert_jd_to_json(
    job_id: int,
    run_id: str,
    *,
    gateway: Annotated[LLMGateway, TaskiqDepends(gateway_of)],
) -> ConversionOutcome:
    """Structure the job's current description as JSON and store it, unless the description
    changes while the model works (then the conversion queued by that change wins)."""
    key = f"convert:{run_id}"
    done = await idempotency.stored(key)
    if done is not None:
        return cast(ConversionOutcome, done)
    try:
        job = await store.load_job(job_id)
    except NotFound as exc:
        outcome = await store.record_outcome(key, dict(_conversion(job_id, reason=exc.message)))
        return cast(ConversionOutcome, outcome.result)
    source = job.description
    digest = store.digest(source)
    if not source.strip():
        reason = "The job has no description to structure."
        outcome = await store.record_outcome(key, dict(_conversion(job_id, reason=reason)))
        return cast(ConversionOutcome, outcome.result)
    try:
        structured = await gateway.convert(job.title, source)
    except LLMError as exc:
        failure = _conversion(job_id, digest=digest, reason=exc.reason, generated_by=gateway.name)
        stored = await store.store_jd_json_failure(
            job_id, source, run_key=key, result=dict(failure)
        )
    else:
        success = _conversion(job_id, digest=digest, ok=True, generated_by=gateway.name)
        stored = await store.store_jd_json(
            job_id,
            source,
            msgspec.to_builtins(structured),
            gateway.name,
            run_key=key,
            result=dict(success),
        )
    return cast(ConversionOutcome, stored.result)
