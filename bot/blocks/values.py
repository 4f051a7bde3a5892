"""What a button carries back to the listener: the job id, plus what the click needs.

Values are compact JSON (Slack allows 2,000 characters), so a listener decodes every button
the same way. A bare integer (`"12"`) is accepted too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, cast

RetryKind = Literal["generate", "rewrite", "convert"]
"""Which task a Retry button queues again."""

VALUE_MAX_LENGTH = 2000
_INSTRUCTION_BUDGET = 1500


@dataclass(frozen=True, slots=True)
class ButtonValue:
    job_id: int
    kind: RetryKind | None = None
    skill: str | None = None
    instruction: str | None = None
    proposal: str | None = None
    instruction_cut: bool = False
    """The instruction was cut to fit the value: it is not the whole request."""
    version: int | None = None
    """A version of the job's description (History's Restore)."""


def encode_value(
    job_id: int,
    *,
    kind: RetryKind | None = None,
    skill: str | None = None,
    instruction: str | None = None,
    proposal: str | None = None,
    version: int | None = None,
) -> str:
    """A button value; a long rewrite instruction is cut so the value fits Slack's limit
    (and the value says so: `ButtonValue.instruction_cut`)."""
    data: dict[str, Any] = {"job_id": job_id}
    if kind is not None:
        data["kind"] = kind
    if skill is not None:
        data["skill"] = skill
    if instruction is not None:
        data["instruction"] = instruction[:_INSTRUCTION_BUDGET]
        if len(instruction) > _INSTRUCTION_BUDGET:
            data["cut"] = True
    if proposal is not None:
        data["proposal"] = proposal
    if version is not None:
        data["version"] = version
    value = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    while len(value) > VALUE_MAX_LENGTH and data.get("instruction"):
        # escapes (quotes, newlines) make the JSON longer than the text: cut some more
        kept = data["instruction"]
        data["instruction"] = kept[: max(0, len(kept) - (len(value) - VALUE_MAX_LENGTH))]
        data["cut"] = True
        value = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(value) > VALUE_MAX_LENGTH:
        raise ValueError("button value exceeds Slack's 2,000 characters")
    return value


def decode_value(value: str) -> ButtonValue:
    """Read a button value back; ValueError when it is not one of ours."""
    value = value.strip()
    if value.isdigit():
        return ButtonValue(job_id=int(value))
    try:
        data = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a Hirebot button value: {value[:50]!r}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("job_id"), int):
        raise ValueError(f"not a Hirebot button value: {value[:50]!r}")
    kind = data.get("kind")
    if kind not in (None, "generate", "rewrite", "convert"):
        raise ValueError(f"unknown retry kind: {kind!r}")
    return ButtonValue(
        job_id=data["job_id"],
        kind=cast("RetryKind | None", kind),
        skill=_optional_str(data.get("skill")),
        instruction=_optional_str(data.get("instruction")),
        proposal=_optional_str(data.get("proposal")),
        instruction_cut=data.get("cut") is True,
        version=data["version"] if isinstance(data.get("version"), int) else None,
    )


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a modal was opened from (its `private_metadata`): the channel to answer in,
    and the thread when the modal came from a button in one. Both None: the App Home."""

    channel: str | None = None
    thread_ts: str | None = None


def encode_origin(channel: str | None, thread_ts: str | None = None) -> str:
    """A modal's `private_metadata`: compact JSON, far under Slack's 3,000 characters
    ("" for no origin)."""
    data = {k: v for k, v in {"channel": channel, "thread_ts": thread_ts}.items() if v}
    return json.dumps(data, separators=(",", ":")) if data else ""


def decode_origin(raw: str | None) -> Origin:
    """Read `private_metadata` back; anything unreadable means "no origin" (the DM)."""
    try:
        data = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return Origin()
    if not isinstance(data, dict):
        return Origin()
    return Origin(
        channel=_optional_str(data.get("channel")), thread_ts=_optional_str(data.get("thread_ts"))
    )
