"""Conversations with Hirebot, kept in the database so any worker can carry one on.

A conversation is one Slack thread (`team_id`, `channel`, `thread_ts`) of one organization;
it may be about a job. Each message a user writes there is a turn (one per Slack message:
a retried event finds its turn taken). A turn keeps what the model did in it (tool calls
and their results, then the answer), so a worker that restarts mid-turn continues from the
last stored round. Writes the model proposes wait as proposals for the Confirm click of the
user who asked; a proposal is decided once.

These are system operations on behalf of the Slack user who wrote the message; the actor's
permissions are applied by the tools and operations the turn calls.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from models.db import atomic
from models.errors import NotFound
from models.identity.actor import Actor
from models.tables import Conversation, ConversationMessage, ConversationTurn, Job, Proposal

QUEUED, RUNNING, ANSWERED, FAILED = "queued", "running", "answered", "failed"
PENDING, CONFIRMING, DONE, CANCELLED = "pending", "confirming", "done", "cancelled"


def _now() -> datetime:
    return datetime.now(UTC)


class Thread(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    org_id: int
    team_id: str
    channel: str
    thread_ts: str
    job_id: int | None


class Turn(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    conversation_id: int
    user_id: int
    slack_user_id: str
    message_ts: str
    text: str
    status: str
    answer: str | None


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the model's context, in the OpenAI chat shape."""

    role: str
    content: str = ""
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


class ProposalOut(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    turn_id: int
    tool_call_id: str
    user_id: int
    slack_user_id: str
    tool: str
    arguments: dict[str, Any]
    summary: str
    status: str
    outcome: str | None
    card_channel: str | None
    card_ts: str | None
    expires_at: datetime


def _thread(row: dict[str, Any]) -> Thread:
    return Thread(
        id=row["id"],
        org_id=row["org"],
        team_id=row["team_id"],
        channel=row["channel"],
        thread_ts=row["thread_ts"],
        job_id=row["job"],
    )


def _turn(row: dict[str, Any]) -> Turn:
    return Turn(
        id=row["id"],
        conversation_id=row["conversation"],
        user_id=row["user"],
        slack_user_id=row["slack_user_id"],
        message_ts=row["message_ts"],
        text=row["text"],
        status=row["status"],
        answer=row["answer"],
    )


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _proposal(row: dict[str, Any]) -> ProposalOut:
    expires = row["expires_at"]
    return ProposalOut(
        key=row["key"],
        turn_id=row["turn"],
        tool_call_id=row["tool_call_id"],
        user_id=row["user"],
        slack_user_id=row["slack_user_id"],
        tool=row["tool"],
        arguments=_json(row["arguments"]) or {},
        summary=row["summary"],
        status=row["status"],
        outcome=row["outcome"],
        card_channel=row["card_channel"],
        card_ts=row["card_ts"],
        expires_at=expires if expires.tzinfo else expires.replace(tzinfo=UTC),
    )


# Threads -----------------------------------------------------------------------------------


async def find_thread(team_id: str, channel: str, thread_ts: str) -> Thread | None:
    row = (
        await Conversation.select()
        .where(
            (Conversation.team_id == team_id)
            & (Conversation.channel == channel)
            & (Conversation.thread_ts == thread_ts)
        )
        .first()
    )
    return _thread(row) if row else None


async def job_of_thread(org_id: int, channel: str, thread_ts: str) -> int | None:
    """The job whose Slack thread this is (Hirebot started it for the job), if any."""
    row = (
        await Job.select(Job.id)
        .where(
            (Job.org == org_id)
            & (Job.slack_channel == channel)
            & (Job.slack_thread_ts == thread_ts)
        )
        .first()
    )
    return int(row["id"]) if row else None


async def job_of_team_thread(team_id: str, channel: str, thread_ts: str) -> int | None:
    """The job of a workspace whose Slack thread this is, if any (before knowing the user)."""
    row = (
        await Job.select(Job.id)
        .where(
            (Job.org.slack_team_id == team_id)
            & (Job.slack_channel == channel)
            & (Job.slack_thread_ts == thread_ts)
        )
        .first()
    )
    return int(row["id"]) if row else None


async def open_thread(actor: Actor, team_id: str, channel: str, thread_ts: str) -> Thread:
    """The conversation of a Slack thread, started by `actor` if it is new (a job's thread
    knows its job from the start)."""
    found = await find_thread(team_id, channel, thread_ts)
    if found is not None:
        return found
    job_id = await job_of_thread(actor.org_id, channel, thread_ts)
    async with atomic():
        await Conversation.insert(
            Conversation(
                org=actor.org_id,
                team_id=team_id,
                channel=channel,
                thread_ts=thread_ts,
                job=job_id,
                started_by=actor.user_id,
            )
        ).on_conflict(action="DO NOTHING")
    thread = await find_thread(team_id, channel, thread_ts)
    if thread is None:
        raise NotFound("the conversation could not be started")
    return thread


async def about_job(conversation_id: int, job_id: int) -> None:
    """The thread is about this job from now on (one was drafted in it)."""
    await Conversation.update({Conversation.job: job_id, Conversation.updated_at: _now()}).where(
        Conversation.id == conversation_id
    )


async def get_thread(conversation_id: int) -> Thread:
    row = await Conversation.select().where(Conversation.id == conversation_id).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return _thread(row)


# Turns -------------------------------------------------------------------------------------


async def start_turn(
    thread: Thread, actor: Actor, slack_user_id: str, message_ts: str, text: str
) -> Turn | None:
    """Record a user's message as a turn; None if that message has a turn already."""
    inserted = (
        await ConversationTurn.insert(
            ConversationTurn(
                conversation=thread.id,
                user=actor.user_id,
                slack_user_id=slack_user_id,
                message_ts=message_ts,
                text=text,
                status=QUEUED,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(*ConversationTurn.all_columns())
    )
    return _turn(inserted[0]) if inserted else None


async def get_turn(turn_id: int) -> Turn:
    row = await ConversationTurn.select().where(ConversationTurn.id == turn_id).first()
    if row is None:
        raise NotFound(f"turn {turn_id} not found")
    return _turn(row)


async def turns_since(user_id: int, seconds: float) -> int:
    """How many turns the user started in the last `seconds` (the rate limit's count)."""
    since = _now() - timedelta(seconds=seconds)
    return await ConversationTurn.count().where(
        (ConversationTurn.user == user_id) & (ConversationTurn.created_at > since)
    )


async def set_turn_status(turn_id: int, status: str, answer: str | None = None) -> None:
    values: dict[Any, Any] = {ConversationTurn.status: status}
    if status in (ANSWERED, FAILED):
        values[ConversationTurn.finished_at] = _now()
        values[ConversationTurn.answer] = answer
    await ConversationTurn.update(values).where(ConversationTurn.id == turn_id)


async def add_messages(turn_id: int, messages: list[Message]) -> None:
    """Append a round's messages (the model's tool calls, then their results) at once."""
    async with atomic():
        count = await ConversationMessage.count().where(ConversationMessage.turn == turn_id)
        if messages:
            await ConversationMessage.insert(
                *[
                    ConversationMessage(
                        turn=turn_id,
                        position=count + index,
                        role=message.role,
                        content=message.content,
                        tool_calls=msgspec.json.encode(message.tool_calls).decode()
                        if message.tool_calls is not None
                        else None,
                        tool_call_id=message.tool_call_id,
                    )
                    for index, message in enumerate(messages)
                ]
            )


async def messages_of(turn_id: int) -> list[Message]:
    rows = (
        await ConversationMessage.select()
        .where(ConversationMessage.turn == turn_id)
        .order_by(ConversationMessage.position)
    )
    return [
        Message(
            role=row["role"],
            content=row["content"] or "",
            tool_calls=_json(row["tool_calls"]),
            tool_call_id=row["tool_call_id"],
        )
        for row in rows
    ]


async def history(conversation_id: int, before_turn: int, budget_chars: int) -> list[Message]:
    """The earlier turns' messages and answers, newest kept first within the budget, in
    order. Each earlier turn is the user's text and Hirebot's answer (its tool rounds are
    summed up by the answer), so the context stays small."""
    rows = (
        await ConversationTurn.select(
            ConversationTurn.text, ConversationTurn.answer, ConversationTurn.status
        )
        .where(
            (ConversationTurn.conversation == conversation_id) & (ConversationTurn.id < before_turn)
        )
        .order_by(ConversationTurn.id, ascending=False)
        .limit(50)
    )
    kept: list[Message] = []
    used = 0
    for row in rows:
        pair = [Message(role="user", content=row["text"])]
        if row["answer"]:
            pair.append(Message(role="assistant", content=row["answer"]))
        size = sum(len(m.content) for m in pair)
        if used + size > budget_chars:
            break
        used += size
        kept[:0] = pair
    return kept


# Proposals ---------------------------------------------------------------------------------


async def propose(
    turn: Turn,
    tool_call_id: str,
    tool: str,
    arguments: dict[str, Any],
    summary: str,
    *,
    ttl: timedelta,
) -> ProposalOut:
    """The proposal of one tool call (the same call again gets the same proposal)."""
    await Proposal.insert(
        Proposal(
            key=secrets.token_urlsafe(18),
            turn=turn.id,
            tool_call_id=tool_call_id,
            user=turn.user_id,
            slack_user_id=turn.slack_user_id,
            tool=tool,
            arguments=msgspec.json.encode(arguments).decode(),
            summary=summary,
            status=PENDING,
            expires_at=_now() + ttl,
        )
    ).on_conflict(action="DO NOTHING")
    row = (
        await Proposal.select()
        .where((Proposal.turn == turn.id) & (Proposal.tool_call_id == tool_call_id))
        .first()
    )
    if row is None:
        raise NotFound("the proposal could not be recorded")
    return _proposal(row)


async def get_proposal(key: str) -> ProposalOut:
    row = await Proposal.select().where(Proposal.key == key).first()
    if row is None:
        raise NotFound("this proposal no longer exists")
    return _proposal(row)


async def set_card(key: str, channel: str, ts: str) -> None:
    await Proposal.update({Proposal.card_channel: channel, Proposal.card_ts: ts}).where(
        Proposal.key == key
    )


async def decide(key: str, from_status: str, to_status: str, outcome: str | None = None) -> bool:
    """Move a proposal from one status to another; False if it was not in `from_status`
    (another click decided it first). A pending proposal moves only while it is fresh."""
    condition = (Proposal.key == key) & (Proposal.status == from_status)
    if from_status == PENDING:
        condition = condition & (Proposal.expires_at > _now())
    changed = (
        await Proposal.update(
            {Proposal.status: to_status, Proposal.outcome: outcome, Proposal.decided_at: _now()}
        )
        .where(condition)
        .returning(Proposal.id)
    )
    return bool(changed)
