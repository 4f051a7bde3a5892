"""What recording the event costs the request it belongs to: `PATCH /api/jobs/{id}` with
and without the event written.

    .venv/bin/python bench/events_cost.py [--rounds 20] [--requests 50] [--database-url URL]

The app runs in this process (Litestar through httpx's ASGI transport, no network) on a
throw-away PostgreSQL database (SQLite without one). Each round sends --requests title
changes to one job with events on, then the same with `models.events.record` replaced by a
no-op, alternating which goes first; the script prints the p50 and p95 of each and the
median cost per request. Target (issue 14): under 10 % of the request.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time

from common import bench_database, migrate

TARGET = 0.10


async def run(rounds: int, requests: int) -> None:
    import httpx

    from api.app import create_app
    from models import events
    from models.enums import Role
    from models.settings import get_settings
    from tests import factories

    app = create_app(get_settings())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    real = events.record

    async def nothing(*args: object, **kwargs: object) -> None:
        return None

    timings: dict[str, list[float]] = {"with the event": [], "without": []}
    async with app.lifespan():
        owner = await factories.user(await factories.org(), Role.EDITOR)
        headers = await factories.headers(owner)
        job = await factories.job(owner)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def burst(label: str) -> None:
                for n in range(requests):
                    started = time.perf_counter()
                    answer = await client.patch(
                        f"/api/jobs/{job.id}", json={"title": f"Engineer {n}"}, headers=headers
                    )
                    timings[label].append(time.perf_counter() - started)
                    assert answer.status_code == 200, answer.text

            await burst("with the event")  # warm-up, discarded
            timings["with the event"].clear()
            for round_ in range(rounds):
                order = ["with the event", "without"][:: 1 if round_ % 2 == 0 else -1]
                for label in order:
                    on = label == "with the event"
                    events.record = real if on else nothing  # type: ignore[assignment]
                    await burst(label)
            events.record = real  # type: ignore[assignment]
    print(f"{rounds} rounds x {requests} PATCH /api/jobs/{{id}} each way")
    for label, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        p50 = statistics.median(values)
        print(f"  {label:15} p50 {p50 * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms")
    with_, without = (statistics.median(timings[k]) for k in ("with the event", "without"))
    cost = (with_ - without) / without
    verdict = "within" if cost < TARGET else "OVER"
    print(f"  cost of the event: {cost * 100:+.1f} % of the request ({verdict} the 10 % target)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with bench_database(args.database_url) as url:
        migrate(url, quiet=True)
        os.environ["HIREBOT_DATABASE_URL"] = url
        os.environ["HIREBOT_LOG_LEVEL"] = "WARNING"
        asyncio.run(run(args.rounds, args.requests))


if __name__ == "__main__":
    main()
