"""The access matrix: every job endpoint x caller x the caller's relation to the job.

The rules are stated once, in `RULES`; every cell's expected status is derived from them:
- Admin: every action on every job of the organization.
- Editor: READ and CHANGE on jobs they own or that are shared with them; MANAGE (delete,
  share, unshare, rotate the public key) only on jobs they own.
- Viewer: READ on jobs they own or that are shared with them; writes answer 403.
- A job the caller may not see answers 404 (never 403), and so does every job of another
  organization.

Callers are an Admin, an Editor and a Viewer of organization A, and an Admin of
organization B. The job's relation to the caller is:
- own: the caller created it;
- shared: another Editor of organization A owns it and shared it with the caller;
- foreign: another Editor of organization A owns it and did not share it with the caller.
For the other organization's Admin, who can neither own nor be shared a job of organization
A, the three columns are organization A's jobs in the same relations to A's Editor.

"Viewer own": Viewers cannot create jobs through the API (POST answers 403, tested below), so
the Viewer of these tests is created as an Editor, creates the job through the domain
(`models.jobs.operations.create_job`), and is then demoted to Viewer by an Admin through the
domain (`models.identity.operations.update_user`): the state a real organization reaches
when an Editor who owns jobs becomes a Viewer.

Every write cell snapshots the job (row, weights, shares, applications, stage counts) before
and after: when refused nothing changed; when allowed the endpoint's effect is there.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from enum import Enum
from typing import Any

import httpx
import pytest

from models.enums import Role
from models.identity import operations as identity
from models.identity.actor import Actor
from models.identity.schemas import UserUpdate
from models.jobs import operations as jobs
from models.pipeline import operations as pipeline
from models.pipeline.schemas import CandidateIn
from models.tables import Application, Job, JobShare, JobStageCount, ResumeScoreWeights
from tests import factories


class Caller(Enum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"
    OTHER_ORG_ADMIN = "other-org-admin"


class Relation(Enum):
    OWN = "own"
    SHARED = "shared"
    FOREIGN = "foreign"


class Act(Enum):
    READ = "read"
    CHANGE = "change"
    MANAGE = "manage"


ALL = frozenset(Act)
NONE: frozenset[Act] = frozenset()

RULES: dict[Caller, dict[Relation, frozenset[Act]]] = {
    Caller.ADMIN: {Relation.OWN: ALL, Relation.SHARED: ALL, Relation.FOREIGN: ALL},
    Caller.EDITOR: {
        Relation.OWN: ALL,
        Relation.SHARED: frozenset({Act.READ, Act.CHANGE}),
        Relation.FOREIGN: NONE,
    },
    Caller.VIEWER: {
        Relation.OWN: frozenset({Act.READ}),
        Relation.SHARED: frozenset({Act.READ}),
        Relation.FOREIGN: NONE,
    },
    Caller.OTHER_ORG_ADMIN: dict.fromkeys(Relation, NONE),
}


# The world of one cell ---------------------------------------------------------------------


@dataclasses.dataclass
class World:
    caller: Actor
    headers: dict[str, str]
    job_id: int
    candidate_id: int
    bystander: int  # a Viewer of organization A the job is shared with
    newcomer: int  # a Viewer of organization A the job is not shared with


async def build_world(caller: Caller, relation: Relation) -> World:
    org_a, org_b = await factories.org(), await factories.org()
    admin = await factories.user(org_a, Role.ADMIN)
    editor = await factories.user(org_a, Role.EDITOR)
    viewer = await factories.user(org_a, Role.EDITOR)  # demoted to Viewer below
    owner = await factories.user(org_a, Role.EDITOR)
    bystander = await factories.user(org_a, Role.VIEWER)
    newcomer = await factories.user(org_a, Role.VIEWER)
    outsider = await factories.user(org_b, Role.ADMIN)
    actors = {Caller.ADMIN: admin, Caller.EDITOR: editor, Caller.VIEWER: viewer}
    subject = actors.get(caller, editor)  # whose relation to the job the columns describe

    if relation is Relation.OWN:
        job = await factories.job(subject, "Target")
    else:
        job = await factories.job(owner, "Target")
        if relation is Relation.SHARED:
            await jobs.share_job(owner, job.id, [subject.user_id])
    await jobs.share_job(admin, job.id, [bystander.user_id])
    added = await pipeline.add_candidate(
        admin, job.id, CandidateIn(name="Casey", email="casey@example.com")
    )
    await identity.update_user(admin, viewer.user_id, UserUpdate(role=Role.VIEWER))

    acting = outsider if caller is Caller.OTHER_ORG_ADMIN else actors[caller]
    return World(
        caller=acting,
        headers=await factories.headers(acting),
        job_id=job.id,
        candidate_id=added.candidate_id,
        bystander=bystander.user_id,
        newcomer=newcomer.user_id,
    )


@dataclasses.dataclass(frozen=True)
class Snapshot:
    job: dict[str, Any] | None
    weights: dict[str, Any] | None
    shares: frozenset[int]
    stages: dict[int, str]
    counts: dict[str, int]


async def snapshot(job_id: int) -> Snapshot:
    job = await Job.select(Job.title, Job.status, Job.public_key).where(Job.id == job_id).first()
    weights = (
        await ResumeScoreWeights.select(
            ResumeScoreWeights.skills,
            ResumeScoreWeights.experience,
            ResumeScoreWeights.education,
            ResumeScoreWeights.criteria,
        )
        .where(ResumeScoreWeights.job == job_id)
        .first()
    )
    shares = await JobShare.select(JobShare.user).where(JobShare.job == job_id)
    stages = await Application.select(Application.candidate, Application.stage).where(
        Application.job == job_id
    )
    counts = await JobStageCount.select(JobStageCount.stage, JobStageCount.total).where(
        JobStageCount.job == job_id
    )
    return Snapshot(
        job=job,
        weights=weights,
        shares=frozenset(row["user"] for row in shares),
        stages={row["candidate"]: row["stage"] for row in stages},
        counts={row["stage"]: row["total"] for row in counts},
    )


# The endpoints -------------------------------------------------------------------------------

NEW_WEIGHTS = {"skills": 25, "experience": 25, "education": 25, "criteria": 25}
Effect = Callable[[Snapshot, Snapshot, World], None]


def title_is(title: str) -> Effect:
    def check(before: Snapshot, after: Snapshot, world: World) -> None:
        assert after.job is not None
        assert after.job["title"] == title

    return check


def deleted(before: Snapshot, after: Snapshot, world: World) -> None:
    assert after.job is None
    assert after.weights is None
    assert after.stages == {}


def weights_changed(before: Snapshot, after: Snapshot, world: World) -> None:
    assert after.weights == NEW_WEIGHTS


def newcomer_shared(before: Snapshot, after: Snapshot, world: World) -> None:
    assert after.shares == before.shares | {world.newcomer}


def bystander_unshared(before: Snapshot, after: Snapshot, world: World) -> None:
    assert after.shares == before.shares - {world.bystander}


def key_rotated(before: Snapshot, after: Snapshot, world: World) -> None:
    assert before.job is not None
    assert after.job is not None
    assert after.job["public_key"] != before.job["public_key"]


def candidate_added(before: Snapshot, after: Snapshot, world: World) -> None:
    assert len(after.stages) == len(before.stages) + 1
    assert after.counts["Applied"] == before.counts["Applied"] + 1


def candidate_moved(before: Snapshot, after: Snapshot, world: World) -> None:
    assert after.stages[world.candidate_id] == "Offer"
    assert after.counts["Offer"] == before.counts["Offer"] + 1
    assert after.counts["Applied"] == before.counts["Applied"] - 1


@dataclasses.dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # formatted with the World's fields
    act: Act | None  # None: a list endpoint (always 200; the job is in it or not)
    ok: int = 200
    body: Callable[[World], Any] | None = None
    effect: Effect | None = None  # for writes: what an allowed call changed

    def url(self, world: World) -> str:
        return self.path.format(**dataclasses.asdict(world))


ENDPOINTS = [
    Endpoint("list", "GET", "/api/jobs/list/", None),
    Endpoint("job-names-list", "GET", "/api/jobs/job-names-list/", None),
    Endpoint("paginated-list", "GET", "/api/jobs/?limit=100", None),
    Endpoint("job-detail", "GET", "/api/jobs/job-detail/{job_id}/", Act.READ),
    Endpoint("get", "GET", "/api/jobs/{job_id}/", Act.READ),
    Endpoint(
        "put",
        "PUT",
        "/api/jobs/{job_id}/",
        Act.CHANGE,
        body=lambda w: {"title": "Changed by PUT"},
        effect=title_is("Changed by PUT"),
    ),
    Endpoint(
        "patch",
        "PATCH",
        "/api/jobs/{job_id}/",
        Act.CHANGE,
        body=lambda w: {"title": "Changed by PATCH"},
        effect=title_is("Changed by PATCH"),
    ),
    Endpoint("delete", "DELETE", "/api/jobs/{job_id}/", Act.MANAGE, ok=204, effect=deleted),
    Endpoint("get-weights", "GET", "/api/jobs/{job_id}/weights/", Act.READ),
    Endpoint(
        "put-weights",
        "PUT",
        "/api/jobs/{job_id}/weights/",
        Act.CHANGE,
        body=lambda w: NEW_WEIGHTS,
        effect=weights_changed,
    ),
    Endpoint(
        "share",
        "POST",
        "/api/jobs/{job_id}/share/",
        Act.MANAGE,
        body=lambda w: {"user_ids": [w.newcomer]},
        effect=newcomer_shared,
    ),
    Endpoint(
        "unshare",
        "DELETE",
        "/api/jobs/{job_id}/share/{bystander}/",
        Act.MANAGE,
        ok=204,
        effect=bystander_unshared,
    ),
    Endpoint(
        "rotate-public-key",
        "POST",
        "/api/jobs/{job_id}/rotate-public-key/",
        Act.MANAGE,
        effect=key_rotated,
    ),
    Endpoint("stage-filters", "GET", "/api/jobs/{job_id}/stage-filters/", Act.READ),
    Endpoint("list-candidates", "GET", "/api/jobs/{job_id}/candidates/", Act.READ),
    Endpoint(
        "add-candidate",
        "POST",
        "/api/jobs/{job_id}/candidates/",
        Act.CHANGE,
        ok=201,
        body=lambda w: {"name": "Dana", "email": "dana@example.com"},
        effect=candidate_added,
    ),
    Endpoint(
        "move-candidate",
        "PATCH",
        "/api/jobs/{job_id}/candidates/{candidate_id}/",
        Act.CHANGE,
        body=lambda w: {"stage": "Offer"},
        effect=candidate_moved,
    ),
]


def expected_status(endpoint: Endpoint, allowed: frozenset[Act]) -> int:
    assert endpoint.act is not None
    if Act.READ not in allowed:
        return 404
    return endpoint.ok if endpoint.act in allowed else 403


def expected_in_list(endpoint: Endpoint, relation: Relation, allowed: frozenset[Act]) -> bool:
    """list/ holds owned and shared jobs for every role; the other lists every visible job."""
    if endpoint.name == "list":
        return Act.READ in allowed and relation is not Relation.FOREIGN
    return Act.READ in allowed


CELLS = list(itertools.product(ENDPOINTS, Caller, Relation))


def cell_id(cell: tuple[Endpoint, Caller, Relation]) -> str:
    endpoint, caller, relation = cell
    return f"{endpoint.name}-{caller.value}-{relation.value}"


@pytest.mark.parametrize(("endpoint", "caller", "relation"), CELLS, ids=map(cell_id, CELLS))
async def test_access(
    client: httpx.AsyncClient, endpoint: Endpoint, caller: Caller, relation: Relation
) -> None:
    world = await build_world(caller, relation)
    allowed = RULES[caller][relation]
    before = await snapshot(world.job_id)
    body = endpoint.body(world) if endpoint.body else None
    response = await client.request(
        endpoint.method, endpoint.url(world), json=body, headers=world.headers
    )
    after = await snapshot(world.job_id)

    if endpoint.act is None:
        assert response.status_code == 200, response.text
        payload = response.json()
        items = payload["items"] if isinstance(payload, dict) else payload
        listed = world.job_id in {item["id"] for item in items}
        assert listed == expected_in_list(endpoint, relation, allowed)
        assert after == before
        return

    status = expected_status(endpoint, allowed)
    assert response.status_code == status, response.text
    if endpoint.effect is None or status != endpoint.ok:
        assert after == before  # reads and refused writes change nothing
    else:
        endpoint.effect(before, after, world)


def test_the_matrix_is_complete() -> None:
    """Every endpoint appears for every caller and relation, and the rules cover them all."""
    assert len(CELLS) == len(ENDPOINTS) * len(Caller) * len(Relation)
    assert set(RULES) == set(Caller)
    assert all(set(row) == set(Relation) for row in RULES.values())
    writes = {e.name for e in ENDPOINTS if e.effect is not None}
    assert writes == {
        "put",
        "patch",
        "delete",
        "put-weights",
        "share",
        "unshare",
        "rotate-public-key",
        "add-candidate",
        "move-candidate",
    }


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        (Caller.ADMIN, 201),
        (Caller.EDITOR, 201),
        (Caller.VIEWER, 403),
        (Caller.OTHER_ORG_ADMIN, 201),
    ],
)
async def test_create(client: httpx.AsyncClient, caller: Caller, status: int) -> None:
    """Creating is not about an existing job: Admins and Editors may, in their own org."""
    world = await build_world(caller, Relation.OWN)
    before = await Job.count()
    response = await client.post(
        "/api/jobs/",
        json={"title": "Created", "org": 1, "owner": 1},
        headers=world.headers,
    )
    assert response.status_code == status, response.text
    assert await Job.count() == before + (status == 201)
    if status == 201:
        row = await Job.select(Job.org, Job.owner).where(Job.id == response.json()["id"]).first()
        assert row == {"org": world.caller.org_id, "owner": world.caller.user_id}
