"""A rewrite's changes in Slack mrkdwn: removals struck through, additions marked."""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks.text import escape
from models.jobs.changes import LINE, PARAGRAPH, Change, describe

MAX_MRKDWN = 2_900
"""Longest text `render_change_mrkdwn` returns, under Slack's 3,000 for a section block."""


def render_change_mrkdwn(change: Change) -> str:
    """Slack mrkdwn for one change: removed lines struck through, added lines marked `*+*`."""
    header = f"*{change.index + 1}. {describe(change).capitalize()}* · paragraph {change.paragraph}"
    before, after = change.before.strip(LINE), change.after.strip(LINE)
    if not (before or after):
        return f"{header}\n_{_break_name(change.before)} → {_break_name(change.after)}_"
    budget = MAX_MRKDWN - len(header) - 1
    removed = _fit(before, _strike, budget // 2 if after else budget)
    added = _fit(after, _mark, budget - len(removed) - 1)
    return "\n".join(part for part in (header, removed, added) if part)


def _break_name(text: str) -> str:
    if PARAGRAPH in text:
        return "paragraph break"
    return "line break" if LINE in text else "no break"


def _fit(text: str, wrap: Callable[[str], str], limit: int) -> str:
    """`text` wrapped line by line, cut with an ellipsis to at most `limit` characters."""
    shown = ""
    for line in text.split(LINE):
        separator = LINE if shown else ""
        piece = wrap(escape(line)) if line else ""
        if len(shown) + len(separator) + len(piece) <= limit:
            shown += separator + piece
            continue
        room = limit - len(shown) - len(separator) - len(wrap(""))
        if room >= 2:  # one character and the ellipsis
            shown += separator + wrap(_cut(line, room))
        break
    return shown


def _cut(line: str, room: int) -> str:
    """The longest escaped start of `line` that fits `room` with an ellipsis after it."""
    kept = ""
    for character in line:
        escaped = escape(character)
        if len(kept) + len(escaped) > room - 1:
            break
        kept += escaped
    return kept.rstrip() + "…"


def _strike(text: str) -> str:
    # Slack strikes only when both tildes touch text, so each line is struck on its own.
    return f"~{text}~"


def _mark(text: str) -> str:
    return f"*+* {text}"
