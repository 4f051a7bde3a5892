"""`/api/me` and the Admin-only user endpoints: listing, adding, role changes, deactivation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.enums import Role
from models.identity.actor import Actor
from models.tables import User
from tests import factories
from tests.factories import World, bearer


@pytest.fixture(name="world")
async def fx_world(db: None) -> World:
    """An Admin, an Editor and a Viewer of one organization (emails `<role>@acme.test`), and
    an outsider."""
    roles = {"admin": Role.ADMIN, "editor": Role.EDITOR, "viewer": Role.VIEWER}
    return await factories.world(roles, email_domain="acme.test")


async def user_row(user_id: int) -> dict[str, Any]:
    row = await User.select().where(User.id == user_id).first()
    assert row is not None
    return row


@pytest.mark.parametrize("who", ["admin", "editor", "viewer"])
async def test_me(client: httpx.AsyncClient, world: World, who: str) -> None:
    actor: Actor = getattr(world, who)
    for path in ("/api/me", "/api/me/"):
        response = await client.get(path, headers=world.headers(who))
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == actor.user_id
        assert body["org_id"] == actor.org_id
        assert body["email"] == f"{who}@acme.test"
        assert body["role"] == actor.role.value
        assert body["is_active"] is True


async def test_me_needs_a_valid_token(client: httpx.AsyncClient, world: World) -> None:
    for headers in ({}, bearer(""), bearer("hb_x"), bearer("nothb"), {"Authorization": "Token x"}):
        assert (await client.get("/api/me", headers=headers)).status_code == 401


async def test_admin_lists_the_users_of_their_organization(
    client: httpx.AsyncClient, world: World
) -> None:
    for path in ("/api/users", "/api/users/"):
        response = await client.get(path, headers=world.headers("admin"))
        assert response.status_code == 200
        emails = [user["email"] for user in response.json()]
        assert emails == ["admin@acme.test", "editor@acme.test", "viewer@acme.test"]


@pytest.mark.parametrize("who", ["editor", "viewer"])
async def test_only_admins_manage_users(client: httpx.AsyncClient, world: World, who: str) -> None:
    headers = world.headers(who)
    assert (await client.get("/api/users/", headers=headers)).status_code == 403
    created = await client.post(
        "/api/users/", json={"email": "new@acme.test", "name": "New"}, headers=headers
    )
    assert created.status_code == 403
    promoted = await client.patch(
        f"/api/users/{getattr(world, who).user_id}/", json={"role": "Admin"}, headers=headers
    )
    assert promoted.status_code == 403
    assert (await user_row(getattr(world, who).user_id))["role"] == getattr(world, who).role
    assert await User.count() == 4


async def test_admin_adds_a_user(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/users",
        json={"email": "New@Acme.Test", "name": " Newcomer ", "role": "Viewer"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["email"], body["name"], body["role"]) == ("new@acme.test", "Newcomer", "Viewer")
    assert body["org_id"] == world.admin.org_id
    default = await client.post(
        "/api/users/",
        json={"email": "two@acme.test", "name": "Two"},
        headers=world.headers("admin"),
    )
    assert default.json()["role"] == "Editor"


async def test_adding_a_duplicate_email_is_409(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/users/",
        json={"email": "EDITOR@acme.test", "name": "Again"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 409
    assert response.json()["extra"][0]["key"] == "email"
    # Another organization may use the same address.
    elsewhere = await client.post(
        "/api/users/",
        json={"email": "editor@acme.test", "name": "Twin"},
        headers=world.headers("outsider"),
    )
    assert elsewhere.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"email": "x@acme.test"},
        {"name": "No email"},
        {"email": "nope", "name": "N"},
        {"email": "x@acme.test", "name": ""},
        {"email": "x@acme.test", "name": "   "},
        {"email": "x@acme.test", "name": "N", "role": "Owner"},
        {"email": "x@acme.test", "name": "N", "org_id": 999},
        {"email": "x@acme.test", "name": "N\x00"},
        {"email": "x\x00@acme.test", "name": "N"},
        [],
    ],
)
async def test_bad_new_users_are_400(client: httpx.AsyncClient, world: World, body: Any) -> None:
    response = await client.post("/api/users/", json=body, headers=world.headers("admin"))
    assert response.status_code == 400, response.text
    assert await User.count() == 4


async def test_role_change_takes_effect_at_once(client: httpx.AsyncClient, world: World) -> None:
    editor = world.headers("editor")
    assert (await client.post("/api/jobs/", json={"title": "A"}, headers=editor)).status_code == 201
    response = await client.patch(
        f"/api/users/{world.editor.user_id}",
        json={"role": "Viewer"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "Viewer"
    assert (await user_row(world.editor.user_id))["role"] == "Viewer"
    assert (await client.get("/api/me", headers=editor)).json()["role"] == "Viewer"
    assert (await client.post("/api/jobs/", json={"title": "B"}, headers=editor)).status_code == 403
    assert (await client.get("/api/users", headers=editor)).status_code == 403
    await client.patch(
        f"/api/users/{world.editor.user_id}/",
        json={"role": "Admin"},
        headers=world.headers("admin"),
    )
    assert (await client.get("/api/users", headers=editor)).status_code == 200


async def test_rename(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        f"/api/users/{world.viewer.user_id}", json={"name": " Vee "}, headers=world.headers("admin")
    )
    assert response.json()["name"] == "Vee"
    assert (await user_row(world.viewer.user_id))["name"] == "Vee"


async def test_deactivation_revokes_access(client: httpx.AsyncClient, world: World) -> None:
    viewer = world.headers("viewer")
    assert (await client.get("/api/me", headers=viewer)).status_code == 200
    response = await client.patch(
        f"/api/users/{world.viewer.user_id}",
        json={"is_active": False},
        headers=world.headers("admin"),
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    for path in ("/api/me", "/api/jobs/list/", "/api/jobs/"):
        assert (await client.get(path, headers=viewer)).status_code == 401, path
    await client.patch(
        f"/api/users/{world.viewer.user_id}",
        json={"is_active": True},
        headers=world.headers("admin"),
    )
    assert (await client.get("/api/me", headers=viewer)).status_code == 200


@pytest.mark.parametrize("change", [{"role": "Editor"}, {"role": "Viewer"}, {"is_active": False}])
async def test_the_last_active_admin_cannot_demote_themself(
    client: httpx.AsyncClient, world: World, change: dict[str, Any]
) -> None:
    admin = world.headers("admin")
    response = await client.patch(f"/api/users/{world.admin.user_id}", json=change, headers=admin)
    assert response.status_code == 409, response.text
    row = await user_row(world.admin.user_id)
    assert (row["role"], row["is_active"]) == ("Admin", True)
    assert (await client.get("/api/users", headers=admin)).status_code == 200

    # An inactive second Admin does not count.
    second = await factories.user(world.admin.org_id, Role.ADMIN)
    await client.patch(f"/api/users/{second.user_id}", json={"is_active": False}, headers=admin)
    blocked = await client.patch(f"/api/users/{world.admin.user_id}", json=change, headers=admin)
    assert blocked.status_code == 409

    # With another active Admin, stepping down is allowed.
    await client.patch(f"/api/users/{second.user_id}", json={"is_active": True}, headers=admin)
    allowed = await client.patch(f"/api/users/{world.admin.user_id}", json=change, headers=admin)
    assert allowed.status_code == 200, allowed.text


async def test_keeping_the_admin_role_is_fine(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        f"/api/users/{world.admin.user_id}",
        json={"role": "Admin", "is_active": True, "name": "Still boss"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "target", ["outsider", "999999", "2147483648", "99999999999999999999", "-1"]
)
async def test_unknown_or_foreign_users_are_404(
    client: httpx.AsyncClient, world: World, target: str
) -> None:
    user_id = str(world.outsider.user_id) if target == "outsider" else target
    response = await client.patch(
        f"/api/users/{user_id}", json={"role": "Viewer"}, headers=world.headers("admin")
    )
    assert response.status_code == 404, response.text
    assert (await user_row(world.outsider.user_id))["role"] == "Admin"


@pytest.mark.parametrize(
    "body",
    [
        {"role": "Owner"},
        {"role": None},
        {"is_active": "no"},
        {"name": ""},
        {"name": "\x00"},
        {"org_id": 2},
        {"email": "x@y.z"},
        [],
        "x",
    ],
)
async def test_bad_user_updates_are_400(client: httpx.AsyncClient, world: World, body: Any) -> None:
    before = await user_row(world.editor.user_id)
    response = await client.patch(
        f"/api/users/{world.editor.user_id}", json=body, headers=world.headers("admin")
    )
    assert response.status_code == 400, response.text
    assert await user_row(world.editor.user_id) == before


async def test_junk_user_bodies_never_cause_a_500(client: httpx.AsyncClient, world: World) -> None:
    for method, path in (("POST", "/api/users/"), ("PATCH", f"/api/users/{world.editor.user_id}")):
        for body in (b"", b"{", b"null", b"\xff", b'{"role": 1e999}', b'{"name": "\\ud800"}'):
            response = await client.request(
                method,
                path,
                content=body,
                headers={**world.headers("admin"), "Content-Type": "application/json"},
            )
            assert response.status_code < 500, (method, body, response.text)


# Links to Slack users -----------------------------------------------------------------------


async def test_admin_links_and_unlinks_a_slack_user(
    client: httpx.AsyncClient, world: World
) -> None:
    path, admin = f"/api/users/{world.editor.user_id}", world.headers("admin")
    linked = await client.patch(path, json={"slack_user_id": "U0EDITOR1"}, headers=admin)
    assert linked.status_code == 200, linked.text
    assert linked.json()["slack_user_id"] == "U0EDITOR1"
    listed = {
        u["email"]: u["slack_user_id"]
        for u in (await client.get("/api/users", headers=admin)).json()
    }
    assert listed["editor@acme.test"] == "U0EDITOR1"
    assert (await user_row(world.editor.user_id))["slack_user_id"] == "U0EDITOR1"

    renamed = await client.patch(path, json={"name": "Eddie"}, headers=admin)
    assert renamed.json()["slack_user_id"] == "U0EDITOR1"  # left out: kept

    cleared = await client.patch(path, json={"slack_user_id": None}, headers=admin)
    assert cleared.status_code == 200 and cleared.json()["slack_user_id"] is None
    assert (await user_row(world.editor.user_id))["slack_user_id"] is None


async def test_a_slack_user_is_linked_to_one_user_of_the_organization(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = world.headers("admin")
    taken = {"slack_user_id": "U0SHARED1"}
    assert (
        await client.patch(f"/api/users/{world.editor.user_id}", json=taken, headers=admin)
    ).status_code == 200
    clash = await client.patch(f"/api/users/{world.viewer.user_id}", json=taken, headers=admin)
    assert clash.status_code == 409, clash.text
    assert clash.json()["extra"][0]["key"] == "slack_user_id"
    assert (await user_row(world.viewer.user_id))["slack_user_id"] is None
    # Another organization may link its own user to the same id: a link never crosses.
    outsider = world.headers("outsider")
    own = await client.patch(f"/api/users/{world.outsider.user_id}", json=taken, headers=outsider)
    assert own.status_code == 200, own.text


async def test_links_are_for_admins_of_the_same_organization(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {"slack_user_id": "U0EDITOR1"}
    for who in ("editor", "viewer"):
        refused = await client.patch(
            f"/api/users/{world.editor.user_id}", json=body, headers=world.headers(who)
        )
        assert refused.status_code == 403, refused.text
    foreign = await client.patch(
        f"/api/users/{world.outsider.user_id}", json=body, headers=world.headers("admin")
    )
    assert foreign.status_code == 404
    assert (await user_row(world.editor.user_id))["slack_user_id"] is None
    assert (await user_row(world.outsider.user_id))["slack_user_id"] is None


@pytest.mark.parametrize(
    "slack_user_id", ["", "u0lower", "C0CHANNEL", "U", "<@U0EDITOR1>", "U" + "A" * 40, 12]
)
async def test_bad_slack_user_ids_are_400(
    client: httpx.AsyncClient, world: World, slack_user_id: Any
) -> None:
    response = await client.patch(
        f"/api/users/{world.editor.user_id}",
        json={"slack_user_id": slack_user_id},
        headers=world.headers("admin"),
    )
    assert response.status_code == 400, response.text
    assert "slack_user_id" in response.text
    assert (await user_row(world.editor.user_id))["slack_user_id"] is None
