"""Task names. They travel in queued messages, so they stay stable across releases."""

from __future__ import annotations

GENERATE_TASK = "hirebot.generate_job_description"
REWRITE_TASK = "hirebot.rewrite_job_description"
CONVERT_TASK = "hirebot.convert_jd_to_json"
