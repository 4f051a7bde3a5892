"""The spec's lists (`list/`, `job-names-list/`) come from the per-user cache, and every change
that could alter them invalidates them, whichever surface makes the change.

How staleness would be caught: the cache is warmed, the change under test runs, and every
list of every user must then equal a fresh, uncached computation (and the change must have
altered some list, or the test would prove nothing). That the lists do come from the cache
is shown by changing rows with Piccolo directly, bypassing the domain: the cached lists keep
the old titles. A change invalidates only the lists it can alter: another user's cached list
survives it.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest
from litestar.stores.redis import RedisStore

from api.app import create_app
from api.cache import JobListCache
from models.enums import JobStatus, Role
from models.identity import operations as identity
from models.jobs import generation
from models.jobs import operations as jobs
from models.jobs.schemas import JobCreate
from models.settings import get_settings
from models.tables import Job
from tests import factories
from tests.conftest import SERVICES, running


@dataclasses.dataclass
class World(factories.World):
    own: int  # the Editor's job
    shared: int  # the other Editor's job, shared with the Editor
    foreign: int  # the other Editor's job, not shared


@pytest.fixture(name="world")
async def fx_world(db: None) -> World:
    roles = {"admin": Role.ADMIN, "editor": Role.EDITOR, "other": Role.EDITOR}
    people = await factories.world(roles)
    own = await factories.job(people.editor, "Backend Engineer")
    shared = await factories.job(people.other, "Data Engineer")
    await jobs.share_job(people.other, shared.id, [people.editor.user_id])
    foreign = await factories.job(people.other, "Designer")
    await factories.job(people.outsider, "Elsewhere Engineer")
    return World(**vars(people), own=own.id, shared=shared.id, foreign=foreign.id)


LISTS = ("/api/jobs/list/", "/api/jobs/job-names-list/", "/api/jobs/job-names-list/?title=ENG")


async def served(client: httpx.AsyncClient, world: World) -> dict[tuple[str, str], Any]:
    """Every list of every user, as the API serves them."""
    result = {}
    for who in world.tokens:
        for path in LISTS:
            response = await client.get(path, headers=world.headers(who))
            assert response.status_code == 200, response.text
            result[(who, path)] = response.json()
    return result


async def fresh(world: World) -> dict[tuple[str, str], Any]:
    """Every list of every user, computed now without the cache (roles as stored now)."""
    result = {}
    for who, actor in world.people.items():
        current = await identity.get_actor(actor.user_id)
        computed = {
            LISTS[0]: await jobs.list_owned_and_shared(current),
            LISTS[1]: await jobs.job_names(current),
            LISTS[2]: await jobs.job_names(current, "ENG"),
        }
        for path, value in computed.items():
            result[(who, path)] = json.loads(msgspec.json.encode(value))
    return result


async def bypass_the_domain(world: World) -> None:
    """Rename every job with Piccolo directly: nothing invalidates the cache."""
    for job_id in (world.own, world.shared, world.foreign):
        await Job.update({Job.title: Job.title + " (renamed behind the cache)"}).where(
            Job.id == job_id
        )


async def test_lists_are_served_from_the_cache(client: httpx.AsyncClient, world: World) -> None:
    warm = await served(client, world)
    assert warm == await fresh(world)
    await bypass_the_domain(world)
    assert await served(client, world) == warm  # still the cached lists
    assert await fresh(world) != warm
    # A fresh row the domain never heard of does not show up either.
    await Job.insert(
        Job(
            org=world.editor.org_id,
            owner=world.editor.user_id,
            title="Inserted behind the cache",
            public_key=jobs.new_public_key(),
        )
    )
    assert await served(client, world) == warm
    await jobs.create_job(world.editor, JobCreate(title="Created properly"))
    now, expected = await served(client, world), await fresh(world)
    for who in ("editor", "admin"):  # their lists can show the new job: rebuilt
        assert {k: v for k, v in now.items() if k[0] == who} == {
            k: v for k, v in expected.items() if k[0] == who
        }
    assert {k: v for k, v in now.items() if k[0] == "other"} == {
        k: v for k, v in warm.items() if k[0] == "other"
    }  # the other Editor cannot see it: still cached
    titles = {item["title"] for item in now[("editor", LISTS[0])]}
    assert {"Inserted behind the cache", "Created properly"} <= titles


async def test_the_title_filter_is_part_of_the_key(client: httpx.AsyncClient, world: World) -> None:
    headers = world.headers("editor")
    backend = await client.get("/api/jobs/job-names-list/?title=backend", headers=headers)
    data = await client.get("/api/jobs/job-names-list/?title=DATA", headers=headers)
    assert [item["id"] for item in backend.json()] == [world.own]
    assert [item["id"] for item in data.json()] == [world.shared]
    upper = await client.get("/api/jobs/job-names-list/?title=%20BACKEND%20", headers=headers)
    assert upper.json() == backend.json()


Change = Callable[[httpx.AsyncClient, World], Awaitable[None]]


async def api(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], body: Any = None
) -> None:
    response = await client.request(method, path, json=body, headers=headers)
    assert response.status_code < 300, response.text


async def create(client: httpx.AsyncClient, world: World) -> None:
    await api(client, "POST", "/api/jobs/", world.headers("editor"), {"title": "New Engineer"})


async def update(client: httpx.AsyncClient, world: World) -> None:
    await api(
        client, "PATCH", f"/api/jobs/{world.own}/", world.headers("editor"), {"status": "open"}
    )


async def replace(client: httpx.AsyncClient, world: World) -> None:
    body = {"title": "Replaced", "status": "closed"}
    await api(client, "PUT", f"/api/jobs/{world.shared}/", world.headers("editor"), body)


async def delete(client: httpx.AsyncClient, world: World) -> None:
    await api(client, "DELETE", f"/api/jobs/{world.shared}/", world.headers("other"))


async def share(client: httpx.AsyncClient, world: World) -> None:
    body = {"user_ids": [world.editor.user_id]}
    await api(client, "POST", f"/api/jobs/{world.foreign}/share/", world.headers("other"), body)


async def unshare(client: httpx.AsyncClient, world: World) -> None:
    path = f"/api/jobs/{world.shared}/share/{world.editor.user_id}/"
    await api(client, "DELETE", path, world.headers("other"))


async def rotate(client: httpx.AsyncClient, world: World) -> None:
    await api(client, "POST", f"/api/jobs/{world.own}/rotate-public-key/", world.headers("editor"))


async def role_change(client: httpx.AsyncClient, world: World) -> None:
    path = f"/api/users/{world.editor.user_id}/"
    await api(client, "PATCH", path, world.headers("admin"), {"role": "Admin"})


async def deactivation(client: httpx.AsyncClient, world: World) -> None:
    path = f"/api/users/{world.other.user_id}/"
    await api(client, "PATCH", path, world.headers("admin"), {"is_active": False})
    await api(client, "PATCH", path, world.headers("admin"), {"is_active": True})


async def bot_publishes(client: httpx.AsyncClient, world: World) -> None:
    """The Slack bot's path: a domain operation with an actor, no HTTP."""
    await jobs.set_status(world.editor, world.own, JobStatus.OPEN)


async def worker_marks_pending(client: httpx.AsyncClient, world: World) -> None:
    """A worker-side change: the system write that a (re)generation was queued."""
    await generation.mark_description_pending(world.own)


async def worker_stores_description(client: httpx.AsyncClient, world: World) -> None:
    """A worker-side change: a generated description stored by a task run."""
    stored = await generation.store_description(
        world.own,
        "Generated text.",
        "test-model",
        run_key=f"generate:{uuid.uuid4().hex}",
        result={"ok": True},
    )
    assert stored.first


async def prepare_pending(world: World) -> None:
    # Outside the measured change: a description must be pending before a run stores one.
    await generation.mark_description_pending(world.own)


CHANGES: dict[str, tuple[Change, Callable[[World], Awaitable[None]] | None]] = {
    "create": (create, None),
    "update": (update, None),
    "replace": (replace, None),
    "delete": (delete, None),
    "share": (share, None),
    "unshare": (unshare, None),
    "rotate-public-key": (rotate, None),
    "role-change": (role_change, None),
    "deactivation": (deactivation, None),
    "bot-publishes": (bot_publishes, None),
    "worker-marks-pending": (worker_marks_pending, None),
    "worker-stores-description": (worker_stores_description, prepare_pending),
}


@pytest.mark.parametrize("name", list(CHANGES))
async def test_every_change_invalidates_the_lists_it_alters(
    client: httpx.AsyncClient, world: World, name: str
) -> None:
    change, prepare = CHANGES[name]
    if prepare is not None:
        await prepare(world)
    warm = await served(client, world)
    assert warm == await fresh(world)
    await change(client, world)
    after = await served(client, world)
    assert after == await fresh(world)
    if name != "deactivation":  # deactivated and reactivated: the lists end as they were
        assert after != warm  # the change altered some list, so the check above means something


async def test_a_change_keeps_the_cached_lists_it_cannot_alter(
    client: httpx.AsyncClient, world: World
) -> None:
    """The other Editor's lists survive a change to the Editor's own job; the Admin's and
    the Editor's are rebuilt."""
    warm = await served(client, world)
    await bypass_the_domain(world)
    await update(client, world)  # the Editor's own job, not shared with the other Editor
    after = await served(client, world)
    for path in LISTS:
        assert after[("other", path)] == warm[("other", path)]  # still cached
    for path in LISTS[1:]:  # the Admin owns nothing: only their names lists show the change
        assert after[("admin", path)] != warm[("admin", path)]
    assert after[("editor", LISTS[0])] != warm[("editor", LISTS[0])]


async def test_a_change_in_one_organization_keeps_the_others_cache(
    client: httpx.AsyncClient, world: World
) -> None:
    warm = await served(client, world)
    await Job.update({Job.title: "Renamed behind the cache"}).where(
        Job.org == world.outsider.org_id
    )
    await create(client, world)  # organization A changes
    after = await served(client, world)
    for path in LISTS:
        assert after[("outsider", path)] == warm[("outsider", path)]


async def test_lists_reflect_role_after_change(client: httpx.AsyncClient, world: World) -> None:
    """An Editor promoted to Admin sees every job of the organization in job-names-list/ at
    once, and demoted back sees only theirs again."""
    names = "/api/jobs/job-names-list/"
    editor, admin = world.headers("editor"), world.headers("admin")

    async def ids() -> set[int]:
        return {item["id"] for item in (await client.get(names, headers=editor)).json()}

    assert await ids() == {world.own, world.shared}
    path = f"/api/users/{world.editor.user_id}"
    await api(client, "PATCH", path, admin, {"role": "Admin"})
    assert await ids() == {world.own, world.shared, world.foreign}
    await api(client, "PATCH", path, admin, {"role": "Viewer"})
    assert await ids() == {world.own, world.shared}


@pytest.mark.redis
async def test_processes_sharing_a_redis_store_serve_fresh_lists(world: World) -> None:
    """Two processes' caches on one Redis store: a list cached by one is served by the
    other, and a change committed through either is seen by both."""
    assert SERVICES.redis_url is not None
    namespace = f"hirebot-test-{uuid.uuid4().hex[:8]}"
    first = JobListCache(RedisStore.with_client(url=SERVICES.redis_url, namespace=namespace))
    second = JobListCache(RedisStore.with_client(url=SERVICES.redis_url, namespace=namespace))
    try:
        before = await first.job_names(world.editor, None)
        await Job.update({Job.title: "Renamed behind the cache"}).where(Job.id == world.own)
        assert await second.job_names(world.editor, None) == before  # from the shared store
        await jobs.set_status(world.editor, world.own, JobStatus.CLOSED)
        after = json.loads(await second.job_names(world.editor, None))
        assert {"id": world.own, "title": "Renamed behind the cache", "status": "closed"} in after
    finally:
        await first.store.delete_all()  # type: ignore[attr-defined]


async def test_an_unreachable_store_falls_back_to_the_database(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """A cache store that cannot be reached: lists come from the database, with one warning,
    and the store is left alone for a while (no wait on every request)."""
    dead = JobListCache(
        RedisStore.with_client(url="redis://127.0.0.1:1/0", namespace="hirebot-dead")
    )
    expected = msgspec.json.encode(await jobs.job_names(world.editor))
    with caplog.at_level("WARNING"):
        assert await dead.job_names(world.editor, None) == expected
        assert await dead.job_names(world.editor, None) == expected
    warnings = [r for r in caplog.records if "cache store failed" in r.getMessage()]
    assert len(warnings) == 1


async def update_foreign(client: httpx.AsyncClient, world: World) -> None:
    body = {"status": "closed"}
    await api(client, "PATCH", f"/api/jobs/{world.foreign}/", world.headers("other"), body)


async def delete_foreign(client: httpx.AsyncClient, world: World) -> None:
    await api(client, "DELETE", f"/api/jobs/{world.foreign}/", world.headers("other"))


async def share_foreign_with_the_admin(client: httpx.AsyncClient, world: World) -> None:
    body = {"user_ids": [world.admin.user_id]}
    await api(client, "POST", f"/api/jobs/{world.foreign}/share/", world.headers("other"), body)


async def worker_marks_foreign_pending(client: httpx.AsyncClient, world: World) -> None:
    await generation.mark_description_pending(world.foreign)


INVISIBLE_TO_THE_EDITOR: dict[str, Change] = {
    "update": update_foreign,
    "delete": delete_foreign,
    "share-with-someone-else": share_foreign_with_the_admin,
    "worker-marks-pending": worker_marks_foreign_pending,
}


@pytest.mark.parametrize("name", list(INVISIBLE_TO_THE_EDITOR))
async def test_a_change_to_a_job_a_user_cannot_see_keeps_their_cached_lists(
    client: httpx.AsyncClient, world: World, name: str
) -> None:
    """The other Editor's job, never shared with the Editor, changes: the Editor's cached
    lists stay (they still show the titles renamed behind the cache: served from it), while
    the lists of those who can see the job (its owner; the Admin's names) are rebuilt."""
    warm = await served(client, world)
    await bypass_the_domain(world)
    await INVISIBLE_TO_THE_EDITOR[name](client, world)
    after, expected = await served(client, world), await fresh(world)
    for path in LISTS:
        assert after[("editor", path)] == warm[("editor", path)]
        assert after[("other", path)] == expected[("other", path)]
        assert after[("other", path)] != warm[("other", path)]
    for path in LISTS[1:]:
        assert after[("admin", path)] == expected[("admin", path)]


async def test_with_the_cache_off_every_list_is_read_from_the_database(
    world: World,
) -> None:
    """HIREBOT_CACHE_TTL=off: rows changed behind the domain show up at once."""
    settings = dataclasses.replace(get_settings(), cache_ttl_seconds=None)
    app = create_app(settings)
    async with (
        running(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        warm = await served(client, world)
        assert warm == await fresh(world)
        await bypass_the_domain(world)
        after = await served(client, world)
        assert after == await fresh(world)
        assert after != warm
