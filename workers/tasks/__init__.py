"""The worker tasks that do not speak Slack, declared on the shared broker under stable names.

The functions themselves are plain (see `descriptions` and `rewrite`); importing this
package declares them, so any process that activated a broker can send and run them.
"""

from __future__ import annotations

from workers.broker import shared
from workers.tasks import descriptions, rewrite
from workers.tasks.names import CONVERT_TASK, GENERATE_TASK, REWRITE_TASK

generate_job_description = shared.register_task(
    descriptions.generate_job_description, task_name=GENERATE_TASK
)
rewrite_job_description = shared.register_task(
    rewrite.rewrite_job_description, task_name=REWRITE_TASK
)
convert_jd_to_json = shared.register_task(descriptions.convert_jd_to_json, task_name=CONVERT_TASK)

__all__ = ["convert_jd_to_json", "generate_job_description", "rewrite_job_description"]
