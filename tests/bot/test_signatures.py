"""Every request's signature is checked before anything runs: a bad, missing or stale one
gets 401, and neither the database nor Slack hears of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.blocks import ids
from models.tables import Job, Organization, User
from tests.bot.conftest import SECRET
from tests.bot.test_flows import new_job_state
from tests.fakes import slack_requests as signed
from tests.fakes.slack_api import FakeSlackAPI

Build = Callable[..., tuple[str, dict[str, str]]]


def command(**flags: Any) -> tuple[str, dict[str, str]]:
    return signed.slash_command(SECRET, text="new Backend Engineer", **flags)


def submission(**flags: Any) -> tuple[str, dict[str, str]]:
    payload = signed.view_submission_payload(
        ids.NEW_JOB_CALLBACK, new_job_state(), private_metadata='{"channel":"C123"}'
    )
    return signed.interactivity(SECRET, payload, **flags)


def home_opened(**flags: Any) -> tuple[str, dict[str, str]]:
    return signed.event(SECRET, signed.app_home_opened(), **flags)


REQUESTS = pytest.mark.parametrize("build", [command, submission, home_opened])


async def assert_nothing_happened(slack_api: FakeSlackAPI) -> None:
    assert await Organization.count() == 0
    assert await User.count() == 0
    assert await Job.count() == 0
    assert slack_api.calls_after_start() == []


@REQUESTS
@pytest.mark.parametrize("flag", ["bad_signature", "stale"])
async def test_a_bad_or_stale_signature_is_refused(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, build: Build, flag: str
) -> None:
    body, headers = build(**{flag: True})
    response = await http.post("/slack/events", content=body.encode(), headers=headers)
    assert response.status_code == 401
    await assert_nothing_happened(slack_api)


@REQUESTS
@pytest.mark.parametrize(
    "dropped", [("x-slack-signature",), ("x-slack-request-timestamp",), ("x-slack-signature",
                "x-slack-request-timestamp")]
)  # fmt: skip
async def test_a_missing_signature_is_refused(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, build: Build, dropped: tuple[str, ...]
) -> None:
    body, headers = build()
    for name in dropped:
        headers.pop(name)
    response = await http.post("/slack/events", content=body.encode(), headers=headers)
    assert response.status_code == 401
    await assert_nothing_happened(slack_api)


async def test_a_body_changed_after_signing_is_refused(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    body, headers = command()
    tampered = body.replace("user_id=U123", "user_id=U999")
    response = await http.post("/slack/events", content=tampered.encode(), headers=headers)
    assert response.status_code == 401
    await assert_nothing_happened(slack_api)


async def test_a_correctly_signed_request_is_accepted(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI
) -> None:
    body, headers = signed.slash_command(
        SECRET, text="help", response_url=slack_api.response_url("/commands/1")
    )
    response = await http.post("/slack/events", content=body.encode(), headers=headers)
    assert response.status_code == 200
    await slack_api.await_for("response_url")
