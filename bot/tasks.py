"""The Slack-flavoured worker tasks: the plain task's work, told in a Slack thread.

Each runs the plain function of `workers.tasks` (idempotent per `run_id`) between two posts:
a placeholder ("Drafting...", "Rewriting...") that starts or joins the job's thread, and
the result (or why it failed, with Retry) in the thread, the placeholder updated in place.
A task may be delivered twice, so every post happens once per run
(`models.idempotency`, keys `post:<run_id>:<step>`); a failure reported mid-run and a
success after a redelivery are both told. 429s are waited out by the client's rate-limit
handler, after Slack's Retry-After.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import msgspec
from slack_sdk.web.async_client import AsyncWebClient
from taskiq import AsyncBroker, TaskiqDepends

from bot.blocks.job_messages import (
    description_footer,
    description_ready_message,
    drafting_message,
    generation_failed_message,
    headline_update,
    notice_message,
    rewrite_headline,
    rewrite_proposal_message,
    rewriting_message,
)
from bot.blocks.layout import Block, Message
from bot.blocks.refs import candidate_url
from bot.blocks.values import RetryKind
from bot.conversation.answer import SlackAnswer
from bot.live import LiveText
from bot.posting import post_or_dm, update_message
from bot.threads import ThreadRef
from bot.workspace_clients import WorkspaceClients, clients_of
from models import idempotency
from models.enums import JobStatus
from models.errors import NotFound
from models.jobs import generation
from models.jobs.changes import compare
from models.jobs.schemas import Job, JobName
from models.language import check_language
from models.settings import Settings
from workers.broker import active_broker, broker_of, gateway_of, settings_of, shared
from workers.faults import Transient, is_transient
from workers.llm import OFFLINE, LLMGateway
from workers.retry import on_give_up
from workers.tasks import descriptions, rewrite
from workers.tasks.results import GenerationOutcome, RewriteOutcome

log = logging.getLogger(__name__)

LIVE_UPDATE_PACE = 2.0
"""Seconds between updates of a description written live where Slack refuses streams."""

DESCRIBE_IN_THREAD_TASK = "hirebot.slack.describe_in_thread"
REWRITE_IN_THREAD_TASK = "hirebot.slack.rewrite_in_thread"

INTERNAL_ERROR = "Something went wrong on our side; it has been logged. Please try again."


async def describe_in_thread(
    job_id: int,
    run_id: str,
    thread: dict[str, Any],
    notes: str | None = None,
    title: str | None = None,
    requested_by: int | None = None,
    offline: bool = False,
    note: str | None = None,
    *,
    gateway: Annotated[LLMGateway, TaskiqDepends(gateway_of)],
    broker: Annotated[AsyncBroker, TaskiqDepends(broker_of)],
    slack_clients: Annotated[WorkspaceClients, TaskiqDepends(clients_of)],
    settings: Annotated[Settings, TaskiqDepends(settings_of)],
) -> GenerationOutcome:
    """Write the job's description live into the thread (starting it with "Drafting..."
    when there is none yet), ending with its buttons and the language check. `title`
    saves reading the job before the model writes; `note` is said first (why the offline
    writer writes this one)."""
    if title is None:
        found = await _job(job_id)
        title = found.title if found else f"job {job_id}"
    asked = ThreadRef.from_payload(thread)
    slack = await slack_clients.for_team(asked.team_id)
    where = await _placeholder(slack, asked, run_id, drafting_message(title))
    if where is not None and not asked.thread_ts:
        await generation.set_slack_thread(job_id, str(where.channel), str(where.thread_ts))
    if note:
        await _post_once(slack, f"post:{run_id}:note", where, None, notice_message(note))
    writer = OFFLINE if offline else gateway.name
    live = _live(slack, where, settings, writer)
    try:
        result = await descriptions.generate_job_description(
            job_id,
            run_id,
            notes,
            requested_by,
            offline,
            gateway=gateway,
            broker=broker,
            on_text=live.text if live else None,
        )
    except Exception as error:  # a bug: never leave the thread silent; re-raised
        if live is not None:
            await live.close()
        if not is_transient(error):  # a passing fault is retried quietly instead
            await _tell_failure(slack, where, run_id, title, job_id)
        raise
    job = await _job(job_id)
    if result["ok"] and job is not None:
        shown = msgspec.structs.replace(job, description=result["text"] or job.description)
        url = candidate_url(settings.public_url, job.public_key)
        report = check_language(shown.description)
        reply = description_ready_message(shown, url, report)
        headline = headline_update(job, "done")
        if live is not None and live.shown:
            # The text is in the thread already: the stream ends with the buttons.
            footer = description_footer(shown, url, report)
            await _finish_live_once(
                slack, f"post:{run_id}:ok", where, headline, live, footer, reply
            )
        else:
            await _post_once(slack, f"post:{run_id}:ok", where, headline, reply)
        return result
    if live is not None:
        await live.close()
    why = result["reason"] or "The description could not be written."
    reply = generation_failed_message(title, why, job_id, "generate")
    headline = headline_update(_ref(job_id, title), "failed")
    await _post_once(slack, f"post:{run_id}:failed", where, headline, reply)
    return result


async def rewrite_in_thread(
    job_id: int,
    run_id: str,
    title: str,
    description: str,
    instruction: str,
    thread: dict[str, Any],
    org_id: int | None = None,
    requested_by: int | None = None,
    offline: bool = False,
    note: str | None = None,
    *,
    gateway: Annotated[LLMGateway, TaskiqDepends(gateway_of)],
    slack_clients: Annotated[WorkspaceClients, TaskiqDepends(clients_of)],
) -> RewriteOutcome:
    """Propose a rewrite in the job's thread, with Accept / Add skill / Discard (or why it
    failed, with a Retry that asks again with the same instruction)."""
    asked = ThreadRef.from_payload(thread)
    slack = await slack_clients.for_team(asked.team_id)
    if not asked.thread_ts:
        stored = await generation.slack_thread(job_id)
        if stored is not None:
            asked = msgspec.structs.replace(asked, channel=stored[0], thread_ts=stored[1])
    where = await _placeholder(slack, asked, run_id, rewriting_message(title, instruction))
    if where is not None and not asked.thread_ts:
        await generation.set_slack_thread(job_id, str(where.channel), str(where.thread_ts))
    if note:
        await _post_once(slack, f"post:{run_id}:note", where, None, notice_message(note))
    try:
        result = await rewrite.rewrite_job_description(
            run_id,
            title,
            description,
            instruction,
            job_id,
            org_id,
            requested_by,
            offline,
            gateway=gateway,
        )
    except Exception as error:
        if not is_transient(error):
            await _tell_failure(slack, where, run_id, title, job_id, instruction=instruction)
        raise
    job = await _job(job_id)
    ref = _ref(job_id, job.title if job else title)
    if job is None:
        reply = notice_message(":warning: The job this rewrite was for no longer exists.")
        headline = reply
    elif result["ok"] and result["job_description"]:
        changes = compare(description, result["job_description"])
        reply = rewrite_proposal_message(
            job.id, job.title, changes, result["suggested_skills"], proposal_id=run_id
        )
        headline = rewrite_headline(ref, ok=True)
    else:
        why = result["reason"] or "The description could not be rewritten."
        reply = generation_failed_message(
            job.title, why, job.id, "rewrite", instruction=instruction
        )
        headline = rewrite_headline(ref, ok=False)
    await _post_once(
        slack, f"post:{run_id}:{'ok' if result['ok'] else 'failed'}", where, headline, reply
    )
    return result


# Steps -------------------------------------------------------------------------------------


async def _job(job_id: int) -> Job | None:
    try:
        return await generation.load_job(job_id)
    except NotFound:
        return None


def _ref(job_id: int, title: str) -> JobName:
    return JobName(id=job_id, title=title, status=JobStatus.DRAFT)


async def _placeholder(
    slack: AsyncWebClient | None, asked: ThreadRef, run_id: str, message: Message
) -> ThreadRef | None:
    """Post the "working on it" message (once per run) in the asked thread, or as the start
    of a new one, unless a placeholder is given already (a Retry's). Where the result goes;
    None without a Slack client."""
    if slack is None:
        log.warning("SLACK_BOT_TOKEN is not set: run %s is not told in Slack", run_id)
        return None
    if asked.placeholder_ts and asked.channel and asked.thread_ts:
        return asked

    async def post() -> dict[str, Any]:
        channel, ts = await post_or_dm(
            slack, asked.channel, asked.user_id, message, thread_ts=asked.thread_ts
        )
        return {"channel": channel, "ts": ts}

    outcome = await idempotency.once(f"post:{run_id}:start", post)
    posted = outcome.result or {}
    channel, ts = posted.get("channel"), posted.get("ts")
    if not channel or not ts:
        # Another delivery holds the post (or held it and could not record it, its database
        # gone): try again once its claim is over, rather than answer in the wrong place.
        raise Transient("the placeholder is being posted by another delivery", retry_after=5)
    stayed = channel == asked.channel and asked.thread_ts
    return ThreadRef(
        team_id=asked.team_id,
        user_id=asked.user_id,
        channel=channel,
        thread_ts=asked.thread_ts if stayed else ts,
        placeholder_ts=ts,
    )


async def _tell_failure(
    slack: AsyncWebClient | None,
    where: ThreadRef | None,
    run_id: str,
    title: str,
    job_id: int,
    *,
    instruction: str | None = None,
) -> None:
    """Best effort: an unexpected failure, told in the thread (a retry may still succeed)."""
    kind: RetryKind = "rewrite" if instruction is not None else "generate"
    reply = generation_failed_message(title, INTERNAL_ERROR, job_id, kind, instruction=instruction)
    headline = (
        rewrite_headline(_ref(job_id, title), ok=False)
        if instruction is not None
        else headline_update(_ref(job_id, title), "failed")
    )
    try:
        await _post_once(slack, f"post:{run_id}:failed", where, headline, reply)
    except Exception:
        log.exception("could not tell the thread that run %s failed", run_id)


async def _post_once(
    slack: AsyncWebClient | None,
    key: str,
    where: ThreadRef | None,
    headline: Message | None,
    reply: Message,
) -> None:
    """Post `reply` in the thread once per `key` (the placeholder becoming `headline`)."""
    if slack is None or where is None:
        return

    async def post() -> dict[str, Any]:
        if headline is not None and where.placeholder_ts and where.channel:
            await update_message(slack, where.channel, where.placeholder_ts, headline)
        channel, ts = await post_or_dm(
            slack, where.channel, where.user_id, reply, thread_ts=where.thread_ts
        )
        return {"channel": channel, "ts": ts}

    outcome = await idempotency.once(key, post)
    if not outcome.ran and outcome.result is None:
        raise Transient(f"{key} is being posted by another delivery", retry_after=5)
    if not outcome.ran:
        log.info("%s was posted already", key)


def _live(
    slack: AsyncWebClient | None, where: ThreadRef | None, settings: Settings, writer: str
) -> LiveText | None:
    """Where the description is written as the model writes it: None without Slack, or
    for an offline writer with no pace (its text is all there at once: posted whole)."""
    if slack is None or where is None or not where.channel or not where.thread_ts:
        return None
    if writer == OFFLINE and not settings.offline_stream_pace:
        return None
    answer = SlackAnswer(
        slack,
        channel=where.channel,
        thread_ts=where.thread_ts,
        team_id=where.team_id,
        user_id=where.user_id,
        update_pace=LIVE_UPDATE_PACE,
    )
    return LiveText(answer)


async def _finish_live_once(
    slack: AsyncWebClient | None,
    key: str,
    where: ThreadRef | None,
    headline: Message,
    live: LiveText,
    footer: list[Block],
    reply: Message,
) -> None:
    """End the streamed description with its buttons (or make the updated message the
    full description), once per run, like any other post."""
    if slack is None or where is None:
        return

    async def finish() -> dict[str, Any]:
        if where.placeholder_ts and where.channel:
            await update_message(slack, where.channel, where.placeholder_ts, headline)
        await live.finish(footer, reply)
        return {"channel": where.channel, "ts": where.thread_ts}

    outcome = await idempotency.once(key, finish)
    if not outcome.ran and outcome.result is None:
        raise Transient(f"{key} is being posted by another delivery", retry_after=5)


describe_in_thread_task = shared.register_task(
    describe_in_thread, task_name=DESCRIBE_IN_THREAD_TASK
)
rewrite_in_thread_task = shared.register_task(rewrite_in_thread, task_name=REWRITE_IN_THREAD_TASK)


async def _thread_given_up(kwargs: dict[str, Any], error: BaseException) -> None:
    """Every retry failed: the job says so, and the user hears it by DM, with what to do."""
    asked = ThreadRef.from_payload(kwargs["thread"])
    job_id = int(kwargs["job_id"])
    rewriting = "instruction" in kwargs
    if not rewriting:
        await generation.give_up_description(
            job_id, f"It could not be written after several tries ({type(error).__name__})."
        )
    slack = await clients_of(active_broker().state).for_team(asked.team_id)
    if slack is None:
        return
    what = "rewrite the description of" if rewriting else "write the description of"
    line = (
        f":warning: I could not {what} job #{job_id}: Slack or the model kept failing. "
        "Use its Retry button, or `/job rewrite` it, in a few minutes."
    )
    await post_or_dm(slack, None, asked.user_id, notice_message(line))


on_give_up(DESCRIBE_IN_THREAD_TASK, _thread_given_up)
on_give_up(REWRITE_IN_THREAD_TASK, _thread_given_up)
