"""Bearer-token authentication: the caller is always the token's user, never the body's."""

from __future__ import annotations

from litestar import Request
from litestar.di import Provide

from models.errors import Unauthenticated
from models.identity import operations as identity
from models.identity.actor import Actor
from workers.logs import act_for


async def provide_actor(request: Request) -> Actor:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    actor = await identity.authenticate(token.strip())
    act_for(actor.org_id, actor.user_id)  # on the request's log lines
    return actor


ACTOR = {"actor": Provide(provide_actor)}
