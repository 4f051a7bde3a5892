"""Modal submissions: a new job, a rewrite, a share.

Each is checked before its acknowledgement (`bot.forms`: errors show inline, and the modal
stays open); the work runs after the ack with the checked form, once per modal
(`bot.dedupe.once_per_view`), so a repeated submission creates no second job.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.context import settings_of
from bot.dedupe import once_per_view
from bot.errors import tell_user
from bot.flows import document, work
from bot.flows.jobs import one_job
from bot.forms import ChangesForm, NewJobForm, RewriteForm, ShareForm
from bot.identity import actor_from, slack_user


async def create_job(body: dict[str, Any], form: NewJobForm, context: AsyncBoltContext) -> None:
    """Create the draft; its description is written into a thread where `/job new` was
    typed (or the DM)."""
    if form.request is None:
        return
    request, actor = form.request, await actor_from(body, settings_of(context), context.client)

    async def create() -> dict[str, Any]:
        return {"job_id": await work.draft(actor, slack_user(body), request, form.origin)}

    await once_per_view(body, "create", create)


async def start_rewrite(body: dict[str, Any], form: RewriteForm, context: AsyncBoltContext) -> None:
    """Queue the rewrite; the proposal arrives in the job's thread."""
    if form.job_id is None:
        return
    job_id, actor = form.job_id, await actor_from(body, settings_of(context), context.client)

    async def start() -> dict[str, Any]:
        await work.rewrite(actor, slack_user(body), job_id, form.instruction, form.origin)
        return {"job_id": job_id}

    await once_per_view(body, "rewrite", start)


async def share_job(
    body: dict[str, Any], form: ShareForm, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Share the job with the colleagues picked, and confirm privately."""
    if form.job_id is None:
        return
    settings = settings_of(context)
    actor = await actor_from(body, settings, client)
    job = await one_job(actor, str(form.job_id))

    async def share() -> dict[str, Any]:
        message = await work.share(actor, slack_user(body), job, form.slack_ids, settings, client)
        await tell_user(body, client, *message)
        return {"shared": form.slack_ids}

    await once_per_view(body, "share", share)


async def accept_changes(
    body: dict[str, Any], form: ChangesForm, client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Apply the changes ticked in "Choose changes" (once per modal)."""
    if form.job_id is None:
        return
    actor = await actor_from(body, settings_of(context), context.client)
    job_id = form.job_id

    async def accept() -> dict[str, Any]:
        job = await document.accept(
            client, actor, slack_user(body), job_id, form.proposal, form.accepted, form.where
        )
        return {"job_id": job.id, "accepted": form.accepted}

    await once_per_view(body, "accept_changes", accept)
