"""Messages of the conversation: confirmation cards, their outcome, and short replies."""

from __future__ import annotations

from bot.blocks import ids
from bot.blocks.elements import button
from bot.blocks.layout import Message, actions, context, section
from bot.blocks.text import escape

THINKING = "_Thinking…_"
SUGGESTED_PROMPTS: tuple[tuple[str, str], ...] = (
    ("Draft a new job", "Draft a new job: Senior Backend Engineer, remote, 5+ years, Python"),
    ("My jobs", "my jobs"),
    ("Pipeline of my newest job", "pipeline of my newest job"),
)
"""(title, message) of the prompts offered when the user opens Hirebot's DM."""


def proposal_card(summary: str, key: str, asker: str) -> Message:
    """What a write will do, in plain words, for the user who asked to confirm or cancel.
    `summary` is escaped mrkdwn."""
    text = f"Confirm: {summary}"
    blocks = [
        section(f":memo: {summary}"),
        context(f"Nothing changes until <@{asker}> clicks Confirm."),
        actions(
            button("Confirm", ids.CONFIRM_PROPOSAL_ACTION, key, style="primary"),
            button("Cancel", ids.CANCEL_PROPOSAL_ACTION, key),
        ),
    ]
    return text, blocks


def decided_card(summary: str, line: str) -> Message:
    """The card once decided: what was asked, and what happened (`line` is escaped)."""
    return line, [section(f":memo: {summary}"), context(line)]


def reply_message(text: str) -> Message:
    """A short reply of Hirebot's in a thread (`text` is plain; it is escaped here)."""
    return text, [section(escape(text))]


def thinking_message() -> Message:
    return "Thinking…", [context(THINKING)]
