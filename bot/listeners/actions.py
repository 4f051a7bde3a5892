"""Buttons and pickers on job messages, rewrite proposals, pipelines and the App Home.

Every click is acknowledged at once (`bot.acknowledge`); these functions run after the
ack. A button's value names the job (`bot.blocks.values`); the operation called checks
that the clicking user may act on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.changes_modal import choose_changes_modal
from bot.blocks.job_messages import (
    description_ready_message,
    notice_message,
    rewrite_proposal_message,
)
from bot.blocks.refs import candidate_url
from bot.blocks.text import escape
from bot.blocks.values import ButtonValue, Origin, decode_value
from bot.context import settings_of
from bot.errors import tell_user
from bot.flows import document, work
from bot.flows.jobs import one_job
from bot.flows.modals import (
    open_new_job_modal,
    open_pipeline_modal,
    open_rewrite_modal,
    open_share_modal,
)
from bot.flows.pipelines import pipeline_answer
from bot.identity import actor_from, slack_user
from bot.posting import update_message
from models.enums import JobStatus
from models.errors import Invalid
from models.identity.actor import Actor
from models.jobs.access import Action
from models.settings import Settings
from workers.operations import descriptions, jobs

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
        return settings_of(self.context)

    async def actor(self) -> Actor:
        return await actor_from(self.body, self.settings, self.client)

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
    job = await jobs.set_status(await click.actor(), click.value.job_id, JobStatus.OPEN)
    url = candidate_url(click.settings.public_url, job.public_key)
    where = click.message
    if where is not None:
        await update_message(click.client, where[0], where[1], description_ready_message(job, url))
    await click.tell(f":rocket: *{escape(job.title)}* is open: candidates can apply at {url}")


@_on_click
async def rewrite(click: Click) -> None:
    """The rewrite modal for this job; the proposal goes to the thread clicked in."""
    actor = await click.actor()
    reference = str(click.value.job_id)
    await open_rewrite_modal(
        click.client, click.trigger_id, actor, click.origin, reference=reference
    )


@_on_click
async def share(click: Click) -> None:
    """The share modal, if the user may share this job (its owner or an Admin)."""
    await open_share_modal(click.client, click.trigger_id, await click.actor(), click.value.job_id)


@_on_click
async def view_stages(click: Click) -> None:
    """The pipeline: ephemeral under the message, or in a modal from the App Home."""
    actor = await click.actor()
    job_id = click.value.job_id
    if click.message is None:
        await open_pipeline_modal(click.client, click.trigger_id, actor, job_id)
        return
    text, blocks = await pipeline_answer(actor, await one_job(actor, str(job_id)))
    await click.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


@_on_click
async def retry(click: Click) -> None:
    """Queue the failed work again, in the thread clicked in (the failure message says so).
    A rewrite is asked again with its instruction; when the button has none (or only part
    of it), its modal reopens, prefilled."""
    value = click.value
    actor = await click.actor()
    if value.kind == "rewrite" and not (value.instruction and not value.instruction_cut):
        await open_rewrite_modal(
            click.client,
            click.trigger_id,
            actor,
            click.origin,
            reference=str(value.job_id),
            instruction=value.instruction or "",
        )
        return
    job = await one_job(actor, str(value.job_id), Action.CHANGE)
    where, who = click.message, slack_user(click.body)
    if value.kind == "convert" or where is None:
        await descriptions.convert_again(actor, job.id)
        await click.tell(f":arrows_counterclockwise: Structuring *{escape(job.title)}* again.")
        return
    channel, ts, root = where
    if value.kind == "rewrite" and value.instruction:
        line = f":arrows_counterclockwise: Rewriting *{escape(job.title)}* again..."
        await update_message(click.client, channel, ts, notice_message(line))
        await work.rewrite(actor, who, job.id, value.instruction, click.origin)
        return
    line = f":arrows_counterclockwise: Writing the description of *{escape(job.title)}* again..."
    await update_message(click.client, channel, ts, notice_message(line))
    # The thread's first message tells how it ends, as it did the first time.
    await work.describe_again(actor, who, job, click.origin, root)


# App Home and pipelines --------------------------------------------------------------------


@_on_click
async def create_job(click: Click) -> None:
    """App Home's "Create a job": the new-job modal; the draft is announced in a DM."""
    actor = await click.actor()
    await open_new_job_modal(click.client, click.trigger_id, actor, "", Origin())


@_on_click
async def share_pipeline(click: Click) -> None:
    """Post the ephemeral pipeline in the channel for everyone."""
    actor = await click.actor()
    job = await one_job(actor, str(click.value.job_id))
    text, blocks = await pipeline_answer(actor, job, in_channel=True)
    await click.respond(
        text=text, blocks=blocks, response_type="in_channel", replace_original=False
    )
    await click.respond(delete_original=True)


@_on_click
async def pick_stages(click: Click) -> None:
    """A job picked in `/stages`' picker: the picker becomes the pipeline."""
    actor = await click.actor()
    job = await one_job(actor, str(click.value.job_id))
    text, blocks = await pipeline_answer(actor, job)
    await click.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)


# Rewrite proposals -------------------------------------------------------------------------


async def _redraw_proposal(
    click: Click, value: ButtonValue, title: str, resolution: str, *, skill_buttons: bool
) -> None:
    where = click.message
    if where is None:
        return
    proposal = await jobs.rewrite_proposal(value.job_id, value.proposal)
    message = rewrite_proposal_message(
        value.job_id,
        title,
        jobs.changes_of(proposal),
        list(proposal.get("suggested_skills") or []),
        proposal_id=value.proposal,
        resolution=resolution,
        skill_buttons=skill_buttons,
    )
    await update_message(click.client, where[0], where[1], message)


@_on_click
async def accept_rewrite(click: Click) -> None:
    """Accept every change of the proposal (its JSON form is then rebuilt)."""
    value = click.value
    await document.accept(
        click.client,
        await click.actor(),
        slack_user(click.body),
        value.job_id,
        value.proposal,
        None,
        click.message,
    )


@_on_click
async def choose_changes(click: Click) -> None:
    """The modal where each change of the proposal can be accepted on its own."""
    value = click.value
    actor = await click.actor()
    job = await one_job(actor, str(value.job_id), Action.CHANGE)
    changes = await jobs.proposed_changes(actor, job.id, value.proposal)
    metadata = {"job_id": job.id, "proposal": value.proposal, "where": click.message}
    await click.client.views_open(
        trigger_id=click.trigger_id, view=choose_changes_modal(job.title, changes, metadata)
    )


@_on_click
async def add_skill(click: Click) -> None:
    """Add one suggested skill to the job's must-have skills."""
    value = click.value
    if not value.skill:
        raise Invalid("this button names no skill")
    job = await jobs.add_skill(await click.actor(), value.job_id, value.skill)
    await click.tell(
        f":heavy_plus_sign: *{escape(value.skill)}* is a must-have skill of *{escape(job.title)}*."
    )


@_on_click
async def discard_rewrite(click: Click) -> None:
    """Drop the proposal: its buttons go, the job stays as it is."""
    value = click.value
    job = await one_job(await click.actor(), str(value.job_id), Action.CHANGE)
    line = f":wastebasket: Discarded by <@{slack_user(click.body).user_id}>."
    await _redraw_proposal(click, value, job.title, line, skill_buttons=False)


# History and language ----------------------------------------------------------------------


@_on_click
async def history(click: Click) -> None:
    """The last versions of the description, with Restore buttons (only to the clicker)."""
    text, blocks = await document.history(await click.actor(), click.value.job_id)
    if click.message is None:
        await click.tell(text)
        return
    await click.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


@_on_click
async def restore_version(click: Click) -> None:
    """Make the version clicked the description again."""
    value = click.value
    where = click.message
    await document.restore(
        click.client,
        await click.actor(),
        slack_user(click.body),
        value.job_id,
        value.version,
        where,
    )
    if where is not None:
        await click.respond(delete_original=True)


@_on_click
async def fix_wording(click: Click) -> None:
    """A rewrite asked for with the language check's findings as its instruction."""
    actor = await click.actor()
    await document.fix_wording(actor, slack_user(click.body), click.value.job_id, click.origin)
