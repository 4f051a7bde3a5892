"""The organization's model usage and its monthly budget (Admins)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import JSONBody

from api.params import CurrentActor
from models import usage


class UsageController(Controller):
    path = "/api/usage"
    tags = ["usage"]

    @get(
        "/",
        operation_id="getUsage",
        response_description="Tokens used per month, by user and purpose.",
        summary="Model tokens by month, by user and purpose",
    )
    async def report(self, actor: CurrentActor) -> usage.UsageReport:
        return await usage.usage_report(actor)

    @get(
        "/budget",
        operation_id="getBudget",
        response_description="The monthly budget and what is used of it.",
        summary="The monthly model budget",
    )
    async def get_budget(self, actor: CurrentActor) -> usage.Budget:
        return await usage.get_budget(actor)

    @put(
        "/budget",
        operation_id="setBudget",
        response_description="The budget as stored.",
        summary="Set the monthly budget (0: no limit)",
    )
    async def set_budget(
        self, actor: CurrentActor, data: JSONBody[usage.BudgetChange]
    ) -> usage.Budget:
        return await usage.set_budget(actor, data)
