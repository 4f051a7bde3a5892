"""Text for Block Kit: mrkdwn escaping, text objects, truncation and splitting.

User and model text goes through `escape` before it lands in a mrkdwn field, so a job title
cannot ping `<!channel>` or forge a link. plain_text fields are shown literally by Slack and
need no escaping.
"""

from __future__ import annotations

import re
from typing import Any

SECTION_TEXT_LIMIT = 3000
"""Slack's limit on one text object in a section block."""

ELLIPSIS = "…"


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as control: &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def plain(text: str, limit: int | None = None, *, emoji: bool = True) -> dict[str, Any]:
    """A plain_text object, truncated to `limit` (Slack rejects over-long text)."""
    body = truncate(text, limit) if limit is not None else text
    return {"type": "plain_text", "text": body, "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn object; the caller has escaped any user text in it."""
    return {"type": "mrkdwn", "text": text}


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")


def markdown_to_mrkdwn(text: str) -> str:
    """Escape model-written Markdown and turn headings, bold and bullets into mrkdwn."""
    lines = []
    for raw in escape(text).splitlines():
        heading = _HEADING.match(raw)
        if heading:
            lines.append(f"*{_BOLD.sub(_bold_inner, heading.group(1))}*")
            continue
        line = _BULLET.sub(lambda m: f"{m.group(1)}• ", raw)
        lines.append(_BOLD.sub(lambda m: f"*{_bold_inner(m)}*", line))
    return "\n".join(lines)


def _bold_inner(match: re.Match[str]) -> str:
    return match.group(1) or match.group(2) or ""


def split_text(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Cut escaped mrkdwn into chunks of at most `limit` characters.

    Cuts prefer a paragraph break, then a line break, then a space; a hard cut never splits
    an `&amp;`-style entity. Empty text gives no chunks.
    """
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest) <= limit:
            chunks.append(rest)
            break
        cut = _cut_point(rest, limit)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [chunk for chunk in chunks if chunk]


def _cut_point(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator)
        if at > limit // 2:
            return at
    amp = text.rfind("&", max(limit - 5, 0), limit)
    if amp != -1 and ";" not in text[amp:limit]:
        return amp
    return limit
