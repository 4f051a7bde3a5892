"""One turn of a conversation: the model, its tools, at most `MAX_ROUNDS` rounds.

The model sees the system prompt, the thread's job (if any), the earlier turns within a
context budget, the user's message and this turn's rounds so far; tool results go back as
tool messages, never into the system prompt. Each round (the model's tool calls and their
results) is stored before the next one starts, so a redelivered turn continues from the
last stored round instead of calling the tools again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

import msgspec

from bot.conversation import tools
from bot.conversation.prompt import SYSTEM, thread_context
from models import conversations
from models.conversations import Message, ProposalOut, Thread, Turn
from models.enums import Purpose
from models.errors import DomainError
from models.jobs import operations as jobs
from workers.llm import Conversant, ModelTurn, OnUsage, ToolCall
from workers.llm.metering import Scope, metered
from workers.retry import MAX_ROUNDS

OUT_OF_ROUNDS = (
    "I could not finish that in a few steps. Could you ask for one thing at a time, naming the job?"
)


class Presenter(Protocol):
    """Where the turn shows itself: the answer's text as it is written, and the cards."""

    async def text(self, piece: str) -> None: ...

    async def card(self, proposal: ProposalOut) -> None: ...


def _wire(message: Message) -> dict[str, Any]:
    """A stored message in the chat completions shape."""
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = message.tool_calls
    if message.tool_call_id:
        out["tool_call_id"] = message.tool_call_id
    return out


async def context(thread: Thread, turn: Turn, caller: tools.Caller, budget: int) -> list[Message]:
    """Everything the model sees before this turn's own rounds."""
    lead = [Message(role="system", content=SYSTEM)]
    if thread.job_id is not None:
        try:
            job = await jobs.get_job(caller.actor, thread.job_id)
        except DomainError:
            job = None
        line = thread_context(job.id, job.title) if job else None
        if line:
            lead.append(Message(role="system", content=line))
    earlier = await conversations.history(thread.id, turn.id, budget)
    return [*lead, *earlier, Message(role="user", content=turn.text)]


async def call_tool(
    call: ToolCall, caller: tools.Caller, turn: Turn, presenter: Presenter, ttl: timedelta
) -> dict[str, Any]:
    """What one tool call answers; a write becomes a proposal shown as a card."""
    tool = tools.BY_NAME.get(call.name)
    if tool is None:
        return {"error": f"there is no tool named {call.name!r}"}
    try:
        args = tools.decode_arguments(tool, call.arguments)
        if tool.run is not None:
            return await tool.run(caller, args)
        if tool.check is None:
            return {"error": f"{tool.name} cannot be called"}
        summary = await tool.check(caller, args)
    except DomainError as error:
        return tools.error_result(error)
    proposal = await conversations.propose(
        turn, call.id, tool.name, msgspec.to_builtins(args), summary, ttl=ttl
    )
    if proposal.status == conversations.PENDING and proposal.card_ts is None:
        await presenter.card(proposal)
    return {
        "proposed": summary,
        "status": "shown to the user as a card; nothing changes until they click Confirm",
    }


async def run_turn(
    thread: Thread,
    turn: Turn,
    caller: tools.Caller,
    model: Conversant,
    presenter: Presenter,
    *,
    budget_chars: int,
    proposal_ttl: timedelta,
) -> str:
    """Run the turn to its answer (what the model says last)."""
    before = await context(thread, turn, caller, budget_chars)
    done = await conversations.messages_of(turn.id)
    rounds = sum(1 for message in done if message.role == "assistant" and message.tool_calls)
    messages = [*before, *done]
    specs = tools.specs()
    while rounds < MAX_ROUNDS:
        wire = [_wire(m) for m in messages]

        async def ask(on_usage: OnUsage, wire: list[dict[str, Any]] = wire) -> ModelTurn:
            return await model.converse(wire, specs, presenter.text, on_usage=on_usage)

        scope = Scope(org_id=thread.org_id, user_id=turn.user_id)
        reply, _ = await metered(Purpose.CONVERSE, model.name, scope, wire, ask)
        if not reply.tool_calls:
            return reply.text
        asked = Message(
            role="assistant",
            content=reply.text,
            tool_calls=[
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments},
                }
                for call in reply.tool_calls
            ],
        )
        results = [
            Message(
                role="tool",
                tool_call_id=call.id,
                content=msgspec.json.encode(
                    await call_tool(call, caller, turn, presenter, proposal_ttl)
                ).decode(),
            )
            for call in reply.tool_calls
        ]
        await conversations.add_messages(turn.id, [asked, *results])
        messages += [asked, *results]
        rounds += 1
    return OUT_OF_ROUNDS
