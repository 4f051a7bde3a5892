"""Short ephemeral answers to errors a user can cause (unknown job, no permission, bad input)."""

from __future__ import annotations

from bot.blocks.layout import Message, section
from bot.blocks.text import escape


def error_message(text: str) -> Message:
    """A one-line explanation with a warning emoji; `text` is escaped, never a traceback."""
    line = f":warning: {escape(text)}"
    return line, [section(line)]
