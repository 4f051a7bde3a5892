"""Opening the modals: a new job, a rewrite, a share, a pipeline from the App Home."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.job_modal import new_job_modal
from bot.blocks.pipeline import pipeline_modal
from bot.blocks.rewrite_modal import rewrite_modal
from bot.blocks.share_modal import share_modal
from bot.blocks.values import Origin, encode_origin
from bot.flows.jobs import changeable_jobs, one_job
from bot.flows.pipelines import pipeline_counts
from models.errors import NotFound
from models.identity.actor import Actor
from models.jobs.access import Action, require_create
from models.jobs.operations import find_jobs
from models.jobs.schemas import JobName


async def open_new_job_modal(
    client: AsyncWebClient, trigger_id: str, actor: Actor, title: str, origin: Origin
) -> None:
    """The new-job modal, unless the user may not create jobs (then nothing opens)."""
    require_create(actor)
    view = new_job_modal(title, private_metadata=encode_origin(origin.channel, origin.thread_ts))
    await client.views_open(trigger_id=trigger_id, view=view)


async def open_rewrite_modal(
    client: AsyncWebClient,
    trigger_id: str,
    actor: Actor,
    origin: Origin,
    *,
    reference: str | None = None,
    instruction: str = "",
) -> None:
    """The rewrite modal; a `reference` matching several jobs offers only those."""
    jobs: Sequence[JobName]
    selected: int | None = None
    if reference:
        matches = await find_jobs(actor, reference, action=Action.CHANGE)
        if not matches:
            raise NotFound(f"no job you can change matches “{reference.strip()}”")
        jobs = matches
        selected = matches[0].id if len(matches) == 1 else None
    else:
        jobs = await changeable_jobs(actor)
    metadata = encode_origin(origin.channel, origin.thread_ts)
    view = rewrite_modal(jobs, selected, instruction, private_metadata=metadata)
    await client.views_open(trigger_id=trigger_id, view=view)


async def open_share_modal(
    client: AsyncWebClient, trigger_id: str, actor: Actor, job_id: int
) -> None:
    """The share modal, if the user may share this job (its owner or an Admin)."""
    job = await one_job(actor, str(job_id), Action.MANAGE)
    await client.views_open(trigger_id=trigger_id, view=share_modal(job))


async def open_pipeline_modal(
    client: AsyncWebClient, trigger_id: str, actor: Actor, job_id: int
) -> None:
    """The pipeline from the App Home, which has no channel to answer in."""
    job = await one_job(actor, str(job_id))
    view = pipeline_modal(job.title, job.id, await pipeline_counts(actor, job.id))
    await client.views_open(trigger_id=trigger_id, view=view)
