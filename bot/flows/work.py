"""Work a Slack user asks for, queued with a route back to their thread.

Each flow calls one application operation with a `Route` to the bot's task that tells the
thread (`bot.tasks`); the listener has acknowledged already, and nothing here waits for
the model.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.job_messages import notice_message
from bot.blocks.layout import Message
from bot.blocks.text import escape
from bot.blocks.values import Origin
from bot.identity import SlackUser, slack_emails
from bot.tasks import describe_in_thread_task, rewrite_in_thread_task
from bot.threads import ThreadRef
from models.enums import Role
from models.errors import BudgetExceeded
from models.identity.actor import Actor
from models.identity.operations import unknown_slack_users
from models.jobs.schemas import DraftRequest, JobName
from models.settings import Settings
from workers import queue
from workers.operations import descriptions, jobs


def _route(
    task: queue.Task,
    who: SlackUser,
    origin: Origin,
    placeholder_ts: str | None = None,
    **extra: Any,
) -> queue.Route:
    thread = ThreadRef(
        team_id=who.team_id,
        user_id=who.user_id,
        channel=origin.channel,
        thread_ts=origin.thread_ts,
        placeholder_ts=placeholder_ts,
    )
    return queue.Route(task, {"thread": thread.payload(), **extra})


async def draft(
    actor: Actor, who: SlackUser, request: DraftRequest, origin: Origin, *, in_thread: bool = False
) -> int:
    """A draft job whose description is written into a new thread where the user asked
    (or their DM), or `in_thread` into the thread of `origin`; its id."""
    where = origin if in_thread else Origin(origin.channel)
    route = _route(describe_in_thread_task, who, where, title=request.job_title)
    try:
        job, _ = await descriptions.draft_job(actor, request, route=route)
    except BudgetExceeded as over:
        route = _route(
            describe_in_thread_task, who, where, title=request.job_title, note=_offline(over)
        )
        job, _ = await descriptions.draft_job(actor, request, route=route, offline=True)
    return job.id


async def rewrite(
    actor: Actor,
    who: SlackUser,
    job_id: int,
    instruction: str,
    origin: Origin,
    placeholder_ts: str | None = None,
) -> None:
    """A rewrite proposed in the thread the user asked from, else the job's thread, else a
    new one (with a "Rewriting..." message that tells how it ends, unless `placeholder_ts`
    names one)."""
    route = _route(rewrite_in_thread_task, who, origin, placeholder_ts)
    try:
        await descriptions.rewrite_job(actor, job_id, instruction, route=route)
    except BudgetExceeded as over:
        route = _route(rewrite_in_thread_task, who, origin, placeholder_ts, note=_offline(over))
        await descriptions.rewrite_job(actor, job_id, instruction, route=route, offline=True)


async def describe_again(
    actor: Actor, who: SlackUser, job: JobName, origin: Origin, placeholder_ts: str | None
) -> None:
    """The description written again into the thread (a Retry on its failure);
    `placeholder_ts` is the message that tells how it ends."""
    route = _route(describe_in_thread_task, who, origin, placeholder_ts, title=job.title)
    try:
        await descriptions.describe_again(actor, job.id, route=route)
    except BudgetExceeded as over:
        note = _offline(over)
        route = _route(
            describe_in_thread_task, who, origin, placeholder_ts, title=job.title, note=note
        )
        await descriptions.describe_again(actor, job.id, route=route, offline=True)


def _offline(over: BudgetExceeded) -> str:
    """Past the budget, Slack work falls back to the offline writer, and says why."""
    return (
        f":warning: {escape(over.message)} This one is written by Hirebot's offline writer; "
        "use Retry after the reset for the model's."
    )


async def share(
    actor: Actor,
    who: SlackUser,
    job: JobName,
    slack_ids: list[str],
    settings: Settings,
    client: AsyncWebClient | None,
) -> Message:
    """Share a job with Slack users (those new to Hirebot are linked by email to their
    Hirebot user, or join the organization)."""
    await jobs.share_with_slack_users(
        actor,
        job.id,
        who.team_id,
        slack_ids,
        default_role=Role(settings.default_slack_role),
        emails=await slack_emails(client, await unknown_slack_users(actor.org_id, slack_ids)),
    )
    mentions = ", ".join(f"<@{slack_id}>" for slack_id in slack_ids)
    return notice_message(f":handshake: Shared *{escape(job.title)}* with {mentions}.")
