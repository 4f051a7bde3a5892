"""Interactive elements (buttons, selects, inputs) with Slack's length limits applied."""

from __future__ import annotations

from typing import Any, Literal

from bot.blocks.text import plain, truncate

Element = dict[str, Any]
ButtonStyle = Literal["primary", "danger"]

BUTTON_TEXT_LIMIT = 75
OPTION_TEXT_LIMIT = 75
PLACEHOLDER_LIMIT = 150
OPTIONS_LIMIT = 100


def button(
    text: str,
    action_id: str,
    value: str | None = None,
    *,
    url: str | None = None,
    style: ButtonStyle | None = None,
) -> Element:
    element: Element = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_LIMIT),
        "action_id": action_id,
    }
    if value is not None:
        element["value"] = value
    if url is not None:
        element["url"] = url
    if style is not None:
        element["style"] = style
    return element


def option(text: str, value: str) -> Element:
    return {"text": plain(text, OPTION_TEXT_LIMIT), "value": value}


def static_select(
    action_id: str,
    options: list[Element],
    *,
    placeholder: str | None = None,
    initial: Element | None = None,
) -> Element:
    """A static_select; Slack takes at most 100 options, so the rest are dropped."""
    element: Element = {
        "type": "static_select",
        "action_id": action_id,
        "options": options[:OPTIONS_LIMIT],
    }
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER_LIMIT)
    if initial is not None:
        element["initial_option"] = initial
    return element


def text_input(
    action_id: str,
    *,
    initial: str = "",
    placeholder: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
) -> Element:
    element: Element = {"type": "plain_text_input", "action_id": action_id}
    if initial:
        element["initial_value"] = truncate(initial, max_length) if max_length else initial
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER_LIMIT)
    if multiline:
        element["multiline"] = True
    if max_length is not None:
        element["max_length"] = max_length
    return element


def integer_input(
    action_id: str, *, min_value: int, max_value: int, placeholder: str | None = None
) -> Element:
    element: Element = {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": False,
        "min_value": str(min_value),
        "max_value": str(max_value),
    }
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER_LIMIT)
    return element


def multi_users_select(action_id: str, *, placeholder: str | None = None) -> Element:
    """Pick workspace members; Slack sends their user ids back."""
    element: Element = {"type": "multi_users_select", "action_id": action_id}
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER_LIMIT)
    return element
