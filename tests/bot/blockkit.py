"""Checks every builder's output against slack_sdk's Block Kit models and Slack's limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def assert_valid_blocks(blocks: list[dict[str, Any]], limit: int = 50) -> None:
    """slack_sdk parses each block back to the same dict, its validators pass, and ids are
    unique where Slack requires it."""
    assert 0 < len(blocks) <= limit
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), block_ids
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        assert parsed.to_dict() == block  # to_dict() runs the validators
        action_ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        assert len(action_ids) == len(set(action_ids)), action_ids


def assert_valid_view(view: dict[str, Any]) -> None:
    assert View(**view).to_dict() == view
    assert_valid_blocks(view["blocks"], limit=100)


def elements(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every interactive element: in actions blocks and section accessories."""
    for block in blocks:
        yield from block.get("elements", []) if block["type"] == "actions" else []
        if "accessory" in block:
            yield block["accessory"]


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Buttons by their label."""
    return {e["text"]["text"]: e for e in elements(blocks) if e["type"] == "button"}


def all_text(blocks: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts.extend(
            e["text"]
            for e in block.get("elements", [])
            if "text" in e and isinstance(e["text"], str)
        )
    return "\n".join(parts)
