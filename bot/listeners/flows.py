"""Steps several listeners share: opening the modals, showing a pipeline, sharing a job,
and posting where the user can read it. Domain operations and builders only; no queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import ids
from bot.blocks.job_messages import notice_message, rewriting_message
from bot.blocks.job_modal import new_job_modal
from bot.blocks.layout import Message
from bot.blocks.pipeline import StageCount, job_picker_message, pipeline_message, pipeline_modal
from bot.blocks.rewrite_modal import rewrite_modal
from bot.blocks.text import escape
from bot.blocks.values import Origin, encode_origin
from bot.errors import dm_channel
from bot.identity import SlackUser, slack_user
from models.enums import Role
from models.errors import Invalid, NotFound
from models.identity.actor import Actor
from models.identity.operations import resolve_slack_actor, users_by_slack_ids
from models.jobs.access import Action, require_create
from models.jobs.operations import (
    find_jobs,
    get_job,
    job_names,
    set_slack_thread,
    share_job,
    slack_thread,
)
from models.jobs.schemas import Job, JobName
from models.pipeline.operations import stage_counts
from models.settings import Settings
from workers import dispatch
from workers.threads import ThreadRef

CANNOT_POST_ERRORS = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action", "is_inactive"}
)
"""chat.postMessage errors that mean "not in this channel": the message goes to a DM."""


def settings_of(context: AsyncBoltContext) -> Settings:
    """The settings `register` put into every request's context."""
    settings = context["settings"]
    assert isinstance(settings, Settings)
    return settings


# Jobs a user names -------------------------------------------------------------------------


async def one_job(actor: Actor, reference: str, action: Action = Action.READ) -> JobName:
    """The single job `reference` (an id or a title) names; NotFound or Invalid otherwise."""
    matches = await find_jobs(actor, reference, action=action)
    if not matches:
        raise NotFound(f"no job of yours matches “{reference.strip()}”")
    if len(matches) > 1:
        listed = ", ".join(f"{job.title} (#{job.id})" for job in matches[:10])
        raise Invalid(f"several jobs match “{reference.strip()}”: {listed}; use the job id")
    return matches[0]


async def changeable_jobs(actor: Actor) -> list[JobName]:
    """Jobs the user may change: every visible one, unless they only read (Viewers)."""
    return await job_names(actor) if actor.can_write else []


# Modals ------------------------------------------------------------------------------------


async def open_new_job_modal(
    client: AsyncWebClient, trigger_id: str, actor: Actor, title: str, origin: Origin
) -> None:
    """The new-job modal, unless the user may not create jobs (then nothing opens)."""
    require_create(actor)
    view = new_job_modal(title, private_metadata=encode_origin(origin.channel, origin.thread_ts))
    await client.views_open(trigger_id=trigger_id, view=view)


async def open_rewrite_modal(
    client: AsyncWebClient,
    trigger_id: str,
    actor: Actor,
    origin: Origin,
    *,
    reference: str | None = None,
    instruction: str = "",
) -> None:
    """The rewrite modal; a `reference` matching several jobs offers only those."""
    jobs: Sequence[JobName]
    selected: int | None = None
    if reference:
        matches = await find_jobs(actor, reference, action=Action.CHANGE)
        if not matches:
            raise NotFound(f"no job you can change matches “{reference.strip()}”")
        jobs = matches
        selected = matches[0].id if len(matches) == 1 else None
    else:
        jobs = await changeable_jobs(actor)
    metadata = encode_origin(origin.channel, origin.thread_ts)
    view = rewrite_modal(jobs, selected, instruction, private_metadata=metadata)
    await client.views_open(trigger_id=trigger_id, view=view)


# Rewrites ---------------------------------------------------------------------------------


async def job_to_rewrite(actor: Actor, job_id: int) -> Job:
    """The job to rewrite, if the user may change it (NotFound otherwise)."""
    await one_job(actor, str(job_id), Action.CHANGE)
    return await get_job(actor, job_id)


async def rewrite_in_thread(
    client: AsyncWebClient, who: SlackUser, job: Job, instruction: str, origin: Origin
) -> dict[str, Any]:
    """Post "Rewriting..." in the job's thread (or a new one) and queue the rewrite; the
    `(channel, ts)` of that placeholder."""
    where = await _thread_for(job.id, origin)
    message = rewriting_message(job.title, instruction)
    channel, ts = await post_or_dm(
        client, where.channel, who.user_id, message, thread_ts=where.thread_ts
    )
    thread_ts = where.thread_ts if channel == where.channel and where.thread_ts else ts
    if thread_ts == ts:
        await set_slack_thread(job.id, channel, ts)
    thread = ThreadRef(
        team_id=who.team_id,
        channel=channel,
        thread_ts=thread_ts,
        user_id=who.user_id,
        placeholder_ts=ts,
    )
    await dispatch.queue_rewrite(
        job.title, job.description, instruction, job_id=job.id, thread=thread
    )
    return {"channel": channel, "ts": ts}


async def _thread_for(job_id: int, origin: Origin) -> Origin:
    """Where a rewrite goes: the thread its button was in, else the job's thread, else a
    new message where the command was typed (or the DM)."""
    if origin.channel and origin.thread_ts:
        return origin
    stored = await slack_thread(job_id)
    if stored is not None:
        return Origin(channel=stored[0], thread_ts=stored[1])
    return Origin(channel=origin.channel)


# Pipelines ---------------------------------------------------------------------------------


async def pipeline_counts(actor: Actor, job_id: int) -> list[StageCount]:
    return [(stage.label, stage.count) for stage in await stage_counts(actor, job_id)]


async def pipeline_answer(actor: Actor, job: JobName, in_channel: bool = False) -> Message:
    return pipeline_message(job.title, job.id, await pipeline_counts(actor, job.id), in_channel)


async def show_stages(actor: Actor, respond: AsyncRespond, reference: str) -> None:
    """`/stages [job]`: the pipeline, or a picker when no job or several match."""
    if not reference.strip():
        text, blocks = job_picker_message(await job_names(actor), ids.PickPurpose.STAGES)
    else:
        matches = await find_jobs(actor, reference)
        if not matches:
            raise NotFound(f"no job of yours matches “{reference.strip()}”")
        if len(matches) > 1:
            text, blocks = job_picker_message(matches, ids.PickPurpose.STAGES, reference.strip())
        else:
            text, blocks = await pipeline_answer(actor, matches[0])
    await respond(text=text, blocks=blocks, response_type="ephemeral")


async def open_pipeline_modal(
    client: AsyncWebClient, trigger_id: str, actor: Actor, job_id: int
) -> None:
    """The pipeline from the App Home, which has no channel to answer in."""
    job = await one_job(actor, str(job_id))
    view = pipeline_modal(job.title, job.id, await pipeline_counts(actor, job.id))
    await client.views_open(trigger_id=trigger_id, view=view)


# Sharing -----------------------------------------------------------------------------------


async def share_with(
    actor: Actor, body: dict[str, Any], settings: Settings, job: JobName, slack_ids: list[str]
) -> Message:
    """Share `job` with Slack users, adding those new to Hirebot to the organization."""
    if not slack_ids:
        raise Invalid("name at least one colleague to share with (@mention them)")
    known = await users_by_slack_ids(actor.org_id, slack_ids)
    team_id = slack_user(body).team_id
    for slack_id in slack_ids:
        if slack_id not in known:
            colleague = await resolve_slack_actor(
                team_id, slack_id, default_role=Role(settings.default_slack_role)
            )
            known[slack_id] = colleague.user_id
    await share_job(actor, job.id, [known[slack_id] for slack_id in slack_ids])
    mentions = ", ".join(f"<@{slack_id}>" for slack_id in slack_ids)
    return notice_message(f":handshake: Shared *{escape(job.title)}* with {mentions}.")


# Posting -----------------------------------------------------------------------------------


async def post_or_dm(
    client: AsyncWebClient,
    channel: str | None,
    user_id: str,
    message: Message,
    thread_ts: str | None = None,
) -> tuple[str, str]:
    """Post in `channel` (in a thread with `thread_ts`); where the bot cannot post, or with
    no channel, post in a DM with the user. `(channel, ts)` of the message."""
    text, blocks = message
    if channel:
        try:
            posted = await client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
            )
            return str(posted["channel"]), str(posted["ts"])
        except SlackApiError as error:
            if error.response.get("error") not in CANNOT_POST_ERRORS:
                raise
    direct = await dm_channel(client, user_id)
    posted = await client.chat_postMessage(channel=direct, text=text, blocks=blocks)
    return direct, str(posted["ts"])
