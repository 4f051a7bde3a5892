"""Requests that fail verification, or that are verified but cannot be read, cause nothing.

Each case is sent to the real app. The fake Slack Web API and a separate loopback
`response_url` receiver must hear nothing, no row may change, and the log gets one warning
line that does not repeat the body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot.acknowledge import drain
from bot.blocks import ids
from bot.response_urls import ResponseUrlPolicy
from bot.verification import Unverified, verified_body
from models.enums import Role
from models.tables import ALL_TABLES
from tests import factories
from tests.bot.conftest import SECRET
from tests.fakes import slack_requests as signed
from tests.fakes.slack_api import FakeSlackAPI

VICTIM = "UVICTIM"
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(name="receiver")
def fx_receiver() -> Iterator[FakeSlackAPI]:
    """A loopback server standing in for an address an attacker aims `response_url` at."""
    with FakeSlackAPI() as fake:
        yield fake


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[str], tuple[bytes, dict[str, str]]]
    """hook URL -> (raw body, headers)"""
    status: int


def _form(fields: dict[str, str]) -> str:
    return urlencode(fields)


def _command_fields(hook: str) -> dict[str, str]:
    return {
        "command": "/job",
        "text": "list",
        "team_id": "T1",
        "user_id": VICTIM,
        "channel_id": "C1",
        "response_url": hook,
        "trigger_id": signed.new_trigger_id(),
    }


def _payload(hook: str) -> str:
    payload = signed.block_actions_payload(ids.PUBLISH_ACTION, "1", response_url=hook)
    return _form({"payload": json.dumps(payload)})


def unsigned(body: str | bytes, **headers: str) -> Callable[[str], tuple[bytes, dict[str, str]]]:
    raw = body if isinstance(body, bytes) else body.encode()
    return lambda _hook: (raw, {**FORM, **headers})


def unsigned_command(**headers: str) -> Callable[[str], tuple[bytes, dict[str, str]]]:
    return lambda hook: (_form(_command_fields(hook)).encode(), {**FORM, **headers})


def unsigned_payload(**headers: str) -> Callable[[str], tuple[bytes, dict[str, str]]]:
    return lambda hook: (_payload(hook).encode(), {**FORM, **headers})


def signed_command(
    *, age: int | None = None, secret: str = SECRET, tamper: bool = False
) -> Callable[[str], tuple[bytes, dict[str, str]]]:
    """A signed slash command; `age`: its timestamp that many seconds before the request
    is sent (negative: in the future), taken when it is sent, however late the test runs."""

    def build(hook: str) -> tuple[bytes, dict[str, str]]:
        body = _form(_command_fields(hook))
        timestamp = None if age is None else int(time.time()) - age
        headers = signed.sign(secret, body, timestamp)
        if tamper:
            body = body.replace(VICTIM, "UOTHER")
        return body.encode(), {**FORM, **headers}

    return build


def signed_raw(raw: bytes, content_type: str = FORM["content-type"]) -> Callable[..., Any]:
    """`raw` signed correctly over its exact bytes."""

    def build(_hook: str) -> tuple[bytes, dict[str, str]]:
        import hashlib
        import hmac

        ts = str(int(time.time()))
        digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256)
        headers = {"x-slack-request-timestamp": ts, "x-slack-signature": "v0=" + digest.hexdigest()}
        return raw, {"content-type": content_type, **headers}

    return build


def signed_text(text: str, content_type: str = FORM["content-type"]) -> Callable[..., Any]:
    return signed_raw(text.encode(), content_type)


NOW = int(time.time())
GOOD_SIG = "v0=" + "0" * 64

CASES = [
    # --- not verified: 401 ---------------------------------------------------------------
    Case("issue repro: timestamp abc", unsigned_command(**{
        "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}), 401),
    Case("issue repro: payload, timestamp 12.5", unsigned_payload(**{
        "X-Slack-Request-Timestamp": "12.5", "X-Slack-Signature": "v0=00"}), 401),
    Case("no headers at all", unsigned_command(), 401),
    Case("no timestamp", unsigned_command(**{"X-Slack-Signature": GOOD_SIG}), 401),
    Case("no signature", unsigned_command(**{"X-Slack-Request-Timestamp": str(NOW)}), 401),
    Case("empty timestamp", unsigned_command(**{
        "X-Slack-Request-Timestamp": "", "X-Slack-Signature": GOOD_SIG}), 401),
    Case("negative timestamp", unsigned_command(**{
        "X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": GOOD_SIG}), 401),
    Case("timestamp with a sign", unsigned_command(**{
        "X-Slack-Request-Timestamp": f"+{NOW}", "X-Slack-Signature": GOOD_SIG}), 401),
    Case("huge timestamp", unsigned_command(**{
        "X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": GOOD_SIG}), 401),
    Case("stale timestamp", signed_command(age=600), 401),
    Case("timestamp in the future", signed_command(age=-600), 401),
    Case("signature without v0=", unsigned_command(**{
        "X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "0" * 64}), 401),
    Case("signature not hex", unsigned_command(**{
        "X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v0=" + "z" * 64}), 401),
    Case("signature too short", unsigned_command(**{
        "X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": "v0=abc"}), 401),
    Case("wrong secret", signed_command(secret="not-the-secret"), 401),
    Case("body changed after signing", signed_command(tamper=True), 401),
    Case("unsigned body not UTF-8", unsigned(b"command=/job&text=\xff\xfe", **{
        "X-Slack-Request-Timestamp": str(NOW), "X-Slack-Signature": GOOD_SIG}), 401),
    Case("signed body not UTF-8", signed_raw(b"command=/job&user_id=U1&text=\xff\xfe"), 401),
    # --- verified but unreadable: 400 ------------------------------------------------------
    Case("payload is malformed JSON", signed_text("payload=%7B%22type%22%3A"), 400),
    Case("payload is a JSON list", signed_text("payload=%5B1%2C2%5D"), 400),
    Case("JSON body is not an object", signed_text('"hello"', "application/json"), 400),
    Case("empty body", signed_text(""), 400),
    Case("command without user", signed_text("command=%2Fjob&team_id=T1&text=list"), 400),
    Case("click with a numeric user", signed_text("payload=" + json.dumps(
        {"type": "block_actions", "user": 5, "team": {"id": "T1"}, "actions": []})), 400),
    Case("click without actions", signed_text(urlencode({"payload": json.dumps(
        {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}})})), 400),
    Case("event without event", signed_text(json.dumps(
        {"type": "event_callback", "team_id": "T1", "event_id": "Ev1"}), "application/json"), 400),
    Case("submission without view", signed_text(urlencode({"payload": json.dumps(
        {"type": "view_submission", "user": {"id": "U1"}, "team": {"id": "T1"}})})), 400),
]  # fmt: skip


async def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {t._meta.tablename: await t.select().order_by(t.id) for t in ALL_TABLES}


@pytest.fixture(name="existing_data")
async def fx_existing_data(http: httpx.AsyncClient) -> None:
    """Some rows the attacks must not touch."""
    owner = await factories.user(await factories.org(), Role.ADMIN)
    await factories.job(owner, title="Platform Engineer")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_refused_request_causes_nothing(
    http: httpx.AsyncClient,
    slack_api: FakeSlackAPI,
    receiver: FakeSlackAPI,
    existing_data: None,
    caplog: pytest.LogCaptureFixture,
    case: Case,
) -> None:
    before = await _snapshot()
    raw, headers = case.build(receiver.response_url("/hook"))
    with caplog.at_level(logging.INFO):
        response = await http.post("/slack/events", content=raw, headers=headers)
        await drain()
        await asyncio.sleep(0.2)  # anything started in the background would have spoken
    assert response.status_code == case.status, response.text
    assert len(response.content) < 100
    assert slack_api.calls_after_start() == []
    assert receiver.calls() == []
    assert await _snapshot() == before
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert VICTIM not in warnings[0].getMessage()
    assert "\xff" not in warnings[0].getMessage()
    assert warnings[0].exc_info is None


async def test_a_response_url_outside_slack_is_never_called(
    http: httpx.AsyncClient,
    slack_api: FakeSlackAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A verified command whose response_url names an unlisted host: the answer is dropped
    with a warning, and nothing is sent there."""
    with FakeSlackAPI() as elsewhere:
        hook = elsewhere.response_url("/hook").replace("127.0.0.1", "localhost")
        body, headers = signed.slash_command(SECRET, text="help", response_url=hook)
        with caplog.at_level(logging.WARNING):
            response = await http.post("/slack/events", content=body.encode(), headers=headers)
            await drain()
        assert response.status_code == 200
        await asyncio.sleep(0.2)
        assert elsewhere.calls() == []
    assert any("response_url" in r.getMessage() for r in caplog.records)


async def test_a_command_is_acknowledged_while_slack_is_unreachable(
    http: httpx.AsyncClient, slack_api: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    slack_api.stop()  # the Web API (and the response URL on it) refuse connections now
    for text in ("new Data Engineer", "list", "help"):
        body, headers = signed.slash_command(
            SECRET, text=text, response_url=f"http://127.0.0.1:{_closed_port()}/hook"
        )
        with caplog.at_level(logging.WARNING):
            response = await http.post("/slack/events", content=body.encode(), headers=headers)
            await drain()
        assert response.status_code == 200, text
    assert any("could not tell the user" in r.getMessage() for r in caplog.records)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/commands/T1/1/abc", True),
        ("http://hooks.slack.com/commands/T1/1/abc", False),
        ("https://hooks.slack.com.evil.example/x", False),
        ("https://hooks.slack.com@evil.example/x", False),
        ("https://evil.example/?https://hooks.slack.com/", False),
        ("http://127.0.0.1:18803/hook", True),  # listed below
        ("https://127.0.0.1/hook", True),
        ("ftp://127.0.0.1/hook", False),
        ("http://127.0.0.1:99999999/hook", False),
        ("http://localhost/hook", False),
        ("", False),
        (None, False),
    ],
)
def test_response_url_policy(url: Any, allowed: bool) -> None:
    assert ResponseUrlPolicy(frozenset({"127.0.0.1"})).allows(url) is allowed


def test_verification_reasons_name_the_header_and_never_raise_otherwise() -> None:
    body = b"command=/job"
    cases = {
        "missing X-Slack-Request-Timestamp": {},
        "malformed X-Slack-Request-Timestamp": {"x-slack-request-timestamp": "1.5"},
        "stale X-Slack-Request-Timestamp": {"x-slack-request-timestamp": "100"},
        "missing X-Slack-Signature": {"x-slack-request-timestamp": str(int(time.time()))},
    }
    for reason, headers in cases.items():
        with pytest.raises(Unverified, match=reason):
            verified_body(body, headers, SECRET)
    with pytest.raises(Unverified, match="no signing secret"):
        verified_body(body, {}, "")
    good = signed.sign(SECRET, body.decode())
    assert verified_body(body, good, SECRET) == "command=/job"
    upper = {k.upper(): v for k, v in good.items()}
    assert verified_body(body, upper, SECRET) == "command=/job"
