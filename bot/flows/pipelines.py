"""Pipelines and job lists as Slack answers."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks import ids
from bot.blocks.home import HomeJob, home_view
from bot.blocks.job_messages import job_list_message
from bot.blocks.layout import Message
from bot.blocks.pipeline import StageCount, job_picker_message, pipeline_message
from bot.blocks.refs import candidate_url
from models.errors import NotFound
from models.identity.actor import Actor
from models.jobs.operations import find_jobs, job_names, list_jobs
from models.jobs.schemas import JobFilters, JobName
from models.pipeline.operations import stage_counts, totals_for_jobs
from models.stages import PIPELINE

HOME_JOBS = 100
"""Newest jobs fetched for the Home tab; the view shows what fits in Slack's 100 blocks."""


async def pipeline_counts(actor: Actor, job_id: int) -> list[StageCount]:
    return [(stage.label, stage.count) for stage in await stage_counts(actor, job_id)]


async def pipeline_answer(actor: Actor, job: JobName, in_channel: bool = False) -> Message:
    return pipeline_message(job.title, job.id, await pipeline_counts(actor, job.id), in_channel)


async def show_stages(actor: Actor, respond: AsyncRespond, reference: str) -> None:
    """`/stages [job]`: the pipeline, or a picker when no job or several match."""
    if not reference.strip():
        text, blocks = job_picker_message(await job_names(actor), ids.PickPurpose.STAGES)
    else:
        matches = await find_jobs(actor, reference)
        if not matches:
            raise NotFound(f"no job of yours matches “{reference.strip()}”")
        if len(matches) > 1:
            text, blocks = job_picker_message(matches, ids.PickPurpose.STAGES, reference.strip())
        else:
            text, blocks = await pipeline_answer(actor, matches[0])
    await respond(text=text, blocks=blocks, response_type="ephemeral")


async def job_list(actor: Actor) -> Message:
    """The user's jobs with their status and candidate totals."""
    names = await job_names(actor)
    totals = await totals_for_jobs(actor, [job.id for job in names])
    return job_list_message([(job, sum(totals[job.id].values())) for job in names])


async def home(actor: Actor, public_url: str) -> dict[str, Any]:
    """The App Home view: the user's newest jobs with their stage counts."""
    jobs = (await list_jobs(actor, JobFilters(), limit=HOME_JOBS)).items
    totals = await totals_for_jobs(actor, [job.id for job in jobs])
    items = [
        HomeJob(
            job=job,
            counts=[(style.label, totals[job.id][style.stage.value]) for style in PIPELINE],
            candidate_url=candidate_url(public_url, job.public_key),
        )
        for job in jobs
    ]
    return home_view(items)
