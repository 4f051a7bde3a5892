"""Slash commands: `/job <subcommand>` and `/stages [job]`.

Both are acknowledged at once (`after_ack`); these functions run after the ack.
Answers are ephemeral, through the command's response URL.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.job_messages import help_message, job_list_message
from bot.blocks.layout import Message
from bot.blocks.values import Origin
from bot.identity import actor_from
from bot.listeners import flows
from models.errors import Invalid
from models.identity.actor import Actor
from models.jobs.operations import job_names
from models.pipeline.operations import totals_for_jobs

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
"""A user mention as Slack escapes it in command text (`should_escape: true`)."""

SHARE_USAGE = "usage: `/job share <job id or title> @colleague...`"


async def job_command(
    body: dict[str, Any],
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """`/job new|rewrite|list|share|help`; anything else answers with the help."""
    subcommand, _, rest = str(command.get("text") or "").strip().partition(" ")
    subcommand, rest = subcommand.lower(), rest.strip()
    if subcommand not in ("new", "rewrite", "list", "share"):
        text, blocks = help_message()
        await respond(text=text, blocks=blocks, response_type="ephemeral")
        return
    settings = flows.settings_of(context)
    actor = await actor_from(body, settings)
    origin = Origin(channel=command.get("channel_id"))
    trigger_id = str(command.get("trigger_id"))
    if subcommand == "new":
        await flows.open_new_job_modal(client, trigger_id, actor, rest, origin)
    elif subcommand == "rewrite":
        await flows.open_rewrite_modal(client, trigger_id, actor, origin, reference=rest or None)
    else:
        if subcommand == "list":
            text, blocks = await job_list(actor)
        else:
            text, blocks = await share(actor, body, context, rest)
        await respond(text=text, blocks=blocks, response_type="ephemeral")


async def job_list(actor: Actor) -> Message:
    """The user's jobs with their status and candidate totals."""
    names = await job_names(actor)
    totals = await totals_for_jobs([job.id for job in names])
    return job_list_message([(job, sum(totals[job.id].values())) for job in names])


async def share(
    actor: Actor, body: dict[str, Any], context: AsyncBoltContext, text: str
) -> Message:
    """`/job share <job> @user...`: the mentions are the colleagues, the rest names the job."""
    slack_ids = list(dict.fromkeys(MENTION.findall(text)))
    reference = MENTION.sub(" ", text).strip()
    if not reference or not slack_ids:
        raise Invalid(SHARE_USAGE)
    job = await flows.one_job(actor, reference)
    return await flows.share_with(actor, body, flows.settings_of(context), job, slack_ids)


async def stages_command(
    body: dict[str, Any],
    command: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """`/stages [job id or title]`: the pipeline, a picker without a job, matches if several."""
    actor = await actor_from(body, flows.settings_of(context))
    await flows.show_stages(actor, respond, str(command.get("text") or ""))
