"""Queueing follow-up tasks by name, once per run.

Follow-ups are kicked by name so that `workers/` needs no import of the task it hands off
to (the Slack tasks live in `bot/`). `kick_once` records the kick under `kick:<key>`, so a
redelivered run does not queue its follow-up twice.
"""

from __future__ import annotations

import logging
from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqTask, InMemoryBroker
from taskiq.kicker import AsyncKicker

from models import idempotency

log = logging.getLogger(__name__)


async def kick(broker: AsyncBroker, task_name: str, **kwargs: Any) -> AsyncTaskiqTask[Any] | None:
    """Queue `task_name`; None when an in-process broker does not know it (not loaded)."""
    if isinstance(broker, InMemoryBroker) and broker.find_task(task_name) is None:
        log.warning("no task named %s in this process; nothing queued", task_name)
        return None
    kicker: AsyncKicker[Any, Any] = AsyncKicker(task_name=task_name, broker=broker, labels={})
    return await kicker.kiq(**kwargs)


async def kick_once(broker: AsyncBroker, key: str, task_name: str, **kwargs: Any) -> bool:
    """Queue `task_name` unless this run queued it already; True if this call queued it."""

    async def queue() -> dict[str, Any]:
        await kick(broker, task_name, **kwargs)
        return {"task": task_name}

    outcome = await idempotency.once(f"kick:{key}", queue)
    return outcome.ran
