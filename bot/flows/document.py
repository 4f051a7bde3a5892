"""A job's description as a document in Slack: accepting a rewrite (all of it, or the
changes ticked), its history and restoring a version, and the inclusive-language check
with its "Fix the wording"."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.job_messages import (
    history_message,
    language_report_message,
    notice_message,
    rewrite_proposal_message,
)
from bot.blocks.layout import Message
from bot.blocks.text import escape
from bot.blocks.values import Origin
from bot.flows import work
from bot.identity import SlackUser
from bot.posting import post_or_dm, update_message
from models.errors import Invalid
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs import versions
from models.jobs.schemas import Job
from models.language.check import fix_instruction
from workers.operations import jobs as use_cases

Where = tuple[str, str, str]
"""`(channel, message ts, thread ts)` of the message acted on."""


async def accept(
    client: AsyncWebClient,
    actor: Actor,
    who: SlackUser,
    job_id: int,
    proposal_id: str | None,
    accepted: list[int] | None,
    where: Where | None,
) -> Job:
    """Accept a proposed rewrite (all its changes, or those `accepted`): the proposal
    says so, and the thread gets the language check of the new description."""
    done = await use_cases.accept_rewrite(actor, job_id, proposal_id, accepted)
    taken, total = len(done.accepted), len(done.changes)
    line = f":white_check_mark: {taken} of {total} changes accepted by <@{who.user_id}>."
    if where is not None:
        redrawn = rewrite_proposal_message(
            job_id,
            done.job.title,
            done.changes,
            done.suggested_skills,
            proposal_id=proposal_id,
            resolution=line,
        )
        await update_message(client, where[0], where[1], redrawn)
    await tell_language(client, who, done.job, where)
    return done.job


async def history(actor: Actor, job_id: int) -> Message:
    job = await jobs.get_job(actor, job_id)
    return history_message(job, await versions.list_versions(actor, job_id, 10))


async def restore(
    client: AsyncWebClient, actor: Actor, who: SlackUser, job_id: int, number: int | None,
    where: Where | None,
) -> Job:  # fmt: skip
    """Restore a version; the thread hears it, with the language check."""
    if number is None:
        raise Invalid("this Restore button names no version")
    job = await use_cases.restore_version(actor, job_id, number)
    line = f":rewind: <@{who.user_id}> restored version {number} of *{escape(job.title)}*."
    await post_or_dm(client, where and where[0], who.user_id, notice_message(line), _thread(where))
    await tell_language(client, who, job, where)
    return job


async def fix_wording(actor: Actor, who: SlackUser, job_id: int, origin: Origin) -> None:
    """Ask for a rewrite that rewords what the language check found."""
    instruction = fix_instruction(await jobs.language_check(actor, job_id))
    if not instruction:
        raise Invalid("the description has no wording left to fix")
    await work.rewrite(actor, who, job_id, instruction, origin)


async def tell_language(
    client: AsyncWebClient, who: SlackUser, job: Job, where: Where | None
) -> None:
    report = jobs.language_check_of(job)
    message = language_report_message(job.id, job.title, report)
    await post_or_dm(client, where and where[0], who.user_id, message, _thread(where))


def _thread(where: Where | None) -> str | None:
    return where[2] if where else None
