"""One worker process keeps 100+ model calls in flight.

200 generations are queued on a Redis stream for ONE `hirebot worker` process whose
language model is a fake OpenAI-compatible server answering every call after 1 s. The
target: all 200 descriptions written and stored in under 5 s (serially: 200 s).

    .venv/bin/python bench/llm_concurrency.py [--jobs 200] [--latency 1.0]

It needs Redis; it uses a throw-away PostgreSQL database when one answers on
127.0.0.1:5432 (`--database-url` to choose), else a temporary SQLite file. Each generation
also queues its JD-to-JSON conversion (another 1 s call), which the figure leaves out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from common import ROOT, bench_database, delete_queue, migrate_here, reachable


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by `pid` and its children (the worker's processes)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pid:  # the process group: the main process and its workers
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200, help="generations measured")
    parser.add_argument("--latency", type=float, default=1.0, help="fake model's answer time, s")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--database-url", default=None)
    return parser.parse_args()


def main() -> int:
    args = options()
    if not reachable(args.redis):
        print(f"error: no Redis at {args.redis}", file=sys.stderr)
        return 2
    with bench_database(args.database_url) as database_url:
        queue = f"hirebot-bench-{uuid.uuid4().hex[:8]}"
        # The environment is fixed before any Hirebot module reads its settings.
        os.environ.update(
            {
                "HIREBOT_DATABASE_URL": database_url,
                "HIREBOT_BROKER_URL": f"{args.redis}?queue={queue}",
                "HIREBOT_CACHE_URL": "memory://",
                "HIREBOT_LOG_LEVEL": "WARNING",
            }
        )
        figures = asyncio.run(run(args, queue))
    for name, value in figures.items():
        print(f"{name:>28}: {value}")
    return 0


async def run(args: argparse.Namespace, queue: str) -> dict[str, Any]:
    from taskiq.kicker import AsyncKicker

    from models.db import close_pool
    from models.enums import GenerationStatus
    from models.settings import get_settings
    from models.tables import Job
    from tests import factories
    from tests.fakes.openai_server import FakeOpenAI
    from workers.broker import activate, build_broker
    from workers.tasks.names import GENERATE_TASK

    broker = activate(build_broker(get_settings()))

    async def written(job_ids: list[int]) -> int:
        """Generations finished (stored, or failed)."""
        return await Job.count().where(
            Job.id.is_in(job_ids) & (Job.description_status != GenerationStatus.PENDING)
        )

    await migrate_here()
    actor = await factories.user(await factories.org(f"Bench {queue}"), email="bench@example.com")
    # One more job than measured: the first one warms the worker up.
    job_ids = [await factories.draft(actor) for _ in range(args.jobs + 1)]

    with FakeOpenAI(latency=args.latency) as fake:
        env = {
            **os.environ,
            "OPENAI_API_KEY": "bench",
            "OPENAI_BASE_URL": fake.base_url,
            "HIREBOT_LLM_MODEL": "fake-model",
            "HIREBOT_LLM_TIMEOUT": "30",
        }
        await broker.startup()  # the queueing side; it creates the consumer group
        worker = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "api.cli", "worker", "--concurrency", "1"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            kicker: AsyncKicker[Any, Any] = AsyncKicker(GENERATE_TASK, broker, {})
            # Warm up: the clock starts once the worker has written one description.
            warm_up = await kicker.kiq(job_id=job_ids.pop(), run_id=uuid.uuid4().hex)
            await warm_up.wait_result(timeout=60)
            fake.requests.clear()
            fake.max_in_flight = 0
            cpu_before = cpu_seconds(worker.pid)
            started = time.monotonic()
            for job_id in job_ids:
                await kicker.kiq(job_id=job_id, run_id=uuid.uuid4().hex)
            # One cheap query per tick (polling 200 results would load the machine).
            while await written(job_ids) < len(job_ids):
                assert time.monotonic() - started < 120, "the worker is stuck"
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(worker.pid) - cpu_before
            max_in_flight = fake.max_in_flight
            arrivals = sorted(
                r.at - started for r in fake.requests if "response_format" not in r.body
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            await asyncio.wait_for(worker.wait(), 60)
            await broker.shutdown()
            await delete_queue(args.redis, queue)
    stored = await Job.count().where(
        Job.id.is_in(job_ids) & (Job.description_status == GenerationStatus.READY)
    )
    await close_pool()
    return {
        "generations": len(job_ids),
        "stored": stored,
        "model latency (s)": args.latency,
        "wall time (s)": round(elapsed, 2),
        "generations per second": round(len(job_ids) / elapsed, 1),
        "worker CPU (s)": round(cpu, 2),
        "max model calls in flight": max_in_flight,
        "first/last call sent (s)": f"{arrivals[0]:.2f} / {arrivals[-1]:.2f}",
        "database": get_settings().database_url.split(":", 1)[0],
    }


if __name__ == "__main__":
    sys.exit(main())
