"""Slack identity: organizations and users created on first use, once, even when racing."""

from __future__ import annotations

import asyncio

from models.enums import Role
from models.identity.operations import resolve_slack_actor
from models.tables import Organization, User


async def test_first_users_arriving_together_make_one_org_and_one_admin(db: None) -> None:
    actors = await asyncio.gather(
        *[resolve_slack_actor("T9", f"U{n}", default_role=Role.EDITOR) for n in range(8)]
    )
    assert await Organization.count() == 1
    assert await User.count() == 8
    assert sorted(actor.role for actor in actors).count(Role.ADMIN) == 1
    again = await resolve_slack_actor("T9", "U3", default_role=Role.VIEWER)
    assert again.user_id == next(a.user_id for a in actors if a.email.startswith("u3@"))
