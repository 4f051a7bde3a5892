"""The worker task of a conversation turn: show progress, run the turn, answer in the thread.

A turn is run once: a delivery of a turn already answered does nothing, and a redelivery of
one cut short continues from its last stored round (`bot.conversation.turn`). The model is
the configured one (OpenAI-compatible), or the offline parser without a key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Annotated, Any

from taskiq import TaskiqDepends

from bot.blocks.conversation import reply_message
from bot.conversation.answer import SlackAnswer
from bot.conversation.offline import OfflineConversant
from bot.conversation.tools import Caller
from bot.conversation.turn import run_turn
from bot.posting import post_or_dm
from bot.workspace_clients import WorkspaceClients, clients_of
from models import conversations
from models.enums import Role, Surface
from models.errors import DomainError
from models.identity.operations import get_actor
from models.settings import Settings
from workers.broker import active_broker, gateway_of, settings_of, shared
from workers.faults import is_transient
from workers.llm import Conversant, LLMError, LLMGateway, OpenAIGateway
from workers.llm.metering import OverBudget
from workers.retry import on_give_up, turn_budget_seconds

log = logging.getLogger(__name__)

CONVERSE_TASK = "hirebot.slack.converse"
SORRY = "Sorry, something went wrong on our side; it has been logged. Please try again."
TOO_SLOW = "Sorry, that took too long to answer. Please ask again, perhaps in smaller steps."


def conversant_for(gateway: LLMGateway) -> Conversant:
    """The configured model if it can converse, else the offline parser."""
    return gateway if isinstance(gateway, OpenAIGateway) else OfflineConversant()


async def converse(
    turn_id: int,
    run_id: str,
    *,
    gateway: Annotated[LLMGateway, TaskiqDepends(gateway_of)],
    slack_clients: Annotated[WorkspaceClients, TaskiqDepends(clients_of)],
    settings: Annotated[Settings, TaskiqDepends(settings_of)],
) -> dict[str, Any]:
    turn = await conversations.get_turn(turn_id)
    if turn.status in (conversations.ANSWERED, conversations.FAILED):
        return {"turn": turn_id, "status": turn.status, "again": True}
    thread = await conversations.get_thread(turn.conversation_id)
    slack = await slack_clients.for_team(thread.team_id)
    if slack is None:
        log.warning("no Slack client for %s: turn %s is not answered", thread.team_id, turn_id)
        return {"turn": turn_id, "status": turn.status}
    await conversations.set_turn_status(turn_id, conversations.RUNNING)
    answer = SlackAnswer(
        slack,
        channel=thread.channel,
        thread_ts=thread.thread_ts,
        team_id=thread.team_id,
        user_id=turn.slack_user_id,
    )
    await answer.show_progress()
    limits: dict[str, Any] = {
        "budget_chars": settings.conversation_context_chars,
        "proposal_ttl": timedelta(hours=settings.proposal_ttl_hours),
    }
    try:
        caller = Caller(
            actor=await get_actor(turn.user_id, Surface.SLACK),
            team_id=thread.team_id,
            slack_user_id=turn.slack_user_id,
            default_role=Role(settings.default_slack_role),
            job_id=thread.job_id,
        )
        async with asyncio.timeout(turn_budget_seconds(settings)):
            try:
                final = await run_turn(
                    thread, turn, caller, conversant_for(gateway), answer, **limits
                )
            except OverBudget as over:
                # The offline parser costs nothing: it answers, after saying why.
                await answer.text(f"_{over.reason}_\n\n")
                final = await run_turn(thread, turn, caller, OfflineConversant(), answer, **limits)
    except TimeoutError:
        await answer.finish(TOO_SLOW)
        await conversations.set_turn_status(turn_id, conversations.FAILED, answer.written)
        return {"turn": turn_id, "status": conversations.FAILED}
    except (LLMError, DomainError) as error:
        reason = error.reason if isinstance(error, LLMError) else error.message
        await answer.finish(f"Sorry, I could not answer that: {reason}")
        await conversations.set_turn_status(turn_id, conversations.FAILED, answer.written)
        return {"turn": turn_id, "status": conversations.FAILED}
    except Exception as error:
        if not is_transient(error):  # a passing fault is retried quietly
            with contextlib.suppress(Exception):
                await answer.finish(SORRY)
        raise  # the retry (or a redelivery) continues from the stored rounds
    await answer.finish(final)
    await conversations.set_turn_status(turn_id, conversations.ANSWERED, answer.written)
    return {"turn": turn_id, "status": conversations.ANSWERED}


converse_task = shared.register_task(converse, task_name=CONVERSE_TASK)


async def _turn_given_up(kwargs: dict[str, Any], error: BaseException) -> None:
    """Every retry failed: the turn fails, and the user hears it by DM."""
    turn = await conversations.get_turn(int(kwargs["turn_id"]))
    await conversations.set_turn_status(turn.id, conversations.FAILED)
    thread = await conversations.get_thread(turn.conversation_id)
    slack = await clients_of(active_broker().state).for_team(thread.team_id)
    if slack is not None:
        line = "Sorry, I could not answer your last message in time. Please ask again."
        await post_or_dm(slack, None, turn.slack_user_id, reply_message(line))


on_give_up(CONVERSE_TASK, _turn_given_up)
