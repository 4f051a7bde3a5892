"""The fake Slack Web API, driven by the real slack_sdk clients."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.slack_api import FakeSlackAPI

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]


@pytest.fixture(name="slack", scope="module")
def fx_slack() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _clean(slack: FakeSlackAPI) -> None:
    slack.reset()


def client(slack: FakeSlackAPI, **kwargs: object) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.base_url, **kwargs)  # type: ignore[arg-type]


async def test_post_then_update_a_message(slack: FakeSlackAPI) -> None:
    web = client(slack)
    posted = await web.chat_postMessage(channel="C123", text="Hi", blocks=BLOCKS)
    assert posted["ok"] and posted["channel"] == "C123"
    assert posted["message"]["blocks"] == BLOCKS
    second = await web.chat_postMessage(channel="C123", text="Again", thread_ts=posted["ts"])
    assert float(second["ts"]) > float(posted["ts"])
    updated = await web.chat_update(channel="C123", ts=posted["ts"], text="Done")
    assert (updated["channel"], updated["ts"]) == ("C123", posted["ts"])

    calls = await slack.await_for("chat.postMessage", count=2)
    assert [c.params["text"] for c in calls] == ["Hi", "Again"]
    assert calls[0].params["blocks"] == BLOCKS
    assert calls[1].params["thread_ts"] == posted["ts"]
    assert calls[0].token == "xoxb-test"
    assert calls[0].ok
    (update,) = slack.calls("chat.update")
    assert update.params == {"channel": "C123", "ts": posted["ts"], "text": "Done"}
    assert [c.method for c in slack.calls()] == ["chat.postMessage"] * 2 + ["chat.update"]


async def test_rate_limit_then_success_with_the_retry_handler(slack: FakeSlackAPI) -> None:
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    web = client(slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    response = await web.chat_postMessage(channel="C1", text="Hi")
    assert response["ok"]
    limited, accepted = slack.calls("chat.postMessage")
    assert (limited.status, limited.ok, limited.response["error"]) == (429, False, "ratelimited")
    assert (accepted.status, accepted.ok) == (200, True)
    assert accepted.at - limited.at >= 1.0  # the client waited Retry-After


async def test_rate_limit_without_retry_handler_surfaces_429(slack: FakeSlackAPI) -> None:
    slack.rate_limit_next("chat.postMessage", retry_after=3, times=2)
    web = client(slack)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            await web.chat_postMessage(channel="C1", text="Hi")
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "3"
    assert (await web.chat_postMessage(channel="C1", text="Hi"))["ok"]


async def test_fail_next_answers_ok_false_once(slack: FakeSlackAPI) -> None:
    slack.fail_next("chat.postMessage", error="channel_not_found")
    web = client(slack)
    with pytest.raises(SlackApiError) as raised:
        await web.chat_postMessage(channel="C404", text="Hi")
    assert raised.value.response["error"] == "channel_not_found"
    assert (await web.chat_postMessage(channel="C404", text="Hi"))["ok"]
    assert [c.ok for c in slack.calls("chat.postMessage")] == [False, True]


async def test_plausible_answers_for_the_methods_the_bot_uses(slack: FakeSlackAPI) -> None:
    web = client(slack)
    auth = await web.auth_test()
    assert (auth["team_id"], auth["user_id"], auth["bot_id"], auth["team"]) == (
        "T0001",
        "UBOT",
        "B0001",
        "Acme",
    )
    user = await web.users_info(user="U123")
    assert user["user"]["profile"]["email"] == "u123@example.com"
    assert user["user"]["real_name"]
    dm = await web.conversations_open(users="U123")
    assert dm["channel"]["id"].startswith("D")
    assert (await web.conversations_open(users="U123"))["channel"]["id"] == dm["channel"]["id"]
    eph = await web.chat_postEphemeral(channel="C1", user="U123", text="psst")
    assert eph["message_ts"]
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": BLOCKS}
    opened = await web.views_open(trigger_id="t1", view=modal)
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["blocks"] == BLOCKS
    updated = await web.views_update(view_id=opened["view"]["id"], view=modal)
    assert updated["view"]["id"] == opened["view"]["id"]
    pushed = await web.views_push(trigger_id="t2", view=modal)
    assert pushed["view"]["id"] != opened["view"]["id"]
    home = await web.views_publish(user_id="U123", view={"type": "home", "blocks": BLOCKS})
    assert home["view"]["type"] == "home"
    assert (await web.api_call("bookmarks.list"))["ok"]

    assert slack.calls("users.info")[0].http_method == "GET"
    assert slack.calls("users.info")[0].params["user"] == "U123"
    assert slack.calls("views.open")[0].params["view"] == modal
    assert slack.calls("views.publish")[0].params["user_id"] == "U123"


async def test_form_encoded_json_fields_are_decoded(slack: FakeSlackAPI) -> None:
    web = client(slack)
    await web.api_call(
        "chat.postMessage", data={"channel": "C1", "text": "[1]", "blocks": json.dumps(BLOCKS)}
    )
    (call,) = slack.calls("chat.postMessage")
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert call.params["blocks"] == BLOCKS
    assert call.params["text"] == "[1]"


async def test_response_url_posts_are_recorded(slack: FakeSlackAPI) -> None:
    url = slack.response_url("/hooks/7")
    response = await AsyncWebhookClient(url).send(text="Replaced", replace_original=True)
    assert response.status_code == 200
    (call,) = await slack.await_for("response_url")
    assert call.path == "/hooks/7"
    assert call.params == {"text": "Replaced", "replace_original": True}
    slack.fail_next("response_url", error="expired_url")
    assert (await AsyncWebhookClient(url).send(text="x")).body


def test_wait_for_from_sync_code_while_another_thread_posts(slack: FakeSlackAPI) -> None:
    def post_later() -> None:
        time.sleep(0.1)
        asyncio.run(client(slack).chat_postMessage(channel="C9", text="late"))

    thread = threading.Thread(target=post_later)
    thread.start()
    calls = slack.wait_for("chat.postMessage", predicate=lambda c: c.params["channel"] == "C9")
    thread.join()
    assert calls[0].params["text"] == "late"


async def test_wait_for_times_out_with_what_it_saw(slack: FakeSlackAPI) -> None:
    await client(slack).auth_test()
    with pytest.raises(AssertionError, match=r"chat\.update.*auth\.test"):
        await slack.await_for("chat.update", timeout=0.1)
    with pytest.raises(AssertionError):
        slack.wait_for("auth.test", count=2, timeout=0.1)


async def test_reset_forgets_calls_and_injections(slack: FakeSlackAPI) -> None:
    slack.fail_next("auth.test")
    slack.set_response("auth.test", {"ok": True, "team_id": "T9"})
    slack.reset()
    assert (await client(slack).auth_test())["team_id"] == "T0001"
    slack.reset()
    assert slack.calls() == []


async def test_set_response_overrides_a_method(slack: FakeSlackAPI) -> None:
    slack.set_response("users.info", lambda call: {"ok": True, "user": {"id": call.params["user"]}})
    assert (await client(slack).users_info(user="U7"))["user"] == {"id": "U7"}


def test_separate_instances_use_separate_ports() -> None:
    with FakeSlackAPI() as one, FakeSlackAPI() as two:
        assert one.port != two.port
        assert one.base_url.endswith("/api/")
    with pytest.raises(RuntimeError):
        _ = one.port


async def test_bolt_accepts_signed_requests_and_talks_to_the_fake(slack: FakeSlackAPI) -> None:
    """The request builders and the fake together, through the real Bolt app."""
    from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
    from slack_bolt.request.async_request import AsyncBoltRequest

    from tests.fakes.slack_requests import (
        block_actions_payload,
        event,
        interactivity,
        slash_command,
    )

    secret = "bolt-secret"
    app = AsyncApp(client=client(slack), signing_secret=secret)

    @app.command("/job")
    async def job(ack: AsyncAck, say: AsyncSay, command: dict[str, str]) -> None:
        await ack()
        await say(f"got {command['text']}")

    @app.action("job_rewrite")
    async def rewrite(ack: AsyncAck, respond: AsyncRespond, body: dict) -> None:  # type: ignore[type-arg]
        await ack()
        await respond(f"rewrite {body['actions'][0]['value']}")

    @app.event("app_home_opened")
    async def home(event: dict[str, str]) -> None:
        await app.client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    async def dispatch(request: tuple[str, dict[str, str]]) -> int:
        body, headers = request
        response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
        return response.status

    assert await dispatch(slash_command(secret, text="new QA & Test")) == 200
    (said,) = await slack.await_for("chat.postMessage")
    assert (said.params["channel"], said.params["text"]) == ("C123", "got new QA & Test")
    assert slack.calls("auth.test")  # Bolt's lazy authorization reached the fake

    url = slack.response_url("/actions/1")
    payload = block_actions_payload("job_rewrite", "42", response_url=url)
    assert await dispatch(interactivity(secret, payload)) == 200
    (responded,) = await slack.await_for("response_url")
    assert responded.params["text"] == "rewrite 42"

    inner = {"type": "app_home_opened", "user": "U5", "tab": "home", "channel": "D1"}
    assert await dispatch(event(secret, inner)) == 200
    (published,) = await slack.await_for("views.publish")
    assert published.params["user_id"] == "U5"

    before = len(slack.calls())
    assert await dispatch(slash_command(secret, bad_signature=True)) == 401
    assert await dispatch(slash_command(secret, stale=True)) == 401
    await asyncio.sleep(0.1)
    assert len(slack.calls()) == before
