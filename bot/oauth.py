"""Installing Hirebot into a workspace: Bolt's OAuth flow with Hirebot's stores and pages.

`GET /slack/install` shows the Add to Slack page and sets the state cookie;
`GET /slack/oauth_redirect` exchanges the code (`oauth.v2.access`), stores the installation
(which maps the workspace to its organization, `models/installations.py`) and shows what
to do next, or why it failed (400). Everything Bolt calls goes to HIREBOT_SLACK_API_URL,
the token rotator included (Bolt's settings build theirs against slack.com).
"""

from __future__ import annotations

import logging
from html import escape

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.web.async_client import AsyncWebClient

from bot.oauth_stores import DatabaseInstallationStore, DatabaseOAuthStateStore
from bot.slack_calls import SLACK_FAILURES, slack_error_code
from bot.slack_client import SecretsRedacted
from models.settings import Settings

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
ROTATE_MINUTES_BEFORE_EXPIRY = 120
"""A rotating token is refreshed when it expires within this time (Slack's last 12 h)."""

FAILURES = {
    "access_denied": "The installation was cancelled in Slack.",
    "invalid_browser": "This link was opened in another browser than the one that started "
    "the installation, or its cookie expired.",
    "invalid_state": "This installation link has expired or was already used.",
    "missing_code": "Slack did not send an authorization code.",
    "invalid_code": "Slack did not accept the authorization code (it may have expired).",
    "storage_error": "The installation could not be saved. Nothing was stored.",
}


_bolt_log = logging.getLogger("hirebot.oauth.bolt")
_bolt_log.addFilter(SecretsRedacted())  # Bolt logs a failed exchange with its code


class HirebotOAuthFlow(AsyncOAuthFlow):
    """Bolt's flow, with Hirebot's page, and every failure a failure page, never a 500."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        return install_page(url)

    async def run_installation(self, code: str) -> Installation | None:
        try:
            return await super().run_installation(code)
        except SLACK_FAILURES as error:  # Slack unreachable or answering HTML: not a 500
            log.warning("the OAuth code exchange failed: %s", slack_error_code(error))
            return None
        except (KeyError, TypeError):
            log.warning("the OAuth code exchange answered an unexpected shape")
            return None

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        try:
            await super().store_installation(request, installation)
        except Exception as error:
            log.exception("could not store the installation")
            raise BoltError("the installation could not be stored") from error


def build_oauth(
    settings: Settings, client: AsyncWebClient
) -> tuple[HirebotOAuthFlow, AsyncInstallationStoreAuthorize]:
    """The OAuth flow and the authorize Bolt runs for each request (with rotation)."""
    installations = DatabaseInstallationStore(settings)
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=settings.slack_scope_list,
        redirect_uri=f"{settings.public_url.rstrip('/')}{REDIRECT_PATH}",
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=AsyncCallbackOptions(success=_succeeded, failure=_failed),
        installation_store=installations,
        state_store=DatabaseOAuthStateStore(),
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
        logger=_bolt_log,
    )
    flow = HirebotOAuthFlow(client=client, logger=_bolt_log, settings=oauth_settings)
    authorize = AsyncInstallationStoreAuthorize(
        logger=_bolt_log,
        installation_store=installations,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=ROTATE_MINUTES_BEFORE_EXPIRY,
        client=client,  # the rotator's oauth.v2.access goes to HIREBOT_SLACK_API_URL
        # Who each bot token is (auth.test) once per token, not on every request.
        cache_enabled=True,
    )
    return flow, authorize


async def _succeeded(args: AsyncSuccessArgs) -> BoltResponse:
    team = args.installation.team_name or args.installation.enterprise_name or "your workspace"
    log.info(
        "Hirebot installed in %s", args.installation.team_id or args.installation.enterprise_id
    )
    page = _page(200, "Hirebot is installed", success_body(team))
    return _spend_cookie(page, args.settings)


async def _failed(args: AsyncFailureArgs) -> BoltResponse:
    why = FAILURES.get(args.reason, f"Slack reported: {args.reason}.")
    log.warning("a Slack installation failed: %s", args.reason)
    page = _page(400, "Hirebot was not installed", failure_body(why))
    return _spend_cookie(page, args.settings)


def _spend_cookie(page: BoltResponse, settings: AsyncOAuthSettings) -> BoltResponse:
    """The browser forgets the state cookie: this install attempt is over either way."""
    page.headers["set-cookie"] = [settings.state_utils.build_set_cookie_for_deletion()]
    return page


def _page(status: int, title: str, body: str) -> BoltResponse:
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1d1c1d}code{background:#f4f4f4;padding:0 .2em}"
        "</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return BoltResponse(
        status=status, body=html, headers={"Content-Type": "text/html; charset=utf-8"}
    )


def install_page(url: str) -> str:
    return _page(
        200,
        "Add Hirebot to Slack",
        "<p>Hirebot drafts job descriptions, shares and publishes jobs, and follows their "
        "hiring pipelines, in Slack. Installing it gives your workspace its own Hirebot "
        "organization; you become its Admin.</p>"
        f'<p><a href="{escape(url, quote=True)}">'
        '<img alt="Add to Slack" height="40" width="139" '
        'src="https://platform.slack-edge.com/img/add_to_slack.png" '
        'srcset="https://platform.slack-edge.com/img/add_to_slack.png 1x, '
        'https://platform.slack-edge.com/img/add_to_slack@2x.png 2x"></a></p>',
    ).body


def success_body(team: str) -> str:
    return (
        f"<p>Hirebot is now part of <strong>{escape(team)}</strong>, and you are the Admin "
        "of its Hirebot organization.</p><p>Next, in Slack:</p><ul>"
        "<li>type <code>/job new</code> to create a job and get its description written;</li>"
        "<li>write to Hirebot in its Messages tab, or mention <code>@Hirebot</code> in a "
        "channel;</li><li>open Hirebot's Home tab to see your jobs.</li></ul>"
        "<p>You can close this page.</p>"
    )


def failure_body(why: str) -> str:
    return (
        f"<p>{escape(why)}</p>"
        f'<p><a href="{INSTALL_PATH}">Start the installation again</a>, or ask the person '
        "who runs Hirebot for your team.</p>"
    )
