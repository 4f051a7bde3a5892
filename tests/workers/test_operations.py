"""The application operations (queue and wait), the broker's selection and runtime, the
worker CLI guard."""

from __future__ import annotations

from typing import Any

import pytest
from taskiq import AsyncBroker, InMemoryBroker

from models.enums import GenerationStatus, Role
from models.errors import Forbidden, GenerationFailed, GenerationTimeout, NotFound
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs.schemas import DraftRequest
from models.settings import Settings, SettingsError, get_settings
from tests import factories
from tests.fakes.openai_server import FakeOpenAI, server_error, slow
from workers import queue
from workers.broker import RecoveringStreamBroker, active_broker, build_broker, shared
from workers.cli import run_worker
from workers.llm import LLMGateway
from workers.operations import descriptions
from workers.runtime import serving
from workers.tasks import descriptions as plain

REQUEST = DraftRequest(
    job_title="Backend Engineer",
    must_have_skills=["Python"],
    employment_type="Full-time",  # type: ignore[arg-type]
    min_experience=2,
    max_experience=5,
    notes="Remote within the EU.",
)

routed: list[dict[str, Any]] = []


async def routed_generation(
    job_id: int, run_id: str, label: str, notes: str | None = None, **given: Any
) -> Any:
    """A test-only route: a task wrapping the plain one, as the bot's do."""
    routed.append({"job_id": job_id, "run_id": run_id, "label": label, "notes": notes})
    return await plain.generate_job_description(
        job_id,
        run_id,
        notes,
        **given,
        gateway=active_broker().state.gateway,
        broker=active_broker(),
    )


routed_generation_task = shared.register_task(routed_generation, task_name="hirebot.test.routed")


async def test_draft_and_wait_returns_the_stored_description(
    broker: AsyncBroker, editor: Actor
) -> None:
    text, job = await descriptions.draft_and_wait(editor, REQUEST, 5)

    assert "Remote within the EU." in text
    assert job.description == text and job.description_status is GenerationStatus.READY
    assert (await jobs.get_job(editor, job.id)).description == text


async def test_a_model_failure_raises_generation_failed_with_the_reason(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    fake_openai.script(server_error(502))

    with pytest.raises(GenerationFailed, match="HTTP 502"):
        await descriptions.draft_and_wait(editor, REQUEST, 5)


async def test_past_the_wait_the_run_goes_on(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    fake_openai.script(slow(0.6))

    with pytest.raises(GenerationTimeout, match="is still being written"):
        await descriptions.draft_and_wait(editor, REQUEST, 0.1)
    [job] = await jobs.list_owned_and_shared(editor)
    assert job.description_status is GenerationStatus.PENDING

    await broker.wait_all()  # type: ignore[attr-defined]
    assert (await jobs.get_job(editor, job.id)).description_status is GenerationStatus.READY


async def test_describe_again_marks_pending_and_takes_the_route(
    broker: AsyncBroker, editor: Actor
) -> None:
    _, job = await descriptions.draft_and_wait(editor, REQUEST, 5)
    routed.clear()

    route = queue.Route(routed_generation_task, {"label": "thread 1"})
    _, handle = await descriptions.describe_again(editor, job.id, route=route)
    assert (await jobs.get_job(editor, job.id)).description_status is GenerationStatus.PENDING
    result = await queue.wait(handle, 5)

    assert result["ok"]
    assert routed == [
        {"job_id": job.id, "run_id": handle.run_id, "label": "thread 1", "notes": None}
    ]
    assert (await jobs.get_job(editor, job.id)).description_status is GenerationStatus.READY


async def test_operations_check_access_before_queueing(broker: AsyncBroker, editor: Actor) -> None:
    job = await factories.job(editor)
    viewer = await factories.user(editor.org_id, Role.VIEWER)
    stranger = await factories.user(await factories.org(), Role.ADMIN)

    with pytest.raises(NotFound):
        await descriptions.describe_again(stranger, job.id)
    with pytest.raises(NotFound):
        await descriptions.rewrite_job(viewer, job.id, "Shorter.")
    await jobs.share_job(editor, job.id, [viewer.user_id])
    with pytest.raises(Forbidden):
        await descriptions.convert_again(viewer, job.id)
    assert (await jobs.get_job(editor, job.id)).description_status is GenerationStatus.NONE


async def test_rewrite_text_and_wait(broker: AsyncBroker, editor: Actor) -> None:
    outcome, changes = await descriptions.rewrite_text_and_wait(
        editor, "Data Engineer", "## About the role\n\nWe move data.", "Make it remote.", 5
    )

    assert outcome["ok"] and "Remote" in (outcome["job_description"] or "")
    assert changes and any("Remote" in change.after for change in changes)


async def test_convert_again(broker: AsyncBroker, editor: Actor) -> None:
    job = await factories.job(editor)

    _, handle = await descriptions.convert_again(editor, job.id)
    result = await queue.wait(handle, 5)

    assert result["ok"] and result["job_id"] == job.id
    assert (await jobs.get_job(editor, job.id)).jd_json_status is GenerationStatus.READY


async def test_serving_runs_the_embedded_workers(db: None, editor: Actor) -> None:
    async with serving(get_settings()) as broker:
        assert broker is active_broker()
        assert broker.state.gateway.name == "offline"
        outcome, _ = await descriptions.rewrite_text_and_wait(editor, "T", "Text.", "Shorter.", 5)
        assert outcome["ok"]
    assert "gateway" not in broker.state


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
    assert run_worker(Settings(broker_url="memory://"), ["workers.tasks"]) == 2
    assert "tasks run inside `hirebot serve`" in capsys.readouterr().err


def test_the_worker_refuses_a_redelivery_window_shorter_than_a_task(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A window a running task could outlast would make a live worker take its own task
    again; the worker says so and does not start."""
    from workers.retry import worst_case_seconds

    settings = Settings(
        broker_url="redis://127.0.0.1:6379/3", task_redelivery_seconds=60, llm_timeout_seconds=60
    )
    assert worst_case_seconds(settings) > 60
    assert run_worker(settings, ["workers.tasks"]) == 2
    error = capsys.readouterr().err
    assert "HIREBOT_TASK_REDELIVERY_SECONDS=60" in error and "Set it above" in error
    assert error.count("\n") == 1
