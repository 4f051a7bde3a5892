"""Builds the Bolt app: its Web API client, request checks and every listener."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.authorize import SingleWorkspaceAuthorize
from bot.oauth import build_oauth
from bot.payloads import Malformed, check_shape
from bot.response_urls import RefusedRespond, ResponseUrlPolicy
from bot.slack_client import slack_web_client
from bot.verification import VERIFIED, is_verified
from models import installations
from models.settings import Settings

log = logging.getLogger(__name__)

OAUTH_ENVIRONMENT = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


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
        # OAuth mode: a request from a workspace that has not installed Hirebot is ignored.
        if self.oauth_flow is not None and not await self._installed(req):
            return BoltResponse(status=200, body="")
        url = req.context.response_url
        if url is not None and not self.response_urls.allows(url):
            log.warning("ignored a response_url outside Slack's hosts")
            req.context["response_url"] = None
            req.context["respond"] = RefusedRespond()
        return await super().async_dispatch(req)

    async def _installed(self, req: AsyncBoltRequest) -> bool:
        """Whether the request's workspace installed Hirebot (uninstall and revocation
        events always pass: they delete what is left)."""
        event = req.body.get("event") if isinstance(req.body, dict) else None
        kind = event.get("type") if isinstance(event, dict) else None
        if kind in ("app_uninstalled", "tokens_revoked") or req.body.get("type") in (
            "url_verification",
            "ssl_check",
        ):
            return True
        context = req.context
        team_id = None if context.is_enterprise_install else context.team_id
        if await installations.is_installed(context.enterprise_id, team_id):
            return True
        log.warning(
            "ignored a request from Slack workspace %s, which has not installed Hirebot",
            context.team_id or context.enterprise_id,
        )
        return False


@contextmanager
def _bolt_blind_to_oauth_environment() -> Iterator[None]:
    """Bolt builds an OAuth flow of its own (with file stores) whenever SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET are in the environment, even with a bot token set; Hirebot decides
    the mode itself (`Settings.slack_oauth`) and passes its flow, so Bolt must not see them."""
    hidden = {name: os.environ.pop(name) for name in OAUTH_ENVIRONMENT if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(hidden)


def build_bolt_app(settings: Settings) -> HirebotApp:
    """The Slack app. Bolt checks the signature again (the HTTP endpoint checked it first)."""
    from bot.listeners import register

    client = slack_web_client(settings, None)  # Bolt sets each request's token from authorize
    authorizer: SingleWorkspaceAuthorize | None = None
    if settings.slack_oauth:
        flow, authorize = build_oauth(settings, client)
        how: dict[str, object] = {"oauth_flow": flow, "authorize": authorize}
    else:
        authorizer = SingleWorkspaceAuthorize(client, settings.slack_bot_token)
        how = {"authorize": authorizer.bolt_function()}
    with _bolt_blind_to_oauth_environment():
        app = HirebotApp(
            response_urls=ResponseUrlPolicy.from_settings(settings),
            signing_secret=settings.slack_signing_secret,
            client=client,
            # Listeners only acknowledge (a modal after checking it) and start their work in
            # the background (bot/listeners/after_ack.py), so the response leaves when they
            # return: no 10 ms polling for the ack (what process_before_response=False does).
            process_before_response=True,
            **how,
        )
    app.authorizer = authorizer
    if settings.slack_oauth:
        # app_uninstalled and tokens_revoked delete the workspace's tokens (Bolt's own).
        app.enable_token_revocation_listeners()
    register(app, settings)
    return app
