"""Events: the App Home tab, drawn each time the user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.home import HomeJob, home_view
from bot.blocks.refs import candidate_url
from bot.identity import actor_from
from bot.listeners import flows
from models.jobs.operations import list_jobs
from models.jobs.schemas import JobFilters
from models.pipeline.operations import totals_for_jobs
from models.stages import PIPELINE

HOME_JOBS = 100
"""Newest jobs fetched for the Home tab; the view shows what fits in Slack's 100 blocks."""


async def publish_home(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`app_home_opened` (Home tab): the user's jobs, their pipelines and buttons."""
    if event.get("tab", "home") != "home":
        return
    settings = flows.settings_of(context)
    actor = await actor_from(body, settings)
    jobs = (await list_jobs(actor, JobFilters(), limit=HOME_JOBS)).items
    totals = await totals_for_jobs([job.id for job in jobs])
    items = [
        HomeJob(
            job=job,
            counts=[(style.label, totals[job.id][style.stage.value]) for style in PIPELINE],
            candidate_url=candidate_url(settings.public_url, job.public_key),
        )
        for job in jobs
    ]
    await client.views_publish(user_id=str(event["user"]), view=home_view(items))
