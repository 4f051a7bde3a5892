"""The caller's organization: deleting it, with everything in it (Admins only)."""

from __future__ import annotations

from litestar import Controller, delete
from litestar.params import JSONBody

from api.params import CurrentActor
from models.identity.organization import delete_organization
from models.identity.schemas import OrganizationDelete


class OrganizationController(Controller):
    path = "/api/organization"
    tags = ["users"]

    @delete(
        "/",
        operation_id="deleteOrganization",
        response_description="Deleted, with everything in it.",
        summary="Delete the organization and all its data (body: its name, to confirm)",
    )
    async def delete_organization(
        self, actor: CurrentActor, data: JSONBody[OrganizationDelete]
    ) -> None:
        await delete_organization(actor, data.confirm)
