"""`/metrics`: Prometheus counts of requests (by route template), model calls, Slack API
errors and the outbox backlog; answered only to a scraper."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY
from slack_sdk.errors import SlackApiError

from api.app import create_app
from bot.slack_client import slack_web_client
from models.enums import Purpose
from models.settings import Settings, get_settings
from tests import factories
from tests.conftest import running
from tests.fakes.slack_api import FakeSlackAPI
from workers.llm.metering import Scope, metered


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(name="metrics_client")
async def fx_metrics_client(db: None) -> AsyncIterator[httpx.AsyncClient]:
    """The app, its metrics answered to loopback (the test client is 127.0.0.1)."""
    app = create_app(get_settings())
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with running(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


def requests_counted(status: str) -> float:
    labels = {"app_name": "hirebot", "method": "GET", "path": "/api/jobs/{job_id}"}
    return sample("hirebot_requests_total", **labels, status_code=status)


async def test_requests_are_counted_by_route_template_and_status(
    metrics_client: httpx.AsyncClient,
) -> None:
    owner = await factories.user(await factories.org())
    headers = await factories.headers(owner)
    job = await factories.job(owner)
    ok, missing = requests_counted("200"), requests_counted("404")
    for _ in range(3):
        assert (await metrics_client.get(f"/api/jobs/{job.id}", headers=headers)).status_code == 200
    assert (await metrics_client.get("/api/jobs/999999", headers=headers)).status_code == 404
    assert (requests_counted("200"), requests_counted("404")) == (ok + 3, missing + 1)
    answer = await metrics_client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    lines = answer.text.splitlines()
    assert any(line.startswith("hirebot_request_duration_seconds_bucket") for line in lines)
    assert any('path="/api/jobs/{job_id}"' in line for line in lines)
    assert f'/api/jobs/{job.id}"' not in answer.text  # no series per job
    assert any(line.startswith("hirebot_outbox_backlog ") for line in lines)
    assert 'path="/metrics"' not in answer.text  # the scrapes are not counted


async def test_without_a_token_only_loopback_is_answered(db: None) -> None:
    app = create_app(get_settings())
    outside = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
    async with running(app), httpx.AsyncClient(transport=outside, base_url="http://t") as client:
        refused = await client.get("/metrics")
    assert refused.status_code == 403
    assert "HIREBOT_METRICS_TOKEN" in refused.json()["detail"]


async def test_with_a_token_only_its_bearer_is_answered(db: None) -> None:
    settings = dataclasses.replace(get_settings(), metrics_token="scrape-me")
    app = create_app(settings)
    outside = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
    async with running(app), httpx.AsyncClient(transport=outside, base_url="http://t") as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "scrape-me"}):
            assert (await client.get("/metrics", headers=headers)).status_code == 401
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert right.status_code == 200 and "hirebot_outbox_backlog" in right.text


async def test_model_calls_and_their_tokens_are_counted(db: None) -> None:
    labels = {"purpose": "generate", "model": "fake-model"}
    ok, failed = (
        sample("hirebot_model_calls_total", **labels, outcome=o) for o in ("ok", "failed")
    )
    tokens_in = sample("hirebot_model_tokens_total", direction="in")
    from workers.llm.gateway import LLMError
    from workers.llm.schemas import Usage

    async def answer(report: object) -> str:
        report(Usage(tokens_in=12, tokens_out=30))  # type: ignore[operator]
        return "text"

    async def refuse(report: object) -> str:
        raise LLMError("the model is down")

    scope = Scope(org_id=None, user_id=None)
    await metered(Purpose.GENERATE, "fake-model", scope, {"x": 1}, answer)
    with pytest.raises(LLMError):
        await metered(Purpose.GENERATE, "fake-model", scope, {"x": 1}, refuse)
    assert sample("hirebot_model_calls_total", **labels, outcome="ok") == ok + 1
    assert sample("hirebot_model_calls_total", **labels, outcome="failed") == failed + 1
    assert sample("hirebot_model_tokens_total", direction="in") == tokens_in + 12


async def test_slack_api_errors_and_rate_limits_are_counted() -> None:
    with FakeSlackAPI() as slack_api:
        client = slack_web_client(Settings(slack_api_url=slack_api.base_url), "xoxb-1")
        errors = sample(
            "hirebot_slack_api_errors_total", method="chat.postMessage", error="channel_not_found"
        )
        limited = sample("hirebot_slack_rate_limited_total", method="chat.postMessage")
        slack_api.fail_next("chat.postMessage", "channel_not_found")
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel="C1", text="hi")
        slack_api.rate_limit_next("chat.postMessage", retry_after=0)
        await client.chat_postMessage(channel="C1", text="hi")  # waited out, then sent
    assert (
        sample(
            "hirebot_slack_api_errors_total", method="chat.postMessage", error="channel_not_found"
        )
        == errors + 1
    )
    assert sample("hirebot_slack_rate_limited_total", method="chat.postMessage") == limited + 1
