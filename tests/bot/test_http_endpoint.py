"""The Slack endpoint without Slack credentials: a clear 503, and the rest of the API runs."""

from __future__ import annotations

import httpx


async def test_slack_endpoint_answers_503_until_configured(client: httpx.AsyncClient) -> None:
    response = await client.post("/slack/events", content=b"command=%2Fjob&text=help")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "SLACK_SIGNING_SECRET" in detail
    assert "SLACK_BOT_TOKEN" in detail
    assert "SLACK_CLIENT_ID" in detail
    for path in ("/slack/install", "/slack/oauth_redirect?code=c&state=s"):
        refused = await client.get(path)
        assert refused.status_code == 503
        assert "SLACK_CLIENT_ID" in refused.json()["detail"]
    assert (await client.get("/health")).status_code == 200
