"""`POST /slack/events`: Slack's request URL (commands, interactivity and events), and in
OAuth mode `GET /slack/install` and `GET /slack/oauth_redirect` (Bolt's flow, `bot/oauth.py`).

The signature is checked first, on the raw bytes (`bot.verification`): a request that fails
is answered 401 with one warning line, and nothing reads its body. A verified body that
cannot be read is answered 400. Only then does Bolt see the request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import msgspec
from litestar import MediaType, Request, get, post
from litestar.response.base import ASGIResponse
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app import HirebotApp
from bot.oauth import INSTALL_PATH, REDIRECT_PATH
from bot.payloads import Malformed, parse_body
from bot.verification import VERIFIED, Unverified, verified_body

log = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "Slack is not configured: set SLACK_SIGNING_SECRET and either SLACK_BOT_TOKEN (one "
    "workspace) or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and HIREBOT_SECRET_KEY (installable "
    "by any workspace); see README, 'Installing the Slack app'"
)
NOT_OAUTH = (
    "Hirebot runs for one workspace (SLACK_BOT_TOKEN is set): there is nothing to install "
    "here; see README, 'Installing the Slack app'"
)


def _text(status: int, text: str) -> ASGIResponse:
    return ASGIResponse(body=text.encode(), status_code=status, media_type=MediaType.TEXT)


def _problem(status: int, detail: str) -> ASGIResponse:
    return ASGIResponse(
        body=msgspec.json.encode({"status_code": status, "detail": detail}),
        status_code=status,
        media_type=MediaType.JSON,
    )


def _from_bolt(bolt_response: BoltResponse) -> ASGIResponse:
    """Bolt's response as is, every header value kept (Bolt's headers hold lists, and an
    install sets and clears cookies)."""
    headers = [
        (name, value)
        for name, values in bolt_response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    return ASGIResponse(
        body=bolt_response.body.encode("utf-8"), status_code=bolt_response.status, headers=headers
    )


@post(
    "/slack/events",
    operation_id="slackEvents",
    response_description="Slack's acknowledgement (what Bolt answers).",
    tags=["slack"],
    summary="Slack's request URL for slash commands, interactivity and events",
    security=[],
    status_code=200,
)
async def slack_events(request: Request) -> ASGIResponse:
    bolt: HirebotApp | None = request.app.state.get("bolt")
    if bolt is None:
        return _problem(HTTP_503_SERVICE_UNAVAILABLE, NOT_CONFIGURED)
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
    return _from_bolt(await bolt.async_dispatch(bolt_request))


@get(
    INSTALL_PATH,
    operation_id="slackInstall",
    response_description="The Add to Slack page.",
    tags=["slack"],
    summary="The Add to Slack page (OAuth mode); sets the installation's state cookie",
    security=[],
    media_type=MediaType.HTML,
)
async def slack_install(request: Request) -> ASGIResponse:
    return await _oauth_step(request, callback=False)


@get(
    REDIRECT_PATH,
    operation_id="slackOAuthRedirect",
    response_description="The page that says the install worked.",
    tags=["slack"],
    summary="Where Slack sends the installer back: exchanges the code, stores the installation",
    security=[],
    media_type=MediaType.HTML,
)
async def slack_oauth_redirect(request: Request) -> ASGIResponse:
    return await _oauth_step(request, callback=True)


async def _oauth_step(request: Request, *, callback: bool) -> ASGIResponse:
    """One step of Bolt's OAuth flow: the install page, or the redirect back from Slack."""
    bolt: HirebotApp | None = request.app.state.get("bolt")
    if bolt is None:
        return _problem(HTTP_503_SERVICE_UNAVAILABLE, NOT_CONFIGURED)
    flow = bolt.oauth_flow
    if flow is None:
        return _problem(HTTP_404_NOT_FOUND, NOT_OAUTH)
    headers: dict[str, str | Sequence[str]] = dict(request.headers.items())
    step = AsyncBoltRequest(body="", query=request.url.query or None, headers=headers)
    handle = flow.handle_callback if callback else flow.handle_installation
    return _from_bolt(await handle(step))
