"""Queueing and waiting (what the API and the bot call), broker selection, worker CLI guard."""

from __future__ import annotations

from typing import Any

import pytest
from taskiq import AsyncBroker, InMemoryBroker

from models.enums import GenerationStatus
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.settings import Settings, SettingsError
from tests import factories
from tests.fakes.openai_server import FakeOpenAI, server_error, slow
from tests.workers.test_tasks import replaced_task
from workers import dispatch
from workers.broker import RecoveringStreamBroker, broker_lifespan, build_broker
from workers.broker import broker as the_broker
from workers.cli import run_worker
from workers.llm import LLMGateway
from workers.tasks.names import POST_GENERATION_TASK
from workers.threads import ThreadRef


async def test_generate_and_wait_returns_the_stored_description(
    broker: AsyncBroker, editor: Actor
) -> None:
    job_id = await factories.draft(editor)

    outcome = await dispatch.generate_and_wait(job_id, 5, notes="Remote within the EU.")

    assert outcome["ok"] and outcome["job_id"] == job_id
    assert "Remote within the EU." in (outcome["text"] or "")
    assert (await jobs.get_job(editor, job_id)).description == outcome["text"]


async def test_a_model_failure_raises_generation_failed_with_the_reason(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(server_error(502))

    with pytest.raises(dispatch.GenerationFailed, match="HTTP 502"):
        await dispatch.generate_and_wait(job_id, 5)


async def test_past_the_wait_the_run_goes_on(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(slow(0.6))

    with pytest.raises(dispatch.GenerationTimeout, match=f"job {job_id} is still being written"):
        await dispatch.generate_and_wait(job_id, 0.1)
    assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.PENDING

    await broker.wait_all()  # type: ignore[attr-defined]
    assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.READY


async def test_queue_generation_marks_pending_and_passes_the_thread_on(
    broker: AsyncBroker, editor: Actor
) -> None:
    job_id = await factories.draft(editor)
    await dispatch.generate_and_wait(job_id, 5)
    received: list[dict[str, Any]] = []

    async def post_generation(**kwargs: Any) -> None:
        received.append(kwargs)

    with replaced_task(broker, POST_GENERATION_TASK, post_generation):
        thread = ThreadRef(team_id="T1", channel="C1", thread_ts="1.1", user_id="U1")
        handle = await dispatch.queue_generation(job_id, thread)  # a Retry button
        assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.PENDING
        result = await dispatch.wait(handle, 5)
        await broker.wait_all()  # type: ignore[attr-defined]

    assert result["ok"]
    assert received == [{**result, "thread": thread.payload(), "run_id": handle.run_id}]
    assert ThreadRef.from_payload(received[0]["thread"]) == thread


async def test_rewrite_and_wait(broker: AsyncBroker) -> None:
    outcome = await dispatch.rewrite_and_wait(
        "Data Engineer", "## About the role\n\nWe move data.", "Make it remote.", 5
    )

    assert outcome["ok"] and "Remote" in (outcome["job_description"] or "")


async def test_queue_conversion(broker: AsyncBroker, editor: Actor) -> None:
    job = await factories.job(editor)

    result = await dispatch.wait(await dispatch.queue_conversion(job.id), 5)

    assert result["ok"] and result["job_id"] == job.id
    assert (await jobs.get_job(editor, job.id)).jd_json_status is GenerationStatus.READY


async def test_the_lifespan_runs_the_embedded_workers(db: None) -> None:
    async with broker_lifespan(None):
        assert the_broker.state.gateway.name == "offline"
        assert isinstance(await dispatch.rewrite_and_wait("T", "Text.", "Shorter.", 5), dict)
    assert "gateway" not in the_broker.state


# Broker selection --------------------------------------------------------------------------


def test_memory_url_gives_the_in_memory_broker() -> None:
    assert isinstance(build_broker(Settings(broker_url="memory://")), InMemoryBroker)


def test_redis_url_gives_a_stream_broker_that_redelivers() -> None:
    built = build_broker(
        Settings(broker_url="redis://127.0.0.1:6379/3?queue=jobs-a", task_redelivery_seconds=42)
    )

    assert isinstance(built, RecoveringStreamBroker)
    assert built.queue_name == "jobs-a" and built.consumer_group_name == "jobs-a"
    assert built.idle_timeout == 42_000
    assert built.connection_pool.connection_kwargs["db"] == 3


@pytest.mark.parametrize(
    ("url", "package"),
    [
        ("nats://127.0.0.1:4222", "taskiq-nats"),
        ("amqp://guest:guest@127.0.0.1/", "taskiq-aio-pika"),
    ],
)
def test_optional_brokers_name_the_package_to_install(url: str, package: str) -> None:
    pytest.importorskip("taskiq")
    module = package.replace("-", "_")
    try:
        __import__(module)
    except ImportError:
        with pytest.raises(SettingsError, match=f"pip install {package}"):
            build_broker(Settings(broker_url=url))
    else:
        assert build_broker(Settings(broker_url=url)) is not None


def test_the_worker_refuses_the_in_memory_broker(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_worker(Settings(broker_url="memory://")) == 2
    assert "tasks run inside `hirebot serve`" in capsys.readouterr().err
