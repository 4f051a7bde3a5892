"""Rewriting a description as a user asked, with suggested skills.

The job is not changed: the rewrite is a suggestion that the user accepts separately. The
result is kept under `rewrite:<run_id>`, so a redelivered run returns (and posts) the same
suggestion instead of asking the model for a different one.
"""

from __future__ import annotations

from typing import Annotated, cast

from taskiq import TaskiqDepends

from models import idempotency
from models.enums import Purpose
from workers.broker import gateway_of
from workers.llm import LLMError, LLMGateway, RewriteInput
from workers.llm.metering import Scope, metered, offline_writer
from workers.tasks.results import RewriteOutcome


async def rewrite_job_description(
    run_id: str,
    title: str,
    description: str,
    instruction: str,
    job_id: int | None = None,
    org_id: int | None = None,
    requested_by: int | None = None,
    offline: bool = False,
    *,
    gateway: Annotated[LLMGateway, TaskiqDepends(gateway_of)],
) -> RewriteOutcome:
    """Ask the model for a rewrite of `description` as `instruction` says."""
    key = f"rewrite:{run_id}"
    result = cast(RewriteOutcome | None, await idempotency.stored(key))
    if result is None:
        result = await _rewrite(
            job_id,
            RewriteInput(title=title, description=description, instruction=instruction),
            offline_writer(gateway) if offline else gateway,
            Scope(org_id=org_id, user_id=requested_by),
        )
        if not await idempotency.record(key, dict(result)):
            result = cast(RewriteOutcome, await idempotency.stored(key))
    return result


async def _rewrite(
    job_id: int | None, data: RewriteInput, gateway: LLMGateway, scope: Scope
) -> RewriteOutcome:
    try:
        answer, call_id = await metered(
            Purpose.REWRITE,
            gateway.name,
            scope,
            data,
            lambda on_usage: gateway.rewrite(data, on_usage=on_usage),
        )
    except LLMError as exc:
        return {
            "ok": False,
            "job_id": job_id,
            "job_description": None,
            "suggested_skills": [],
            "reason": exc.reason,
            "generated_by": gateway.name,
            "base": data.description,
            "call_id": None,
        }
    return {
        "ok": True,
        "job_id": job_id,
        "job_description": answer.job_description,
        "suggested_skills": answer.suggested_skills,
        "reason": None,
        "generated_by": answer.generated_by,
        "base": data.description,
        "call_id": call_id,
    }
