"""Model calls as the tasks make them: checked against the organization's budget, timed,
and recorded once each (`models.usage`), whatever the gateway behind them.

The offline writer costs nothing, so it is never refused for budget; its calls are still
recorded (0 tokens), so what it wrote points to a call like anything the model wrote.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import msgspec

from models import usage
from models.enums import Purpose
from models.errors import BudgetExceeded
from workers.llm import prompts
from workers.llm.gateway import LLMError, LLMGateway
from workers.llm.offline import OFFLINE, OfflineGateway
from workers.llm.schemas import Usage
from workers.metrics import MODEL_CALLS, MODEL_TOKENS

T = TypeVar("T")


class OverBudget(LLMError):
    """The organization used this month's model budget; the model was not called."""


@dataclass(frozen=True, slots=True)
class Scope:
    """On whose behalf the model is called (budgets and usage reports)."""

    org_id: int | None
    user_id: int | None = None


@dataclass(slots=True)
class _Tokens:
    tokens_in: int = 0
    tokens_out: int = 0

    def add(self, reported: Usage) -> None:
        self.tokens_in += reported.tokens_in
        self.tokens_out += reported.tokens_out


def offline_writer(gateway: LLMGateway) -> LLMGateway:
    """The built-in writer, asked for instead of the model (past the budget)."""
    return gateway if gateway.name == OFFLINE else OfflineGateway()


def input_hash(value: object) -> str:
    return hashlib.sha256(msgspec.json.encode(value)).hexdigest()


async def metered(
    purpose: Purpose,
    model: str,
    scope: Scope,
    given: object,
    call: Callable[[Callable[[Usage], None]], Awaitable[T]],
) -> tuple[T, int]:
    """Run `call` (it reports the model's usage to the callback it is given) and record
    it: the result and the call's id. Past the budget the model is not called (LLMError
    with the budget's message); a failed call is recorded, then raised."""
    offline = model == OFFLINE
    if not offline:
        try:
            await usage.require_budget(scope.org_id)
        except BudgetExceeded as exc:
            raise OverBudget(exc.message) from exc
    tokens = _Tokens()
    started = time.monotonic()

    async def record(error: str | None) -> int:
        return await usage.record_call(
            usage.CallRecord(
                org_id=scope.org_id,
                user_id=scope.user_id,
                purpose=purpose,
                model=model,
                prompt_version=prompts.OFFLINE_VERSION if offline else prompts.PROMPT_VERSION,
                input_hash=input_hash(given),
                tokens_in=tokens.tokens_in,
                tokens_out=tokens.tokens_out,
                latency_ms=round((time.monotonic() - started) * 1000),
                error=error,
            )
        )

    def count(outcome: str) -> None:
        MODEL_CALLS.labels(purpose=purpose.value, model=model, outcome=outcome).inc()
        MODEL_TOKENS.labels(direction="in").inc(tokens.tokens_in)
        MODEL_TOKENS.labels(direction="out").inc(tokens.tokens_out)

    try:
        result = await call(tokens.add)
    except LLMError as exc:
        count("failed")
        await record(exc.reason)
        raise
    count("ok")
    return result, await record(None)
