"""End-to-end Slack flows: command -> modal -> submission -> worker -> thread -> buttons.

The real Bolt app behind the real /slack/events endpoint, requests signed as Slack signs
them, the offline writer answering through the in-memory broker, and a fake Slack Web API
whose recorded calls are the assertions.
"""

from __future__ import annotations

from typing import Any

from bot.blocks import ids
from bot.blocks.values import decode_origin, decode_value, encode_value
from models import idempotency
from models.enums import GenerationStatus, JobStatus
from models.jobs import generation
from models.jobs import operations as jobs
from models.jobs.changes import apply
from models.jobs.schemas import Job, JobUpdate
from models.tables import Job as JobTable
from tests.bot.conftest import CHANNEL, SECRET, SlackUser
from tests.fakes import slack_requests as signed
from tests.fakes.openai_server import FakeOpenAI, json_completion
from tests.fakes.slack_api import FakeSlackAPI, SlackCall
from tests.fakes.slack_requests import number_state, select_state, text_state
from workers.broker import active_broker, gateway_of
from workers.llm import LLMError, LLMGateway
from workers.llm.offline import OfflineGateway

TITLE = "Backend Engineer"


def new_job_state(
    title: str | None = TITLE,
    skills: str | None = "Python, PostgreSQL",
    min_years: int | str | None = 2,
    max_years: int | str | None = 5,
    location: str | None = "Lisbon",
    notes: str | None = "Small platform team",
) -> dict[str, Any]:
    return {
        ids.JOB_TITLE_BLOCK: {ids.JOB_TITLE_ACTION: text_state(title)},
        ids.JOB_SKILLS_BLOCK: {ids.JOB_SKILLS_ACTION: text_state(skills)},
        ids.JOB_EMPLOYMENT_BLOCK: {ids.JOB_EMPLOYMENT_ACTION: select_state("Full-time")},
        ids.JOB_MIN_EXPERIENCE_BLOCK: {ids.JOB_MIN_EXPERIENCE_ACTION: number_state(min_years)},
        ids.JOB_MAX_EXPERIENCE_BLOCK: {ids.JOB_MAX_EXPERIENCE_ACTION: number_state(max_years)},
        ids.JOB_LOCATION_BLOCK: {ids.JOB_LOCATION_ACTION: text_state(location)},
        ids.JOB_NOTES_BLOCK: {ids.JOB_NOTES_ACTION: text_state(notes)},
    }


def rewrite_state(job_id: int, instruction: str) -> dict[str, Any]:
    return {
        ids.REWRITE_JOB_BLOCK: {ids.REWRITE_JOB_ACTION: select_state(str(job_id))},
        ids.REWRITE_INSTRUCTION_BLOCK: {ids.REWRITE_INSTRUCTION_ACTION: text_state(instruction)},
    }


def buttons(call: SlackCall) -> dict[str, dict[str, Any]]:
    """The buttons of a posted message (or published view), by label."""
    blocks = call.params.get("blocks") or call.params.get("view", {}).get("blocks", [])
    return {
        element["text"]["text"]: element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    }


def posted(call: SlackCall) -> dict[str, Any]:
    """A posted message as Slack would send it back in a click payload."""
    return dict(call.response["message"], channel=call.params["channel"])


def text_of(call: SlackCall) -> str:
    """The fallback text and every text of the blocks (context lines included)."""
    parts = [str(call.params.get("text", ""))]
    blocks = call.params.get("blocks") or call.params.get("view", {}).get("blocks", [])
    for block in blocks:
        parts.append(str(block.get("text", {}).get("text", "")))
        parts.extend(e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str))
    return "\n".join(parts)


async def open_modal(slack_api: FakeSlackAPI, count: int = 1) -> dict[str, Any]:
    """The view of the latest views.open call (as the fake answered it, with its id)."""
    calls = await slack_api.await_for("views.open", count)
    return dict(calls[-1].response["view"])


async def the_job(user: SlackUser, title: str = TITLE) -> Job:
    actor = await user.actor()
    [found] = await jobs.find_jobs(actor, title)
    return await jobs.get_job(actor, found.id)


async def draft_a_job(user: SlackUser, slack_api: FakeSlackAPI) -> dict[str, Any]:
    """`/job new` to the description in the thread; what was posted along the way."""
    response = await user.command(f"new {TITLE}")
    assert response.status_code == 200
    view = await open_modal(slack_api)
    response = await user.submit(view, new_job_state())
    assert response.status_code == 200
    [drafting] = await slack_api.await_for(
        "chat.postMessage", predicate=lambda c: "thread_ts" not in c.params
    )
    root = drafting.response["ts"]
    [reply] = await slack_api.await_for(
        "chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == root
    )
    [headline] = await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == root
    )
    return {"view": view, "drafting": drafting, "reply": reply, "headline": headline}


# /job new ----------------------------------------------------------------------------------


async def test_job_new_opens_the_modal_with_the_title_prefilled(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    response = await admin.command(f"new {TITLE}")
    assert response.status_code == 200
    assert response.content == b""  # acknowledged at once; the modal opens right after
    view = await open_modal(slack_api)
    assert view["callback_id"] == ids.NEW_JOB_CALLBACK
    title = next(b for b in view["blocks"] if b["block_id"] == ids.JOB_TITLE_BLOCK)
    assert title["element"]["initial_value"] == TITLE
    assert decode_origin(view["private_metadata"]).channel == CHANNEL


async def test_submitting_the_modal_drafts_the_job_and_the_worker_writes_it_in_the_thread(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    flow = await draft_a_job(admin, slack_api)
    drafting, reply, headline = flow["drafting"], flow["reply"], flow["headline"]

    assert drafting.params["channel"] == CHANNEL
    assert drafting.params["text"] == f"Drafting a job description for {TITLE}..."
    assert "is ready" in headline.params["text"]
    assert list(buttons(reply)) == [
        "Rewrite",
        "Share",
        "Open job",
        "View stages",
        "History",
        "Publish",
    ]
    assert reply.params["channel"] == CHANNEL

    job = await the_job(admin)
    assert job.status == JobStatus.DRAFT
    assert job.description_status == GenerationStatus.READY
    assert job.description_generated_by == "offline"
    assert job.must_have_skills == ["Python", "PostgreSQL"]
    assert (job.min_experience, job.max_experience, job.location) == (2, 5, "Lisbon")
    assert await generation.slack_thread(job.id) == (CHANNEL, drafting.response["ts"])
    assert decode_value(buttons(reply)["Publish"]["value"]).job_id == job.id
    assert buttons(reply)["Open job"]["url"].endswith(job.public_key)
    assert "offline" in text_of(reply)


async def test_publish_opens_the_job_and_redraws_the_message(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    flow = await draft_a_job(admin, slack_api)
    message = posted(flow["reply"])
    publish = buttons(flow["reply"])["Publish"]["value"]

    response = await admin.click(ids.PUBLISH_ACTION, publish, message=message)
    assert response.status_code == 200
    [redrawn] = await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == message["ts"]
    )
    assert "Publish" not in buttons(redrawn)
    [told] = await slack_api.await_for("response_url")
    assert "is open" in told.params["text"]
    assert (await the_job(admin)).status == JobStatus.OPEN


async def test_rewrite_proposal_accept_and_add_skill(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    flow = await draft_a_job(admin, slack_api)
    root = flow["drafting"].response["ts"]
    job = await the_job(admin)
    message = posted(flow["reply"])

    await admin.click(
        ids.REWRITE_ACTION, buttons(flow["reply"])["Rewrite"]["value"], message=message
    )
    view = await open_modal(slack_api, 2)
    assert view["callback_id"] == ids.REWRITE_CALLBACK
    picker = next(b for b in view["blocks"] if b["block_id"] == ids.REWRITE_JOB_BLOCK)
    assert picker["element"]["initial_option"]["value"] == str(job.id)

    response = await admin.submit(view, rewrite_state(job.id, "more senior, mention Kubernetes"))
    assert response.status_code == 200 and response.content == b""

    in_thread = await slack_api.await_for(
        "chat.postMessage", 3, predicate=lambda c: c.params.get("thread_ts") == root
    )
    placeholder, proposal = in_thread[1], in_thread[2]
    assert placeholder.params["text"].startswith("Rewriting the description")
    await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == placeholder.response["ts"]
    )
    labels = list(buttons(proposal))
    assert labels[-3:] == ["Accept all", "Choose changes...", "Discard"]
    [add_skill, *_more] = [b for label, b in buttons(proposal).items() if label.startswith("Add ")]
    skill = add_skill["text"]["text"].removeprefix("Add ")

    accept = buttons(proposal)["Accept all"]["value"]
    await admin.click(ids.ACCEPT_REWRITE_ACTION, accept, message=posted(proposal))
    [accepted] = await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == proposal.response["ts"]
    )
    assert "changes accepted by" in text_of(accepted)
    assert "Accept all" not in buttons(accepted)
    assert add_skill["text"]["text"] in buttons(accepted)  # skills can still be added
    proposal_id = decode_value(accept).proposal
    stored = await idempotency.stored(f"rewrite:{proposal_id}")
    assert stored is not None
    rewritten = await the_job(admin)
    assert rewritten.description == stored["job_description"] != job.description
    assert "Kubernetes" in rewritten.description

    await admin.click(add_skill["action_id"], add_skill["value"], message=posted(accepted))
    await slack_api.await_for("response_url", predicate=lambda c: skill in c.params["text"])
    assert skill in (await the_job(admin)).must_have_skills


async def test_discard_removes_the_proposals_buttons_and_keeps_the_job(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    flow = await draft_a_job(admin, slack_api)
    root = flow["drafting"].response["ts"]
    job = await the_job(admin)
    await admin.command(f"rewrite {job.id}")
    view = await open_modal(slack_api, 2)
    await admin.submit(view, rewrite_state(job.id, "make it remote"))
    in_thread = await slack_api.await_for(
        "chat.postMessage", 3, predicate=lambda c: c.params.get("thread_ts") == root
    )
    proposal = in_thread[2]

    discard = buttons(proposal)["Discard"]["value"]
    await admin.click(ids.DISCARD_REWRITE_ACTION, discard, message=posted(proposal))
    [discarded] = await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == proposal.response["ts"]
    )
    assert "Discarded by <@U123>" in text_of(discarded)
    assert buttons(discarded) == {}
    assert (await the_job(admin)).description == job.description


# Failures and Retry ------------------------------------------------------------------------


class Overloaded:
    """A language model that always fails (what a 429 storm looks like to the tasks)."""

    name = "fake-model"

    async def generate(self, data: Any, **_: Any) -> Any:
        raise LLMError("The language model is overloaded; try again in a minute.")

    async def rewrite(self, data: Any, **_: Any) -> Any:
        raise LLMError("The language model is overloaded; try again in a minute.")

    async def convert(self, title: str, description: str, **_: Any) -> Any:
        raise LLMError("The language model is overloaded; try again in a minute.")

    async def aclose(self) -> None:
        return None


async def test_a_failed_generation_is_told_in_the_thread_and_retry_writes_it(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    active_broker().dependency_overrides[gateway_of] = Overloaded
    flow = await draft_a_job(admin, slack_api)
    root = flow["drafting"].response["ts"]
    assert "Could not write" in flow["headline"].params["text"]
    failure = flow["reply"]
    assert "overloaded" in text_of(failure)
    assert (await the_job(admin)).description_status == GenerationStatus.FAILED

    active_broker().dependency_overrides.clear()
    retry = buttons(failure)["Retry"]["value"]
    await admin.click(ids.RETRY_ACTION, retry, message=posted(failure))
    await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == failure.response["ts"]
    )
    replies = await slack_api.await_for(
        "chat.postMessage", 2, predicate=lambda c: c.params.get("thread_ts") == root
    )
    assert "Publish" in buttons(replies[1])
    headlines = await slack_api.await_for(
        "chat.update", 2, predicate=lambda c: c.params["ts"] == root
    )
    assert "is ready" in headlines[-1].params["text"]
    assert (await the_job(admin)).description_status == GenerationStatus.READY


async def fail_a_rewrite(
    user: SlackUser, slack_api: FakeSlackAPI, instruction: str
) -> tuple[str, SlackCall]:
    """Draft a job, then ask for a rewrite the model fails: the thread and the failure."""
    flow = await draft_a_job(user, slack_api)
    root = flow["drafting"].response["ts"]
    job = await the_job(user)
    active_broker().dependency_overrides[gateway_of] = Overloaded
    await user.command(f"rewrite {job.id}")
    await user.submit(await open_modal(slack_api, 2), rewrite_state(job.id, instruction))
    in_thread = await slack_api.await_for(
        "chat.postMessage", 3, predicate=lambda c: c.params.get("thread_ts") == root
    )
    active_broker().dependency_overrides.clear()
    failure = in_thread[2]
    assert "Could not rewrite" in text_of(failure) and "overloaded" in text_of(failure)
    return root, failure


async def test_retry_of_a_failed_rewrite_asks_again_with_the_same_instruction(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    instruction = "more senior, mention Kubernetes"
    root, failure = await fail_a_rewrite(admin, slack_api, instruction)
    job = await the_job(admin)
    retry = decode_value(buttons(failure)["Retry"]["value"])
    assert (retry.kind, retry.instruction, retry.instruction_cut) == ("rewrite", instruction, False)

    await admin.click(ids.RETRY_ACTION, buttons(failure)["Retry"]["value"], message=posted(failure))
    [redrawn] = await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == failure.response["ts"]
    )
    assert "again" in redrawn.params["text"] and buttons(redrawn) == {}
    in_thread = await slack_api.await_for(
        "chat.postMessage", 5, predicate=lambda c: c.params.get("thread_ts") == root
    )
    placeholder, proposal = in_thread[3], in_thread[4]
    assert f"Asked for: {instruction}" in text_of(placeholder)
    assert list(buttons(proposal))[-3:] == ["Accept all", "Choose changes...", "Discard"]
    assert len(slack_api.calls("views.open")) == 2  # no modal: the rewrite was queued directly
    stored = await idempotency.stored(
        f"rewrite:{decode_value(buttons(proposal)['Accept all']['value']).proposal}"
    )
    assert stored is not None and "Kubernetes" in stored["job_description"]
    assert (await the_job(admin)).description == job.description  # a proposal only


async def test_retry_of_a_rewrite_whose_instruction_was_cut_reopens_the_modal_prefilled(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    instruction = "mention Kubernetes " + "x" * 1900
    _root, failure = await fail_a_rewrite(admin, slack_api, instruction)
    value = buttons(failure)["Retry"]["value"]
    assert len(value) <= 2000 and decode_value(value).instruction_cut

    await admin.click(ids.RETRY_ACTION, value, message=posted(failure))
    view = await open_modal(slack_api, 3)
    assert view["callback_id"] == ids.REWRITE_CALLBACK
    field = next(b for b in view["blocks"] if b["block_id"] == ids.REWRITE_INSTRUCTION_BLOCK)
    assert instruction.startswith(field["element"]["initial_value"])
    assert field["element"]["initial_value"].startswith("mention Kubernetes x")


# Repeated deliveries -----------------------------------------------------------------------


async def test_a_repeated_submission_creates_one_job_and_posts_once(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    await admin.command(f"new {TITLE}")
    view = await open_modal(slack_api)
    payload = admin.submission(view, new_job_state())
    for _ in range(2):  # the same delivery twice (same trigger id)
        assert (await admin.submit(view, {}, payload=payload)).status_code == 200
    again = admin.submission(view, new_job_state())  # the same modal, another trigger
    assert (await admin.submit(view, {}, payload=again)).status_code == 200

    await slack_api.await_for("chat.postMessage", 2)
    await active_broker().wait_all()  # type: ignore[attr-defined]
    assert await JobTable.count() == 1
    roots = [c for c in slack_api.calls("chat.postMessage") if "thread_ts" not in c.params]
    replies = [c for c in slack_api.calls("chat.postMessage") if "thread_ts" in c.params]
    assert (len(roots), len(replies)) == (1, 1)


async def test_a_retried_command_opens_one_modal(admin: SlackUser, slack_api: FakeSlackAPI) -> None:
    body, headers = signed.slash_command(
        SECRET, text=f"new {TITLE}", response_url=slack_api.response_url("/commands/1")
    )
    assert (await admin.send(body, headers)).status_code == 200
    retry = {**headers, "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"}
    assert (await admin.send(body, retry)).status_code == 200
    await slack_api.await_for("views.open")
    await active_broker().wait_all()  # type: ignore[attr-defined]
    assert len(slack_api.calls("views.open")) == 1


async def test_a_retried_event_is_handled_once(admin: SlackUser, slack_api: FakeSlackAPI) -> None:
    event = signed.app_home_opened(admin.user_id)
    await admin.send(*signed.event(SECRET, event, event_id="Ev0001"))
    await admin.send(*signed.event(SECRET, event, event_id="Ev0001", retry_num=1))
    await slack_api.await_for("views.publish")
    await admin.send(*signed.event(SECRET, event, event_id="Ev0002"))  # a new opening
    await slack_api.await_for("views.publish", 2)
    assert len(slack_api.calls("views.publish")) == 2


async def test_choose_changes_applies_only_the_ticked_ones_then_history_restores(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    flow = await draft_a_job(admin, slack_api)
    root = flow["drafting"].response["ts"]
    job = await the_job(admin)
    await admin.click(
        ids.REWRITE_ACTION,
        buttons(flow["reply"])["Rewrite"]["value"],
        message=posted(flow["reply"]),
    )
    await admin.submit(
        await open_modal(slack_api, 2), rewrite_state(job.id, "more senior, mention Kubernetes")
    )
    in_thread = await slack_api.await_for(
        "chat.postMessage", 3, predicate=lambda c: c.params.get("thread_ts") == root
    )
    proposal = in_thread[2]
    value = buttons(proposal)["Choose changes..."]["value"]
    await admin.click(ids.CHOOSE_CHANGES_ACTION, value, message=posted(proposal))
    view = await open_modal(slack_api, 3)
    assert view["callback_id"] == ids.CHOOSE_CHANGES_CALLBACK
    boxes = [
        b for b in view["blocks"] if str(b.get("block_id", "")).startswith(ids.CHANGE_BLOCK_PREFIX)
    ]
    assert len(boxes) >= 2, "the offline rewrite changes more than one thing"
    first = boxes[0]["element"]["options"][0]
    state = {
        box["block_id"]: {ids.CHANGE_ACTION: {"type": "checkboxes", "selected_options": []}}
        for box in boxes
    }
    state[boxes[0]["block_id"]][ids.CHANGE_ACTION]["selected_options"] = [first]

    response = await admin.submit(view, state)
    assert response.status_code == 200

    stored = await idempotency.stored(f"rewrite:{decode_value(value).proposal}")
    assert stored is not None
    expected = apply(str(stored["base"]), str(stored["job_description"]), [int(first["value"])])
    await slack_api.await_for(
        "chat.update", predicate=lambda c: c.params["ts"] == proposal.response["ts"]
    )
    changed = await the_job(admin)
    assert changed.description == expected != stored["job_description"]
    await slack_api.await_for(
        "chat.postMessage", predicate=lambda c: "Inclusive language" in text_of(c)
    )

    # History lists the versions; Restore brings the first one back as a new version.
    await admin.click(ids.HISTORY_ACTION, encode_value(job.id), message=posted(flow["reply"]))
    [listed] = await slack_api.await_for(
        "response_url", predicate=lambda c: "Versions of" in str(c.params.get("text"))
    )
    restore = next(
        e
        for block in listed.params["blocks"]
        if block.get("accessory")
        for e in [block["accessory"]]
        if decode_value(e["value"]).version == 1
    )
    await admin.click(restore["action_id"], restore["value"], message=posted(flow["reply"]))
    await slack_api.await_for(
        "chat.postMessage", predicate=lambda c: "restored version 1" in text_of(c)
    )
    assert (await the_job(admin)).description == job.description


# The language check: Fix the wording --------------------------------------------------------

CODED = (
    "## About the role\n\nWe want a rockstar engineer to join our platform team.\n\n"
    "## Requirements\n\n- Native English speaker.\n- Python and PostgreSQL."
)
REWORDED = (
    "## About the role\n\nWe want a skilled engineer to join our platform team.\n\n"
    "## Requirements\n\n- Fluent written and spoken English.\n- Python and PostgreSQL."
)


async def test_fix_the_wording_asks_the_model_to_reword_the_findings_and_the_fix_lands(
    admin: SlackUser, slack_api: FakeSlackAPI, online: LLMGateway, fake_openai: FakeOpenAI
) -> None:
    active_broker().dependency_overrides[gateway_of] = lambda: OfflineGateway()
    flow = await draft_a_job(admin, slack_api)
    root = flow["drafting"].response["ts"]
    job = await the_job(admin)
    await jobs.update_job(await admin.actor(), job.id, JobUpdate(description=CODED))
    active_broker().dependency_overrides[gateway_of] = lambda: online
    fake_openai.script(json_completion({"job_description": REWORDED, "suggested_skills": []}))

    response = await admin.click(
        ids.FIX_WORDING_ACTION, encode_value(job.id), message=posted(flow["reply"])
    )

    assert response.status_code == 200
    proposal = next(
        call
        for call in await slack_api.await_for(
            "chat.postMessage", predicate=lambda c: "Accept all" in buttons(c)
        )
    )
    assert proposal.params["thread_ts"] == root
    [asked] = fake_openai.requests
    assert '"rockstar"' in asked.user_text and '"Native English speaker"' in asked.user_text
    assert CODED.split("\n\n")[1] in asked.user_text  # the current text, to reword
    shown = text_of(proposal)
    assert "~We want a rockstar engineer to join our platform team.~" in shown
    assert "*+* We want a skilled engineer to join our platform team." in shown
    assert (await the_job(admin)).description == CODED  # nothing changes until accepted

    accept = buttons(proposal)["Accept all"]["value"]
    await admin.click(ids.ACCEPT_REWRITE_ACTION, accept, message=posted(proposal))
    [passed] = await slack_api.await_for(
        "chat.postMessage",
        predicate=lambda c: (
            "Inclusive language" in text_of(c) and ":white_check_mark:" in text_of(c)
        ),
    )
    assert passed.params["thread_ts"] == root
    assert (await the_job(admin)).description == REWORDED


async def test_fix_the_wording_of_a_description_that_passes_is_refused_in_a_clear_message(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    flow = await draft_a_job(admin, slack_api)
    job = await the_job(admin)

    response = await admin.click(
        ids.FIX_WORDING_ACTION, encode_value(job.id), message=posted(flow["reply"])
    )

    assert response.status_code == 200
    [told] = await slack_api.await_for(
        "response_url", predicate=lambda c: "no wording left to fix" in str(c.params)
    )
    assert told.params.get("response_type", "ephemeral") == "ephemeral"
    assert (await the_job(admin)).description == job.description
