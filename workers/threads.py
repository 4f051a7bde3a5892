"""Where a task's result goes in Slack, and the hand-off contract with `bot/`.

`workers/` never imports `bot/` (STYLE: api -> bot -> workers -> models). A worker task that
was given a `ThreadRef` finishes by kicking a Slack task BY NAME; the bot defines those
tasks (in `bot/tasks.py`, which `hirebot worker` and `hirebot serve` load). Each kick
happens once per run (an idempotency key `handoff:<task key>`), but a worker that dies
between the kick and recording it may kick again on redelivery: the Slack task should
post under its own key (`models.idempotency.once(f"post:{run_id}", ...)`).

Task kwargs travel as JSON: `thread` is `ThreadRef.payload()`; turn it back with
`ThreadRef.from_payload(thread)`.
"""

from __future__ import annotations

from typing import Any

import msgspec

POST_GENERATION_TASK = "hirebot.slack.post_generation"
"""Posts a generated description (or why it failed) into the thread. Kwargs, all present:

- `ok: bool` - the description was written and stored
- `job_id: int`
- `text: str | None` - the description (when ok)
- `reason: str | None` - user-facing reason (when not ok)
- `generated_by: str | None` - model name or "offline"
- `thread: dict` - a `ThreadRef` payload
- `run_id: str` - the generation run; retrying means `queue_generation(job_id, thread)`
"""

POST_REWRITE_TASK = "hirebot.slack.post_rewrite"
"""Posts a rewrite suggestion (or why it failed) into the thread. Kwargs, all present:

- `ok: bool`
- `job_id: int | None` - the job the rewritten text is for, if any
- `job_description: str | None` - the suggested text (when ok); accepting it is a separate
  user action (`models.jobs.operations.update_job`); it is also kept as
  `models.idempotency.stored(f"rewrite:{run_id}")`
- `suggested_skills: list[str]`
- `reason: str | None` - user-facing reason (when not ok)
- `generated_by: str | None`
- `instruction: str` - what the user asked for; retrying means `queue_rewrite(title,
  description, instruction, job_id=job_id, thread=thread)` with the job's current text
- `thread: dict` - a `ThreadRef` payload
- `run_id: str`
"""


class ThreadRef(msgspec.Struct, frozen=True, kw_only=True):
    """A Slack thread to post a result into, and the placeholder message to update."""

    team_id: str
    channel: str
    thread_ts: str
    user_id: str
    """The Slack user who asked (for mentions and ephemeral messages)."""
    placeholder_ts: str | None = None
    """The "working on it..." message that `chat.update` replaces with the result."""

    def payload(self) -> dict[str, Any]:
        """The JSON-safe form that travels in task kwargs."""
        return msgspec.to_builtins(self)  # type: ignore[no-any-return]

    @classmethod
    def from_payload(cls, data: ThreadRef | dict[str, Any]) -> ThreadRef:
        return data if isinstance(data, ThreadRef) else msgspec.convert(data, cls)
