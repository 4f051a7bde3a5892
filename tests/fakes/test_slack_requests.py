from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack_requests import (
    block_actions_payload,
    event,
    interactivity,
    select_state,
    sign,
    slash_command,
    view_submission_payload,
)

SECRET = "test-signing-secret"
verifier = SignatureVerifier(SECRET)


def test_slash_command_is_form_encoded_and_signed() -> None:
    body, headers = slash_command(SECRET, text="new Data & AI", trigger_id="t1")
    assert verifier.is_valid_request(body, headers)
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["command"] == "/job"
    assert fields["text"] == "new Data & AI"
    assert (fields["user_id"], fields["team_id"], fields["channel_id"]) == ("U123", "T0001", "C123")
    assert fields["trigger_id"] == "t1"
    assert fields["response_url"].startswith("https://")


def test_bad_signature_and_stale_timestamp_fail_verification() -> None:
    body, headers = slash_command(SECRET, bad_signature=True)
    assert not verifier.is_valid_request(body, headers)
    body, headers = slash_command(SECRET, stale=True)
    assert int(headers["x-slack-request-timestamp"]) <= time.time() - 300
    assert not verifier.is_valid_request(body, headers)
    # Stale, yet correctly signed: only the timestamp check fails.
    assert (
        verifier.generate_signature(timestamp=headers["x-slack-request-timestamp"], body=body)
        == headers["x-slack-signature"]
    )


def test_explicit_timestamp_is_used() -> None:
    ts = int(time.time()) - 10
    headers = sign(SECRET, "x=1", ts)
    assert headers["x-slack-request-timestamp"] == str(ts)
    assert verifier.is_valid(body="x=1", timestamp=str(ts), signature=headers["x-slack-signature"])


def test_interactivity_carries_the_payload_as_json() -> None:
    payload = block_actions_payload("job_rewrite", '{"job_id":1}', message_ts="1.2")
    body, headers = interactivity(SECRET, payload)
    assert verifier.is_valid_request(body, headers)
    sent = json.loads(parse_qs(body)["payload"][0])
    assert sent == payload
    assert sent["actions"][0]["value"] == '{"job_id":1}'
    assert sent["container"]["message_ts"] == "1.2"


def test_block_actions_from_a_view_and_a_select() -> None:
    payload = block_actions_payload("pick", "12", view_id="V1", action_type="static_select")
    assert payload["container"] == {"type": "view", "view_id": "V1"}
    assert payload["actions"][0]["selected_option"]["value"] == "12"
    assert "response_url" not in payload


def test_view_submission_payload_shape() -> None:
    state = {"b": {"a": select_state("Contract")}}
    payload = view_submission_payload("cb", state, private_metadata="m", view_id="V9")
    assert payload["type"] == "view_submission"
    assert payload["view"]["callback_id"] == "cb"
    assert payload["view"]["state"]["values"] == state
    assert payload["view"]["private_metadata"] == "m"
    assert payload["view"]["id"] == "V9"


def test_event_is_json_with_retry_headers_only_on_retries() -> None:
    inner = {"type": "app_home_opened", "user": "U1", "tab": "home"}
    body, headers = event(SECRET, inner, event_id="Ev1")
    assert verifier.is_valid_request(body, headers)
    assert headers["content-type"] == "application/json"
    assert "x-slack-retry-num" not in headers
    envelope = json.loads(body)
    assert (envelope["type"], envelope["event_id"], envelope["event"]) == (
        "event_callback",
        "Ev1",
        inner,
    )
    retry_body, retry_headers = event(SECRET, inner, event_id="Ev1", retry_num=1)
    assert json.loads(retry_body)["event_id"] == "Ev1"
    assert retry_headers["x-slack-retry-num"] == "1"
    assert retry_headers["x-slack-retry-reason"] == "http_timeout"
    assert (
        json.loads(event(SECRET, inner)[0])["event_id"]
        != json.loads(event(SECRET, inner)[0])["event_id"]
    )
