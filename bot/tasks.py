"""The Slack end of the worker tasks: a result posted into the thread it belongs to.

The worker tasks (`workers/tasks/`) hand their results over by task name (the contract is
in `workers/threads.py`). Each post updates the placeholder message in place
(`chat.update`) and puts the full result in the thread with its buttons; a failure says why
and offers Retry. A task may be delivered twice, so each run's outcome is posted once
(`models.idempotency`, key `post:<run_id>:<ok|failed>`: a failure reported mid-run and a
success after a redelivery are both told). 429s are retried by the client's rate-limit
handler, after Slack's Retry-After.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import msgspec
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from taskiq import TaskiqDepends, TaskiqState

from bot.blocks.job_messages import (
    description_ready_message,
    generation_failed_message,
    headline_update,
    notice_message,
    rewrite_headline,
    rewrite_proposal_message,
)
from bot.blocks.layout import Message
from bot.blocks.refs import candidate_url
from bot.errors import dm_channel
from models import idempotency
from models.enums import JobStatus
from models.errors import NotFound
from models.jobs import generation
from models.jobs.schemas import Job, JobName
from models.settings import Settings
from workers.broker import broker, slack_of
from workers.threads import POST_GENERATION_TASK, POST_REWRITE_TASK, ThreadRef

log = logging.getLogger(__name__)

THREAD_GONE_ERRORS = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "thread_not_found", "is_inactive"}
)
"""The thread cannot take the reply any more: it goes to the user's DM instead."""


def settings_of(state: Annotated[TaskiqState, TaskiqDepends()]) -> Settings:
    """The worker's settings (opened with its resources), for the candidate link."""
    return state.settings  # type: ignore[no-any-return]


async def post_generation(
    ok: bool,
    job_id: int,
    text: str | None,
    reason: str | None,
    generated_by: str | None,
    thread: dict[str, Any],
    run_id: str,
    *,
    slack: Annotated[AsyncWebClient | None, TaskiqDepends(slack_of)],
    settings: Annotated[Settings, TaskiqDepends(settings_of)],
) -> dict[str, Any] | None:
    """A generated description (or why it failed) into the job's thread."""
    job = await _job(job_id)
    ref = job or JobName(id=job_id, title=f"job {job_id}", status=JobStatus.DRAFT)
    if ok and job is not None:
        shown = msgspec.structs.replace(job, description=text or job.description)
        reply = description_ready_message(shown, candidate_url(settings.public_url, job.public_key))
        headline = headline_update(job, "done")
    else:
        why = reason or "The description could not be written."
        reply = generation_failed_message(ref.title, why, job_id, "generate")
        headline = headline_update(ref, "failed")
    key = f"post:{run_id}:{'ok' if ok else 'failed'}"
    return await _post_once(slack, key, ThreadRef.from_payload(thread), headline, reply)


async def post_rewrite(
    ok: bool,
    job_id: int | None,
    job_description: str | None,
    suggested_skills: list[str],
    reason: str | None,
    generated_by: str | None,
    thread: dict[str, Any],
    run_id: str,
    instruction: str = "",  # "" from a worker that predates it: Retry then asks again
    *,
    slack: Annotated[AsyncWebClient | None, TaskiqDepends(slack_of)],
) -> dict[str, Any] | None:
    """A proposed rewrite with Accept / Add skill / Discard (or why it failed) into the thread;
    a failure's Retry carries the instruction, to rewrite again as asked."""
    job = await _job(job_id) if job_id is not None else None
    title = job.title if job else "the description"
    if job is None:
        reply = notice_message(":warning: The job this rewrite was for no longer exists.")
        headline = reply
    elif ok and job_description:
        reply = rewrite_proposal_message(
            job.id, title, job_description, suggested_skills, proposal_id=run_id
        )
        headline = rewrite_headline(job, ok=True)
    else:
        why = reason or "The description could not be rewritten."
        reply = generation_failed_message(
            title, why, job.id, "rewrite", instruction=instruction or None
        )
        headline = rewrite_headline(job, ok=False)
    key = f"post:{run_id}:{'ok' if ok else 'failed'}"
    return await _post_once(slack, key, ThreadRef.from_payload(thread), headline, reply)


async def _job(job_id: int) -> Job | None:
    try:
        return await generation.load_job(job_id)
    except NotFound:
        return None


async def _post_once(
    slack: AsyncWebClient | None, key: str, where: ThreadRef, headline: Message, reply: Message
) -> dict[str, Any] | None:
    if slack is None:
        log.warning("SLACK_BOT_TOKEN is not set: %s not posted", key)
        return None

    async def post() -> dict[str, Any]:
        await _update_placeholder(slack, where, headline)
        return await _reply(slack, where, reply)

    outcome = await idempotency.once(key, post)
    if not outcome.ran:
        log.info("%s was posted already", key)
    return outcome.result


async def _update_placeholder(slack: AsyncWebClient, where: ThreadRef, headline: Message) -> None:
    if where.placeholder_ts is None:
        return
    text, blocks = headline
    try:
        await slack.chat_update(
            channel=where.channel, ts=where.placeholder_ts, text=text, blocks=blocks
        )
    except SlackApiError as error:  # deleted or too old: the reply below still tells the user
        log.warning("could not update the placeholder: %s", error.response.get("error"))


async def _reply(slack: AsyncWebClient, where: ThreadRef, reply: Message) -> dict[str, Any]:
    text, blocks = reply
    try:
        posted = await slack.chat_postMessage(
            channel=where.channel, thread_ts=where.thread_ts, text=text, blocks=blocks
        )
    except SlackApiError as error:
        if error.response.get("error") not in THREAD_GONE_ERRORS:
            raise
        direct = await dm_channel(slack, where.user_id)
        posted = await slack.chat_postMessage(channel=direct, text=text, blocks=blocks)
    return {"channel": str(posted["channel"]), "ts": str(posted["ts"])}


post_generation_task = broker.register_task(post_generation, task_name=POST_GENERATION_TASK)
post_rewrite_task = broker.register_task(post_rewrite, task_name=POST_REWRITE_TASK)
