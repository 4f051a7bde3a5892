"""Deciding a proposal: Confirm performs it (once, for the user who asked, while it is
fresh), Cancel drops it. Every write goes through the operation the REST API and the slash
commands use, which checks the user's permission again at that moment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.text import escape
from bot.blocks.values import Origin
from bot.conversation import tools
from bot.flows import work
from bot.flows.jobs import one_job
from bot.identity import SlackUser
from models import conversations
from models.conversations import ProposalOut
from models.enums import JobStatus
from models.errors import Forbidden, Invalid, NotFound
from models.identity.actor import Actor
from models.jobs import generation
from models.jobs.schemas import DraftRequest
from models.pipeline import operations as pipeline
from models.screening import criteria as screening
from models.screening.schemas import CriteriaFields
from models.settings import Settings
from workers.operations import jobs as use_cases


class Decider(msgspec.Struct, frozen=True, kw_only=True):
    """Who clicked, and where the card is."""

    actor: Actor
    who: SlackUser
    settings: Settings
    channel: str
    thread_ts: str
    conversation_id: int
    client: AsyncWebClient | None = None
    """The request's Slack client (looks up the emails of colleagues new to Hirebot)."""


Perform = Callable[[Decider, Any], Awaitable[str]]


async def _draft(by: Decider, args: DraftRequest) -> str:
    origin = Origin(channel=by.channel, thread_ts=by.thread_ts)
    job_id = await work.draft(by.actor, by.who, args, origin, in_thread=True)
    await generation.set_slack_thread(job_id, by.channel, by.thread_ts)
    await conversations.about_job(by.conversation_id, job_id)
    return f"Drafted *{escape(args.job_title)}* (#{job_id}); its description follows here."


async def _rewrite(by: Decider, args: tools.RewriteArgs) -> str:
    origin = Origin(channel=by.channel, thread_ts=by.thread_ts)
    await work.rewrite(by.actor, by.who, args.job_id, args.instruction, origin)
    return "Rewriting; the proposal follows here, to accept or discard."


async def _share(by: Decider, args: tools.ShareArgs) -> str:
    job = await one_job(by.actor, str(args.job_id))
    text, _ = await work.share(
        by.actor, by.who, job, tools.slack_ids(args.colleagues), by.settings, by.client
    )
    return text


async def _status(by: Decider, args: tools.SetStatusArgs) -> str:
    job = await use_cases.set_status(by.actor, args.job_id, JobStatus(args.status))
    return f"*{escape(job.title)}* is {job.status.value} now."


async def _move(by: Decider, args: tools.MoveCandidateArgs) -> str:
    moved = await pipeline.move_candidate(by.actor, args.job_id, args.candidate_id, args.stage)
    return f"{escape(moved.name)} is at *{moved.stage.value}* now."


async def _add_criterion(by: Decider, args: tools.AddCriterionArgs) -> str:
    created = await screening.create_criteria(by.actor, args)
    return f"Added the screening question #{created.id}."


async def _change_criterion(by: Decider, args: tools.ChangeCriterionArgs) -> str:
    fields = msgspec.structs.asdict(args)
    criterion_id = fields.pop("criterion_id")
    changed = await screening.update_criteria(
        by.actor, criterion_id, msgspec.convert(fields, CriteriaFields)
    )
    return f"Changed the screening question #{changed.id}."


PERFORM: dict[str, Perform] = {
    "draft_job": _draft,
    "rewrite_description": _rewrite,
    "share_job": _share,
    "set_job_status": _status,
    "move_candidate": _move,
    "add_criterion": _add_criterion,
    "change_criterion": _change_criterion,
}


def refusal(proposal: ProposalOut, clicker: str) -> str | None:
    """Why `clicker` may not decide this proposal now, or None."""
    if clicker != proposal.slack_user_id:
        return f"Only <@{proposal.slack_user_id}>, who asked for this, can confirm or cancel it."
    if proposal.status != conversations.PENDING:
        return "This proposal was decided already."
    return None


async def confirm(proposal: ProposalOut, by: Decider) -> str | None:
    """Perform the proposal: the line that says what happened, or None when another click
    took it first or it expired (then nothing is done)."""
    taken = await conversations.decide(
        proposal.key, conversations.PENDING, conversations.CONFIRMING
    )
    if not taken:
        return None
    perform = PERFORM.get(proposal.tool)
    tool = tools.BY_NAME.get(proposal.tool)
    try:
        if perform is None or tool is None:
            raise Invalid(f"{proposal.tool} is not something Hirebot can do any more")
        args = msgspec.convert(proposal.arguments, tool.args)
        done = await perform(by, args)
    except (Invalid, NotFound, Forbidden) as error:
        await conversations.decide(
            proposal.key, conversations.CONFIRMING, conversations.FAILED, error.message
        )
        raise
    except Exception:
        await conversations.decide(proposal.key, conversations.CONFIRMING, conversations.FAILED)
        raise
    await conversations.decide(proposal.key, conversations.CONFIRMING, conversations.DONE, done)
    return done


async def cancel(proposal: ProposalOut) -> bool:
    return await conversations.decide(proposal.key, conversations.PENDING, conversations.CANCELLED)
