"""Conversation: mentions, the DM and thread replies become turns (`bot.conversation`);
the confirmation cards' buttons decide the proposals. All acknowledged at once."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.conversation import SUGGESTED_PROMPTS, decided_card
from bot.blocks.job_messages import notice_message
from bot.context import settings_of
from bot.conversation import intake, proposals
from bot.errors import tell_user
from bot.identity import actor_from, slack_user
from bot.posting import update_message
from models import conversations


async def mention(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`app_mention`: a turn in the mention's thread."""
    await intake.receive(
        body, event, client, settings_of(context), mention=True, bot_user_id=context.bot_user_id
    )


async def message(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`message` (the DM, threads Hirebot talks in): a turn, unless it is not for Hirebot."""
    await intake.receive(
        body, event, client, settings_of(context), mention=False, bot_user_id=context.bot_user_id
    )


async def suggest_prompts(event: dict[str, Any], client: AsyncWebClient) -> None:
    """The DM opened (the Messages tab): a few things to ask."""
    await client.assistant_threads_setSuggestedPrompts(
        channel_id=str(event["channel"]),
        title="Try asking",
        prompts=[{"title": title, "message": text} for title, text in SUGGESTED_PROMPTS],
    )


async def confirm_proposal(
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Confirm: perform the proposal, for the user who asked, once, while it is fresh."""
    proposal = await conversations.get_proposal(str(action.get("value") or ""))
    who = slack_user(body)
    refused = proposals.refusal(proposal, who.user_id)
    if refused:
        await tell_user(body, client, *notice_message(refused), respond)
        return
    turn = await conversations.get_turn(proposal.turn_id)
    thread = await conversations.get_thread(turn.conversation_id)
    settings = settings_of(context)
    by = proposals.Decider(
        actor=await actor_from(body, settings, client),
        who=who,
        settings=settings,
        channel=thread.channel,
        thread_ts=thread.thread_ts,
        conversation_id=thread.id,
        client=client,
    )
    try:
        done = await proposals.confirm(proposal, by)
    except Exception as error:
        line = f":x: Could not do it: {getattr(error, 'message', 'something went wrong')}"
        await _redraw(client, proposal, line)
        raise
    if done is None:
        line = "This proposal was decided already, or it has expired; ask again."
        await tell_user(body, client, *notice_message(line), respond)
        return
    await _redraw(client, proposal, f":white_check_mark: Confirmed by <@{who.user_id}>. {done}")


async def cancel_proposal(
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
) -> None:
    """Cancel: nothing changes, and the card says so."""
    proposal = await conversations.get_proposal(str(action.get("value") or ""))
    who = slack_user(body)
    refused = proposals.refusal(proposal, who.user_id)
    if refused or not await proposals.cancel(proposal):
        await tell_user(body, client, *notice_message(refused or "Decided already."), respond)
        return
    await _redraw(client, proposal, f":no_entry_sign: Cancelled by <@{who.user_id}>.")


async def _redraw(client: AsyncWebClient, proposal: conversations.ProposalOut, line: str) -> None:
    if proposal.card_channel and proposal.card_ts:
        message = decided_card(proposal.summary, line)
        await update_message(client, proposal.card_channel, proposal.card_ts, message)
