"""How many webhooks one delivery worker sends a second to a fast receiver on loopback.

    .venv/bin/python bench/webhooks.py [--events 5000] [--jobs 500] [--concurrency 100]
                                       [--database-url URL]

A throw-away PostgreSQL database (SQLite without one) gets --events events spread over
--jobs jobs (so deliveries of one job queue behind each other, as in real use), each with
its delivery to one endpoint, written through `models.events.record` like any change. A
receiver runs in a process of its own (`tests/fakes/webhook_receiver.py`: aiohttp, answers
200); then one `WebhookSender`, in this process, delivers them all, signed, with its
database writes. The script prints the deliveries per second and checks every one was
delivered. Target (issue 14): at least 500 a second.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import subprocess
import sys
import time

from common import ROOT, bench_database, migrate

TARGET = 500.0


async def run(events_count: int, jobs: int, concurrency: int, port: int) -> None:
    from cryptography.fernet import Fernet

    from models.db import atomic, open_pool
    from models.enums import Role
    from models.events import EntityType, EventType, record
    from models.secrets import SecretBox
    from models.settings import get_settings
    from models.tables import WebhookDelivery, WebhookEndpoint
    from tests import factories
    from workers.webhooks import WebhookSender

    key = Fernet.generate_key().decode()
    settings = dataclasses.replace(get_settings(), secret_key=key, webhook_allow_private=True)
    await open_pool(settings)
    owner = await factories.user(await factories.org(), Role.ADMIN)
    await WebhookEndpoint.insert(
        WebhookEndpoint(
            org=owner.org_id,
            url=f"http://127.0.0.1:{port}/hooks/hirebot",
            event_types='["*"]',
            secret=SecretBox(key).seal("whsec_bench"),
        )
    )
    started = time.perf_counter()
    per_transaction = 100
    for first in range(0, events_count, per_transaction):
        async with atomic():
            for n in range(first, min(first + per_transaction, events_count)):
                await record(
                    EventType.JOB_UPDATED,
                    owner.org_id,
                    EntityType.JOB,
                    n % jobs + 1,
                    actor=owner,
                    job_id=n % jobs + 1,
                    before={"title": f"Engineer {n}"},
                    after={"title": f"Senior Engineer {n}"},
                )
    written = time.perf_counter() - started
    assert await WebhookDelivery.count() == events_count
    print(f"{events_count} events over {jobs} jobs written in {written:.1f} s")

    sender = WebhookSender(settings, concurrency=concurrency, poll_seconds=0.01)
    started = time.perf_counter()
    sender.start()
    while await WebhookDelivery.count().where(WebhookDelivery.state == "pending"):  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    await sender.stop()
    delivered = await WebhookDelivery.count().where(WebhookDelivery.state == "delivered")
    assert delivered == events_count, f"{delivered} of {events_count} delivered"
    rate = events_count / elapsed
    verdict = "meets" if rate >= TARGET else "BELOW"
    print(
        f"one worker, {concurrency} in flight: {events_count} delivered in {elapsed:.2f} s = "
        f"{rate:,.0f} a second ({verdict} the {TARGET:.0f}/s target)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.webhook_receiver"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert receiver.stdout is not None
        port = int(receiver.stdout.readline())
        with bench_database(args.database_url) as url:
            migrate(url, quiet=True)
            os.environ["HIREBOT_DATABASE_URL"] = url
            os.environ["HIREBOT_LOG_LEVEL"] = "WARNING"
            logging.getLogger().setLevel(logging.WARNING)
            asyncio.run(run(args.events, args.jobs, args.concurrency, port))
    finally:
        receiver.terminate()
        receiver.wait(5)


if __name__ == "__main__":
    main()
