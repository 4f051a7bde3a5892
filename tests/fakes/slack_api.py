"""A fake Slack Web API on a loopback port that records every call.

It runs on its own thread and event loop, so it answers both Litestar's sync-backed test
clients (which block the test's loop) and plain async tests. Point
`AsyncWebClient(base_url=fake.base_url)` at it; POSTs to `fake.response_url(...)` are
recorded too, as calls of the method "response_url".
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

TEAM_ID = "T0001"
TEAM_NAME = "Acme"
BOT_USER_ID = "UBOT"
BOT_ID = "B0001"
APP_ID = "A0001"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"
ROTATED_TOKEN_SECONDS = 43200

RESPONSE_URL_METHOD = "response_url"

# Fields Slack clients send as JSON strings inside form bodies; decoded for assertions.
JSON_FIELDS = frozenset(
    {"blocks", "attachments", "view", "metadata", "unfurls", "user_auth_blocks", "chunks"}
)

Responder = Callable[["SlackCall"], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SlackCall:
    """One request the fake received, with the answer it gave."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    """`time.monotonic()` when the request arrived (comparable with the test's clock)."""
    path: str
    http_method: str
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the call succeeded (HTTP 200 and `ok: true`)."""
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def token(self) -> str | None:
        """The token sent as `Authorization: Bearer ...` or as a `token` parameter."""
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.params.get("token")
        return token if isinstance(token, str) else None


@dataclass(frozen=True, slots=True)
class _Injected:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    raw: str | None = None
    """A body that is not JSON (an HTML error page), sent instead of `body`."""


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace as the fake knows it, by the bot token issued for it."""

    team_id: str
    team_name: str
    bot_user_id: str
    bot_id: str


@dataclass(frozen=True, slots=True)
class Grant:
    """What exchanging one OAuth code installs."""

    workspace: Workspace
    installer: str
    scopes: str
    bot_token: str
    refresh_token: str | None
    """Set when the app rotates its tokens: the token then expires."""


class FakeSlackAPI:
    """Stands in for `https://slack.com/api/`; start it with `with FakeSlackAPI() as slack:`."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        """Seconds every answer is delayed by (for timing tests and benchmarks)."""
        self._lock = threading.Lock()
        self._calls: list[SlackCall] = []
        self._injected: dict[str, deque[_Injected]] = {}
        self._responders: dict[str, Responder] = {}
        self._ts_counter = 0
        self._view_counter = 0
        self._dm_channels: dict[str, str] = {}
        self._workspaces: dict[str, Workspace] = {}
        """Bot token -> the workspace it belongs to (auth.test answers with it)."""
        self._grants: dict[str, Grant] = {}
        """OAuth code -> what exchanging it installs (single use)."""
        self._refresh_tokens: dict[str, Workspace] = {}
        self._emails: dict[str, str | None] = {}
        self._token_counter = 0
        self._revoked: set[str] = set()
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlackAPI:
        """Start the server on 127.0.0.1 with an ephemeral port (idempotent)."""
        if self._thread is not None:
            return self
        ready = threading.Event()
        errors: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # surfaced to the starting thread below
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="fake-slack-api", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            self._thread = None
            raise RuntimeError("fake Slack API failed to start") from errors[0]
        return self

    def stop(self) -> None:
        """Stop the server and join its thread."""
        if self._thread is None or self._loop is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None
        self._runner = None
        self._port = None

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def _serve(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_route("POST", "/{tail:.*}", self._handle_response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        for address in self._runner.addresses:
            self._port = int(address[1])
            break

    # -- addresses -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlackAPI is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The Web API base URL, for `AsyncWebClient(base_url=...)`."""
        return f"{self.url}/api/"

    def response_url(self, path: str = "/hooks/1") -> str:
        """A URL on this server; POSTs to it are recorded as method "response_url"."""
        if not path.startswith("/") or path.startswith("/api/"):
            raise ValueError("path must start with '/' and not be under /api/")
        return f"{self.url}{path}"

    # -- behaviour control -----------------------------------------------------------------

    def fail_next(self, method: str, error: str = "internal_error", *, times: int = 1) -> None:
        """The next `times` calls of `method` answer `{"ok": false, "error": error}`."""
        self._inject(method, _Injected(200, {"ok": False, "error": error}, {}), times)

    def rate_limit_next(self, method: str, retry_after: int = 1, *, times: int = 1) -> None:
        """The next `times` calls of `method` answer HTTP 429 with a Retry-After header."""
        body = {"ok": False, "error": "ratelimited"}
        self._inject(method, _Injected(429, body, {"Retry-After": str(retry_after)}), times)

    def server_error_next(self, method: str, status: int = 500, *, times: int = 1) -> None:
        """The next `times` calls of `method` answer `status` with an HTML page, as a
        proxy in front of Slack does when Slack is down."""
        page = f"<html><body><h1>{status}</h1>Service unavailable</body></html>"
        self._inject(method, _Injected(status, {}, {}, raw=page), times)

    def set_response(self, method: str, responder: Responder | Mapping[str, Any]) -> None:
        """Answer `method` with a fixed body, or with `responder(call)`, from now on."""
        if callable(responder):
            self._responders[method] = responder
        else:
            body = dict(responder)
            self._responders[method] = lambda _call: dict(body)

    def grant(
        self,
        code: str,
        *,
        team_id: str,
        team_name: str,
        installer: str,
        rotating: bool = False,
        scopes: str = "commands,chat:write",
    ) -> str:
        """Let `oauth.v2.access` exchange `code` (once, for this app's client id and secret)
        for an installation in this workspace; the bot token it will issue."""
        workspace = Workspace(team_id, team_name, f"UBOT{team_id}", f"B{team_id}")
        token = self._new_token("xoxe.xoxb-" if rotating else "xoxb-", team_id)
        refresh = self._new_token("xoxe-1-", team_id) if rotating else None
        with self._lock:
            self._grants[code] = Grant(workspace, installer, scopes, token, refresh)
        return token

    def set_email(self, user_id: str, email: str | None) -> None:
        """What `users.info` gives as this user's email (None: no email, as without the
        users:read.email scope)."""
        with self._lock:
            self._emails[user_id] = email

    def revoke(self, token: str) -> None:
        """Slack no longer accepts this token (`invalid_auth`)."""
        with self._lock:
            self._workspaces.pop(token, None)
            self._revoked.add(token)

    def _new_token(self, prefix: str, team_id: str) -> str:
        with self._lock:
            self._token_counter += 1
            return f"{prefix}{team_id}-{self._token_counter:04d}"

    def reset(self) -> None:
        """Forget recorded calls, pending injections and custom responses."""
        with self._lock:
            self._calls.clear()
            self._injected.clear()
            self._responders.clear()

    def _inject(self, method: str, outcome: _Injected, times: int) -> None:
        with self._lock:
            queue = self._injected.setdefault(method, deque())
            queue.extend([outcome] * times)

    # -- inspection ------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SlackCall]:
        """Recorded calls in arrival order, optionally only those of one method."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def streamed(self) -> dict[str, str]:
        """The text of every streamed message so far, by its ts (chat.startStream, then
        appendStream and stopStream, as markdown_text or markdown chunks)."""
        texts: dict[str, str] = {}
        for call in self.calls():
            if call.method not in ("chat.startStream", "chat.appendStream", "chat.stopStream"):
                continue
            ts = (
                call.response.get("ts")
                if call.method == "chat.startStream"
                else call.params.get("ts")
            )
            if not ts or not call.ok:
                continue
            pieces = [str(call.params.get("markdown_text") or "")]
            for chunk in call.params.get("chunks") or []:
                if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
                    pieces.append(str(chunk.get("text", "")))
            texts[str(ts)] = texts.get(str(ts), "") + "".join(pieces)
        return texts

    def calls_after_start(self) -> list[SlackCall]:
        """Recorded calls, without the `auth.test` a Bolt app makes when it starts."""
        return [c for c in self.calls() if c.method != "auth.test"]

    def _matching(
        self, method: str | None, predicate: Callable[[SlackCall], bool] | None
    ) -> list[SlackCall]:
        return [c for c in self.calls(method) if predicate is None or predicate(c)]

    def _timeout_error(self, method: str | None, count: int, found: int) -> AssertionError:
        seen = [c.method for c in self.calls()]
        return AssertionError(
            f"expected {count} call(s) of {method or 'any method'}, got {found}; "
            f"all calls so far: {seen}"
        )

    def wait_for(
        self,
        method: str | None,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[SlackCall], bool] | None = None,
    ) -> list[SlackCall]:
        """Block until `count` matching calls arrived; return all matching calls."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(method, predicate)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise self._timeout_error(method, count, len(found))
            time.sleep(0.01)

    async def await_for(
        self,
        method: str | None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (mirrors wait_for's signature on purpose)
        predicate: Callable[[SlackCall], bool] | None = None,
    ) -> list[SlackCall]:
        """Like `wait_for`, without blocking the caller's event loop."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._matching(method, predicate)
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise self._timeout_error(method, count, len(found))
            await asyncio.sleep(0.01)

    # -- HTTP handlers ---------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        return await self._handle(request, request.match_info["method"])

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        return await self._handle(request, RESPONSE_URL_METHOD)

    async def _handle(self, request: web.Request, method: str) -> web.Response:
        at = time.monotonic()
        params = await _read_params(request)
        headers = {k.lower(): v for k, v in request.headers.items()}
        call = SlackCall(
            method=method,
            params=params,
            headers=headers,
            at=at,
            path=request.path,
            http_method=request.method,
        )
        with self._lock:
            queue = self._injected.get(method)
            injected = queue.popleft() if queue else None
            responder = self._responders.get(method)
        raw: str | None = None
        if injected is not None:
            status, body, extra_headers = injected.status, injected.body, injected.headers
            raw = injected.raw
        else:
            status, extra_headers = 200, {}
            body = responder(call) if responder is not None else self._answer(call)
        with self._lock:
            self._calls.append(_with_response(call, status, body))
        if self.latency:
            await asyncio.sleep(self.latency)
        if raw is not None:
            return web.Response(text=raw, status=status, content_type="text/html")
        return web.json_response(body, status=status, headers=extra_headers)

    # -- plausible answers -----------------------------------------------------------------

    def _next_ts(self) -> str:
        with self._lock:
            self._ts_counter += 1
            n = self._ts_counter
        return f"{1_700_000_000 + n // 10_000}.{(n % 10_000) * 100:06d}"

    def _next_view_id(self) -> str:
        with self._lock:
            self._view_counter += 1
            return f"V{self._view_counter:08d}"

    def _dm_channel(self, users: str) -> str:
        with self._lock:
            key = ",".join(sorted(u.strip() for u in users.split(",") if u.strip()))
            if key not in self._dm_channels:
                self._dm_channels[key] = f"D{len(self._dm_channels) + 1:08d}"
            return self._dm_channels[key]

    def _answer(self, call: SlackCall) -> dict[str, Any]:
        p = call.params
        with self._lock:
            revoked = call.token in self._revoked
            workspace = self._workspaces.get(call.token or "")
        if revoked:
            return {"ok": False, "error": "invalid_auth"}
        match call.method:
            case "oauth.v2.access":
                return self._oauth_access(call)
            case "auth.test" if workspace is not None:
                return {
                    "ok": True,
                    "url": f"https://{workspace.team_name.lower()}.slack.com/",
                    "team": workspace.team_name,
                    "user": "hirebot",
                    "team_id": workspace.team_id,
                    "user_id": workspace.bot_user_id,
                    "bot_id": workspace.bot_id,
                    "app_id": APP_ID,
                    "is_enterprise_install": False,
                }
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://acme.slack.com/",
                    "team": TEAM_NAME,
                    "user": "hirebot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                    "app_id": APP_ID,
                    "is_enterprise_install": False,
                }
            case "chat.postMessage":
                ts = self._next_ts()
                return {
                    "ok": True,
                    "channel": p.get("channel"),
                    "ts": ts,
                    "message": _message(p, ts),
                }
            case "chat.update":
                return {
                    "ok": True,
                    "channel": p.get("channel"),
                    "ts": p.get("ts"),
                    "text": p.get("text", ""),
                    "message": _message(p, p.get("ts")),
                }
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            case "views.open" | "views.update" | "views.push" | "views.publish":
                view = p["view"] if isinstance(p.get("view"), dict) else {}
                view_id = str(p.get("view_id") or self._next_view_id())
                return {"ok": True, "view": _view(view, view_id, call.method)}
            case "chat.startStream":
                return {"ok": True, "channel": p.get("channel"), "ts": self._next_ts()}
            case "chat.appendStream" | "chat.stopStream":
                return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts")}
            case "conversations.open":
                return {"ok": True, "channel": {"id": self._dm_channel(str(p.get("users", "")))}}
            case "users.info":
                user = _user(str(p.get("user", "U0000")), workspace)
                with self._lock:
                    if user["id"] in self._emails:
                        user["profile"]["email"] = self._emails[user["id"]]
                if user["profile"]["email"] is None:
                    del user["profile"]["email"]
                return {"ok": True, "user": user}
            case _:
                return {"ok": True}

    def _oauth_access(self, call: SlackCall) -> dict[str, Any]:
        """Slack's `oauth.v2.access`: a code exchanged once, or a refresh token for a new
        token (token rotation); the client id and secret must be this app's."""
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        sent = call.headers.get("authorization", "")
        form = (call.params.get("client_id"), call.params.get("client_secret"))
        if sent != f"Basic {expected}" and form != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        if call.params.get("grant_type") == "refresh_token":
            with self._lock:
                workspace = self._refresh_tokens.pop(str(call.params.get("refresh_token")), None)
            if workspace is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            token = self._new_token("xoxe.xoxb-", workspace.team_id)
            refresh = self._new_token("xoxe-1-", workspace.team_id)
            with self._lock:
                self._workspaces[token] = workspace
                self._refresh_tokens[refresh] = workspace
            return {
                "ok": True,
                "access_token": token,
                "token_type": "bot",
                "refresh_token": refresh,
                "expires_in": ROTATED_TOKEN_SECONDS,
                "team": {"id": workspace.team_id, "name": workspace.team_name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        with self._lock:
            grant = self._grants.pop(str(call.params.get("code")), None)
            if grant is not None:
                self._workspaces[grant.bot_token] = grant.workspace
                if grant.refresh_token:
                    self._refresh_tokens[grant.refresh_token] = grant.workspace
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": grant.installer},
            "scope": grant.scopes,
            "token_type": "bot",
            "access_token": grant.bot_token,
            "bot_user_id": grant.workspace.bot_user_id,
            "team": {"id": grant.workspace.team_id, "name": grant.workspace.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if grant.refresh_token:
            answer |= {"refresh_token": grant.refresh_token, "expires_in": ROTATED_TOKEN_SECONDS}
        return answer


def _with_response(call: SlackCall, status: int, body: dict[str, Any]) -> SlackCall:
    return SlackCall(
        method=call.method,
        params=call.params,
        headers=call.headers,
        at=call.at,
        path=call.path,
        http_method=call.http_method,
        status=status,
        response=body,
    )


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string, then form (urlencoded or multipart) or JSON body, merged."""
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            raw = await request.text()
            body = json.loads(raw) if raw.strip() else {}
            if isinstance(body, dict):
                params.update(body)
            else:
                params["_body"] = body
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                params[key] = value if isinstance(value, str) else _file_summary(value)
        else:
            raw = await request.text()
            params.update(dict(parse_qsl(raw, keep_blank_values=True)))
    return {key: _decode_json_field(key, value) for key, value in params.items()}


def _file_summary(value: object) -> str:
    """Uploaded files are recorded by name only."""
    return f"<file {getattr(value, 'filename', '?')}>"


def _decode_json_field(key: str, value: Any) -> Any:
    if key in JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _message(params: Mapping[str, Any], ts: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "ts": ts,
        "text": params.get("text", ""),
    }
    for key in ("blocks", "attachments", "thread_ts", "metadata"):
        if key in params:
            message[key] = params[key]
    return message


def _view(view: Mapping[str, Any], view_id: str, method: str) -> dict[str, Any]:
    kind = "home" if method == "views.publish" else view.get("type", "modal")
    return {
        **view,
        "id": view_id,
        "team_id": TEAM_ID,
        "type": kind,
        "hash": f"1700000000.{view_id}",
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        "state": {"values": {}},
    }


def _user(user_id: str, workspace: Workspace | None = None) -> dict[str, Any]:
    name = f"User {user_id}"
    return {
        "id": user_id,
        "team_id": workspace.team_id if workspace else TEAM_ID,
        "name": user_id.lower(),
        "real_name": name,
        "tz": "UTC",
        "is_bot": False,
        "deleted": False,
        "profile": {
            "real_name": name,
            "display_name": user_id.lower(),
            "email": f"{user_id.lower()}@example.com",
        },
    }
