"""Reading a submitted view's `state.values` and pointing errors at its input blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def state_value(state_values: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    """The submitted value of one input, stripped; None when it is empty or missing.

    Reads text and number inputs (`value`) and selects (`selected_option.value`).
    """
    block = state_values.get(block_id)
    action = block.get(action_id) if isinstance(block, Mapping) else None
    if not isinstance(action, Mapping):
        return None
    raw = action.get("value")
    selected = action.get("selected_option")
    if raw is None and isinstance(selected, Mapping):
        raw = selected.get("value")
    if not isinstance(raw, str):
        return None
    return raw.strip() or None


def errors_for(
    blocks_by_field: Mapping[str, str], messages: Mapping[str, str], fallback_field: str
) -> dict[str, str]:
    """Map field-keyed error messages to block ids, for `ack(response_action="errors")`.

    Slack rejects errors keyed by anything but an input block id, so messages about
    unknown fields are shown on `fallback_field`'s block.
    """
    errors: dict[str, str] = {}
    for field_name, message in messages.items():
        block_id = blocks_by_field.get(field_name, blocks_by_field[fallback_field])
        errors[block_id] = f"{errors[block_id]} {message}" if block_id in errors else message
    return errors
