"""The worker tasks: through taskiq's in-memory broker, and called directly.

The model is either the offline writer or the real openai client against a fake server.
(Their Slack-flavoured wrappers, which post into threads, are tested in tests/bot.)
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from taskiq import AsyncBroker

from models import idempotency
from models.enums import GenerationStatus
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs.schemas import JobUpdate
from models.tables import TaskRun
from tests import factories
from tests.fakes.openai_server import FakeOpenAI, Reply, completion, server_error, slow
from workers.llm import (
    JobDescriptionInput,
    LLMGateway,
    OfflineGateway,
    RewriteInput,
    RewriteResult,
    StructuredJD,
)
from workers.llm.schemas import GeneratedText
from workers.tasks import convert_jd_to_json, generate_job_description, rewrite_job_description


async def wait_for(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


# Generation --------------------------------------------------------------------------------


async def test_generation_stores_the_description_then_structures_it(
    broker: AsyncBroker, editor: Actor
) -> None:
    job_id = await factories.draft(editor)

    task = await generate_job_description.kiq(job_id=job_id, run_id="r1")
    result = (await task.wait_result(timeout=5)).return_value
    await broker.wait_all()  # type: ignore[attr-defined]

    job = await jobs.get_job(editor, job_id)
    assert result["ok"] and result["generated_by"] == "offline"
    assert job.description == result["text"] and "Backend Engineer" in job.description
    assert job.description_status is GenerationStatus.READY
    assert job.description_generated_by == "offline"
    assert job.description_generated_at is not None
    assert job.jd_json_status is GenerationStatus.READY
    assert job.jd_json is not None and job.jd_json["title"] == "Backend Engineer"
    assert job.jd_json_generated_by == "offline" and job.jd_json_generated_at is not None
    assert await idempotency.stored("generate:r1") == result
    assert (await idempotency.stored("convert:r1") or {})["ok"] is True


async def test_a_redelivered_generation_stores_once_and_asks_the_model_once(
    broker: AsyncBroker,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    editor: Actor,
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(completion("# Backend Engineer\n\nFirst answer."))
    first = await generate_job_description.kiq(job_id=job_id, run_id="r2")
    first_result = (await first.wait_result(timeout=5)).return_value
    await broker.wait_all()  # type: ignore[attr-defined]

    fake_openai.script(completion("# Backend Engineer\n\nA different answer."))
    again = await generate_job_description.kiq(job_id=job_id, run_id="r2")
    again_result = (await again.wait_result(timeout=5)).return_value
    await broker.wait_all()  # type: ignore[attr-defined]

    assert again_result == first_result
    assert first_result["text"] == "# Backend Engineer\n\nFirst answer."
    job = await jobs.get_job(editor, job_id)
    assert job.description == first_result["text"]
    assert job.description_generated_by == "fake-model"
    # One generation call and one conversion call: the redelivery asked the model nothing.
    assert len(fake_openai.requests) == 2
    assert await TaskRun.count().where(TaskRun.key == "generate:r2") == 1
    assert await TaskRun.count().where(TaskRun.key == "convert:r2") == 1


async def test_concurrent_deliveries_store_one_result_and_convert_once(
    broker: AsyncBroker,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    editor: Actor,
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(slow(0.3, completion("Answer one")), slow(0.3, completion("Answer two")))

    tasks = [await generate_job_description.kiq(job_id=job_id, run_id="r3") for _ in range(2)]
    results = [(await t.wait_result(timeout=5)).return_value for t in tasks]
    await broker.wait_all()  # type: ignore[attr-defined]

    assert results[0] == results[1]
    job = await jobs.get_job(editor, job_id)
    assert job.description == results[0]["text"]
    assert await TaskRun.count().where(TaskRun.key == "generate:r3") == 1
    assert await TaskRun.count().where(TaskRun.key.like("convert:r3%")) == 1


async def test_a_model_failure_marks_the_description_failed(
    broker: AsyncBroker,
    online: LLMGateway,
    fake_openai: FakeOpenAI,
    editor: Actor,
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(server_error(500))

    task = await generate_job_description.kiq(job_id=job_id, run_id="r4")
    result = (await task.wait_result(timeout=5)).return_value
    await broker.wait_all()  # type: ignore[attr-defined]

    assert result["ok"] is False and "HTTP 500" in result["reason"]
    job = await jobs.get_job(editor, job_id)
    assert job.description == ""
    assert job.description_status is GenerationStatus.FAILED
    assert job.jd_json_status is GenerationStatus.NONE  # nothing to structure
    assert len(fake_openai.requests) == 1


async def test_a_description_edited_while_generating_is_kept(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    job_id = await factories.draft(editor)
    fake_openai.script(slow(0.5, completion("The model's text")))

    task = await generate_job_description.kiq(job_id=job_id, run_id="r5")
    await wait_for(lambda: fake_openai.requests)
    await jobs.update_job(editor, job_id, JobUpdate(description="Written by hand."))
    result = (await task.wait_result(timeout=5)).return_value

    assert result["ok"] is False and "edited" in result["reason"]
    job = await jobs.get_job(editor, job_id)
    assert job.description == "Written by hand."
    assert job.description_status is GenerationStatus.NONE


async def test_a_vanished_job_fails_cleanly(broker: AsyncBroker) -> None:
    task = await generate_job_description.kiq(job_id=999, run_id="r6")
    result = (await task.wait_result(timeout=5)).return_value
    await broker.wait_all()  # type: ignore[attr-defined]

    assert result == {
        "ok": False,
        "job_id": 999,
        "text": None,
        "reason": "job 999 not found",
        "generated_by": None,
    }


class BrokenGateway:
    """A model client with a bug in it (not an LLMError)."""

    name = "broken"

    async def generate(self, data: JobDescriptionInput, **_: Any) -> GeneratedText:
        raise KeyError("choices")

    async def rewrite(self, data: RewriteInput, **_: Any) -> RewriteResult:
        raise KeyError("choices")

    async def convert(self, title: str, description: str, **_: Any) -> StructuredJD:
        raise KeyError("choices")

    async def aclose(self) -> None:
        return None


async def test_an_unexpected_error_is_raised_and_nothing_is_recorded(
    broker: AsyncBroker, editor: Actor
) -> None:
    job_id = await factories.draft(editor)

    with pytest.raises(KeyError):
        await generate_job_description(job_id, "r7", gateway=BrokenGateway(), broker=broker)

    assert await idempotency.stored("generate:r7") is None  # a redelivery may still succeed


async def test_called_directly_the_task_is_a_plain_function(
    broker: AsyncBroker, editor: Actor
) -> None:
    job_id = await factories.draft(editor)

    result = await generate_job_description(job_id, "r8", gateway=OfflineGateway(), broker=broker)

    assert result["ok"] and (await jobs.get_job(editor, job_id)).description == result["text"]


# Conversion --------------------------------------------------------------------------------


async def test_conversion_skips_a_description_that_changed_meanwhile(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    job = await factories.job(editor, description="## About the role\n\nOld text.")
    fake_openai.script(slow(0.5, Reply()))

    task = await convert_jd_to_json.kiq(job_id=job.id, run_id="c1")
    await wait_for(lambda: fake_openai.requests)
    await jobs.update_job(editor, job.id, JobUpdate(description="## About the role\n\nNew."))
    result = (await task.wait_result(timeout=5)).return_value

    assert result["ok"] is False and result["stale"] is True
    current = await jobs.get_job(editor, job.id)
    assert current.jd_json is None
    assert current.jd_json_status is GenerationStatus.PENDING  # the new text's turn


async def test_conversion_runs_once_per_run(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    job = await factories.job(editor)

    first = await convert_jd_to_json(job.id, "c2", gateway=online)
    again = await convert_jd_to_json(job.id, "c2", gateway=online)

    assert first == again and first["ok"] and first["generated_by"] == "fake-model"
    assert len(fake_openai.requests) == 1
    stored = await jobs.get_job(editor, job.id)
    assert stored.jd_json_status is GenerationStatus.READY
    assert stored.jd_json is not None and stored.jd_json["summary"]


async def test_a_failed_conversion_is_marked_failed(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI, editor: Actor
) -> None:
    job = await factories.job(editor)
    fake_openai.script(server_error(503))

    result = await convert_jd_to_json(job.id, "c3", gateway=online)

    assert result["ok"] is False and "HTTP 503" in result["reason"]
    assert (await jobs.get_job(editor, job.id)).jd_json_status is GenerationStatus.FAILED


# Rewrite -----------------------------------------------------------------------------------


async def test_a_rewrite_suggests_without_changing_the_job_and_runs_once(
    broker: AsyncBroker, editor: Actor
) -> None:
    job = await factories.job(editor, description="## About the role\n\nWe build APIs.")
    kwargs = {
        "run_id": "w1",
        "title": job.title,
        "description": job.description,
        "instruction": "Add Kubernetes to the skills.",
        "job_id": job.id,
    }

    first = (
        await (await rewrite_job_description.kiq(**kwargs)).wait_result(timeout=5)
    ).return_value
    again = (
        await (await rewrite_job_description.kiq(**kwargs)).wait_result(timeout=5)
    ).return_value
    await broker.wait_all()  # type: ignore[attr-defined]

    assert first == again
    assert first["ok"] and first["generated_by"] == "offline"
    assert "Kubernetes" in (first["job_description"] or "")
    assert first["suggested_skills"]
    assert (await jobs.get_job(editor, job.id)).description == job.description
    assert await idempotency.stored("rewrite:w1") == first


async def test_a_failed_rewrite_reports_the_reason(
    broker: AsyncBroker, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(server_error(500))

    result = await rewrite_job_description("w2", "Engineer", "Text.", "Shorter.", gateway=online)

    assert result["ok"] is False and result["job_description"] is None
    assert "HTTP 500" in (result["reason"] or "")
