"""Builds the Bolt app: its Web API client, request checks and every listener."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.authorize import SingleWorkspaceAuthorize
from bot.payloads import Malformed, check_shape
from bot.response_urls import RefusedRespond, ResponseUrlPolicy
from bot.slack_client import slack_web_client
from bot.verification import VERIFIED, is_verified
from models.settings import Settings

log = logging.getLogger(__name__)


class HirebotApp(AsyncApp):
    """Bolt's app, refusing what it must never act on before any middleware runs: a request
    not verified, a body without the fields its kind needs, and a `response_url` that is not
    Slack's (dropped, so `respond` cannot be aimed at another address)."""

    def __init__(
        self, *, response_urls: ResponseUrlPolicy, signing_secret: str, **kwargs: object
    ) -> None:
        super().__init__(signing_secret=signing_secret, **kwargs)  # type: ignore[arg-type]
        self.signing_secret = signing_secret
        self.response_urls = response_urls
        self.authorizer: SingleWorkspaceAuthorize | None = None

    async def warm(self) -> None:
        """Ask Slack who the bot is now, rather than on the first request."""
        if self.authorizer is not None:
            await self.authorizer.warm()

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        if req.mode == "socket_mode":
            req.context[VERIFIED] = True
        if not is_verified(req):
            log.warning("refused a Slack request that was not verified")
            return BoltResponse(status=401, body="invalid request")
        try:
            check_shape(req.body)
        except Malformed as error:
            log.warning("refused a malformed Slack request: %s", error.reason)
            return BoltResponse(status=400, body=f"malformed request: {error.reason}")
        url = req.context.response_url
        if url is not None and not self.response_urls.allows(url):
            log.warning("ignored a response_url outside Slack's hosts")
            req.context["response_url"] = None
            req.context["respond"] = RefusedRespond()
        return await super().async_dispatch(req)


def build_bolt_app(settings: Settings) -> HirebotApp:
    """The Slack app. Bolt checks the signature again (the HTTP endpoint checked it first)."""
    from bot.listeners import register

    client = slack_web_client(settings, None)  # Bolt sets each request's token from authorize
    authorizer = SingleWorkspaceAuthorize(client, settings.slack_bot_token)
    app = HirebotApp(
        response_urls=ResponseUrlPolicy.from_settings(settings),
        signing_secret=settings.slack_signing_secret,
        client=client,
        authorize=authorizer.bolt_function(),
        # Listeners only acknowledge (a modal after checking it) and start their work in the
        # background (bot/listeners/after_ack.py), so the response leaves when they return: no
        # 10 ms polling for the ack (what process_before_response=False does).
        process_before_response=True,
    )
    app.authorizer = authorizer
    register(app, settings)
    return app
