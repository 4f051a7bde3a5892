"""The Share button's modal: pick colleagues to share one job with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.blocks import ids
from bot.blocks.elements import multi_users_select
from bot.blocks.layout import input_block, section
from bot.blocks.refs import JobRef
from bot.blocks.text import escape, plain
from bot.blocks.values import encode_value


def share_modal(job: JobRef) -> dict[str, Any]:
    """The modal; the job id travels in `private_metadata` as a button value does."""
    return {
        "type": "modal",
        "callback_id": ids.SHARE_CALLBACK,
        "title": plain("Share job"),
        "submit": plain("Share"),
        "close": plain("Cancel"),
        "private_metadata": encode_value(job.id),
        "blocks": [
            section(f"Share *{escape(job.title)}* (#{job.id}) with colleagues."),
            input_block(
                ids.SHARE_USERS_BLOCK,
                "Colleagues",
                multi_users_select(ids.SHARE_USERS_ACTION, placeholder="Pick people"),
            ),
        ],
    }


def parse_share_submission(state_values: Mapping[str, Any]) -> list[str]:
    """The Slack user ids picked, in order, without repeats."""
    block = state_values.get(ids.SHARE_USERS_BLOCK)
    action = block.get(ids.SHARE_USERS_ACTION) if isinstance(block, Mapping) else None
    picked = action.get("selected_users") if isinstance(action, Mapping) else None
    if not isinstance(picked, list):
        return []
    return list(dict.fromkeys(user for user in picked if isinstance(user, str) and user))
