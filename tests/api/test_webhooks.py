"""Webhooks: registering endpoints (Admins, https and public addresses only), signed
deliveries from the event outbox to a receiver on loopback, retries (500, 500, 200), a 410
that turns the endpoint off, a receiver that hangs, order per entity, redelivery."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from prometheus_client import REGISTRY

from api.app import create_app
from models.settings import Settings, get_settings
from models.tables import WebhookDelivery
from tests import factories
from tests.conftest import running
from tests.factories import World
from tests.fakes.webhook_receiver import HANG, WebhookReceiver
from workers.webhooks import WebhookSender, stop_webhook_sender

SECRET_KEY = Fernet.generate_key().decode()
JOB = {
    "title": "Platform Engineer",
    "description": "We run the platform.",
    "must_have_skills": ["Go"],
    "employment_type": "Full-time",
    "min_experience": 3,
    "max_experience": 6,
}


def hook_settings(**changes: Any) -> Settings:
    fields: dict[str, Any] = {"secret_key": SECRET_KEY, "webhook_allow_private": True}
    return dataclasses.replace(get_settings(), **{**fields, **changes})


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with `settings`; its own delivery worker stopped, so each test drives one
    with short timings (`sender`)."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with running(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await stop_webhook_sender()
        yield client


@pytest.fixture(name="hooks")
async def fx_hooks(db: None) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(hook_settings()) as client:
        yield client


@pytest.fixture(name="strict_hooks")
async def fx_strict_hooks(db: None) -> AsyncIterator[httpx.AsyncClient]:
    """The production policy: https and public addresses only."""
    async with app_client(hook_settings(webhook_allow_private=False)) as client:
        yield client


@pytest.fixture(name="world")
async def fx_world(db: None) -> World:
    return await factories.world()


@pytest.fixture(name="receiver")
def fx_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(name="sender")
async def fx_sender() -> AsyncIterator[WebhookSender]:
    sender = WebhookSender(hook_settings(), timeout=1.0, first_retry=0.2, poll_seconds=0.05)
    sender.start()
    yield sender
    await sender.stop()


async def register(
    client: httpx.AsyncClient, world: World, url: str, types: list[str] | None = None
) -> dict[str, Any]:
    answer = await client.post(
        "/api/webhooks/",
        json={"url": url, "event_types": types or ["*"]},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def hook_for(
    client: httpx.AsyncClient,
    world: World,
    receiver: WebhookReceiver,
    types: list[str] | None = None,
) -> dict[str, Any]:
    hook = await register(client, world, receiver.url, types)
    receiver.secret = hook["secret"]
    return hook


async def new_job(client: httpx.AsyncClient, world: World, title: str = "Platform Engineer") -> int:
    created = await client.post(
        "/api/jobs/", json={**JOB, "title": title}, headers=world.headers("editor")
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def deliveries_of(
    client: httpx.AsyncClient, world: World, hook_id: int
) -> list[dict[str, Any]]:
    answer = await client.get(f"/api/webhooks/{hook_id}/deliveries", headers=world.headers("admin"))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def settled(client: httpx.AsyncClient, world: World, hook_id: int, count: int) -> None:
    async def done() -> bool:
        items = await deliveries_of(client, world, hook_id)
        return len(items) >= count and all(item["state"] != "pending" for item in items)

    await eventually(done)


# Registering --------------------------------------------------------------------------------


async def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver
) -> None:
    hook = await register(hooks, world, receiver.url, ["job.created", "job.updated"])
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
    assert hook["event_types"] == ["job.created", "job.updated"] and hook["active"] is True
    shown = await hooks.get(f"/api/webhooks/{hook['id']}", headers=world.headers("admin"))
    assert shown.status_code == 200 and "secret" not in shown.json()
    listed = await hooks.get("/api/webhooks/", headers=world.headers("admin"))
    assert [item["id"] for item in listed.json()] == [hook["id"]]
    assert "secret" not in listed.json()[0]
    rotated = await hooks.post(
        f"/api/webhooks/{hook['id']}/rotate-secret", headers=world.headers("admin")
    )
    assert rotated.status_code == 200 and rotated.json()["secret"] not in ("", hook["secret"])


async def test_only_admins_of_the_organization_manage_webhooks(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver
) -> None:
    body = {"url": receiver.url, "event_types": ["*"]}
    for who in ("editor", "viewer"):
        refused = await hooks.post("/api/webhooks/", json=body, headers=world.headers(who))
        assert refused.status_code == 403, refused.text
    hook = await register(hooks, world, receiver.url)
    outsider = world.headers("outsider")
    for method, path in (
        ("GET", f"/api/webhooks/{hook['id']}"),
        ("PATCH", f"/api/webhooks/{hook['id']}"),
        ("DELETE", f"/api/webhooks/{hook['id']}"),
        ("GET", f"/api/webhooks/{hook['id']}/deliveries"),
    ):
        answer = await hooks.request(
            method, path, headers=outsider, json={} if method == "PATCH" else None
        )
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await hooks.get("/api/webhooks/", headers=outsider)).json() == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", "https://"),
        ("https://127.0.0.1/x", "public addresses"),
        ("https://localhost:8443/x", "public addresses"),
        ("https://10.1.2.3/x", "public addresses"),
        ("https://192.168.0.10/x", "public addresses"),
        ("https://169.254.169.254/latest/meta-data", "public addresses"),
        ("https://[::1]/x", "public addresses"),
        ("https://[::ffff:127.0.0.1]/x", "public addresses"),
        ("https://100.64.0.1/x", "public addresses"),
        ("https://user:pw@93.184.215.14/x", "user name"),
        ("ftp://93.184.215.14/x", "https://"),
        ("https:///x", "host"),
    ],
)
async def test_webhooks_go_only_to_public_https_addresses(
    strict_hooks: httpx.AsyncClient, world: World, url: str, reason: str
) -> None:
    answer = await strict_hooks.post(
        "/api/webhooks/", json={"url": url, "event_types": ["*"]}, headers=world.headers("admin")
    )
    assert answer.status_code == 400, answer.text
    assert reason in answer.text and "url" in answer.text
    assert await WebhookDelivery.count() == 0


async def test_a_public_https_address_is_accepted(
    strict_hooks: httpx.AsyncClient, world: World
) -> None:
    hook = await register(strict_hooks, world, "https://93.184.215.14/hooks")
    moved = await strict_hooks.patch(
        f"/api/webhooks/{hook['id']}",
        json={"url": "https://10.0.0.5/"},
        headers=world.headers("admin"),
    )
    assert moved.status_code == 400 and "public addresses" in moved.text


@pytest.mark.parametrize(
    ("types", "reason"),
    [
        (["job.created", "job.exploded"], "unknown job.exploded"),
        (["*", "job.created"], "already means every type"),
        ([], ""),
    ],
)
async def test_event_types_must_be_known(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, types: list[str], reason: str
) -> None:
    answer = await hooks.post(
        "/api/webhooks/",
        json={"url": receiver.url, "event_types": types},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 400, answer.text
    assert reason in answer.text and "event_types" in answer.text


async def test_without_a_secret_key_webhooks_say_what_is_missing(db: None, world: World) -> None:
    async with app_client(hook_settings(secret_key="")) as client:
        answer = await client.post(
            "/api/webhooks/",
            json={"url": "https://93.184.215.14/x", "event_types": ["*"]},
            headers=world.headers("admin"),
        )
        assert answer.status_code == 409 and "HIREBOT_SECRET_KEY" in answer.text


# Delivering ---------------------------------------------------------------------------------


async def test_an_event_is_delivered_signed_with_its_headers(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    delivered = (
        REGISTRY.get_sample_value("hirebot_webhook_deliveries_total", {"outcome": "delivered"}) or 0
    )
    hook = await hook_for(hooks, world, receiver, ["job.created"])
    job_id = await new_job(hooks, world)
    await settled(hooks, world, hook["id"], 1)
    [received] = receiver.requests
    assert received.signature_ok, received.signature
    assert received.event_type == "job.created" and received.signature.startswith("t=")
    assert received.timestamp == received.signature.split(",")[0][2:]
    body = received.body
    assert body["id"] == received.event_id and body["type"] == "job.created"
    assert body["entity_type"] == "job" and body["entity_id"] == job_id
    assert body["actor_id"] == world.editor.user_id and body["surface"] == "api"
    audit = await hooks.get(
        "/api/audit", params={"type": "job.created"}, headers=world.headers("admin")
    )
    assert audit.json()["items"][0]["id"] == received.event_id  # the same event, the same id
    [item] = await deliveries_of(hooks, world, hook["id"])
    assert item["state"] == "delivered" and item["event_id"] == received.event_id
    assert [a["status_code"] for a in item["attempts"]] == [200]
    assert item["attempts"][0]["latency_ms"] >= 0 and item["next_attempt_at"] is None
    after = REGISTRY.get_sample_value("hirebot_webhook_deliveries_total", {"outcome": "delivered"})
    assert after == delivered + 1


async def test_only_the_event_types_asked_for_are_delivered(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    hook = await hook_for(hooks, world, receiver, ["job.updated"])
    job_id = await new_job(hooks, world)
    patched = await hooks.patch(
        f"/api/jobs/{job_id}", json={"title": "SRE"}, headers=world.headers("editor")
    )
    assert patched.status_code == 200
    await settled(hooks, world, hook["id"], 1)
    assert [r.event_type for r in receiver.requests] == ["job.updated"]
    assert receiver.requests[0].body["after"] == {"title": "SRE"}


async def test_another_organizations_events_are_not_sent(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    await hook_for(hooks, world, receiver)
    created = await hooks.post("/api/jobs/", json=JOB, headers=world.headers("outsider"))
    assert created.status_code == 201
    await asyncio.sleep(0.5)
    assert receiver.requests == [] and await WebhookDelivery.count() == 0


async def test_500_twice_then_200_is_three_attempts_and_one_delivery(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    hook = await hook_for(hooks, world, receiver, ["job.created"])
    receiver.script(500, 500, 200)
    await new_job(hooks, world)
    await settled(hooks, world, hook["id"], 1)
    assert [r.status for r in receiver.requests] == [500, 500, 200]
    assert len({r.event_id for r in receiver.requests}) == 1  # the same event each time
    assert all(r.signature_ok for r in receiver.requests)
    [item] = await deliveries_of(hooks, world, hook["id"])
    assert item["state"] == "delivered"
    assert [a["status_code"] for a in item["attempts"]] == [500, 500, 200]


async def test_a_410_turns_the_endpoint_off(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    hook = await hook_for(hooks, world, receiver, ["job.created"])
    receiver.script(410)
    await new_job(hooks, world)
    await settled(hooks, world, hook["id"], 1)
    shown = (await hooks.get(f"/api/webhooks/{hook['id']}", headers=world.headers("admin"))).json()
    assert shown["active"] is False and "410" in shown["disabled_reason"]
    [item] = await deliveries_of(hooks, world, hook["id"])
    assert item["state"] == "failed" and item["last_status_code"] == 410
    await new_job(hooks, world, "Data Engineer")  # nothing more is sent to it
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 1 and len(await deliveries_of(hooks, world, hook["id"])) == 1
    again = await hooks.patch(
        f"/api/webhooks/{hook['id']}", json={"active": True}, headers=world.headers("admin")
    )
    assert again.json()["active"] is True and again.json()["disabled_reason"] is None


async def test_a_receiver_that_hangs_times_out_and_is_tried_again(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    hook = await hook_for(hooks, world, receiver, ["job.created"])
    receiver.script(HANG, 200)
    started = time.monotonic()
    await new_job(hooks, world)
    await settled(hooks, world, hook["id"], 1)
    [item] = await deliveries_of(hooks, world, hook["id"])
    first, second = item["attempts"]
    assert first["status_code"] is None and "no answer within 1 s" in first["error"]
    assert 900 <= first["latency_ms"] < 3000  # the timeout, not longer
    assert second["status_code"] == 200 and item["state"] == "delivered"
    assert time.monotonic() - started < 10


async def test_429_waits_for_retry_after(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    hook = await hook_for(hooks, world, receiver, ["job.created"])
    receiver.script((429, {"Retry-After": "2"}), 200)
    await new_job(hooks, world)
    await settled(hooks, world, hook["id"], 1)
    first, second = receiver.requests
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 1.9  # not the 0.1-0.2 s backoff


async def test_deliveries_of_one_entity_keep_their_order(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver
) -> None:
    hook = await hook_for(hooks, world, receiver, ["job.created", "job.updated"])
    first = await new_job(hooks, world, "First")
    editor = world.headers("editor")
    for title in ("First v2", "First v3"):
        patched = await hooks.patch(f"/api/jobs/{first}", json={"title": title}, headers=editor)
        assert patched.status_code == 200
    second = await new_job(hooks, world, "Second")
    # The first job's creation fails twice; its updates wait, the other job does not.
    receiver.script_for(lambda body: body["entity_id"] == first, 500, 500)
    sender = WebhookSender(hook_settings(), timeout=1.0, first_retry=0.2, poll_seconds=0.05)
    sender.start()
    try:
        await settled(hooks, world, hook["id"], 4)
    finally:
        await sender.stop()
    by_job: dict[int, list[tuple[str, int]]] = {}
    for r in receiver.requests:
        by_job.setdefault(r.body["entity_id"], []).append((r.body["type"], r.status))
    assert by_job[first] == [
        ("job.created", 500),
        ("job.created", 500),
        ("job.created", 200),
        ("job.updated", 200),
        ("job.updated", 200),
    ]
    titles = [
        r.body["after"]["title"]
        for r in receiver.requests
        if r.body["entity_id"] == first and r.body["type"] == "job.updated"
    ]
    assert titles == ["First v2", "First v3"]
    assert by_job[second] == [("job.created", 200)]
    second_at = next(i for i, r in enumerate(receiver.requests) if r.body["entity_id"] == second)
    first_done = max(i for i, r in enumerate(receiver.requests) if r.body["entity_id"] == first)
    assert second_at < first_done  # the other job did not wait for the first one's retries


async def test_a_delivery_is_sent_again_on_request(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    hook = await hook_for(hooks, world, receiver, ["job.created"])
    await new_job(hooks, world)
    await settled(hooks, world, hook["id"], 1)
    [item] = await deliveries_of(hooks, world, hook["id"])
    again = await hooks.post(
        f"/api/webhooks/{hook['id']}/deliveries/{item['id']}/redeliver",
        headers=world.headers("admin"),
    )
    assert again.status_code == 202, again.text
    assert again.json()["event_id"] == item["event_id"] and again.json()["state"] == "pending"
    await settled(hooks, world, hook["id"], 2)
    assert [r.event_id for r in receiver.requests] == [item["event_id"]] * 2
    missing = await hooks.post(
        f"/api/webhooks/{hook['id']}/deliveries/999999/redeliver", headers=world.headers("admin")
    )
    assert missing.status_code == 404


async def test_the_delivery_worker_refuses_private_addresses_itself(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver
) -> None:
    """Registered while private addresses were allowed (or a name that later resolves to
    one): a worker with the production policy does not connect."""
    by_ip = await hook_for(hooks, world, receiver, ["job.created"])
    by_name = await register(
        hooks, world, receiver.url.replace("127.0.0.1", "localhost"), ["job.created"]
    )
    strict = WebhookSender(hook_settings(webhook_allow_private=False), timeout=1.0, first_retry=30)
    await new_job(hooks, world)
    await eventually(lambda: _started(strict))
    await strict.drain()
    await strict.stop()
    assert receiver.requests == []
    for hook, reason in ((by_ip, "not a public address"), (by_name, "only to public addresses")):
        [item] = await deliveries_of(hooks, world, hook["id"])
        assert item["state"] == "pending" and reason in item["attempts"][0]["error"], item


async def _started(sender: WebhookSender) -> bool:
    return await sender.pass_once() > 0 or sender.unsettled() > 0


async def test_a_rolled_back_change_sends_nothing(
    hooks: httpx.AsyncClient, world: World, receiver: WebhookReceiver, sender: WebhookSender
) -> None:
    await hook_for(hooks, world, receiver, ["job.created", "job.shared"])
    job_id = await new_job(hooks, world)
    await eventually(lambda: _count(receiver, 1))
    # A share with one unknown user fails as a whole: no share, no event, no delivery.
    refused = await hooks.post(
        f"/api/jobs/{job_id}/share",
        json={"user_ids": [world.viewer.user_id, 999999]},
        headers=world.headers("editor"),
    )
    assert refused.status_code in (400, 404), refused.text
    await asyncio.sleep(0.3)
    assert [r.event_type for r in receiver.requests] == ["job.created"]
    assert await WebhookDelivery.count() == 1


async def _count(receiver: WebhookReceiver, count: int) -> bool:
    return len(receiver.requests) >= count
