"""Bearer-token authentication: the caller is always the token's user, never the body's."""

from __future__ import annotations

from litestar import Request
from litestar.di import Provide

from models.errors import Unauthenticated
from models.identity import operations as identity
from models.identity.actor import Actor
from workers.logs import act_for


def bearer_token(request: Request) -> str:
    """The request's bearer token; Unauthenticated without one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send Authorization: Bearer <token>")
    return token.strip()


async def provide_actor(request: Request) -> Actor:
    """The token's user, looked up once per request (the body check may have done it)."""
    actor: Actor | None = request.state.get("actor")
    if actor is not None:
        return actor
    actor = request.state.actor = await identity.authenticate(bearer_token(request))
    act_for(actor.org_id, actor.user_id)  # on the request's log lines
    return actor


ACTOR = {"actor": Provide(provide_actor)}
