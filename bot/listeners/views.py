"""Modal submissions: a new job, a rewrite, a share.

Each is checked before its acknowledgement (errors show inline, and the modal stays
open); the work runs after the ack, once per modal (`bot.dedupe.once_per_view`), so a repeated
submission creates no second job and posts nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.job_messages import drafting_message
from bot.blocks.values import decode_origin, decode_value
from bot.dedupe import once_per_view
from bot.errors import tell_user
from bot.identity import actor_from, slack_user
from bot.listeners import flows
from bot.listeners.forms import new_job_form, rewrite_form, share_form
from models.jobs.operations import draft_for_generation, set_slack_thread
from workers import dispatch
from workers.threads import ThreadRef


def _values(view: Mapping[str, Any]) -> dict[str, Any]:
    return dict(view.get("state", {}).get("values", {}))


# New job -----------------------------------------------------------------------------------


def check_new_job(view: Mapping[str, Any]) -> dict[str, str]:
    """Errors to show next to their inputs (the modal stays open); none: it closes."""
    return new_job_form(_values(view)).errors


async def create_job(
    body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Create the draft, post "Drafting..." where `/job new` was typed, queue the writing."""
    request = new_job_form(_values(view)).request
    if request is None:
        return  # not reached: the ack showed the errors
    actor = await actor_from(body, flows.settings_of(context))

    async def create() -> dict[str, Any]:
        job = await draft_for_generation(actor, request)
        return {"job_id": job.id}

    created = await once_per_view(body, "create", create)
    if created is None:
        return
    job_id = int(created["job_id"])
    who = slack_user(body)
    origin = decode_origin(view.get("private_metadata"))

    async def announce() -> dict[str, Any]:
        message = drafting_message(request.job_title)
        channel, ts = await flows.post_or_dm(client, origin.channel, who.user_id, message)
        await set_slack_thread(job_id, channel, ts)
        thread = ThreadRef(
            team_id=who.team_id,
            channel=channel,
            thread_ts=ts,
            user_id=who.user_id,
            placeholder_ts=ts,
        )
        await dispatch.queue_generation(job_id, thread=thread, notes=request.notes)
        return {"channel": channel, "ts": ts}

    await once_per_view(body, "announce", announce)


# Rewrite -----------------------------------------------------------------------------------


def check_rewrite(view: Mapping[str, Any]) -> dict[str, str]:
    return rewrite_form(_values(view)).errors


async def start_rewrite(
    body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Post "Rewriting..." in the job's thread (or a new one) and queue the rewrite."""
    form = rewrite_form(_values(view))
    if form.job_id is None or form.errors:
        return
    actor = await actor_from(body, flows.settings_of(context))
    job = await flows.job_to_rewrite(actor, form.job_id)
    who = slack_user(body)
    origin = decode_origin(view.get("private_metadata"))

    async def start() -> dict[str, Any]:
        return await flows.rewrite_in_thread(client, who, job, form.instruction, origin)

    await once_per_view(body, "rewrite", start)


# Share -------------------------------------------------------------------------------------


def check_share(view: Mapping[str, Any]) -> dict[str, str]:
    return share_form(_values(view)).errors


async def share_job(
    body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Share the job with the colleagues picked, and confirm privately."""
    form = share_form(_values(view))
    if form.errors:
        return
    settings = flows.settings_of(context)
    actor = await actor_from(body, settings)
    job = await flows.one_job(actor, str(decode_value(view.get("private_metadata", "")).job_id))

    async def share() -> dict[str, Any]:
        text, blocks = await flows.share_with(actor, body, settings, job, form.slack_ids)
        await tell_user(body, client, text, blocks)
        return {"shared": form.slack_ids}

    await once_per_view(body, "share", share)
