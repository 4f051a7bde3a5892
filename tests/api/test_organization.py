"""`DELETE /api/organization`: an Admin removes their organization and everything in it."""

from __future__ import annotations

import httpx
import pytest
from cryptography.fernet import Fernet
from piccolo.table import Table

from models import conversations, installations
from models.enums import Role
from models.identity.actor import Actor
from models.installations import Installed
from models.jobs import operations as jobs
from models.pipeline import operations as pipeline
from models.pipeline.schemas import CandidateIn
from models.secrets import SecretBox
from models.tables import (
    ALL_TABLES,
    ApiToken,
    Event,
    Organization,
    SlackInstallation,
    SlackOAuthState,
    User,
)
from tests import factories
from tests.factories import World, bearer

# Rows that belong to no organization (queue bookkeeping, install states in progress).
UNOWNED = {"outbox_message", "task_run", "idempotency_key", SlackOAuthState._meta.tablename}


@pytest.fixture(name="world")
async def fx_world(db: None) -> World:
    return await factories.world()


async def populate(admin: Actor, colleague: Actor, team_id: str) -> None:
    """A bit of everything an organization holds: a shared job with its description,
    candidates in its pipeline, screening criteria, a conversation and an installation."""
    await Organization.update({Organization.slack_team_id: team_id}).where(
        Organization.id == admin.org_id
    )
    job = await factories.job(admin, title=f"Welder {team_id}")
    await jobs.share_job(admin, job.id, [colleague.user_id])
    await pipeline.add_candidate(admin, job.id, CandidateIn(name="Ada", email="ada@example.com"))
    await factories.criteria_of_every_kind(admin, job.id)
    thread = await conversations.open_thread(admin, team_id, "D0001", "1700000000.000100")
    await conversations.start_turn(thread, admin, "U0ADMIN", "1700000000.000100", "my jobs")
    box = SecretBox(Fernet.generate_key().decode())
    await installations.save(
        box, Installed(team_id=team_id, team_name=team_id, user_id="U0ADMIN", bot_token="xoxb-1")
    )


async def name_of(actor: Actor) -> str:
    [org] = await Organization.select(Organization.name).where(Organization.id == actor.org_id)
    return str(org["name"])


async def counts() -> dict[str, int]:
    tables: list[type[Table]] = [t for t in ALL_TABLES if t._meta.tablename not in UNOWNED]
    return {t._meta.tablename: await t.count() for t in tables}


async def test_an_admin_deletes_the_organization_and_everything_in_it(
    client: httpx.AsyncClient, world: World
) -> None:
    other_admin = world.outsider
    other_colleague = await factories.user(other_admin.org_id, Role.EDITOR)
    await populate(other_admin, other_colleague, "T0OTHER")
    before = await counts()
    # What is left when the organization is gone: less it, its people and their tokens.
    people = await User.count().where(User.org == world.admin.org_id)
    tokens = await ApiToken.count().where(ApiToken.user.org == world.admin.org_id)
    recorded = await Event.count().where(Event.org == world.admin.org_id)
    left = before | {
        "event": before["event"] - recorded,
        "organization": before["organization"] - 1,
        "app_user": before["app_user"] - people,
        "api_token": before["api_token"] - tokens,
    }
    await populate(world.admin, world.editor, "T0ACME")
    populated = await counts()
    grown = {name for name, n in populated.items() if n > before[name]}
    assert grown >= {  # the organization holds something in each of these
        "job", "job_share", "candidate", "application", "criteria", "conversation",
        "conversation_turn", "slack_installation", "app_user",
    }  # fmt: skip

    org = await name_of(world.admin)

    response = await client.request(
        "DELETE", "/api/organization", json={"confirm": org}, headers=world.headers("admin")
    )
    assert response.status_code == 204, response.text
    assert await counts() == left  # all of it gone, the other organization's untouched
    assert not await Organization.exists().where(Organization.id == world.admin.org_id)
    assert await ApiToken.count().where(ApiToken.user.org == world.admin.org_id) == 0
    assert not await installations.is_installed(None, "T0ACME")
    assert await installations.is_installed(None, "T0OTHER")
    assert (await client.get("/api/me", headers=world.headers("admin"))).status_code == 401
    assert (await client.get("/api/me", headers=world.headers("outsider"))).status_code == 200


@pytest.mark.parametrize("confirm", ["", "wrong", " Org", "org"])
async def test_the_name_must_be_confirmed_exactly(
    client: httpx.AsyncClient, world: World, confirm: str
) -> None:
    response = await client.request(
        "DELETE", "/api/organization", json={"confirm": confirm}, headers=world.headers("admin")
    )
    assert response.status_code == 400, response.text
    assert "confirm" in response.text
    assert await Organization.exists().where(Organization.id == world.admin.org_id)
    assert await User.count().where(User.org == world.admin.org_id) == 4


@pytest.mark.parametrize("who", ["editor", "viewer"])
async def test_only_an_admin_deletes_the_organization(
    client: httpx.AsyncClient, world: World, who: str
) -> None:
    org = await name_of(world.admin)
    response = await client.request(
        "DELETE", "/api/organization", json={"confirm": org}, headers=world.headers(who)
    )
    assert response.status_code == 403, response.text
    assert await Organization.exists().where(Organization.id == world.admin.org_id)


async def test_bad_deletion_bodies_are_400_and_delete_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.headers("admin")
    for body in (b"", b"{}", b"null", b"[]", b'{"confirm": 1}', b'{"confirm": "x", "y": 1}'):
        response = await client.request(
            "DELETE",
            "/api/organization",
            content=body,
            headers={**admin, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, (body, response.text)
    assert (
        await client.request("DELETE", "/api/organization", headers=bearer("hb_x"))
    ).status_code == 401
    assert await Organization.exists().where(Organization.id == world.admin.org_id)
    assert await SlackInstallation.count() == 0
