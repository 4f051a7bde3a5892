"""Model calls and budgets: every call recorded once, counted against the organization's
monthly budget (tokens in + out, calendar months in UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import msgspec
from piccolo.query.functions.aggregate import Sum

from models.db import insert_one
from models.enums import Purpose
from models.errors import BudgetExceeded, Forbidden, Invalid, NotFound
from models.identity.actor import Actor
from models.settings import get_settings
from models.tables import ModelCall, Organization, User

MAX_MONTHLY_TOKENS = 2**31 - 1  # the column is a PostgreSQL integer (int4)


class CallRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What is kept of one model call."""

    org_id: int | None
    user_id: int | None
    purpose: Purpose
    model: str
    prompt_version: str
    input_hash: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: int = 0
    error: str | None = None


class Budget(msgspec.Struct, frozen=True, kw_only=True):
    monthly_tokens: int
    """0 means no limit."""
    source: str
    """"organization" (set by an Admin) or "setting" (HIREBOT_LLM_MONTHLY_TOKENS)."""
    used_this_month: int
    resets_at: datetime


class BudgetChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    monthly_tokens: Annotated[int, msgspec.Meta(ge=0, le=MAX_MONTHLY_TOKENS, examples=[2_000_000])]


class UsageLine(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    calls: int
    tokens_in: int
    tokens_out: int
    tokens: int


class MonthUsage(msgspec.Struct, frozen=True, kw_only=True):
    month: str
    """YYYY-MM, UTC."""
    calls: int
    tokens: int
    by_user: list[UsageLine]
    by_purpose: list[UsageLine]


class UsageReport(msgspec.Struct, frozen=True, kw_only=True):
    budget: Budget
    months: list[MonthUsage]


async def record_call(record: CallRecord) -> int:
    """Keep one call; its id is what a model-written version points to."""
    row = await insert_one(
        ModelCall(
            org=record.org_id,
            user=record.user_id,
            purpose=record.purpose,
            model=record.model[:100],
            prompt_version=record.prompt_version,
            input_hash=record.input_hash,
            tokens_in=max(record.tokens_in, 0),
            tokens_out=max(record.tokens_out, 0),
            latency_ms=max(record.latency_ms, 0),
            outcome="failed" if record.error else "ok",
            error=(record.error or None) and record.error[:1000],
        )
    )
    return int(row["id"])


def month_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(moment: datetime) -> datetime:
    start = month_start(moment)
    return (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )


async def budget(org_id: int, *, now: datetime | None = None) -> Budget:
    now = now or datetime.now(UTC)
    row = (
        await Organization.select(Organization.monthly_tokens)
        .where(Organization.id == org_id)
        .first()
    )
    if row is None:
        raise NotFound(f"organization {org_id} not found")
    own = row["monthly_tokens"]
    return Budget(
        monthly_tokens=get_settings().llm_monthly_tokens if own is None else own,
        source="setting" if own is None else "organization",
        used_this_month=await tokens_used(org_id, month_start(now), next_month(now)),
        resets_at=next_month(now),
    )


async def tokens_used(org_id: int, since: datetime, until: datetime) -> int:
    [row] = await ModelCall.select(
        Sum(ModelCall.tokens_in).as_alias("tokens_in"),
        Sum(ModelCall.tokens_out).as_alias("tokens_out"),
    ).where(
        (ModelCall.org == org_id) & (ModelCall.created_at >= since) & (ModelCall.created_at < until)
    )
    return int(row["tokens_in"] or 0) + int(row["tokens_out"] or 0)


async def require_budget(org_id: int | None) -> None:
    """Raise `BudgetExceeded` when the organization has used this month's tokens."""
    if org_id is None:
        return
    state = await budget(org_id)
    if state.monthly_tokens and state.used_this_month >= state.monthly_tokens:
        raise BudgetExceeded(
            f"Your organization has used its {state.monthly_tokens:,} model tokens for this "
            f"month; the budget resets on {state.resets_at:%Y-%m-%d} (UTC). The offline "
            "writer still works meanwhile.",
            resets_at=state.resets_at,
        )


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only an Admin can see or change the organization's model budget")


async def get_budget(actor: Actor) -> Budget:
    _require_admin(actor)
    return await budget(actor.org_id)


async def set_budget(actor: Actor, change: BudgetChange) -> Budget:
    _require_admin(actor)
    if not 0 <= change.monthly_tokens <= MAX_MONTHLY_TOKENS:
        raise Invalid(
            f"monthly_tokens must be between 0 (no limit) and {MAX_MONTHLY_TOKENS}",
            field="monthly_tokens",
        )
    await Organization.update({Organization.monthly_tokens: change.monthly_tokens}).where(
        Organization.id == actor.org_id
    )
    return await budget(actor.org_id)


async def usage_report(actor: Actor, months: int = 12) -> UsageReport:
    """Tokens by month (newest first, the last `months`), by user and by purpose."""
    _require_admin(actor)
    now = datetime.now(UTC)
    since = month_start(now)
    for _ in range(months - 1):
        since = month_start(since.replace(day=1) - timedelta(days=1))
    calls = await ModelCall.select(
        ModelCall.user,
        ModelCall.purpose,
        ModelCall.tokens_in,
        ModelCall.tokens_out,
        ModelCall.created_at,
    ).where((ModelCall.org == actor.org_id) & (ModelCall.created_at >= since))
    names = {
        row["id"]: row["email"]
        for row in await User.select(User.id, User.email).where(User.org == actor.org_id)
    }
    grouped: dict[str, dict[str, dict[str, list[int]]]] = {}
    for call in calls:
        month = f"{call['created_at'].astimezone(UTC):%Y-%m}"
        user = names.get(call["user"], "system") if call["user"] else "system"
        for axis, key in (("user", user), ("purpose", str(call["purpose"]))):
            line = grouped.setdefault(month, {}).setdefault(axis, {}).setdefault(key, [0, 0, 0])
            line[0] += 1
            line[1] += call["tokens_in"]
            line[2] += call["tokens_out"]
    return UsageReport(
        budget=await budget(actor.org_id, now=now),
        months=[
            MonthUsage(
                month=month,
                calls=sum(v[0] for v in axes.get("purpose", {}).values()),
                tokens=sum(v[1] + v[2] for v in axes.get("purpose", {}).values()),
                by_user=_lines(axes.get("user", {})),
                by_purpose=_lines(axes.get("purpose", {})),
            )
            for month, axes in sorted(grouped.items(), reverse=True)
        ],
    )


def _lines(by_key: dict[str, list[int]]) -> list[UsageLine]:
    return [
        UsageLine(key=key, calls=c, tokens_in=i, tokens_out=o, tokens=i + o)
        for key, (c, i, o) in sorted(by_key.items(), key=lambda item: -sum(item[1][1:]))
    ]
