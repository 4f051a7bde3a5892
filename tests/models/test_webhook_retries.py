"""The delivery rule: exponential backoff with jitter (the first retry within 10 s), at
least 24 hours of retries, Retry-After honoured, and which answers are retried at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.webhooks.deliveries import (
    DELIVERED,
    FAILED,
    FIRST_RETRY_SECONDS,
    PENDING,
    Answer,
    next_state,
)

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
WINDOW = timedelta(hours=24)


def answer(
    code: int | None, attempts: int = 0, age: timedelta = timedelta(0), **more: float
) -> Answer:
    return Answer(
        delivery_id=1,
        endpoint_id=1,
        attempts=attempts,
        created_at=NOW - age,
        status_code=code,
        latency_ms=5,
        **more,
    )


def step(given: Answer) -> tuple[str, datetime | None]:
    return next_state(given, now=NOW, retry_window=WINDOW, first_retry=FIRST_RETRY_SECONDS)


@pytest.mark.parametrize("code", [200, 201, 202, 204, 299])
def test_2xx_is_delivered(code: int) -> None:
    assert step(answer(code)) == (DELIVERED, None)


@pytest.mark.parametrize("code", [301, 302, 400, 401, 403, 404, 409, 410, 422])
def test_refusals_are_not_retried(code: int) -> None:
    assert step(answer(code)) == (FAILED, None)


@pytest.mark.parametrize("code", [None, 429, 500, 502, 503, 504])
def test_timeouts_429_and_5xx_are_retried_first_within_10_seconds(code: int | None) -> None:
    delays = []
    for _ in range(200):
        state, again = step(answer(code))
        assert state == PENDING and again is not None
        delays.append((again - NOW).total_seconds())
    assert max(delays) <= 10 and min(delays) > 0
    assert max(delays) - min(delays) > 1  # jitter: not all at the same moment


def test_backoff_doubles_and_retries_last_at_least_24_hours() -> None:
    elapsed, attempts, previous = timedelta(0), 0, 0.0
    while True:
        state, again = step(answer(503, attempts=attempts, age=elapsed))
        if state == FAILED:
            break
        assert again is not None
        delay = (again - NOW).total_seconds()
        assert delay <= 3600
        if attempts < 8:
            assert delay >= previous * 0.5  # grows (jitter spreads each between 50 and 100 %)
        previous, elapsed, attempts = delay, elapsed + (again - NOW), attempts + 1
    assert elapsed >= timedelta(hours=23)  # the last one within an hour of the 24 h
    assert elapsed + timedelta(hours=1) >= WINDOW and 15 < attempts < 60


def test_retry_after_is_honoured() -> None:
    state, again = step(answer(429, retry_after=120))
    assert state == PENDING and again is not None and (again - NOW).total_seconds() >= 120


def test_after_the_window_the_delivery_fails() -> None:
    assert step(answer(503, attempts=30, age=timedelta(hours=24, minutes=1))) == (FAILED, None)
