"""The worker tasks that do not speak Slack, declared on the shared broker under stable names.

The functions themselves are plain (see `descriptions` and `rewrite`); importing this
package declares them, so any process that activated a broker can send and run them.
"""

from __future__ import annotations

from typing import Any

from models.jobs import generation
from workers.broker import shared
from workers.retry import on_give_up
from workers.tasks import descriptions, rewrite
from workers.tasks.names import CONVERT_TASK, GENERATE_TASK, REWRITE_TASK

generate_job_description = shared.register_task(
    descriptions.generate_job_description, task_name=GENERATE_TASK
)
rewrite_job_description = shared.register_task(
    rewrite.rewrite_job_description, task_name=REWRITE_TASK
)
convert_jd_to_json = shared.register_task(descriptions.convert_jd_to_json, task_name=CONVERT_TASK)


GAVE_UP = "It could not be done after several tries ({error}); try again later."


async def _description_given_up(kwargs: dict[str, Any], error: BaseException) -> None:
    await generation.give_up_description(int(kwargs["job_id"]), GAVE_UP.format(error=_name(error)))


async def _structure_given_up(kwargs: dict[str, Any], error: BaseException) -> None:
    await generation.give_up_jd_json(int(kwargs["job_id"]), GAVE_UP.format(error=_name(error)))


def _name(error: BaseException) -> str:
    return type(error).__name__


on_give_up(GENERATE_TASK, _description_given_up)
on_give_up(CONVERT_TASK, _structure_given_up)
