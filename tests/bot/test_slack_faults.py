"""Slack failing while the worker posts: the post is retried until it lands, once.

A 500 with an HTML body (no JSON to read an error from), a storm of 429s longer than the
Slack client's own retries, a 500 on the "Drafting..." post: each used to leave the thread
saying "Drafting..." for ever (issue: no work lost, finding 1 and 8).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.acknowledge import drain
from bot.slack_calls import slack_error_code
from models.enums import GenerationStatus
from models.tables import Job
from tests.bot.conftest import SlackUser
from tests.bot.test_flows import buttons, new_job_state, open_modal
from tests.fakes.slack_api import FakeSlackAPI, SlackCall
from workers.broker import active_broker


async def until(condition: Callable[[], Any], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        await drain()
        await active_broker().wait_all()  # type: ignore[attr-defined]
        if condition():
            return
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


def descriptions(slack_api: FakeSlackAPI) -> list[SlackCall]:
    return [c for c in slack_api.calls("chat.postMessage") if c.ok and "Publish" in buttons(c)]


def is_ready(slack_api: FakeSlackAPI) -> bool:
    return any(
        c.ok and "is ready" in c.params.get("text", "") for c in slack_api.calls("chat.update")
    )


async def submit_new_job(user: SlackUser, slack_api: FakeSlackAPI) -> None:
    assert (await user.command("new Backend Engineer")).status_code == 200
    view = await open_modal(slack_api)
    assert (await user.submit(view, new_job_state())).status_code == 200


async def test_a_500_without_json_on_the_update_is_retried(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    slack_api.server_error_next("chat.update")
    await submit_new_job(admin, slack_api)
    await until(lambda: is_ready(slack_api))

    [failed, *_] = slack_api.calls("chat.update")
    assert failed.status == 500
    assert len(descriptions(slack_api)) == 1  # posted once, after the retry
    [job] = await Job.select(Job.description_status)
    assert job["description_status"] == GenerationStatus.READY


async def test_a_429_storm_longer_than_the_clients_retries_is_waited_out(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    slack_api.rate_limit_next("chat.postMessage", retry_after=1, times=6)
    await submit_new_job(admin, slack_api)
    await until(lambda: descriptions(slack_api), seconds=40)

    limited = [c for c in slack_api.calls("chat.postMessage") if c.status == 429]
    assert len(limited) == 6
    assert len(descriptions(slack_api)) == 1
    assert is_ready(slack_api)


async def test_a_500_on_the_drafting_post_still_gets_the_description_written(
    admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    slack_api.server_error_next("chat.postMessage")
    await submit_new_job(admin, slack_api)
    await until(lambda: is_ready(slack_api))

    drafting = [c for c in slack_api.calls("chat.postMessage") if "thread_ts" not in c.params]
    assert [c.status for c in drafting] == [500, 200]
    assert len(descriptions(slack_api)) == 1


async def test_an_html_error_page_is_read_without_raising(slack_api: FakeSlackAPI) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack_api.base_url)
    slack_api.server_error_next("chat.update", 502)
    with pytest.raises(SlackApiError) as raised:
        await client.chat_update(channel="C1", ts="1.1", text="x")
    assert slack_error_code(raised.value) == "http_502"


async def test_job_detail_says_why_a_description_failed(
    http: httpx.AsyncClient, admin: SlackUser, slack_api: FakeSlackAPI
) -> None:
    from tests.bot.test_flows import Overloaded
    from workers.broker import gateway_of

    active_broker().dependency_overrides[gateway_of] = Overloaded
    await submit_new_job(admin, slack_api)
    await until(
        lambda: (
            descriptions(slack_api)
            or any(
                "Could not write" in c.params.get("text", "")
                for c in slack_api.calls("chat.update")
            )
        )
    )
    active_broker().dependency_overrides.clear()
    [job] = await Job.select(Job.description_status, Job.description_error)
    assert job["description_status"] == GenerationStatus.FAILED
    assert "overloaded" in job["description_error"]
