"""Layout blocks (section, header, context, actions, input, divider) and message shapes."""

from __future__ import annotations

from typing import Any

from bot.blocks.elements import Element
from bot.blocks.text import SECTION_TEXT_LIMIT, mrkdwn, plain, split_text, truncate

Block = dict[str, Any]
Message = tuple[str, list[Block]]
"""`(text, blocks)`: `text` is the notification and accessibility fallback."""

MESSAGE_BLOCKS_LIMIT = 50
VIEW_BLOCKS_LIMIT = 100
HEADER_TEXT_LIMIT = 150
LABEL_LIMIT = 2000
CONTEXT_ELEMENTS_LIMIT = 10
ACTIONS_ELEMENTS_LIMIT = 25


def section(text: str, *, accessory: Element | None = None, block_id: str | None = None) -> Block:
    """A mrkdwn section; `text` must already be escaped and at most 3,000 characters."""
    block: Block = {"type": "section", "text": mrkdwn(truncate(text, SECTION_TEXT_LIMIT))}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def sections(text: str) -> list[Block]:
    """Escaped mrkdwn of any length as consecutive sections of at most 3,000 characters."""
    return [section(chunk) for chunk in split_text(text)]


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT_LIMIT)}


def context(*texts: str) -> Block:
    """A context line of escaped mrkdwn texts (Slack takes at most 10)."""
    elements = [mrkdwn(truncate(t, SECTION_TEXT_LIMIT)) for t in texts[:CONTEXT_ELEMENTS_LIMIT]]
    return {"type": "context", "elements": elements}


def actions(*elements: Element, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements[:ACTIONS_ELEMENTS_LIMIT])}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def divider() -> Block:
    return {"type": "divider"}


def input_block(
    block_id: str,
    label: str,
    element: Element,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, LABEL_LIMIT),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, LABEL_LIMIT)
    return block
