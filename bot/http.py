"""`POST /slack/events`: Slack's request URL (commands, interactivity and events).

The signature is checked first, on the raw bytes (`bot.verification`): a request that fails
is answered 401 with one warning line, and nothing reads its body. A verified body that
cannot be read is answered 400. Only then does Bolt see the request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import msgspec
from litestar import MediaType, Request, Response, post
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.app import HirebotApp
from bot.payloads import Malformed, parse_body
from bot.verification import VERIFIED, Unverified, verified_body

log = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN "
    "(see README, 'Installing the Slack app')"
)


def _text(status: int, text: str) -> Response[bytes]:
    return Response(content=text.encode(), status_code=status, media_type=MediaType.TEXT)


@post(
    "/slack/events",
    operation_id="slackEvents",
    tags=["slack"],
    summary="Slack's request URL for slash commands, interactivity and events",
    security=[],
    status_code=200,
)
async def slack_events(request: Request) -> Response[bytes]:
    bolt: HirebotApp | None = request.app.state.get("bolt")
    if bolt is None:
        return Response(
            content=msgspec.json.encode({"status_code": 503, "detail": NOT_CONFIGURED}),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            media_type=MediaType.JSON,
        )
    raw = await request.body()
    headers: dict[str, str] = dict(request.headers.items())
    try:
        text = verified_body(raw, headers, bolt.signing_secret)
    except Unverified as refused:
        log.warning("refused a Slack request: %s", refused.reason)
        return _text(HTTP_401_UNAUTHORIZED, "invalid request signature")
    try:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        parse_body(text, content_type or None)
        bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
        bolt_request = AsyncBoltRequest(
            body=text,
            query=request.url.query or None,
            headers=bolt_headers,
            context={VERIFIED: True},
        )
    except Malformed as error:
        log.warning("refused a malformed Slack request: %s", error.reason)
        return _text(HTTP_400_BAD_REQUEST, f"malformed request: {error.reason}")
    bolt_response = await bolt.async_dispatch(bolt_request)
    return Response(
        content=bolt_response.body.encode("utf-8"),
        status_code=bolt_response.status,
        headers={
            k: v[0] for k, v in bolt_response.headers.items() if v and k.lower() != "content-length"
        },
    )
