"""Buttons and pickers on job messages, rewrite proposals, pipelines and the App Home.

Every click is acknowledged at once (`after_ack`); these functions run after the
ack. A button's value names the job (`bot.blocks.values`); the domain operation checks
that the clicking user may act on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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
from models.settings import Settings
from workers import dispatch
from workers.threads import ThreadRef

Body = dict[str, Any]


@dataclass(frozen=True)
class Click:
    """One click, with what Bolt injects for it and what every handler derives from that."""

    body: Body
    action: dict[str, Any]
    client: AsyncWebClient
    respond: AsyncRespond
    context: AsyncBoltContext

    @property
    def value(self) -> ButtonValue:
        raw = self.action.get("value")
        if raw is None and isinstance(self.action.get("selected_option"), dict):
            raw = self.action["selected_option"].get("value")
        try:
            return decode_value(str(raw or ""))
        except ValueError:
            raise Invalid("this button is not one of Hirebot's (or it is outdated)") from None

    @property
    def trigger_id(self) -> str:
        return str(self.body["trigger_id"])

    @property
    def message(self) -> tuple[str, str, str] | None:
        """`(channel, message ts, thread root ts)` of the message clicked; None in the App
        Home."""
        container = self.body.get("container") or {}
        if container.get("type") != "message":
            return None
        ts = str(container["message_ts"])
        root = (self.body.get("message") or {}).get("thread_ts") or ts
        return str(container["channel_id"]), ts, str(root)

    @property
    def origin(self) -> Origin:
        where = self.message
        return Origin(channel=where[0], thread_ts=where[2]) if where else Origin()

    @property
    def settings(self) -> Settings:
        return flows.settings_of(self.context)

    async def actor(self) -> Actor:
        return await actor_from(self.body, self.settings)

    async def tell(self, line: str) -> None:
        """A notice only the clicking user sees."""
        await tell_user(self.body, self.client, *notice_message(line), self.respond)


def _on_click(handler: Callable[[Click], Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """The Bolt listener of `handler`: Bolt injects arguments by parameter name, so they are
    named here once, and the name is kept (`bot.dedupe` keys deliveries by it)."""

    async def listener(
        body: Body,
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await handler(Click(body, action, client, respond, context))

    listener.__name__ = handler.__name__
    listener.__qualname__ = handler.__qualname__
    listener.__doc__ = handler.__doc__
    return listener


# Job messages ------------------------------------------------------------------------------


@_on_click
async def publish(click: Click) -> None:
    """Publish (draft -> open), then redraw the message without the Publish button."""
    value = click.value
    job = await set_status(await click.actor(), value.job_id, JobStatus.OPEN)
    url = candidate_url(click.settings.public_url, job.public_key)
    where = click.message
    if where is not None:
        text, blocks = description_ready_message(job, url)
        await click.client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)
    await click.tell(f":rocket: *{escape(job.title)}* is open: candidates can apply at {url}")


@_on_click
async def rewrite(click: Click) -> None:
    """The rewrite modal for this job; the proposal goes to the thread clicked in."""
    actor = await click.actor()
    reference = str(click.value.job_id)
    await flows.open_rewrite_modal(
        click.client, click.trigger_id, actor, click.origin, reference=reference
    )


@_on_click
async def share(click: Click) -> None:
    """The share modal, if the user may share this job (its owner or an Admin)."""
    actor = await click.actor()
    job = await flows.one_job(actor, str(click.value.job_id), Action.MANAGE)
    await click.client.views_open(trigger_id=click.trigger_id, view=share_modal(job))


@_on_click
async def view_stages(click: Click) -> None:
    """The pipeline: ephemeral under the message, or in a modal from the App Home."""
    actor = await click.actor()
    job_id = click.value.job_id
    if click.message is None:
        await flows.open_pipeline_modal(click.client, click.trigger_id, actor, job_id)
        return
    text, blocks = await flows.pipeline_answer(actor, await flows.one_job(actor, str(job_id)))
    await click.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


@_on_click
async def retry(click: Click) -> None:
    """Queue the failed work again. A rewrite is asked again with its instruction; when the
    button has none (or only part of it), its modal reopens, prefilled."""
    value = click.value
    actor = await click.actor()
    if value.kind == "rewrite" and value.instruction and not value.instruction_cut:
        target = await flows.job_to_rewrite(actor, value.job_id)
        where = click.message
        if where is not None:
            line = f":arrows_counterclockwise: Rewriting *{escape(target.title)}* again..."
            text, blocks = notice_message(line)
            await click.client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)
        who = slack_user(click.body)
        await flows.rewrite_in_thread(click.client, who, target, value.instruction, click.origin)
        return
    if value.kind == "rewrite":
        await flows.open_rewrite_modal(
            click.client,
            click.trigger_id,
            actor,
            click.origin,
            reference=str(value.job_id),
            instruction=value.instruction or "",
        )
        return
    job = await flows.one_job(actor, str(value.job_id), Action.CHANGE)
    where = click.message
    if value.kind == "convert" or where is None:
        await dispatch.queue_conversion(job.id)
        await click.tell(f":arrows_counterclockwise: Structuring *{escape(job.title)}* again.")
        return
    channel, ts, root = where
    line = f":arrows_counterclockwise: Writing the description of *{escape(job.title)}* again..."
    text, blocks = notice_message(line)
    await click.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    who = slack_user(click.body)
    thread = ThreadRef(
        team_id=who.team_id,
        channel=channel,
        thread_ts=root,
        user_id=who.user_id,
        placeholder_ts=root,
    )
    await dispatch.queue_generation(job.id, thread=thread)


# App Home and pipelines --------------------------------------------------------------------


@_on_click
async def create_job(click: Click) -> None:
    """App Home's "Create a job": the new-job modal; the draft is announced in a DM."""
    actor = await click.actor()
    await flows.open_new_job_modal(click.client, click.trigger_id, actor, "", Origin())


@_on_click
async def share_pipeline(click: Click) -> None:
    """Post the ephemeral pipeline in the channel for everyone."""
    actor = await click.actor()
    job = await flows.one_job(actor, str(click.value.job_id))
    text, blocks = await flows.pipeline_answer(actor, job, in_channel=True)
    await click.respond(
        text=text, blocks=blocks, response_type="in_channel", replace_original=False
    )
    await click.respond(delete_original=True)


@_on_click
async def pick_stages(click: Click) -> None:
    """A job picked in `/stages`' picker: the picker becomes the pipeline."""
    actor = await click.actor()
    job = await flows.one_job(actor, str(click.value.job_id))
    text, blocks = await flows.pipeline_answer(actor, job)
    await click.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)


# Rewrite proposals -------------------------------------------------------------------------


async def _proposal(value: ButtonValue) -> dict[str, Any]:
    """The rewrite a proposal's buttons refer to (kept by the worker under its run id)."""
    stored = await idempotency.stored(f"rewrite:{value.proposal}") if value.proposal else None
    if not stored or not stored.get("job_description"):
        raise NotFound("this proposal is no longer available; ask for a new rewrite")
    return stored


async def _redraw_proposal(
    click: Click, value: ButtonValue, title: str, resolution: str, *, skill_buttons: bool
) -> None:
    where = click.message
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
    await click.client.chat_update(channel=where[0], ts=where[1], text=text, blocks=blocks)


@_on_click
async def accept_rewrite(click: Click) -> None:
    """Make the proposal the job's description (its JSON form is then rebuilt)."""
    value = click.value
    proposal = await _proposal(value)
    actor = await click.actor()
    update = JobUpdate(description=str(proposal["job_description"]))
    result = await update_job(actor, value.job_id, update)
    if result.description_changed:
        await dispatch.queue_conversion(value.job_id)
    who = slack_user(click.body)
    line = f":white_check_mark: Accepted by <@{who.user_id}>: now the description."
    await _redraw_proposal(click, value, result.job.title, line, skill_buttons=True)


@_on_click
async def add_skill(click: Click) -> None:
    """Add one suggested skill to the job's must-have skills."""
    value = click.value
    if not value.skill:
        raise Invalid("this button names no skill")
    actor = await click.actor()
    job = await get_job(actor, value.job_id)
    skills = job.must_have_skills
    if value.skill.casefold() not in {skill.casefold() for skill in skills}:
        update = JobUpdate(must_have_skills=[*skills, value.skill])
        job = (await update_job(actor, value.job_id, update)).job
    await click.tell(
        f":heavy_plus_sign: *{escape(value.skill)}* is a must-have skill of *{escape(job.title)}*."
    )


@_on_click
async def discard_rewrite(click: Click) -> None:
    """Drop the proposal: its buttons go, the job stays as it is."""
    value = click.value
    job = await flows.one_job(await click.actor(), str(value.job_id), Action.CHANGE)
    line = f":wastebasket: Discarded by <@{slack_user(click.body).user_id}>."
    await _redraw_proposal(click, value, job.title, line, skill_buttons=False)
