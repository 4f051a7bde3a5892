"""The "Choose changes" modal: each change of a proposed rewrite, with a checkbox to
accept it (all ticked at first); submitting applies exactly the ticked ones."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.blocks import ids
from bot.blocks.changes import render_change_mrkdwn
from bot.blocks.layout import VIEW_BLOCKS_LIMIT, Block, input_block, section
from bot.blocks.text import escape, plain, truncate
from models.jobs.changes import Change, describe

MAX_CHOOSABLE = (VIEW_BLOCKS_LIMIT - 1) // 2
"""Two blocks per change (the change, its checkbox) under one heading."""


def choose_changes_modal(
    title: str, changes: Sequence[Change], metadata: Mapping[str, Any]
) -> dict[str, Any]:
    """The modal; `metadata` (job, proposal, where the proposal message is) comes back
    with the submission."""
    blocks: list[Block] = [
        section(f"Tick the changes to *{escape(title)}* you want; the others stay as they are.")
    ]
    for change in changes[:MAX_CHOOSABLE]:
        blocks.append(section(render_change_mrkdwn(change)))
        label = truncate(f"Accept change {change.index + 1} ({describe(change)})", 75)
        choice = {"text": plain(label), "value": str(change.index)}
        blocks.append(
            input_block(
                f"{ids.CHANGE_BLOCK_PREFIX}{change.index}",
                f"Change {change.index + 1}",
                {
                    "type": "checkboxes",
                    "action_id": ids.CHANGE_ACTION,
                    "options": [choice],
                    "initial_options": [choice],
                },
                optional=True,
            )
        )
    return {
        "type": "modal",
        "callback_id": ids.CHOOSE_CHANGES_CALLBACK,
        "title": plain("Choose changes"),
        "submit": plain("Apply"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(dict(metadata), separators=(",", ":")),
        "blocks": blocks,
    }


def chosen_changes(state_values: Mapping[str, Any]) -> list[int]:
    """The indexes ticked in a submitted modal."""
    chosen: list[int] = []
    for block_id, actions in state_values.items():
        if not str(block_id).startswith(ids.CHANGE_BLOCK_PREFIX):
            continue
        picked = (actions or {}).get(ids.CHANGE_ACTION) or {}
        for option in picked.get("selected_options") or []:
            value = str(option.get("value", ""))
            if value.isdigit():
                chosen.append(int(value))
    return sorted(set(chosen))
