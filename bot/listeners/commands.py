"""Slash commands: `/job <subcommand>` and `/stages [job]`.

Both are acknowledged at once (`bot.acknowledge`); these functions run after the ack.
Answers are ephemeral, through the command's response URL.
"""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.job_messages import help_message
from bot.blocks.values import Origin
from bot.context import settings_of
from bot.flows import work
from bot.flows.jobs import one_job
from bot.flows.modals import open_new_job_modal, open_rewrite_modal
from bot.flows.pipelines import job_list, show_stages
from bot.identity import actor_from, slack_user
from models.errors import Invalid

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
    settings = settings_of(context)
    actor = await actor_from(body, settings, client)
    origin = Origin(channel=command.get("channel_id"))
    trigger_id = str(command.get("trigger_id"))
    if subcommand == "new":
        await open_new_job_modal(client, trigger_id, actor, rest, origin)
        return
    if subcommand == "rewrite":
        await open_rewrite_modal(client, trigger_id, actor, origin, reference=rest or None)
        return
    if subcommand == "list":
        text, blocks = await job_list(actor)
    else:
        slack_ids = list(dict.fromkeys(MENTION.findall(rest)))
        reference = MENTION.sub(" ", rest).strip()
        if not reference or not slack_ids:
            raise Invalid(SHARE_USAGE)
        job = await one_job(actor, reference)
        text, blocks = await work.share(actor, slack_user(body), job, slack_ids, settings, client)
    await respond(text=text, blocks=blocks, response_type="ephemeral")


async def stages_command(
    body: dict[str, Any],
    command: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """`/stages [job id or title]`: the pipeline, a picker without a job, matches if several."""
    actor = await actor_from(body, settings_of(context), context.client)
    await show_stages(actor, respond, str(command.get("text") or ""))
