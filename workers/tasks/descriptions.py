"""Writing a job's description and structuring it as JSON.

Plain async functions: `workers.tasks` registers them on the broker, and tests call them
directly with their resources. Both are idempotent per `run_id`: the first delivery's
result is stored with the job's change (`generate:<run_id>`, `convert:<run_id>`) and every
later delivery returns it without calling the model or writing again.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated, cast

import msgspec
from taskiq import AsyncBroker, TaskiqDepends

from models import idempotency
from models.enums import Purpose
from models.errors import NotFound
from models.jobs import generation as store
from workers import queue
from workers.broker import broker_of, gateway_of
from workers.llm import JobDescriptionInput, LLMError, LLMGateway, OnText, StructuredJD
from workers.llm.metering import OverBudget, Scope, metered, offline_writer
from workers.tasks.names import CONVERT_TASK
from workers.tasks.results import ConversionOutcome, GenerationOutcome

log = logging.getLogger(__name__)

DRAFT_EVERY = 1.0
"""Seconds between saves of the text so far while the model writes."""


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
    requested_by: int | None = None,
    offline: bool = False,
    *,
    gateway: Annotated[LLMGateway, TaskiqDepends(gateway_of)],
    broker: Annotated[AsyncBroker, TaskiqDepends(broker_of)],
    on_text: OnText | None = None,
) -> GenerationOutcome:
    """Write the job's description with the model (streamed: the text so far is kept on
    the job, and given to `on_text`) and store it as the next version; then queue its
    conversion to JSON."""
    key = f"generate:{run_id}"
    earlier = await idempotency.stored(key)
    if earlier is None:
        writer = offline_writer(gateway) if offline else gateway
        log.info("writing the description of job %s (%s)", job_id, writer.name)
        written = await _write_description(job_id, key, notes, requested_by, writer, on_text)
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
        await queue.send(
            conversion,
            job_id=job_id,
            run_id=run_id,
            requested_by=requested_by,
            task_id=f"{run_id}:convert",
        )
    return result


class _Draft:
    """Receives the text as it is written: forwards it, and keeps the text so far on the
    job every `DRAFT_EVERY` seconds (what `GET /api/jobs/{id}/generation` shows)."""

    def __init__(self, job_id: int, forward: OnText | None) -> None:
        self.job_id, self.forward = job_id, forward
        self.text = ""
        self._saved_at = time.monotonic()

    async def add(self, piece: str) -> None:
        self.text += piece
        if self.forward is not None:
            await self.forward(piece)
        if time.monotonic() - self._saved_at >= DRAFT_EVERY:
            self._saved_at = time.monotonic()
            await store.write_draft(self.job_id, self.text)


async def _write_description(
    job_id: int,
    key: str,
    notes: str | None,
    requested_by: int | None,
    gateway: LLMGateway,
    on_text: OnText | None,
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
    draft = _Draft(job_id, on_text)
    scope = Scope(org_id=job.org_id, user_id=requested_by)
    try:
        written, call_id = await metered(
            Purpose.GENERATE,
            gateway.name,
            scope,
            data,
            lambda on_usage: gateway.generate(data, on_text=draft.add, on_usage=on_usage),
        )
    except LLMError as exc:
        failure = _generation(job_id, reason=exc.reason, generated_by=gateway.name)
        return await store.store_description_failure(job_id, run_key=key, result=dict(failure))
    success = _generation(job_id, text=written.text, generated_by=written.generated_by)
    return await store.store_description(
        job_id,
        written.text,
        written.generated_by,
        run_key=key,
        result=dict(success),
        call_id=call_id,
        requested_by=requested_by,
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
    requested_by: int | None = None,
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
        structured, converter = await _convert(
            gateway, Scope(job.org_id, requested_by), job.title, source
        )
    except LLMError as exc:
        failure = _conversion(job_id, digest=digest, reason=exc.reason, generated_by=gateway.name)
        stored = await store.store_jd_json_failure(
            job_id, source, run_key=key, result=dict(failure)
        )
    else:
        success = _conversion(job_id, digest=digest, ok=True, generated_by=converter)
        stored = await store.store_jd_json(
            job_id,
            source,
            msgspec.to_builtins(structured),
            converter,
            run_key=key,
            result=dict(success),
        )
    return cast(ConversionOutcome, stored.result)


async def _convert(
    gateway: LLMGateway, scope: Scope, title: str, source: str
) -> tuple[StructuredJD, str]:
    """The model's structure of a description, and who made it; past the budget, the
    offline parser's."""

    async def run(converter: LLMGateway) -> tuple[StructuredJD, str]:
        structured, _ = await metered(
            Purpose.CONVERT,
            converter.name,
            scope,
            [title, source],
            lambda on_usage: converter.convert(title, source, on_usage=on_usage),
        )
        return structured, converter.name

    try:
        return await run(gateway)
    except OverBudget:
        return await run(offline_writer(gateway))
