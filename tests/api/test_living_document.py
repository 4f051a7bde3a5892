"""The description as a living document through the API: versions and restore, who wrote
each one, per-change acceptance of a rewrite, the language check, the generation's state
(and its server-sent events), and the monthly model budget."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest

from api.app import create_app
from models import usage
from models.db import current_engine
from models.enums import GenerationStatus, Purpose, Role
from models.errors import Conflict, Invalid
from models.identity.actor import Actor
from models.jobs import generation
from models.jobs import operations as jobs
from models.jobs.schemas import DraftRequest
from models.settings import get_settings
from models.tables import DescriptionVersion, Job, ModelCall
from tests import factories
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.live_server import live_server
from workers import queue
from workers.llm import LLMGateway
from workers.operations import descriptions
from workers.operations import jobs as use_cases

pytestmark = pytest.mark.usefixtures("broker")

THREE_PARAGRAPHS = (
    "We build APIs.\n\nYou will write Python every day.\n\nWe meet in Lisbon on Mondays."
)


@pytest.fixture(name="http")
async def fx_http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(get_settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def admin_of(actor: Actor) -> Actor:
    return await factories.user(actor.org_id, Role.ADMIN)


# Versions and provenance ------------------------------------------------------------------


async def test_every_change_is_a_version_and_an_old_one_can_be_restored(
    http: httpx.AsyncClient, editor: Actor
) -> None:
    auth = await factories.headers(editor)
    job = await factories.job(editor, description="First words.")
    for text in ("Second words.", "Third words."):
        answered = await http.patch(f"/api/jobs/{job.id}", json={"description": text}, headers=auth)
        assert answered.status_code == 200, answered.text
    await http.patch(f"/api/jobs/{job.id}", json={"title": "Renamed"}, headers=auth)  # no text

    listed = (await http.get(f"/api/jobs/{job.id}/versions", headers=auth)).json()
    assert [v["number"] for v in listed] == [3, 2, 1]
    assert {v["source"] for v in listed} == {"typed"}
    assert all(v["author"] == "person" and v["author_user_id"] == editor.user_id for v in listed)
    first = (await http.get(f"/api/jobs/{job.id}/versions/1", headers=auth)).json()
    assert first["text"] == "First words." and first["surface"] == "api"

    restored = await http.post(f"/api/jobs/{job.id}/versions/1/restore", headers=auth)
    assert restored.status_code == 200, restored.text
    assert restored.json()["description"] == "First words."
    newest = (await http.get(f"/api/jobs/{job.id}/versions", headers=auth)).json()[0]
    assert newest["number"] == 4 and newest["source"] == "restored"
    assert newest["restored_from"] == 1
    assert (await http.get(f"/api/jobs/{job.id}/versions/9", headers=auth)).status_code == 404


async def test_versions_follow_the_jobs_permissions(http: httpx.AsyncClient, editor: Actor) -> None:
    job = await factories.job(editor, description="Ours.")
    stranger = await factories.user(await factories.org(), Role.ADMIN)
    viewer = await factories.user(editor.org_id, Role.VIEWER)
    await jobs.share_job(editor, job.id, [viewer.user_id])
    for who, path, status in (
        (stranger, f"/api/jobs/{job.id}/versions", 404),
        (stranger, f"/api/jobs/{job.id}/versions/1", 404),
        (viewer, f"/api/jobs/{job.id}/versions", 200),
        (viewer, f"/api/jobs/{job.id}/versions/1/restore", 403),
    ):
        method = http.post if path.endswith("restore") else http.get
        answered = await method(path, headers=await factories.headers(who))
        assert answered.status_code == status, (path, answered.text)
    assert await DescriptionVersion.count().where(DescriptionVersion.job == job.id) == 1


async def test_a_model_written_description_points_to_its_call(
    http: httpx.AsyncClient, editor: Actor, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    auth = await factories.headers(editor)
    draft, handle = await descriptions.draft_job(editor, await _draft_request())
    assert (await queue.wait(handle, 10))["ok"]

    detail = (await http.get(f"/api/jobs/{draft.id}", headers=auth)).json()
    provenance = detail["description_provenance"]
    assert provenance["written_by"] == "model" and provenance["source"] == "generated"
    assert provenance["model"] == "fake-model"
    assert provenance["accepted_by_id"] == editor.user_id
    call = await ModelCall.select().where(ModelCall.id == provenance["model_call_id"]).first()
    assert call is not None
    assert call["purpose"] == Purpose.GENERATE and call["outcome"] == "ok"
    assert call["org"] == editor.org_id and call["user"] == editor.user_id
    assert (call["tokens_in"], call["tokens_out"]) == (10, 10)  # the fake's usage report
    assert len(call["input_hash"]) == 64 and call["prompt_version"]

    # A person's edit then: the detail says so.
    await http.patch(f"/api/jobs/{draft.id}", json={"description": "By hand."}, headers=auth)
    detail = (await http.get(f"/api/jobs/job-detail/{draft.id}/", headers=auth)).json()["job"]
    assert detail["description_provenance"]["written_by"] == "person"
    assert detail["description_provenance"]["version"] == 2


async def test_existing_descriptions_become_version_one_when_migrated(editor: Actor) -> None:
    """The migration's backfill, run again on a job without versions."""
    from models.migrations.hirebot_2026_12_02t10_22_06_000000 import _BACKFILL

    job = await factories.job(editor, description="Old text.")
    await DescriptionVersion.delete().where(DescriptionVersion.job == job.id)
    await current_engine().run_ddl(_BACKFILL)
    [row] = await DescriptionVersion.select().where(DescriptionVersion.job == job.id)
    assert (row["number"], row["text"], row["source"]) == (1, "Old text.", "typed")


# A rewrite, change by change ---------------------------------------------------------------


async def test_accepting_two_of_three_changes_lands_exactly_those(
    editor: Actor, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    job = await factories.job(editor, description=THREE_PARAGRAPHS)
    rewritten = (
        "We build reliable APIs.\n\nYou will write Python and Go every day.\n\n"
        "We meet online on Mondays."
    )
    fake_openai.script(
        Reply(content=json.dumps({"job_description": rewritten, "suggested_skills": ["Go"]}))
    )
    handle = await descriptions.rewrite_job(editor, job.id, "Make it sharper.")
    proposal = await queue.wait(handle, 10)
    changes = await use_cases.proposed_changes(editor, job.id, handle.run_id)
    assert len(changes) == 3

    accepted = (await use_cases.accept_rewrite(editor, job.id, handle.run_id, [0, 2])).job

    assert accepted.description == (
        "We build reliable APIs.\n\nYou will write Python every day.\n\nWe meet online on Mondays."
    )
    [newest] = (
        await DescriptionVersion.select()
        .where(DescriptionVersion.job == job.id)
        .order_by(DescriptionVersion.number, ascending=False)
        .limit(1)
    )
    assert newest["source"] == "rewrite_partial" and newest["author"] == "model"
    assert newest["accepted_by"] == editor.user_id and newest["model_call"] == proposal["call_id"]

    # The description moved on: the old proposal cannot be applied over it.
    with pytest.raises(Conflict, match="changed since this rewrite"):
        await use_cases.accept_rewrite(editor, job.id, handle.run_id, [1])


async def test_accepting_no_change_or_an_unknown_one_is_refused(editor: Actor) -> None:
    job = await factories.job(editor, description=THREE_PARAGRAPHS)
    handle = await descriptions.rewrite_job(editor, job.id, "Make it remote.")
    await queue.wait(handle, 10)
    for chosen, reason in (([], "at least one"), ([99], "No such change")):
        with pytest.raises(Invalid, match=reason):
            await use_cases.accept_rewrite(editor, job.id, handle.run_id, chosen)
    assert (await jobs.get_job(editor, job.id)).description == THREE_PARAGRAPHS


# The language check --------------------------------------------------------------------


async def test_the_language_check_in_the_api_and_the_detail(
    http: httpx.AsyncClient, editor: Actor
) -> None:
    auth = await factories.headers(editor)
    job = await factories.job(editor, description="We want a rockstar ninja, young and hungry.")
    report = (await http.get(f"/api/jobs/{job.id}/language-check", headers=auth)).json()
    phrases = {finding["phrase"].lower() for finding in report["findings"]}
    assert {"rockstar", "ninja", "young"} <= phrases
    assert not report["passed"]
    summary = (await http.get(f"/api/jobs/{job.id}", headers=auth)).json()["language_check"]
    assert summary["passed"] is False and summary["findings"] == len(report["findings"])


async def test_the_offline_writer_passes_the_check(editor: Actor) -> None:
    draft, handle = await descriptions.draft_job(editor, await _draft_request())
    assert (await queue.wait(handle, 10))["ok"]
    report = await jobs.language_check(editor, draft.id)
    assert report.passed, report.findings


# The generation as it is written -------------------------------------------------------------


async def test_generation_state_while_writing_and_when_ready(
    http: httpx.AsyncClient, editor: Actor
) -> None:
    auth = await factories.headers(editor)
    job_id = await factories.draft(editor)
    state = (await http.get(f"/api/jobs/{job_id}/generation", headers=auth)).json()
    assert state == {"job_id": job_id, "state": "pending", "text": "", "error": None}
    await generation.write_draft(job_id, "## About the role\n\nWe")
    state = (await http.get(f"/api/jobs/{job_id}/generation", headers=auth)).json()
    assert state["state"] == "writing" and state["text"].endswith("We")
    await generation.give_up_description(job_id, "The model kept failing.")
    state = (await http.get(f"/api/jobs/{job_id}/generation", headers=auth)).json()
    assert state["state"] == "failed" and state["error"] == "The model kept failing."


async def test_generation_events_end_with_the_stored_description(editor: Actor) -> None:
    """Over a real HTTP connection: the events arrive as the state changes."""
    auth = await factories.headers(editor)
    job_id = await factories.draft(editor)
    await generation.write_draft(job_id, "The first words")
    events: list[dict[str, object]] = []
    async with (
        live_server(create_app(get_settings())) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=20) as http,
    ):
        path = f"/api/jobs/{job_id}/generation/events"
        async with http.stream("GET", path, headers=auth) as sse:
            assert sse.headers["content-type"].startswith("text/event-stream")
            async for line in sse.aiter_lines():
                if not line.startswith("data:"):
                    continue
                events.append(json.loads(line.removeprefix("data:").strip()))
                if len(events) == 1:  # the model starts (and, offline, finishes) now
                    _, handle = await descriptions.describe_again(editor, job_id)
                    await queue.wait(handle, 10)
        missing = await http.get(f"/api/jobs/{job_id + 1000}/generation/events", headers=auth)
        assert missing.status_code == 404
    assert events[0] == {
        "job_id": job_id,
        "state": "writing",
        "text": "The first words",
        "error": None,
    }
    assert events[-1]["state"] == "ready"
    stored = await Job.select(Job.description).where(Job.id == job_id).first()
    assert stored is not None and events[-1]["text"] == stored["description"]


async def test_a_streamed_generation_keeps_the_text_so_far(
    editor: Actor, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    """The model streams; the worker keeps the text so far on the job while it writes."""
    seen: list[str] = []
    original = generation.write_draft

    async def spy(job_id: int, text: str) -> None:
        seen.append(text)
        await original(job_id, text)

    from workers.tasks import descriptions as task_module

    fake_openai.script(
        Reply(content="## About the role\n\n" + "We build things together. " * 20, chunk_delay=0.1)
    )
    task_module.DRAFT_EVERY, before = 0.2, task_module.DRAFT_EVERY
    generation.write_draft = spy  # type: ignore[assignment]
    try:
        draft, handle = await descriptions.draft_job(editor, await _draft_request())
        assert (await queue.wait(handle, 20))["ok"]
    finally:
        generation.write_draft = original  # type: ignore[assignment]
        task_module.DRAFT_EVERY = before
    assert len(seen) >= 2 and all(len(a) < len(b) for a, b in itertools.pairwise(seen))
    assert fake_openai.bodies[0]["stream"] is True
    row = await Job.select().where(Job.id == draft.id).first()
    assert row is not None and row["description_draft"] is None
    assert row["description_status"] == GenerationStatus.READY


# Budgets -------------------------------------------------------------------------------------


async def test_a_budget_crossed_mid_month_refuses_model_work_until_it_resets(
    http: httpx.AsyncClient, editor: Actor, online: LLMGateway
) -> None:
    admin = await admin_of(editor)
    admin_auth, auth = await factories.headers(admin), await factories.headers(editor)
    job = await factories.job(editor, description=THREE_PARAGRAPHS)
    assert (
        await http.put("/api/usage/budget", json={"monthly_tokens": 30}, headers=auth)
    ).status_code == 403
    answered = await http.put("/api/usage/budget", json={"monthly_tokens": 30}, headers=admin_auth)
    assert answered.status_code == 200 and answered.json()["monthly_tokens"] == 30

    # Last month's calls do not count; this month's 20 tokens leave room for one more call.
    await _spent(editor, 1_000_000, datetime.now(UTC) - timedelta(days=40))
    first = await http.post(f"/api/jobs/{job.id}/generate", headers=auth)
    assert first.status_code == 202, first.text
    await _until_ready(editor, job.id)
    budget = (await http.get("/api/usage/budget", headers=admin_auth)).json()
    assert budget["used_this_month"] >= 20

    await _spent(editor, 20, datetime.now(UTC))  # past 30 now
    refused = await http.post(f"/api/jobs/{job.id}/generate", headers=auth)
    assert refused.status_code == 429, refused.text
    resets = usage.next_month(datetime.now(UTC))
    assert resets.strftime("%Y-%m-%d") in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 31 * 24 * 3600
    rewrite = await http.post(
        "/api/jobs/rewrite-job-description/",
        json={"job_title": "T", "job_description": "D.", "user_prompt": "Shorter."},
        headers=auth,
    )
    assert rewrite.status_code == 429
    # The offline writer is still there.
    offline = await http.post(f"/api/jobs/{job.id}/generate?writer=offline", headers=auth)
    assert offline.status_code == 202
    await _until_ready(editor, job.id)
    assert (await jobs.get_job(editor, job.id)).description_generated_by == "offline"

    # 0: no limit.
    await http.put("/api/usage/budget", json={"monthly_tokens": 0}, headers=admin_auth)
    assert (await http.post(f"/api/jobs/{job.id}/generate", headers=auth)).status_code == 202


async def test_usage_by_month_user_and_purpose_for_admins(
    http: httpx.AsyncClient, editor: Actor
) -> None:
    admin = await admin_of(editor)
    await _spent(editor, 100, datetime.now(UTC))
    await _spent(admin, 50, datetime.now(UTC), purpose=Purpose.CONVERSE)
    await _spent(editor, 7, datetime.now(UTC) - timedelta(days=35))
    assert (
        await http.get("/api/usage", headers=await factories.headers(editor))
    ).status_code == 403
    report = (await http.get("/api/usage", headers=await factories.headers(admin))).json()
    this_month = report["months"][0]
    assert this_month["month"] == f"{datetime.now(UTC):%Y-%m}" and this_month["tokens"] == 150
    assert {line["key"]: line["tokens"] for line in this_month["by_purpose"]} == {
        "generate": 100,
        "converse": 50,
    }
    assert {line["tokens"] for line in this_month["by_user"]} == {100, 50}
    assert len(report["months"]) == 2 and report["months"][1]["tokens"] == 7


@pytest.mark.parametrize("body", [{"monthly_tokens": -1}, {"monthly_tokens": "lots"}, {}])
async def test_a_bad_budget_is_refused_naming_the_field(
    http: httpx.AsyncClient, editor: Actor, body: dict[str, object]
) -> None:
    admin = await admin_of(editor)
    answered = await http.put(
        "/api/usage/budget", json=body, headers=await factories.headers(admin)
    )
    assert answered.status_code == 400
    assert "monthly_tokens" in answered.text


# Helpers -------------------------------------------------------------------------------------


async def _draft_request() -> DraftRequest:
    return msgspec.convert(
        {
            "job_title": "Data Engineer",
            "must_have_skills": ["Python", "SQL"],
            "employment_type": "Full-time",
            "min_experience": 2,
            "max_experience": 5,
        },
        DraftRequest,
    )


async def _spent(
    actor: Actor, tokens: int, when: datetime, purpose: Purpose = Purpose.GENERATE
) -> None:
    call_id = await usage.record_call(
        usage.CallRecord(
            org_id=actor.org_id,
            user_id=actor.user_id,
            purpose=purpose,
            model="fake-model",
            prompt_version="test",
            input_hash="0" * 64,
            tokens_in=tokens,
        )
    )
    await ModelCall.update({ModelCall.created_at: when}).where(ModelCall.id == call_id)


async def _until_ready(actor: Actor, job_id: int) -> None:
    for _ in range(200):
        job = await jobs.get_job(actor, job_id)
        if job.description_status is GenerationStatus.READY:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the description was never written")
