"""Time and profile what a cache miss of the job lists costs, in one process, without HTTP.

    .venv/bin/python bench/profile_lists.py [--database-url postgresql://.../hirebot_bench]
                                            [--runs 200] [--profile names|list|stages]

Against the data bench/load_data.py loaded (the Admin and the Editor of bench/results/
tokens.json), it builds the bodies `job-names-list/` (Admin), `list/` (Editor) and
`stage-filters/` (the big job) answer on a cache miss, exactly as the endpoints do (the
domain operation and the JSON encoding), and prints the median and p90 of each. With
`--profile`, one of them runs under cProfile and the top functions by cumulative time are
printed (the figures in bench/README.md come from here).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable

from common import ROOT

RESULTS = ROOT / "bench" / "results"


async def main(args: argparse.Namespace) -> None:
    tokens = json.loads((RESULTS / "tokens.json").read_text())
    os.environ["HIREBOT_DATABASE_URL"] = args.database_url or tokens["database_url"]
    os.environ.setdefault("HIREBOT_LOG_LEVEL", "WARNING")

    from api.cache import JobListCache
    from models.db import open_pool
    from models.identity import operations as identity
    from models.pipeline import operations as pipeline
    from models.settings import get_settings

    await open_pool(get_settings())
    admin = await identity.authenticate(tokens["admin"])
    editor = await identity.authenticate(tokens["editor"])
    lists = JobListCache(ttl_seconds=None)  # off: every call builds the body
    big = tokens["big_job_id"]

    import msgspec

    async def stages() -> bytes:
        return msgspec.json.encode(await pipeline.stage_counts(editor, big))

    cases: dict[str, Callable[[], Awaitable[bytes]]] = {
        "names": lambda: lists.job_names(admin, None),
        "list": lambda: lists.owned_and_shared(editor),
        "stages": stages,
    }
    for name, build in cases.items():
        body = await build()
        for _ in range(20):  # warm: prepared statements, the pool
            await build()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            await build()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"{name:<7} {len(body):>8,} bytes  p50 {statistics.median(times):6.2f} ms  "
            f"p90 {times[int(len(times) * 0.9)]:6.2f} ms"
        )
    if args.profile:
        build = cases[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.runs):
            await build()
        profiler.disable()
        print(f"\ncProfile of {args.runs} x {args.profile} (cumulative, top 25):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--profile", choices=("names", "list", "stages"), default=None)
    asyncio.run(main(parser.parse_args()))
