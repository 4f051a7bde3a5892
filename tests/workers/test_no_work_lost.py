"""No work lost: transient faults are retried with the same task id, work is queued with
the change (the outbox), the relay sends what the broker refused, the sweeper finds what is
stuck, and a task that keeps failing ends failed with its reason.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from taskiq import AsyncBroker

from models import outbox
from models.enums import EmploymentType, GenerationStatus
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs.schemas import DraftRequest, JobCreate, JobUpdate
from models.tables import Job, OutboxMessage
from tests import factories
from workers import relay, retry
from workers.broker import gateway_of
from workers.llm import GeneratedText, JobDescriptionInput, OfflineGateway
from workers.operations import descriptions
from workers.operations import jobs as use_cases
from workers.tasks import generate_job_description

REQUEST = DraftRequest(
    job_title="Backend Engineer",
    must_have_skills=["Python"],
    employment_type=EmploymentType.FULL_TIME,
    min_experience=2,
    max_experience=5,
)


def job_create(title: str, description: str, **fields: Any) -> JobCreate:
    return msgspec.convert({"title": title, "description": description, **fields}, JobCreate)


async def until(condition: Callable[[], Any], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


class FlakyGateway(OfflineGateway):
    """The offline writer, failing on a transient fault the first `failures` times."""

    def __init__(self, failures: int, fault: Callable[[], BaseException]) -> None:
        super().__init__()
        self.failures, self.fault, self.calls = failures, fault, 0

    async def generate(self, data: JobDescriptionInput, **kwargs: Any) -> GeneratedText:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.fault()
        return await super().generate(data, **kwargs)


async def test_a_transient_fault_is_retried_and_the_caller_gets_the_result(
    broker: AsyncBroker, editor: Actor
) -> None:
    gateway = FlakyGateway(2, lambda: ConnectionResetError("connection reset by peer"))
    broker.dependency_overrides[gateway_of] = lambda: gateway

    text, job = await descriptions.draft_and_wait(editor, REQUEST, 15)

    assert gateway.calls == 3 and text
    assert job.description_status is GenerationStatus.READY
    [row] = await OutboxMessage.select().where(
        OutboxMessage.task_name == generate_job_description.task_name
    )
    assert row["done_at"] is not None and row["failed_at"] is None


async def test_a_permanent_failure_is_not_retried(broker: AsyncBroker, editor: Actor) -> None:
    gateway = FlakyGateway(5, lambda: KeyError("choices"))
    broker.dependency_overrides[gateway_of] = lambda: gateway
    _, handle = await descriptions.draft_job(editor, REQUEST)
    await asyncio.sleep(1.5)
    assert gateway.calls == 1
    [row] = await OutboxMessage.select().where(OutboxMessage.task_id == handle.task_id)
    assert row["done_at"] is not None  # done: failed, not waiting for another go


async def test_a_broker_that_refuses_leaves_the_work_in_the_outbox_until_it_is_back(
    broker: AsyncBroker, editor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    kick = broker.kick
    refusals = {"left": 1}

    async def refusing(message: Any) -> None:
        if refusals["left"]:
            refusals["left"] -= 1
            raise ConnectionError("broker unavailable")
        await kick(message)

    monkeypatch.setattr(broker, "kick", refusing)
    job = await use_cases.create_job(editor, job_create("Data Engineer", "Move data."))
    [row] = await OutboxMessage.select().where(OutboxMessage.task_id.is_not_null())
    assert row["sent_at"] is None and "broker unavailable" in row["last_error"]  # committed

    async def converted() -> bool:
        return (await jobs.get_job(editor, job.id)).jd_json_status is GenerationStatus.READY

    await until(converted)  # the relay sent it once the broker took messages again


async def test_a_rolled_back_change_queues_nothing(broker: AsyncBroker, editor: Actor) -> None:
    from models.errors import Invalid

    existing = await factories.job(editor, description="")
    await OutboxMessage.delete().where(OutboxMessage.id > 0)
    with pytest.raises(Invalid):
        await use_cases.update_job(
            editor, existing.id, JobUpdate(min_experience=9, max_experience=1)
        )
    with pytest.raises(Invalid):
        await use_cases.create_job(
            editor, job_create("Ok", "Text.", min_experience=9, max_experience=1)
        )
    assert await OutboxMessage.count() == 0


async def test_the_sweeper_queues_a_job_left_pending(broker: AsyncBroker, editor: Actor) -> None:
    """A draft pending with nothing on its way (its work lost before the outbox existed, or
    with Redis's data): the sweeper queues it and it ends ready."""
    job_id = await factories.draft(editor)
    await Job.update({Job.updated_at: datetime.now(UTC) - timedelta(hours=1)}).where(
        Job.id == job_id
    )
    sweeper = relay.Relay(broker, broker.state.settings)
    assert await sweeper.sweep() == 1
    assert await sweeper.sweep() == 0  # queued already: not twice

    async def ready() -> bool:
        return (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.READY

    await until(ready)


async def test_a_sent_task_not_done_in_time_is_sent_again(
    broker: AsyncBroker, editor: Actor
) -> None:
    """The broker lost a task (Redis restarted without its data, a worker died under a
    broker that does not redeliver): past its worst case, the relay sends it again."""
    job_id = await factories.draft(editor)
    await outbox.put(
        generate_job_description.task_name, "lost-run", {"job_id": job_id, "run_id": "lost-run"}
    )
    await OutboxMessage.update(
        {OutboxMessage.sent_at: datetime.now(UTC) - timedelta(hours=1), OutboxMessage.sends: 1}
    ).where(OutboxMessage.task_id == "lost-run")
    sender = relay.Relay(broker, broker.state.settings)
    assert await sender.pass_once() == 1

    async def done() -> bool:
        # The outbox row is marked done after the task returns, so a moment after the job.
        row = await OutboxMessage.select().where(OutboxMessage.task_id == "lost-run").first()
        return row is not None and row["done_at"] is not None

    await until(done)
    assert (await jobs.get_job(editor, job_id)).description_status is GenerationStatus.READY
    [row] = await OutboxMessage.select().where(OutboxMessage.task_id == "lost-run")
    assert row["sends"] == 2


async def test_a_task_that_keeps_failing_ends_failed_with_its_reason(
    broker: AsyncBroker, editor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry, "RETRY_FOR", 1.5)
    monkeypatch.setattr(retry, "MAX_DELAY", 0.2)
    broker.dependency_overrides[gateway_of] = lambda: FlakyGateway(
        1000, lambda: TimeoutError("the model server hangs")
    )
    job, handle = await descriptions.draft_job(editor, REQUEST)

    async def failed() -> bool:
        return (await jobs.get_job(editor, job.id)).description_status is GenerationStatus.FAILED

    await until(failed)
    stored = await jobs.get_job(editor, job.id)
    assert "several tries" in (stored.description_error or "")
    [row] = await OutboxMessage.select().where(OutboxMessage.task_id == handle.task_id)
    assert row["failed_at"] is not None


async def test_generate_and_convert_again_through_the_api(client: Any, editor: Actor) -> None:
    headers = await factories.headers(editor)
    job = await factories.job(editor, description="")
    refused = await client.post(f"/api/jobs/{job.id}/convert", headers=headers)
    assert refused.status_code == 400  # nothing to structure yet
    answered = await client.post(f"/api/jobs/{job.id}/generate", headers=headers)
    assert answered.status_code == 202 and answered.json()["description_status"] == "pending"

    async def written() -> bool:
        return (await jobs.get_job(editor, job.id)).description_status is GenerationStatus.READY

    await until(written)
    again = await client.post(f"/api/jobs/{job.id}/convert", headers=headers)
    assert again.status_code == 202 and again.json()["jd_json_status"] == "pending"
