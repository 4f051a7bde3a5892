"""The worker tasks, registered on the broker under stable names.

The functions themselves are plain (see `descriptions` and `rewrite`); importing this
package registers them, which `hirebot worker` and `hirebot serve` (memory://) do.
"""

from __future__ import annotations

from workers.broker import broker
from workers.tasks import descriptions, rewrite
from workers.tasks.names import CONVERT_TASK, GENERATE_TASK, REWRITE_TASK

generate_job_description = broker.register_task(
    descriptions.generate_job_description, task_name=GENERATE_TASK
)
rewrite_job_description = broker.register_task(
    rewrite.rewrite_job_description, task_name=REWRITE_TASK
)
convert_jd_to_json = broker.register_task(descriptions.convert_jd_to_json, task_name=CONVERT_TASK)

__all__ = ["convert_jd_to_json", "generate_job_description", "rewrite_job_description"]
