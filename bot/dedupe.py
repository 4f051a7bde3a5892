"""One delivery, one effect: Slack may send the same request again.

Slack retries an event it thinks was not acknowledged (X-Slack-Retry-Num; in Socket Mode
without that header), and a proxy or a double click can repeat a command or a submission.
A retry carries the same identity as the original (the event id, or the trigger id of a
command, click or submission), so the work after the acknowledgement claims a key made
of it (`models.idempotency`): a later delivery finds the key taken and does nothing. The
claim lasts longer than Slack's last retry (about 6 minutes after the first delivery).

Modal submissions get a second key, on the view id, around what they create: a modal
can be submitted successfully only once, whatever the trigger.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from models import idempotency

DELIVERY_LEASE_SECONDS = 3600.0


def _team(body: Mapping[str, Any]) -> str:
    team = body.get("team")
    if isinstance(team, Mapping):
        return str(team.get("id") or "-")
    return str(body.get("team_id") or "-")


def delivery_key(body: Mapping[str, Any], work: str) -> str | None:
    """The key of `work` (a listener's name) for this delivery, or None if it has no
    identity (then it cannot be told apart from a retry and always runs)."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"slack:{_team(body)}:event:{body['event_id']}:{work}"
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        kind = body.get("type") or "command"
        return f"slack:{_team(body)}:{kind}:{trigger}:{work}"
    return None


async def claim_delivery(key: str) -> bool:
    """True for the first delivery; False for a retry of one that ran or is running."""
    return await idempotency.claim(key, lease_seconds=DELIVERY_LEASE_SECONDS)


async def release_delivery(key: str) -> None:
    """Let a retry run again (the first delivery failed before doing its work)."""
    await idempotency.release(key)


async def once_per_view(
    body: Mapping[str, Any],
    what: str,
    action: Callable[[], Awaitable[dict[str, Any] | None]],
) -> dict[str, Any] | None:
    """Run `action` once per submitted modal; a repeat gets the first result (or None
    while the first is still running)."""
    view = body.get("view")
    view_id = view.get("id") if isinstance(view, Mapping) else None
    if not view_id:
        return await action()
    outcome = await idempotency.once(
        f"slack:{_team(body)}:view:{view_id}:{what}", action, lease_seconds=DELIVERY_LEASE_SECONDS
    )
    return outcome.result if outcome.ran or outcome.result is not None else None
