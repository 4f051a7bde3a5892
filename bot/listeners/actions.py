"""Buttons and pickers on job messages, rewrite proposals, pipelines and the App Home.

Every click is acknowledged at once (`after_ack`); these functions run after the
ack. A button's value names the job (`bot.blocks.values`); the domain operation checks
that the clicking user may act on it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.job_messages import (
    description_ready_message,
    notice_message,
    rewrite_proposal_message,
)
from bot.blocks.refs import candidate_url
from bot.blocks.share_modal import share_modal
from bot.blocks.text import escape
from bot.blocks.values import ButtonValue, Origin, decode_value
from bot.errors import tell_user
from bot.identity import actor_from, slack_user
from bot.listeners import flows
from models import idempotency
from models.enums import JobStatus
from models.errors import Invalid, NotFound
from models.identity.actor import Actor
from models.jobs.access import Action
from models.jobs.operations import get_job, set_status, update_job
from models.jobs.schemas import JobUpdate
from workers import dispatch
from workers.threads import ThreadRef

Body = dict[str, Any]


def _value(action: dict[str, Any]) -> ButtonValue:
    raw = action.get("value")
    if raw is None and isinstance(action.get("selected_option"), dict):
        raw = action["selected_option"].get("value")
    try:
        return decode_value(str(raw or ""))
    except ValueError:
        raise Invalid("this button is not one of Hirebot's (or it is outdated)") from None


def _message(body: Body) -> tuple[str, str, str] | None:
    """`(channel, message ts, thread root ts)` of the message clicked; None in the App Home."""
    container = body.get("container") or {}
    if container.get("type") != "message":
        return None
    ts = str(container["message_ts"])
    root = (body.get("message") or {}).get("thread_ts") or ts
    return str(container["channel_id"]), ts, str(root)


def _origin(body: Body) -> Origin:
    where = _message(body)
    return Origin(channel=where[0], thread_ts=where[2]) if where else Origin()


async def _actor(body: Body, context: AsyncBoltContext) -> Actor:
    return await actor_from(body, flows.settings_of(context))


# Job messages ------------------------------------------------------------------------------


async def publish(
    body: Body,
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Publish (draft -> open), then redraw the message without the Publish button."""
    value = _value(action)
    job = await set_status(await _actor(body, context), value.job_id, JobStatus.OPEN)
    url = candidate_url(flows.settings_of(context).public_url, job.public_key)
    where = _message(body)
    if where is not None:
        text, blocks = description_ready_message(job, url)
        await client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)
    line = f":rocket: *{escape(job.title)}* is open: candidates can apply at {url}"
    await tell_user(body, client, *notice_message(line), respond)


async def rewrite(
    body: Body, action: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The rewrite modal for this job; the proposal goes to the thread clicked in."""
    actor = await _actor(body, context)
    reference = str(_value(action).job_id)
    await flows.open_rewrite_modal(
        client, body["trigger_id"], actor, _origin(body), reference=reference
    )


async def share(
    body: Body, action: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The share modal, if the user may share this job (its owner or an Admin)."""
    actor = await _actor(body, context)
    job = await flows.one_job(actor, str(_value(action).job_id), Action.MANAGE)
    await client.views_open(trigger_id=body["trigger_id"], view=share_modal(job))


async def view_stages(
    body: Body,
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """The pipeline: ephemeral under the message, or in a modal from the App Home."""
    actor = await _actor(body, context)
    job_id = _value(action).job_id
    if _message(body) is None:
        await flows.open_pipeline_modal(client, body["trigger_id"], actor, job_id)
        return
    text, blocks = await flows.pipeline_answer(actor, await flows.one_job(actor, str(job_id)))
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


async def retry(
    body: Body,
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Queue the failed work again (a rewrite reopens its modal, prefilled)."""
    value = _value(action)
    actor = await _actor(body, context)
    if value.kind == "rewrite":
        await flows.open_rewrite_modal(
            client,
            body["trigger_id"],
            actor,
            _origin(body),
            reference=str(value.job_id),
            instruction=value.instruction or "",
        )
        return
    job = await flows.one_job(actor, str(value.job_id), Action.CHANGE)
    where = _message(body)
    if value.kind == "convert" or where is None:
        await dispatch.queue_conversion(job.id)
        line = f":arrows_counterclockwise: Structuring *{escape(job.title)}* again."
        await tell_user(body, client, *notice_message(line), respond)
        return
    channel, ts, root = where
    line = f":arrows_counterclockwise: Writing the description of *{escape(job.title)}* again..."
    text, blocks = notice_message(line)
    await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    who = slack_user(body)
    thread = ThreadRef(
        team_id=who.team_id,
        channel=channel,
        thread_ts=root,
        user_id=who.user_id,
        placeholder_ts=root,
    )
    await dispatch.queue_generation(job.id, thread=thread)


# App Home and pipelines --------------------------------------------------------------------


async def create_job(body: Body, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """App Home's "Create a job": the new-job modal; the draft is announced in a DM."""
    actor = await _actor(body, context)
    await flows.open_new_job_modal(client, body["trigger_id"], actor, "", Origin())


async def share_pipeline(
    body: Body, action: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """Post the ephemeral pipeline in the channel for everyone."""
    actor = await _actor(body, context)
    job = await flows.one_job(actor, str(_value(action).job_id))
    text, blocks = await flows.pipeline_answer(actor, job, in_channel=True)
    await respond(text=text, blocks=blocks, response_type="in_channel", replace_original=False)
    await respond(delete_original=True)


async def pick_stages(
    body: Body, action: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
) -> None:
    """A job picked in `/stages`' picker: the picker becomes the pipeline."""
    actor = await _actor(body, context)
    job = await flows.one_job(actor, str(_value(action).job_id))
    text, blocks = await flows.pipeline_answer(actor, job)
    await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)


# Rewrite proposals -------------------------------------------------------------------------


async def _proposal(value: ButtonValue) -> dict[str, Any]:
    """The rewrite a proposal's buttons refer to (kept by the worker under its run id)."""
    stored = await idempotency.stored(f"rewrite:{value.proposal}") if value.proposal else None
    if not stored or not stored.get("job_description"):
        raise NotFound("this proposal is no longer available; ask for a new rewrite")
    return stored


async def _redraw_proposal(
    client: AsyncWebClient,
    body: Body,
    value: ButtonValue,
    title: str,
    resolution: str,
    *,
    skill_buttons: bool,
) -> None:
    where = _message(body)
    if where is None:
        return
    proposal = await _proposal(value)
    text, blocks = rewrite_proposal_message(
        value.job_id,
        title,
        str(proposal["job_description"]),
        list(proposal.get("suggested_skills") or []),
        proposal_id=value.proposal,
        resolution=resolution,
        skill_buttons=skill_buttons,
    )
    await client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)


async def accept_rewrite(
    body: Body, action: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Make the proposal the job's description (its JSON form is then rebuilt)."""
    value = _value(action)
    proposal = await _proposal(value)
    actor = await _actor(body, context)
    update = JobUpdate(description=str(proposal["job_description"]))
    result = await update_job(actor, value.job_id, update)
    if result.description_changed:
        await dispatch.queue_conversion(value.job_id)
    line = f":white_check_mark: Accepted by <@{slack_user(body).user_id}>: now the description."
    await _redraw_proposal(client, body, value, result.job.title, line, skill_buttons=True)


async def add_skill(
    body: Body,
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Add one suggested skill to the job's must-have skills."""
    value = _value(action)
    if not value.skill:
        raise Invalid("this button names no skill")
    actor = await _actor(body, context)
    job = await get_job(actor, value.job_id)
    skills = job.must_have_skills
    if value.skill.casefold() not in {skill.casefold() for skill in skills}:
        update = JobUpdate(must_have_skills=[*skills, value.skill])
        job = (await update_job(actor, value.job_id, update)).job
    line = (
        f":heavy_plus_sign: *{escape(value.skill)}* is a must-have skill of *{escape(job.title)}*."
    )
    await tell_user(body, client, *notice_message(line), respond)


async def discard_rewrite(
    body: Body, action: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Drop the proposal: its buttons go, the job stays as it is."""
    value = _value(action)
    job = await flows.one_job(await _actor(body, context), str(value.job_id), Action.CHANGE)
    line = f":wastebasket: Discarded by <@{slack_user(body).user_id}>."
    await _redraw_proposal(client, body, value, job.title, line, skill_buttons=False)
