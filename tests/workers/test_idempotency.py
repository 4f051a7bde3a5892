"""Idempotency keys: claim/complete/release leases and results recorded with a transaction."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from models import idempotency
from models.db import atomic
from models.tables import TaskRun

pytestmark = pytest.mark.usefixtures("db")


async def test_first_claim_wins_until_completed() -> None:
    assert await idempotency.claim("post:1")
    assert not await idempotency.claim("post:1")
    assert await idempotency.stored("post:1") is None

    await idempotency.complete("post:1", {"ts": "123.4"})

    assert not await idempotency.claim("post:1")
    assert await idempotency.stored("post:1") == {"ts": "123.4"}
    assert await idempotency.is_done("post:1")


async def test_a_stale_claim_is_taken_over_once() -> None:
    assert await idempotency.claim("post:2")
    # The claiming worker died two minutes ago.
    died_at = datetime.now(UTC) - timedelta(minutes=2)
    await TaskRun.update({TaskRun.created_at: died_at}).where(TaskRun.key == "post:2")

    takers = await asyncio.gather(
        *[idempotency.claim("post:2", lease_seconds=60) for _ in range(5)]
    )

    assert takers.count(True) == 1
    assert not await idempotency.claim("post:2")  # the new claim is fresh


async def test_concurrent_claims_have_one_winner() -> None:
    winners = await asyncio.gather(*[idempotency.claim("post:3") for _ in range(10)])

    assert winners.count(True) == 1
    assert await TaskRun.count().where(TaskRun.key == "post:3") == 1


async def test_release_lets_the_next_delivery_try() -> None:
    assert await idempotency.claim("post:4")
    await idempotency.release("post:4")
    assert await idempotency.claim("post:4")


async def test_release_never_forgets_finished_work() -> None:
    await idempotency.complete("post:5", {"n": 1})
    await idempotency.release("post:5")
    assert await idempotency.stored("post:5") == {"n": 1}


async def test_once_runs_the_action_once() -> None:
    calls: list[int] = []

    async def post() -> dict[str, object]:
        calls.append(1)
        return {"ts": "1.0"}

    first = await idempotency.once("post:6", post)
    again = await idempotency.once("post:6", post)

    assert first == idempotency.Outcome(ran=True, result={"ts": "1.0"})
    assert again == idempotency.Outcome(ran=False, result={"ts": "1.0"})
    assert calls == [1]


async def test_once_releases_the_key_when_the_action_fails() -> None:
    async def broken() -> dict[str, object]:
        raise ConnectionError("slack is down")

    async def works() -> dict[str, object]:
        return {"ok": True}

    with pytest.raises(ConnectionError):
        await idempotency.once("post:7", broken)
    assert (await idempotency.once("post:7", works)).ran


async def test_record_commits_or_rolls_back_with_the_caller() -> None:
    assert await idempotency.record("generate:a", {"text": "first"})
    assert not await idempotency.record("generate:a", {"text": "second"})
    assert await idempotency.stored("generate:a") == {"text": "first"}

    async def record_then_fail() -> None:
        async with atomic():
            assert await idempotency.record("generate:b", {"text": "lost"})
            raise RuntimeError("the job's write failed")

    with pytest.raises(RuntimeError):
        await record_then_fail()
    assert await idempotency.stored("generate:b") is None


async def test_concurrent_records_keep_the_first_result() -> None:
    async def record(n: int) -> bool:
        async with atomic():
            return await idempotency.record("generate:c", {"n": n})

    results = await asyncio.gather(*[record(n) for n in range(8)])

    assert results.count(True) == 1
    stored = await idempotency.stored("generate:c")
    assert stored == {"n": results.index(True)}


async def test_purge_forgets_only_old_keys(db: None) -> None:
    from datetime import UTC, datetime, timedelta

    from models import idempotency
    from models.tables import TaskRun

    assert await idempotency.claim("old")
    assert await idempotency.claim("new")
    await TaskRun.update({TaskRun.created_at: datetime.now(UTC) - timedelta(days=30)}).where(
        TaskRun.key == "old"
    )
    assert await idempotency.purge() == 1
    assert [row["key"] for row in await TaskRun.select(TaskRun.key)] == ["new"]
