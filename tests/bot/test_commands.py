"""Slash commands, pickers, the App Home, modal validation, permissions and workspaces.

Each test drives the real app through /slack/events with signed requests and reads what
the fake Slack API (and the response URLs it serves) received.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import msgspec
import pytest

from bot.acknowledge import drain
from bot.blocks import ids
from bot.blocks.values import encode_value
from models import events
from models.enums import JobStatus, Role
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs.schemas import Job, JobCreate
from models.pipeline import operations as pipeline
from models.pipeline.schemas import CandidateIn
from models.settings import DEFAULT_SLACK_SCOPES
from models.stages import Stage
from models.tables import Job as JobTable
from models.tables import Organization, User
from tests.bot.conftest import OTHER_TEAM, SlackUser
from tests.bot.test_flows import buttons, new_job_state, open_modal, posted, text_of
from tests.fakes.slack_api import FakeSlackAPI, SlackCall


async def make_job(owner: Actor, title: str = "Backend Engineer") -> Job:
    data = {"title": title, "description": "Build APIs.", "min_experience": 1, "max_experience": 3}
    return await jobs.create_job(owner, msgspec.convert(data, JobCreate))


async def with_candidates(owner: Actor, job: Job, applied: int, interviews: int) -> None:
    for n in range(applied):
        email = f"c{job.id}-{n}@example.com"
        await pipeline.add_candidate(owner, job.id, CandidateIn(name=f"C {n}", email=email))
    added = await pipeline.list_candidates(owner, job.id, limit=interviews or 1)
    for application in added[:interviews]:
        await pipeline.move_candidate(owner, job.id, application.candidate_id, Stage.INTERVIEW)


async def answer(slack_api: FakeSlackAPI, count: int = 1, **match: Any) -> SlackCall:
    """The latest message posted to a response URL (an ephemeral answer)."""
    calls = await slack_api.await_for(
        "response_url",
        count,
        predicate=lambda c: all(c.params.get(k) == v for k, v in match.items()),
    )
    return calls[-1]


# /stages -----------------------------------------------------------------------------------


async def test_stages_answers_privately_with_counts_bars_and_conversion(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    owner = await admin.actor()
    job = await make_job(owner)
    await with_candidates(owner, job, applied=4, interviews=1)

    response = await admin.command("Backend", command="/stages")
    assert response.status_code == 200 and response.content == b""
    reply = await answer(slack_api)
    assert reply.params["response_type"] == "ephemeral"
    table = text_of(reply)
    assert "Applied           3  " + "█" * 20 in table  # one of the four moved on
    assert "Interview         1  " + "█" * 7 in table and "0%" in table
    assert "*4* candidates in total" in table
    share = buttons(reply)["Share in channel"]

    await admin.click(ids.SHARE_PIPELINE_ACTION, share["value"], message=_ephemeral())
    shared = await answer(slack_api, response_type="in_channel")
    assert "Share in channel" not in buttons(shared)
    await answer(slack_api, delete_original=True)


def _ephemeral() -> dict[str, Any]:
    return {"type": "message", "ts": "1700000000.000900", "text": ""}


async def test_stages_without_a_job_offers_a_picker_of_the_users_jobs(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    owner = await admin.actor()
    first, second = await make_job(owner, "Designer"), await make_job(owner, "Data Engineer")

    await admin.command("", command="/stages")
    reply = await answer(slack_api)
    picker = reply.params["blocks"][0]["accessory"]
    assert picker["action_id"] == ids.PICK_JOB_ACTIONS[ids.PickPurpose.STAGES]
    assert [o["value"] for o in picker["options"]] == [str(first.id), str(second.id)]

    await admin.click(
        picker["action_id"], str(second.id), action_type="static_select", message=_ephemeral()
    )
    picked = await answer(slack_api, replace_original=True)
    assert "Pipeline: Data Engineer" in text_of(picked)


async def test_an_ambiguous_title_lists_the_matches(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    owner = await admin.actor()
    await make_job(owner, "Backend Engineer")
    await make_job(owner, "Backend Lead")
    await make_job(owner, "Designer")

    await admin.command("backend", command="/stages")
    reply = await answer(slack_api)
    assert "Several jobs match *backend*" in text_of(reply)
    options = reply.params["blocks"][0]["accessory"]["options"]
    assert [o["text"]["text"] for o in options] == ["Backend Engineer (#1)", "Backend Lead (#2)"]


async def test_an_unknown_job_gets_a_short_explanation(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    await admin.command("Astronaut", command="/stages")
    reply = await answer(slack_api)
    assert reply.params["text"] == ":warning: No job of yours matches “Astronaut”."
    assert reply.params["response_type"] == "ephemeral"


# /job list, share, help --------------------------------------------------------------------


async def test_job_list_shows_status_and_candidates(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    owner = await admin.actor()
    job = await make_job(owner)
    await with_candidates(owner, job, applied=2, interviews=0)
    await jobs.set_status(owner, job.id, JobStatus.OPEN)

    await admin.command("list")
    reply = await answer(slack_api)
    assert reply.params["text"] == "Your jobs (1)"
    assert "*Backend Engineer* · #1 · :large_green_circle: Open · 2 candidates" in text_of(reply)


async def test_job_share_shares_with_the_mentioned_colleagues(
    admin: SlackUser, slack_api: FakeSlackAPI, make_user: Any
) -> None:
    owner = await admin.actor()
    job = await make_job(owner)
    colleague = await make_user("U200")

    await admin.command(f"share {job.id} <@U200|ana> <@U300|li>")
    reply = await answer(slack_api)
    assert "Shared *Backend Engineer* with <@U200>, <@U300>" in reply.params["text"]
    newcomer = await SlackUser(admin.http, slack_api, "U300", admin.team_id).actor()
    shared = await jobs.shared_with(owner, job.id)
    assert shared == sorted([(await colleague.actor()).user_id, newcomer.user_id])
    assert newcomer.role is Role.EDITOR  # created on first mention with the default role
    [event] = (await events.job_history(owner, job.id)).items[:1]
    assert (event.type, event.surface, event.actor_id) == ("job.shared", "slack", owner.user_id)
    assert event.data == {"user_ids": shared}


async def test_job_share_without_a_mention_explains_the_usage(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    await make_job(await admin.actor())
    await admin.command("share Backend Engineer")
    reply = await answer(slack_api)
    usage = "Usage: `/job share &lt;job id or title&gt; @colleague...`."  # escaped mrkdwn
    assert reply.params["text"] == f":warning: {usage}"


@pytest.mark.parametrize("text", ["help", "", "frobnicate 12"])
async def test_help_and_unknown_subcommands_answer_with_every_command(
    admin: SlackUser, slack_api: FakeSlackAPI, text: str
) -> None:
    await admin.command(text)
    reply = await answer(slack_api)
    assert reply.params["response_type"] == "ephemeral"
    for usage in ("/job new", "/job rewrite", "/job list", "/job share", "/stages"):
        assert usage in text_of(reply)


# App Home ----------------------------------------------------------------------------------


async def test_app_home_lists_the_users_jobs_with_their_pipelines(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    owner = await admin.actor()
    job = await make_job(owner)
    await with_candidates(owner, job, applied=3, interviews=0)

    response = await admin.open_home()
    assert response.status_code == 200
    [published] = await slack_api.await_for("views.publish")
    assert published.params["user_id"] == admin.user_id
    view = published.params["view"]
    assert view["type"] == "home"
    assert "Backend Engineer" in text_of(published) and "Applied 3" in text_of(published)
    labels = list(buttons(published))
    assert labels == ["Create a job", "Rewrite", "View stages", "Open job"]


async def test_app_home_buttons_open_the_modals(admin: SlackUser, slack_api: FakeSlackAPI) -> None:
    job = await make_job(await admin.actor())
    await admin.click(ids.CREATE_JOB_ACTION, "new", view_id="VHOME")
    view = await open_modal(slack_api)
    assert view["callback_id"] == ids.NEW_JOB_CALLBACK
    assert view.get("private_metadata", "") == ""  # no channel: announced in a DM

    await admin.click(ids.VIEW_STAGES_ACTION, encode_value(job.id), view_id="VHOME")
    pipeline_view = await open_modal(slack_api, 2)
    assert "Pipeline: Backend Engineer" in str(pipeline_view["blocks"])


async def test_a_new_job_from_the_app_home_is_announced_in_a_dm(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    await admin.click(ids.CREATE_JOB_ACTION, "new", view_id="VHOME")
    view = await open_modal(slack_api)
    await admin.submit(view, new_job_state())
    [opened] = await slack_api.await_for("conversations.open")
    dm = opened.response["channel"]["id"]
    await slack_api.await_for(
        "chat.postMessage",
        predicate=lambda c: c.params["channel"] == dm and "thread_ts" in c.params,
    )


# Modal validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "block", "message"),
    [
        (new_job_state(min_years=6, max_years=2), ids.JOB_MIN_EXPERIENCE_BLOCK, "greater than"),
        (new_job_state(title="   "), ids.JOB_TITLE_BLOCK, "Enter a title."),
        (new_job_state(title=None), ids.JOB_TITLE_BLOCK, "Enter a title."),
        (new_job_state(max_years=60), ids.JOB_MAX_EXPERIENCE_BLOCK, "from 0 to 50"),
        (new_job_state(min_years=-1), ids.JOB_MIN_EXPERIENCE_BLOCK, "from 0 to 50"),
        (new_job_state(min_years="two"), ids.JOB_MIN_EXPERIENCE_BLOCK, "whole number"),
        (new_job_state(location="x" * 201), ids.JOB_LOCATION_BLOCK, "200 characters"),
    ],
)
async def test_invalid_input_shows_inline_and_creates_nothing(
    admin: SlackUser, slack_api: FakeSlackAPI, state: dict[str, Any], block: str, message: str
) -> None:
    await admin.command("new")
    view = await open_modal(slack_api)
    response = await admin.submit(view, state)
    assert response.status_code == 200
    body = response.json()
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [block]
    assert message in body["errors"][block]
    assert await JobTable.count() == 0
    assert slack_api.calls("chat.postMessage") == []


async def test_a_corrected_submission_of_the_same_modal_goes_through(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    await admin.command("new")
    view = await open_modal(slack_api)
    assert (await admin.submit(view, new_job_state(title=""))).json()["response_action"]
    assert (await admin.submit(view, new_job_state())).content == b""
    await slack_api.await_for("chat.postMessage")
    assert await JobTable.count() == 1


# Permissions and workspaces ----------------------------------------------------------------


async def test_a_viewer_cannot_create_a_job(
    admin: SlackUser, slack_api: FakeSlackAPI, make_user: Any
) -> None:
    viewer = await make_user("U900", Role.VIEWER)
    await viewer.command("new Backend Engineer")
    reply = await answer(slack_api)
    assert reply.params["text"] == ":warning: No permission: Viewers cannot create jobs."
    assert slack_api.calls("views.open") == []
    assert await JobTable.count() == 0


async def test_a_viewer_cannot_publish(
    admin: SlackUser, slack_api: FakeSlackAPI, make_user: Any
) -> None:
    owner = await admin.actor()
    job = await make_job(owner)
    viewer = await make_user("U900", Role.VIEWER)
    await jobs.share_job(owner, job.id, [(await viewer.actor()).user_id])

    message = {"type": "message", "ts": "1700000000.000500", "text": "", "channel": "C123"}
    await viewer.click(ids.PUBLISH_ACTION, encode_value(job.id), message=message)
    reply = await answer(slack_api)
    assert reply.params["text"] == ":warning: No permission: Viewers can only read jobs."
    assert slack_api.calls("chat.update") == []
    assert (await jobs.get_job(owner, job.id)).status == JobStatus.DRAFT


async def test_another_workspace_cannot_see_the_job(
    admin: SlackUser, slack_api: FakeSlackAPI, make_user: Any
) -> None:
    job = await make_job(await admin.actor())
    stranger = await make_user("U123", team_id=OTHER_TEAM)  # same user id, other workspace

    await stranger.command(str(job.id), command="/stages")
    reply = await answer(slack_api)
    assert reply.params["text"] == f":warning: No job of yours matches “{job.id}”."

    message = {"type": "message", "ts": "1700000000.000500", "text": "", "channel": "C123"}
    await stranger.click(ids.PUBLISH_ACTION, encode_value(job.id), message=message)
    reply = await answer(slack_api, 2)
    assert reply.params["text"] == f":warning: Job {job.id} not found."
    assert (await jobs.get_job(await admin.actor(), job.id)).status == JobStatus.DRAFT


async def test_rewrite_offers_only_jobs_the_user_may_change(
    admin: SlackUser, slack_api: FakeSlackAPI, make_user: Any
) -> None:
    owner = await admin.actor()
    mine = await make_job(owner, "Designer")
    editor = await make_user("U200")
    theirs = await make_job(await editor.actor(), "Data Engineer")

    await editor.command("rewrite")
    view = await open_modal(slack_api)
    options = next(b for b in view["blocks"] if b["block_id"] == ids.REWRITE_JOB_BLOCK)
    assert [o["value"] for o in options["element"]["options"]] == [str(theirs.id)]

    await editor.command(f"rewrite {mine.id}")
    reply = await answer(slack_api)
    assert reply.params["text"] == f":warning: No job you can change matches “{mine.id}”."


async def test_buttons_posted_by_the_bot_keep_working_after_a_restart(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    """A click carries everything it needs in its value: no in-memory state is involved."""
    job = await make_job(await admin.actor())
    message = posted(
        SlackCall(
            method="chat.postMessage",
            params={"channel": "C123"},
            headers={},
            at=0.0,
            path="/api/chat.postMessage",
            http_method="POST",
            response={"message": {"type": "message", "ts": "1700000000.000700", "text": ""}},
        )
    )
    await admin.click(ids.VIEW_STAGES_ACTION, encode_value(job.id), message=message)
    reply = await answer(slack_api)
    assert "Pipeline: Backend Engineer" in text_of(reply)


async def test_a_workspace_arriving_all_at_once_gets_one_organization(
    http: Any, slack_api: FakeSlackAPI
) -> None:
    """Ten colleagues of a new workspace at the same moment: every one is answered, and
    the organization and each user are created once (concurrent first uses race)."""
    users = [SlackUser(http, slack_api, f"U{n:03d}", "T0009") for n in range(10)]
    responses = await asyncio.gather(*[user.command("list") for user in users])
    assert {r.status_code for r in responses} == {200}
    answers = await slack_api.await_for("response_url", 10)
    assert {a.params["text"] for a in answers} == {"You have no jobs yet."}
    assert await Organization.count() == 1
    assert await User.count() == 10


# The manifest ----------------------------------------------------------------------------


def test_the_manifest_declares_what_the_app_listens_to() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    url = "https://hirebot.example.com/slack/events"
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/job", "/stages"}
    assert {c["url"] for c in commands.values()} == {url}
    assert commands["/job"]["should_escape"] is True  # mentions arrive as <@U123|name>
    settings = manifest["settings"]
    assert settings["interactivity"] == {"is_enabled": True, "request_url": url}
    assert settings["event_subscriptions"] == {
        "request_url": url,
        "bot_events": [
            "app_home_opened",
            "app_mention",
            "message.im",
            "message.channels",
            "message.groups",
            "app_uninstalled",
            "tokens_revoked",
        ],
    }
    assert settings["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"] == "Hirebot"
    assert manifest["features"]["agent_view"]["agent_description"]
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "commands",
        "chat:write",
        "chat:write.public",
        "im:write",
        "app_mentions:read",
        "im:history",
        "channels:history",
        "groups:history",
        "assistant:write",
        "users:read",
        "users:read.email",
    }
    assert manifest["oauth_config"]["scopes"]["bot"] == DEFAULT_SLACK_SCOPES.split(",")
    assert manifest["oauth_config"]["redirect_urls"] == [
        "https://hirebot.example.com/slack/oauth_redirect"
    ]
    assert settings["token_rotation_enabled"] is True
    assert settings["org_deploy_enabled"] is False  # org-wide (Grid) installs: not supported


async def test_single_workspace_uninstall_is_acknowledged_and_logged(
    admin: SlackUser, slack_api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.bot.conftest import SECRET, TEAM
    from tests.fakes import slack_requests as signed

    slack_api.reset()
    with caplog.at_level(logging.WARNING):
        for kind in ("app_uninstalled", "tokens_revoked"):
            body, headers = signed.event(SECRET, {"type": kind}, team_id=TEAM)
            response = await admin.http.post("/slack/events", content=body, headers=headers)
            assert response.status_code == 200
        await drain()
    lines = [
        r.getMessage() for r in caplog.records if "SLACK_BOT_TOKEN no longer" in r.getMessage()
    ]
    assert len(lines) == 2 and TEAM in lines[0]
    assert slack_api.calls_after_start() == []
    assert await Organization.exists().where(Organization.slack_team_id == TEAM)  # data stays
