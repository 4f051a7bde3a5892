"""Task names. They travel in queued messages, so they stay stable across releases."""

from __future__ import annotations

from workers.threads import POST_GENERATION_TASK, POST_REWRITE_TASK

GENERATE_TASK = "hirebot.generate_job_description"
REWRITE_TASK = "hirebot.rewrite_job_description"
CONVERT_TASK = "hirebot.convert_jd_to_json"

__all__ = [
    "CONVERT_TASK",
    "GENERATE_TASK",
    "POST_GENERATION_TASK",
    "POST_REWRITE_TASK",
    "REWRITE_TASK",
]
