"""The Slack-flavoured tasks: the plain work told in a thread, called directly and through
the broker, with the real openai client against the fake model and the real Slack client
against the fake Slack API.

A run posts each step once (the "working on it" placeholder, then the result with the
placeholder updated in place), whatever the number of deliveries; failures say why with a
Retry button.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from taskiq import AsyncBroker

from bot.blocks import ids
from bot.blocks.values import decode_value
from bot.slack_client import build_slack_client
from bot.tasks import (
    describe_in_thread,
    describe_in_thread_task,
    rewrite_in_thread,
    rewrite_in_thread_task,
)
from bot.threads import ThreadRef
from bot.workspace_clients import WorkspaceClients
from models.enums import GenerationStatus, Role
from models.identity.actor import Actor
from models.jobs import generation
from models.jobs import operations as jobs
from models.jobs.schemas import Job
from models.settings import Settings
from tests import factories
from tests.bot.conftest import PUBLIC_URL
from tests.bot.test_flows import buttons, text_of
from tests.fakes.openai_server import (
    FakeOpenAI,
    completion,
    json_completion,
    server_error,
    streamed,
)
from tests.fakes.slack_api import FakeSlackAPI
from workers.broker import gateway_of
from workers.llm import LLMGateway, OfflineGateway, OpenAIGateway
from workers.runtime import serving

ROOT = "1700000000.000100"
ASKED = ThreadRef(team_id="T0001", user_id="U123", channel="C123")
IN_THREAD = ThreadRef(team_id="T0001", user_id="U123", channel="C123", thread_ts=ROOT)
RETRY_IN_THREAD = ThreadRef(
    team_id="T0001", user_id="U123", channel="C123", thread_ts=ROOT, placeholder_ts=ROOT
)
WRITTEN = "## About the role\nBuild our APIs.\n\n## Must-have skills\n- Python"
SETTINGS = Settings(public_url=PUBLIC_URL, offline_stream_pace=0)
"""The offline writer's text all at once: posted whole, like a model that does not stream."""
INSTRUCTION = "More senior, mention Kubernetes."
PROPOSAL = {
    "job_description": "## About the role\nLead our platform team.",
    "suggested_skills": ["Kubernetes", "Terraform"],
}


class Unstreamed:
    """The real gateway, asked without streaming (its answer posted whole): the posting
    rules below, apart from the live writing tested at the end."""

    def __init__(self, gateway: LLMGateway) -> None:
        self.gateway, self.name = gateway, gateway.name

    async def generate(self, data: Any, **given: Any) -> Any:
        given.pop("on_text", None)
        return await self.gateway.generate(data, **given)

    async def rewrite(self, data: Any, **given: Any) -> Any:
        return await self.gateway.rewrite(data, **given)

    async def convert(self, title: str, description: str, **given: Any) -> Any:
        return await self.gateway.convert(title, description, **given)

    async def aclose(self) -> None:
        return None


@pytest.fixture(name="online")
def fx_unstreamed(online: LLMGateway) -> LLMGateway:
    return cast(LLMGateway, Unstreamed(online))


@pytest.fixture(name="streaming")
async def fx_streaming(broker: AsyncBroker, fake_openai: FakeOpenAI) -> AsyncIterator[LLMGateway]:
    gateway = OpenAIGateway(
        Settings(
            openai_api_key="test",
            openai_base_url=fake_openai.base_url,
            llm_model="fake-model",
            llm_max_attempts=1,
        )
    )
    broker.dependency_overrides[gateway_of] = lambda: gateway
    yield gateway
    await gateway.aclose()


@pytest.fixture(name="owner")
async def fx_owner(db: None) -> Actor:
    return await factories.user(await factories.org(), Role.EDITOR)


@pytest.fixture(name="draft")
async def fx_draft(owner: Actor) -> int:
    return await factories.draft(owner)


@pytest.fixture(name="job")
async def fx_job(owner: Actor) -> Job:
    return await factories.job(owner, description="## About the role\n\nWe build APIs.")


@pytest.fixture(name="slack_client")
def fx_slack_client(slack_api: FakeSlackAPI) -> AsyncWebClient:
    """The worker's Slack client (429s retried after Retry-After), at the fake."""
    settings = Settings(slack_bot_token="xoxb-test", slack_api_url=slack_api.base_url)
    client = build_slack_client(settings)
    assert client is not None
    return client


async def describe(
    job_id: int,
    slack: AsyncWebClient | None,
    broker: AsyncBroker,
    gateway: LLMGateway,
    thread: ThreadRef = ASKED,
    run_id: str = "run-1",
) -> dict[str, Any]:
    return dict(
        await describe_in_thread(
            job_id,
            run_id,
            thread.payload(),
            gateway=gateway,
            broker=broker,
            slack_clients=WorkspaceClients.single(slack),
            settings=SETTINGS,
        )
    )


async def propose(
    job: Job,
    slack: AsyncWebClient,
    gateway: LLMGateway,
    instruction: str = INSTRUCTION,
    run_id: str = "run-2",
) -> dict[str, Any]:
    return dict(
        await rewrite_in_thread(
            job.id,
            run_id,
            job.title,
            job.description,
            instruction,
            IN_THREAD.payload(),
            gateway=gateway,
            slack_clients=WorkspaceClients.single(slack),
        )
    )


async def test_a_description_starts_the_thread_and_arrives_in_it(
    draft: int,
    broker: AsyncBroker,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    fake_openai.script(completion(WRITTEN))
    result = await describe(draft, slack_client, broker, online)

    drafting, reply = slack_api.calls("chat.postMessage")
    root = drafting.response["ts"]
    assert drafting.params["channel"] == "C123" and "thread_ts" not in drafting.params
    assert drafting.params["text"] == "Drafting a job description for Backend Engineer..."
    [headline] = slack_api.calls("chat.update")
    assert headline.params["ts"] == root and "is ready" in headline.params["text"]
    assert reply.params["thread_ts"] == root and reply.params["channel"] == "C123"
    assert "Build our APIs." in text_of(reply)
    assert list(buttons(reply)) == [
        "Rewrite",
        "Share",
        "Open job",
        "View stages",
        "History",
        "Publish",
    ]
    job = await generation.load_job(draft)
    assert buttons(reply)["Open job"]["url"] == (
        f"{PUBLIC_URL}/api/jobs/candidate-view/{job.public_key}"
    )
    assert await generation.slack_thread(draft) == ("C123", root)
    assert result["ok"] and job.description == WRITTEN


async def test_in_a_known_thread_the_placeholder_given_is_updated(
    draft: int, broker: AsyncBroker, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    await describe(draft, slack_client, broker, OfflineGateway(), thread=RETRY_IN_THREAD)
    [reply] = slack_api.calls("chat.postMessage")
    assert reply.params["thread_ts"] == ROOT
    [headline] = slack_api.calls("chat.update")
    assert headline.params["ts"] == ROOT and "is ready" in headline.params["text"]


async def test_a_run_delivered_twice_posts_once_and_asks_the_model_once(
    draft: int,
    broker: AsyncBroker,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    first = await describe(draft, slack_client, broker, online)
    again = await describe(draft, slack_client, broker, online)
    await broker.wait_all()  # type: ignore[attr-defined]
    assert again == first
    assert len(slack_api.calls("chat.postMessage")) == 2  # "Drafting..." and the description
    assert len(slack_api.calls("chat.update")) == 1
    generations = [r for r in fake_openai.requests if "response_format" not in r.body]
    assert len(generations) == 1


async def test_a_model_failure_says_why_and_offers_retry(
    draft: int,
    broker: AsyncBroker,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    fake_openai.script(server_error(503))
    result = await describe(draft, slack_client, broker, online)

    assert not result["ok"]
    [headline] = slack_api.calls("chat.update")
    assert "Could not write" in headline.params["text"]
    reply = slack_api.calls("chat.postMessage")[-1]
    assert "HTTP 503" in text_of(reply)
    retry = buttons(reply)["Retry"]
    assert retry["action_id"] == ids.RETRY_ACTION
    assert decode_value(retry["value"]).kind == "generate"
    assert (await generation.load_job(draft)).description_status is GenerationStatus.FAILED


class BrokenGateway(OfflineGateway):
    """A model client with a bug in it (not an LLMError)."""

    async def generate(self, data: Any, **_: Any) -> Any:
        raise KeyError("choices")


async def test_a_crash_then_a_success_of_the_same_run_are_both_told(
    draft: int, broker: AsyncBroker, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    """A delivery that crashed tells the thread and raises (so the broker may deliver it
    again); the redelivery then succeeds and says so."""
    with pytest.raises(KeyError):
        await describe(draft, slack_client, broker, BrokenGateway())
    await describe(draft, slack_client, broker, OfflineGateway())
    await describe(draft, slack_client, broker, OfflineGateway())
    replies = slack_api.calls("chat.postMessage")[1:]
    assert ["Retry" in buttons(r) for r in replies] == [True, False]
    assert "logged" in text_of(replies[0])


async def test_slack_rate_limits_are_waited_out(
    draft: int, broker: AsyncBroker, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.rate_limit_next("chat.postMessage", retry_after=1)
    await describe(draft, slack_client, broker, OfflineGateway(), thread=RETRY_IN_THREAD)
    attempts = slack_api.calls("chat.postMessage")
    assert [call.status for call in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.9


async def test_a_thread_that_is_gone_gets_the_reply_in_a_dm(
    draft: int, broker: AsyncBroker, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    slack_api.fail_next("chat.update", "message_not_found")
    slack_api.fail_next("chat.postMessage", "channel_not_found")
    await describe(draft, slack_client, broker, OfflineGateway(), thread=RETRY_IN_THREAD)
    [opened] = slack_api.calls("conversations.open")
    assert opened.params["users"] == "U123"
    posted = slack_api.calls("chat.postMessage")
    assert posted[-1].ok and posted[-1].params["channel"] == opened.response["channel"]["id"]


async def test_without_a_slack_token_the_work_is_done_and_nothing_posted(
    draft: int, owner: Actor, broker: AsyncBroker, slack_api: FakeSlackAPI
) -> None:
    result = await describe(draft, None, broker, OfflineGateway())
    assert result["ok"]
    assert (await jobs.get_job(owner, draft)).description_status is GenerationStatus.READY
    assert slack_api.calls() == []


async def test_a_rewrite_proposal_offers_accept_add_skill_and_discard(
    job: Job,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    fake_openai.script(json_completion(PROPOSAL))
    await propose(job, slack_client, online)
    placeholder, proposal = slack_api.calls("chat.postMessage")
    assert placeholder.params["thread_ts"] == ROOT
    assert f"Asked for: {INSTRUCTION}" in text_of(placeholder)
    [headline] = slack_api.calls("chat.update")
    assert headline.params["ts"] == placeholder.response["ts"]
    assert "proposed below" in text_of(headline)
    assert proposal.params["thread_ts"] == ROOT
    assert "Lead our platform team." in text_of(proposal)
    labels = list(buttons(proposal))
    assert labels == [
        "Add Kubernetes",
        "Add Terraform",
        "Accept all",
        "Choose changes...",
        "Discard",
    ]
    assert decode_value(buttons(proposal)["Accept all"]["value"]).proposal == "run-2"
    assert (await generation.load_job(job.id)).description == job.description  # proposed only


async def test_a_failed_rewrite_offers_retry_with_the_instruction(
    job: Job,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    fake_openai.script(server_error(500))
    await propose(job, slack_client, online)
    reply = slack_api.calls("chat.postMessage")[-1]
    assert "HTTP 500" in text_of(reply)
    retry = decode_value(buttons(reply)["Retry"]["value"])
    assert retry.kind == "rewrite" and retry.job_id == job.id
    assert retry.instruction == INSTRUCTION and not retry.instruction_cut


async def test_a_long_instruction_is_cut_to_fit_the_retry_button(
    job: Job,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    """Quotes and newlines take two characters each in the value's JSON."""
    instruction = 'Say "remote"\n' * 150  # 1,950 characters, far more once escaped
    fake_openai.script(server_error(500))
    await propose(job, slack_client, online, instruction=instruction)
    reply = slack_api.calls("chat.postMessage")[-1]
    value = buttons(reply)["Retry"]["value"]
    assert len(value) <= 2000
    retry = decode_value(value)
    assert retry.instruction_cut and retry.instruction
    assert instruction.startswith(retry.instruction)


# Through the broker ------------------------------------------------------------------------


@pytest.fixture(name="worker")
async def fx_worker(slack_settings: Settings, db: None) -> AsyncIterator[AsyncBroker]:
    """The in-memory broker with its resources (the Slack client points at the fake)."""
    async with serving(slack_settings) as broker:
        yield broker
        await broker.wait_all()  # type: ignore[attr-defined]


async def test_tasks_delivered_twice_through_the_broker_post_once(
    worker: AsyncBroker, owner: Actor, slack_api: FakeSlackAPI
) -> None:
    draft = await factories.draft(owner)
    job = await factories.job(owner, title="Data Engineer", description="## About\n\nData.")
    for _ in range(2):
        await describe_in_thread_task.kiq(job_id=draft, run_id="twice", thread=ASKED.payload())
        await rewrite_in_thread_task.kiq(
            job_id=job.id,
            run_id="twice-too",
            title=job.title,
            description=job.description,
            instruction="Shorter.",
            thread=IN_THREAD.payload(),
        )
        await worker.wait_all()  # type: ignore[attr-defined]
    posts = slack_api.calls("chat.postMessage")
    assert len(posts) == 4  # each run: its placeholder and its result
    assert len(slack_api.calls("chat.update")) == 2


# Written live --------------------------------------------------------------------------------


async def test_a_description_is_written_live_and_ends_with_its_buttons(
    draft: int,
    broker: AsyncBroker,
    streaming: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    long_text = "## About the role\n\n" + "You will build our APIs with us. " * 30
    fake_openai.script(streamed(long_text, chunk_delay=0.05))

    result = await describe(draft, slack_client, broker, streaming)

    assert result["ok"]
    [drafting] = slack_api.calls("chat.postMessage")  # the text came as a stream
    [text] = slack_api.streamed().values()
    assert text.strip() == long_text.strip()
    appends = slack_api.calls("chat.appendStream")
    assert 2 <= len(appends) < len(long_text) // 12  # paced, not one call per piece
    [stop] = slack_api.calls("chat.stopStream")
    assert "Rewrite" in buttons(stop) and "History" in buttons(stop)
    assert slack_api.calls("chat.startStream")[0].params["thread_ts"] == drafting.response["ts"]


async def test_where_streams_are_refused_the_message_is_updated_then_whole(
    draft: int,
    broker: AsyncBroker,
    streaming: LLMGateway,
    fake_openai: FakeOpenAI,
    slack_client: AsyncWebClient,
    slack_api: FakeSlackAPI,
) -> None:
    slack_api.fail_next("chat.startStream", "not_allowed", times=5)
    slack_api.fail_next("chat.appendStream", "not_allowed", times=5)
    fake_openai.script(streamed(WRITTEN, chunk_delay=0.05))

    result = await describe(draft, slack_client, broker, streaming)

    assert result["ok"]
    drafting, live = slack_api.calls("chat.postMessage")
    assert live.params["thread_ts"] == drafting.response["ts"]
    last = slack_api.calls("chat.update")[-1]
    assert last.params["ts"] == live.response["ts"]
    assert "Build our APIs." in text_of(last) and "Rewrite" in buttons(last)


async def test_the_offline_writer_streams_too(
    draft: int, broker: AsyncBroker, slack_client: AsyncWebClient, slack_api: FakeSlackAPI
) -> None:
    paced = Settings(public_url=PUBLIC_URL, offline_stream_pace=0.05)
    result = await describe_in_thread(
        draft,
        "run-live",
        ASKED.payload(),
        gateway=OfflineGateway(chunk_delay=0.05),
        broker=broker,
        slack_clients=WorkspaceClients.single(slack_client),
        settings=paced,
    )
    assert result["ok"]
    [text] = slack_api.streamed().values()
    assert text.strip() == (result["text"] or "").strip()
    assert len(slack_api.calls("chat.appendStream")) >= 1
