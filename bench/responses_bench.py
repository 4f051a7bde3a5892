"""Time the candidate-response writes through the domain operations on PostgreSQL.

    .venv/bin/python bench/responses_bench.py [--runs 21] [--admin-url postgresql://...]

Creates a fresh database, migrates it, seeds one organization, a job shared with an Editor
(the caller: the access check takes its longest path), 200 criteria of every kind and the
candidates, then prints the median (and min / p90) of:

- create-or-update of 200 responses for a new candidate (200 created),
- create-or-update of the same 200 responses again (200 updated),
- bulk create of 1,000 responses (5 new candidates x 200 criteria).

Targets: create-or-update of 200 under 30 ms; bulk create of 1,000 under 150 ms.
The database is dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from common import migrate_here, throwaway_database

KINDS = ("yes_no", "number", "choice", "text")
ANSWERS = {"yes_no": "yes", "number": "4", "choice": "Remote", "text": "It depends."}
WARMUP = 2


def summary(name: str, samples: tuple[list[float], list[float]], target: float) -> str:
    wall, cpu = sorted(samples[0]), samples[1]
    median = statistics.median(wall)
    p90 = wall[min(len(wall) - 1, int(len(wall) * 0.9))]
    verdict = "ok" if median < target else "OVER TARGET"
    return (
        f"{name:<42} median {median:6.1f} ms  min {wall[0]:6.1f}  p90 {p90:6.1f}"
        f"  client CPU {statistics.median(cpu):5.1f}  (target < {target:.0f} ms: {verdict})"
    )


async def timed(
    runs: int, setup: Callable[[], Awaitable[Any]], call: Callable[[Any], Awaitable[Any]]
) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds of `call(setup())`, for `runs` runs
    after WARMUP untimed ones. The CPU figure tells Python's share from the database's."""
    wall, cpu = [], []
    for index in range(WARMUP + runs):
        prepared = await setup()
        started, started_cpu = time.perf_counter(), time.process_time()
        await call(prepared)
        if index >= WARMUP:
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


async def bench(runs: int) -> list[str]:
    from models.db import close_pool
    from models.enums import CriteriaKind, Role
    from models.identity import operations as identity
    from models.jobs import operations as jobs
    from models.jobs.schemas import JobCreate
    from models.screening import responses
    from models.screening.schemas import CandidateResponseCreate, ResponseItem
    from models.tables import Candidate, Criteria

    await migrate_here()
    try:
        org = await identity.create_org("Bench")
        owner = identity.actor_of(
            await identity.create_user(org.id, "o@b.test", "Owner", Role.EDITOR)
        )
        caller = identity.actor_of(
            await identity.create_user(org.id, "e@b.test", "Editor", Role.EDITOR)
        )
        job = await jobs.create_job(owner, JobCreate(title="Bench job"))
        await jobs.share_job(owner, job.id, [caller.user_id])
        rows = await Criteria.insert(
            *[
                Criteria(
                    job=job.id,
                    question=f"Question {i}",
                    kind=KINDS[i % 4],
                    options='["Remote", "Office"]' if KINDS[i % 4] == CriteriaKind.CHOICE else "[]",
                )
                for i in range(200)
            ]
        ).returning(Criteria.id, Criteria.kind)
        criteria = [(row["id"], row["kind"]) for row in rows]
        items = [ResponseItem(criteria_id=cid, response=ANSWERS[kind]) for cid, kind in criteria]
        counter = iter(range(1_000_000))

        async def new_candidates(count: int) -> list[int]:
            made = await Candidate.insert(
                *[
                    Candidate(org=org.id, name="C", email=f"c{next(counter)}@b.test")
                    for _ in range(count)
                ]
            ).returning(Candidate.id)
            return [row["id"] for row in made]

        async def upsert(candidate_id: int) -> None:
            outcome = await responses.create_or_update_candidate_responses(
                caller, candidate_id, job.id, items
            )
            assert outcome.created + outcome.updated == 200

        async def fresh() -> int:
            return (await new_candidates(1))[0]

        same = await fresh()

        async def existing() -> int:
            return same

        async def thousand() -> list[CandidateResponseCreate]:
            return [
                CandidateResponseCreate(
                    candidate_id=candidate_id,
                    job_id=job.id,
                    criteria_id=cid,
                    response=ANSWERS[kind],
                )
                for candidate_id in await new_candidates(5)
                for cid, kind in criteria
            ]

        async def bulk(payload: list[CandidateResponseCreate]) -> None:
            assert len(await responses.bulk_create(caller, payload)) == 1_000

        return [
            summary("create-or-update, 200 new responses", await timed(runs, fresh, upsert), 30),
            summary(
                "create-or-update, 200 existing responses", await timed(runs, existing, upsert), 30
            ),
            summary("bulk create, 1,000 responses", await timed(runs, thousand, bulk), 150),
        ]
    finally:
        await close_pool()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs per measurement")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "HIREBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL allowed to create databases",
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    name = f"hirebot_bench_responses_{uuid.uuid4().hex[:8]}"
    with throwaway_database(args.admin_url, name, keep=args.keep) as url:
        # The engine is chosen from the environment when Hirebot's modules are first imported.
        os.environ["HIREBOT_DATABASE_URL"] = url
        lines = asyncio.run(bench(args.runs))
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"PostgreSQL, {args.runs} timed runs each (after {WARMUP} warm-up runs); load {load}:")
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
