"""Who am I, and (for Admins) the users of my organization."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from api.params import CurrentActor
from models.identity import operations as identity
from models.identity.schemas import User, UserCreate, UserUpdate


class UserController(Controller):
    path = "/api"
    tags = ["users"]

    @get(
        "/me",
        operation_id="getMe",
        summary="Read the user the token belongs to",
        response_description="You.",
    )
    async def me(self, actor: CurrentActor) -> User:
        return await identity.get_user(actor.user_id)

    @get(
        "/users",
        operation_id="listUsers",
        summary="List the users of your organization (Admins)",
        response_description="Every user of the organization.",
    )
    async def list_users(self, actor: CurrentActor) -> list[User]:
        return await identity.list_users(actor)

    @post(
        "/users",
        operation_id="createUser",
        summary="Add a user to your organization (Admins)",
        response_description="The user created.",
    )
    async def create_user(self, actor: CurrentActor, data: JSONBody[UserCreate]) -> User:
        return await identity.add_user(actor, data)

    @patch(
        "/users/{user_id:int}",
        operation_id="updateUser",
        summary="Change a user's name, role, activity or Slack link (Admins)",
        response_description="The user as stored.",
    )
    async def update_user(
        self, actor: CurrentActor, user_id: FromPath[int], data: JSONBody[UserUpdate]
    ) -> User:
        return await identity.update_user(actor, user_id, data)
