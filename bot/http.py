"""`POST /slack/events`: hands Slack's raw request to Bolt (commands, interactivity, events)."""

from __future__ import annotations

import msgspec
from litestar import MediaType, Request, Response, post
from litestar.status_codes import HTTP_503_SERVICE_UNAVAILABLE
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

NOT_CONFIGURED = (
    "Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN "
    "(see README, 'Installing the Slack app')"
)


@post(
    "/slack/events",
    operation_id="slackEvents",
    tags=["slack"],
    summary="Slack's request URL for slash commands, interactivity and events",
    security=[],
    status_code=200,
)
async def slack_events(request: Request) -> Response[bytes]:
    bolt: AsyncApp | None = request.app.state.get("bolt")
    if bolt is None:
        return Response(
            content=msgspec.json.encode({"status_code": 503, "detail": NOT_CONFIGURED}),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            media_type=MediaType.JSON,
        )
    body = await request.body()
    bolt_response = await bolt.async_dispatch(
        AsyncBoltRequest(
            body=body.decode("utf-8"),
            query=request.url.query or None,
            headers=dict(request.headers.items()),
        )
    )
    return Response(
        content=bolt_response.body.encode("utf-8"),
        status_code=bolt_response.status,
        headers={
            k: v[0] for k, v in bolt_response.headers.items() if v and k.lower() != "content-length"
        },
    )
