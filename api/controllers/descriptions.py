"""A job's description as a living document: its writing (state and live events), its
versions (and restoring one), and its inclusive-language check."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from api.params import AppSettings, CurrentActor
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs import versions
from models.jobs.schemas import Generation, Job
from models.language import LanguageReport
from workers.operations import jobs as use_cases

EVENTS_POLL = 0.5
"""Seconds between looks at the job while its description is written."""


class DescriptionController(Controller):
    path = "/api/jobs/{job_id:int}"
    tags = ["descriptions"]

    @get(
        "/generation",
        operation_id="getGeneration",
        response_description="The state of the writing, with the text so far.",
        summary="Where the writing of the description stands, with the text so far",
    )
    async def generation(self, actor: CurrentActor, job_id: FromPath[int]) -> Generation:
        return await jobs.generation_state(actor, job_id)

    @get(
        "/generation/events",
        operation_id="streamGeneration",
        response_description="A stream of `generation` events (text/event-stream).",
        summary="Server-sent events of the generation's state until it is ready or failed",
        description="Each `generation` event carries the state as `GET .../generation` "
        "shows it; the last one is `ready` (with the stored description) or `failed`.",
    )
    async def generation_events(
        self, actor: CurrentActor, settings: AppSettings, job_id: FromPath[int]
    ) -> ServerSentEvent:
        first = await jobs.generation_state(actor, job_id)  # 404 before the stream opens
        return ServerSentEvent(_events(actor, job_id, first, settings.generation_wait_seconds))

    @get(
        "/versions",
        operation_id="listDescriptionVersions",
        response_description="Versions, newest first, without their text.",
        summary="List the newest versions of the job's description",
    )
    async def list_versions(
        self,
        actor: CurrentActor,
        job_id: FromPath[int],
        limit: Annotated[int, QueryParameter(ge=1, le=versions.MAX_LISTED)] = 20,
    ) -> list[versions.VersionSummary]:
        return await versions.list_versions(actor, job_id, limit)

    @get(
        "/versions/{number:int}",
        operation_id="getDescriptionVersion",
        summary="Read one version of the job's description",
        response_description="The version with its text and who wrote it.",
    )
    async def get_version(
        self, actor: CurrentActor, job_id: FromPath[int], number: FromPath[int]
    ) -> versions.Version:
        return await versions.get_version(actor, job_id, number)

    @post(
        "/versions/{number:int}/restore",
        operation_id="restoreDescriptionVersion",
        response_description="The job, its description that version again.",
        summary="Make an earlier version the description again (a new version)",
        status_code=200,
    )
    async def restore(
        self, actor: CurrentActor, job_id: FromPath[int], number: FromPath[int]
    ) -> Job:
        return await use_cases.restore_version(actor, job_id, number)

    @get(
        "/language-check",
        operation_id="checkJobLanguage",
        response_description="The findings of the check, each with why and an alternative.",
        summary="Wording in the description that discourages applicants, with alternatives",
    )
    async def language_check(self, actor: CurrentActor, job_id: FromPath[int]) -> LanguageReport:
        return await jobs.language_check(actor, job_id)


async def _events(
    actor: Actor, job_id: int, first: Generation, patience: float
) -> AsyncIterator[ServerSentEventMessage]:
    """The state whenever it changes, until it is final (or `patience` past the last
    change: the stream ends, the client may open it again)."""
    state, changed_at = first, time.monotonic()
    yield _message(state)
    while state.state not in ("ready", "failed"):
        await asyncio.sleep(EVENTS_POLL)
        latest = await jobs.generation_state(actor, job_id)
        if latest != state:
            state, changed_at = latest, time.monotonic()
            yield _message(state)
        elif time.monotonic() - changed_at > patience:
            return


def _message(state: Generation) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(state).decode(), event="generation")
