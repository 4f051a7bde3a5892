"""`hirebot worker` processes on a real Redis stream: redelivery after SIGKILL, SIGTERM shutdown.

The test process queues onto its own stream (a unique queue per test); the workers are
subprocesses on the same test database, talking to a fake OpenAI server whose first answer
is slow, so a task is reliably in flight when the worker is killed or stopped.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from taskiq import AsyncBroker, AsyncTaskiqTask
from taskiq.kicker import AsyncKicker

from models import idempotency
from models.enums import GenerationStatus
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.settings import Settings
from models.tables import TaskRun
from tests import factories
from tests.conftest import SERVICES
from tests.fakes.openai_server import DEFAULT_TEXT, FakeOpenAI, slow
from workers.broker import build_broker
from workers.tasks.names import CONVERT_TASK, GENERATE_TASK

pytestmark = [pytest.mark.redis, pytest.mark.slow]

QUICK_REDELIVERY: dict[str, Any] = {"redelivery": 17, "llm_timeout": 1}
"""The shortest window the worker accepts with a 1 s model timeout (its worst case is 16 s:
six model rounds of a conversation turn, plus a margin)."""

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`hirebot worker` in its own process group (so the test can kill all of it)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "worker"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def alive(self) -> bool:
        """Any process of the group still running (zombies do not count)."""
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid and fields[0] != "Z":
                return True
        return False


@pytest.fixture(name="queue")
async def fx_queue() -> AsyncIterator[str]:
    name = f"hirebot-test-{uuid.uuid4().hex[:10]}"
    yield name
    assert SERVICES.redis_url
    async with Redis.from_url(SERVICES.redis_url) as redis:
        keys = [key async for key in redis.scan_iter(f"{name}*")]
        if keys:
            await redis.delete(*keys)


@pytest.fixture(name="client")
async def fx_client(queue: str) -> AsyncIterator[AsyncBroker]:
    """The queueing side (like `hirebot serve`): it creates the consumer group first."""
    client = build_broker(Settings(broker_url=f"{SERVICES.redis_url}?queue={queue}"))
    await client.startup()
    yield client
    await client.shutdown()


@pytest.fixture(name="start_worker")
def fx_start_worker(
    queue: str, fake_openai: FakeOpenAI, tmp_path: Path, db: None
) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(
        *, redelivery: int = 600, grace: int = 10, llm_timeout: float = 60, metrics_port: int = 0
    ) -> Worker:
        env = {
            **os.environ,  # HIREBOT_DATABASE_URL: the test database
            "HIREBOT_BROKER_URL": f"{SERVICES.redis_url}?queue={queue}",
            "HIREBOT_TASK_REDELIVERY_SECONDS": str(redelivery),
            "HIREBOT_WORKER_SHUTDOWN_GRACE": str(grace),
            "OPENAI_API_KEY": "test",
            "OPENAI_BASE_URL": fake_openai.base_url,
            "HIREBOT_LLM_MODEL": "fake-model",
            "HIREBOT_LLM_MAX_ATTEMPTS": "1",
            "HIREBOT_LLM_TIMEOUT": str(llm_timeout),
            "HIREBOT_WORKER_METRICS_PORT": str(metrics_port),
        }
        worker = Worker(env, tmp_path / "worker.log")
        started.append(worker)
        return worker

    try:
        yield start
    except BaseException:
        raise
    finally:
        for worker in started:
            worker.kill()
        log = tmp_path / "worker.log"
        if log.exists():
            print(log.read_text()[-5000:])


async def kick(client: AsyncBroker, name: str, **kwargs: Any) -> AsyncTaskiqTask[Any]:
    kicker: AsyncKicker[Any, Any] = AsyncKicker(task_name=name, broker=client, labels={})
    return await kicker.kiq(**kwargs)


async def until(condition: Callable[[], Any], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def queued(queue: str) -> list[dict[str, Any]]:
    """Every message ever added to the stream (acknowledged or not), decoded."""
    assert SERVICES.redis_url
    async with Redis.from_url(SERVICES.redis_url) as redis:
        entries = await redis.xrange(queue)
    return [json.loads(fields[b"data"]) for _, fields in entries]


async def test_a_task_of_a_killed_worker_completes_once_in_another(
    client: AsyncBroker,
    queue: str,
    fake_openai: FakeOpenAI,
    start_worker: Callable[..., Worker],
    editor: Actor,
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(slow(60))  # the first worker never gets its answer
    first = start_worker()
    task = await kick(client, GENERATE_TASK, job_id=job_id, run_id="k1")

    await until(lambda: fake_openai.requests, 30, "the first worker to call the model")
    first.kill()
    start_worker(**QUICK_REDELIVERY)
    result = (await task.wait_result(timeout=60, check_interval=0.1)).return_value

    assert result["ok"] and result["text"] == DEFAULT_TEXT.strip()
    job = await jobs.get_job(editor, job_id)
    assert job.description == result["text"]
    assert job.description_status is GenerationStatus.READY
    assert await TaskRun.count().where(TaskRun.key == "generate:k1") == 1
    await until_async(lambda: idempotency.is_done("convert:k1"), 20, "the conversion")
    generations = [r for r in fake_openai.requests if "response_format" not in r.body]
    assert len(generations) == 2  # the killed attempt and the redelivery
    names = [m["task_name"] for m in await queued(queue)]
    assert names.count(GENERATE_TASK) == 1  # redelivered, not re-queued
    assert names.count(CONVERT_TASK) == 1


async def until_async(condition: Callable[[], Any], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_sigterm_lets_the_running_task_finish(
    client: AsyncBroker,
    fake_openai: FakeOpenAI,
    start_worker: Callable[..., Worker],
    editor: Actor,
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(slow(2))
    worker = start_worker(grace=10)
    task = await kick(client, GENERATE_TASK, job_id=job_id, run_id="t1")
    await until(lambda: fake_openai.requests, 30, "the worker to call the model")

    started = time.monotonic()
    worker.proc.send_signal(signal.SIGTERM)  # to the main process only, as a supervisor does
    code = await asyncio.to_thread(worker.proc.wait, 30)
    elapsed = time.monotonic() - started

    assert code == 0
    assert elapsed < 10, elapsed  # the task needed ~2 s; well within the grace period
    assert not worker.alive()
    assert (await task.wait_result(timeout=1)).return_value["ok"]
    assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.READY


async def test_past_the_grace_period_the_worker_exits_anyway(
    client: AsyncBroker,
    queue: str,
    fake_openai: FakeOpenAI,
    start_worker: Callable[..., Worker],
    editor: Actor,
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(slow(60))
    worker = start_worker(grace=1)
    await kick(client, GENERATE_TASK, job_id=job_id, run_id="t2")
    await until(lambda: fake_openai.requests, 30, "the worker to call the model")

    started = time.monotonic()
    worker.proc.send_signal(signal.SIGTERM)
    await asyncio.to_thread(worker.proc.wait, 30)
    elapsed = time.monotonic() - started

    # grace 1 s + broker shutdown 5 s + kill margin 1 s + the manager's 1 s tick
    assert elapsed < 9, elapsed
    assert not worker.alive()
    # The cut-off task recorded nothing (not even a failure) and was not acknowledged...
    assert await idempotency.stored("generate:t2") is None
    assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.PENDING
    assert SERVICES.redis_url
    async with Redis.from_url(SERVICES.redis_url) as redis:
        pending = await redis.xpending(queue, queue)
    assert pending["pending"] == 1

    # ...nor reported as a failure to whoever waits for it...
    assert not await client.result_backend.is_result_ready("t2")
    # ...so the next worker runs it.
    start_worker(**QUICK_REDELIVERY)
    await until_async(lambda: idempotency.is_done("generate:t2"), 60, "the redelivered task")
    assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.READY


async def test_messages_queued_before_any_worker_ran_are_delivered(
    queue: str, start_worker: Callable[..., Worker], editor: Actor
) -> None:
    """A first deploy, or Redis losing its data: the stream exists before the workers'
    consumer group does; the group is created at the start of the stream, so the message
    queued meanwhile is read."""
    job_id = await factories.draft(editor)
    sender = build_broker(Settings(broker_url=f"{SERVICES.redis_url}?queue={queue}"))
    await kick(sender, GENERATE_TASK, job_id=job_id, run_id="early")  # no group exists yet
    assert SERVICES.redis_url
    async with Redis.from_url(SERVICES.redis_url) as redis:
        assert await redis.xlen(queue) == 1
        assert await redis.xinfo_groups(queue) == []
    start_worker()
    await until_async(lambda: idempotency.is_done("generate:early"), 30, "the early message")
    assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.READY
    await sender.shutdown()


async def test_a_worker_serves_its_task_and_model_metrics(
    client: AsyncBroker, start_worker: Callable[..., Worker], editor: Actor
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start_worker(metrics_port=port)
    job_id = await factories.draft(editor)
    await kick(client, GENERATE_TASK, job_id=job_id, run_id="metered")
    await until_async(lambda: idempotency.is_done("generate:metered"), 30, "the generation")

    def scrape() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            return str(answer.read().decode())

    task = f'task_name="{GENERATE_TASK}"'

    def timed(text: str) -> bool:  # the task's duration is recorded once it has returned
        return any(
            line.startswith("execution_time_count") and task in line for line in text.splitlines()
        )

    text = await asyncio.to_thread(scrape)
    for _ in range(50):
        if timed(text):
            break
        await asyncio.sleep(0.2)
        text = await asyncio.to_thread(scrape)
    assert timed(text), text
    assert any(
        line.startswith("received_tasks_total") and task in line for line in text.splitlines()
    )
    calls = [line for line in text.splitlines() if line.startswith("hirebot_model_calls_total")]
    assert any('outcome="ok"' in line and 'purpose="generate"' in line for line in calls), calls
