"""The Slack posting tasks: called directly and through the broker, against the fake Slack API.

A run's result is posted once (placeholder updated in place, the full text in the thread),
whatever the number of deliveries; failures say why with a Retry button.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from taskiq import AsyncBroker

from bot.blocks import ids
from bot.blocks.values import decode_value
from bot.tasks import post_generation, post_generation_task, post_rewrite, post_rewrite_task
from models.enums import Role
from models.identity.actor import Actor
from models.jobs.schemas import Job
from models.settings import Settings
from tests import factories
from tests.bot.conftest import PUBLIC_URL, broker_running
from tests.bot.test_flows import buttons, text_of
from tests.fakes.slack_api import FakeSlackAPI
from workers.slack_client import build_slack_client as worker_slack_client
from workers.threads import ThreadRef

ROOT = "1700000000.000100"
THREAD = ThreadRef(
    team_id="T0001", channel="C123", thread_ts=ROOT, user_id="U123", placeholder_ts=ROOT
)
WRITTEN = "## About the role\nBuild our APIs.\n\n## Must-have skills\n- Python"


@pytest.fixture(name="owner")
async def fx_owner(db: None) -> Actor:
    return await factories.user(await factories.org(), Role.EDITOR)


@pytest.fixture(name="job")
async def fx_job(owner: Actor) -> Job:
    return await factories.job(owner)


@pytest.fixture(name="slack_client")
def fx_slack_client(slack_api: FakeSlackAPI) -> AsyncWebClient:
    """The worker's Slack client (429s retried after Retry-After), at the fake."""
    settings = Settings(slack_bot_token="xoxb-test", slack_api_url=slack_api.base_url)
    client = worker_slack_client(settings)
    assert client is not None
    return client


SETTINGS = Settings(public_url=PUBLIC_URL)


def generation(job: Job, run_id: str = "run-1", **changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "ok": True,
        "job_id": job.id,
        "text": WRITTEN,
        "reason": None,
        "generated_by": "offline",
        "thread": THREAD.payload(),
        "run_id": run_id,
    }
    return {**kwargs, **changes}


def rewrite(job: Job, run_id: str = "run-2", **changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "ok": True,
        "job_id": job.id,
        "job_description": "## About the role\nLead our platform team.",
        "suggested_skills": ["Kubernetes", "Terraform"],
        "reason": None,
        "generated_by": "offline",
        "instruction": "More senior, mention Kubernetes.",
        "thread": THREAD.payload(),
        "run_id": run_id,
    }
    return {**kwargs, **changes}


async def test_a_description_updates_the_placeholder_and_goes_into_the_thread(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    result = await post_generation(**generation(job), slack=slack_client, settings=SETTINGS)

    [headline] = slack_api.calls("chat.update")
    assert headline.params["ts"] == ROOT and "is ready" in headline.params["text"]
    [reply] = slack_api.calls("chat.postMessage")
    assert reply.params["thread_ts"] == ROOT and reply.params["channel"] == "C123"
    assert "Build our APIs." in text_of(reply)
    assert list(buttons(reply)) == ["Rewrite", "Share", "Open job", "View stages", "Publish"]
    assert buttons(reply)["Open job"]["url"] == (
        f"{PUBLIC_URL}/api/jobs/candidate-view/{job.public_key}"
    )
    assert result == {"channel": "C123", "ts": reply.response["ts"]}


async def test_a_run_delivered_twice_posts_once(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    first = await post_generation(**generation(job), slack=slack_client, settings=SETTINGS)
    again = await post_generation(**generation(job), slack=slack_client, settings=SETTINGS)
    assert again == first
    assert len(slack_api.calls("chat.postMessage")) == 1
    assert len(slack_api.calls("chat.update")) == 1


async def test_a_failure_says_why_and_offers_retry(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    failed = generation(job, ok=False, text=None, reason="The model is overloaded (429).")
    await post_generation(**failed, slack=slack_client, settings=SETTINGS)

    [headline] = slack_api.calls("chat.update")
    assert "Could not write" in headline.params["text"]
    [reply] = slack_api.calls("chat.postMessage")
    assert "The model is overloaded (429)." in text_of(reply)
    retry = buttons(reply)["Retry"]
    assert retry["action_id"] == ids.RETRY_ACTION
    assert decode_value(retry["value"]).kind == "generate"


async def test_a_failure_then_a_success_of_the_same_run_are_both_told(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    """A worker that crashed reports the failure; its redelivery may then succeed."""
    failed = generation(job, ok=False, text=None, reason="Something went wrong on our side.")
    await post_generation(**failed, slack=slack_client, settings=SETTINGS)
    await post_generation(**generation(job), slack=slack_client, settings=SETTINGS)
    await post_generation(**generation(job), slack=slack_client, settings=SETTINGS)
    replies = slack_api.calls("chat.postMessage")
    assert ["Retry" in buttons(r) for r in replies] == [True, False]


async def test_slack_rate_limits_are_waited_out(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.rate_limit_next("chat.postMessage", retry_after=1)
    await post_generation(**generation(job), slack=slack_client, settings=SETTINGS)
    attempts = slack_api.calls("chat.postMessage")
    assert [call.status for call in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.9


async def test_a_thread_that_is_gone_gets_the_reply_in_a_dm(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.fail_next("chat.update", "message_not_found")
    slack_api.fail_next("chat.postMessage", "channel_not_found")
    await post_generation(**generation(job), slack=slack_client, settings=SETTINGS)
    [opened] = slack_api.calls("conversations.open")
    assert opened.params["users"] == "U123"
    posted = slack_api.calls("chat.postMessage")
    assert posted[-1].ok and posted[-1].params["channel"] == opened.response["channel"]["id"]


async def test_without_a_slack_token_nothing_is_posted(job: Job, slack_api: FakeSlackAPI) -> None:
    assert await post_generation(**generation(job), slack=None, settings=SETTINGS) is None
    assert slack_api.calls() == []


async def test_a_rewrite_proposal_offers_accept_add_skill_and_discard(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    await post_rewrite(**rewrite(job), slack=slack_client)
    [headline] = slack_api.calls("chat.update")
    assert "proposed below" in text_of(headline)
    [proposal] = slack_api.calls("chat.postMessage")
    assert proposal.params["thread_ts"] == ROOT
    assert "Lead our platform team." in text_of(proposal)
    labels = list(buttons(proposal))
    assert labels == ["Add Kubernetes", "Add Terraform", "Accept", "Discard"]
    assert decode_value(buttons(proposal)["Accept"]["value"]).proposal == "run-2"


async def test_a_failed_rewrite_offers_retry(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    failed = rewrite(job, ok=False, job_description=None, suggested_skills=[], reason="Refused.")
    await post_rewrite(**failed, slack=slack_client)
    [reply] = slack_api.calls("chat.postMessage")
    assert "Refused." in text_of(reply)
    retry = decode_value(buttons(reply)["Retry"]["value"])
    assert retry.kind == "rewrite" and retry.job_id == job.id
    assert retry.instruction == "More senior, mention Kubernetes." and not retry.instruction_cut


async def test_a_long_instruction_is_cut_to_fit_the_retry_button(
    job: Job, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    """Quotes and newlines take two characters each in the value's JSON."""
    instruction = 'Say "remote"\n' * 150  # 1,950 characters, far more once escaped
    failed = rewrite(job, ok=False, job_description=None, suggested_skills=[], reason="Refused.")
    await post_rewrite(**{**failed, "instruction": instruction}, slack=slack_client)
    [reply] = slack_api.calls("chat.postMessage")
    value = buttons(reply)["Retry"]["value"]
    assert len(value) <= 2000
    retry = decode_value(value)
    assert retry.instruction_cut and retry.instruction
    assert instruction.startswith(retry.instruction)


# Through the broker ------------------------------------------------------------------------


@pytest.fixture(name="worker")
async def fx_worker(slack_settings: Settings, db: None) -> AsyncIterator[AsyncBroker]:
    """The in-memory broker with its resources (the Slack client points at the fake)."""
    from workers.broker import broker

    async with broker_running():
        yield broker
        await broker.wait_all()  # type: ignore[attr-defined]


async def test_tasks_delivered_twice_through_the_broker_post_once(
    worker: AsyncBroker, job: Job, slack_api: FakeSlackAPI
) -> None:
    for _ in range(2):
        await post_generation_task.kiq(**generation(job, run_id="twice"))
        await post_rewrite_task.kiq(**rewrite(job, run_id="twice-too"))
    await worker.wait_all()  # type: ignore[attr-defined]
    replies = slack_api.calls("chat.postMessage")
    assert len(replies) == 2
    assert len(slack_api.calls("chat.update")) == 2
    assert {r.params["thread_ts"] for r in replies} == {ROOT}


async def test_the_tasks_are_registered_under_the_contract_names(worker: AsyncBroker) -> None:
    from workers.threads import POST_GENERATION_TASK, POST_REWRITE_TASK

    assert worker.find_task(POST_GENERATION_TASK) is not None
    assert worker.find_task(POST_REWRITE_TASK) is not None
