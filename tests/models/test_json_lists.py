"""The lists' JSON as the database joins it is, byte for byte, what msgspec writes of the
structs: for odd text, missing values, every timestamp shape, after every kind of write.

How a drift would be caught: each list is built both ways for every user and compared as
bytes (on SQLite both ways are msgspec, so there the test shows the API's path is the same
one). On PostgreSQL the stored JSON comes from a trigger; a field added to `Job` or `JobName`
without a migration rewriting the trigger fails here, and so does a change to how msgspec
writes a type (the tests cover each type the structs use).
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from models import json_lists
from models.enums import JobStatus, Role
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.jobs import schemas
from models.tables import Job
from tests import factories
from tests.conftest import SERVICES

ODD_TITLES = (
    'Engineer "Platform" \\ Tools',
    "Ingénieure données, Zürich 🚀",
    "C/C++ engineer <script>&",
    "Tab\there",
    "100% remote_ok",
)


async def both_ways(actor: Actor) -> None:
    """Each of the actor's lists, joined by the database and encoded from the structs."""
    assert await jobs.list_owned_and_shared_json(actor) == msgspec.json.encode(
        await jobs.list_owned_and_shared(actor)
    )
    for title in (None, "", "eng", "ENG", "100%", "_", "\\", "🚀", "no such job"):
        assert await jobs.job_names_json(actor, title) == msgspec.json.encode(
            await jobs.job_names(actor, title)
        ), title


async def odd_jobs(owner: Actor) -> list[int]:
    """Jobs with every shape a field can take."""
    made = [await factories.job(owner, title) for title in ODD_TITLES]
    plain = await factories.job(
        owner,
        "Plain",
        description="Line one.\nLine two,\r\n\ttabbed \u0001 and a \u2028 separator.",
        must_have_skills=[],
        location=None,
    )
    located = await factories.job(owner, "Located", location="Remote (EU) — «Berlin»")
    ids = [job.id for job in made] + [plain.id, located.id]
    # A structured description (a JSON object), one that is not an object, timestamps with
    # and without microseconds, an error text: written as the workers write them.
    structured = {"title": "x", "skills": ["a", "b"], "nested": {"n": 1.5, "t": True}}
    await Job.update(  # as `generation.store_jd_json` writes it
        {
            Job.jd_json: msgspec.json.encode(structured).decode(),
            Job.jd_json_status: "ready",
            Job.jd_json_generated_by: "model-a",
            Job.jd_json_generated_at: datetime.now(UTC),
        }
    ).where(Job.id == ids[0])
    whole_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    await Job.update(
        {
            Job.jd_json: "[1, 2]",
            Job.description_generated_at: whole_second,
            Job.description_generated_by: "model-b",
            Job.description_error: 'failed: "timeout"',
        }
    ).where(Job.id == ids[1])
    await Job.update(
        {Job.jd_json_generated_at: datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=UTC)}
    ).where(Job.id == ids[2])
    return ids


async def test_the_joined_lists_are_the_encoded_structs(db: None) -> None:
    world = await factories.world()
    ids = await odd_jobs(world.editor)
    others = await odd_jobs(world.other)
    await jobs.share_job(world.other, others[0], [world.editor.user_id, world.viewer.user_id])
    await odd_jobs(world.outsider)

    for who in ("admin", "editor", "viewer", "other", "outsider"):
        await both_ways(world.people[who])
    names = msgspec.json.decode(await jobs.job_names_json(world.admin))
    assert [name["id"] for name in names] == sorted(ids + others)  # the select's order
    assert {job["title"] for job in names} >= set(ODD_TITLES)


async def test_every_kind_of_write_is_in_the_joined_lists(db: None) -> None:
    world = await factories.world()
    ids = await odd_jobs(world.editor)
    await both_ways(world.admin)

    await jobs.update_job(
        world.editor, ids[0], msgspec.convert({"title": 'Renamed "job"'}, schemas.JobUpdate)
    )
    await jobs.set_status(world.editor, ids[1], JobStatus.OPEN)
    await jobs.add_skill(world.editor, ids[2], "Kubernetes")
    await jobs.rotate_public_key(world.editor, ids[3])
    await jobs.delete_job(world.editor, ids[4])
    # Written around the domain (as a migration or an operator would): still reflected.
    await Job.update({Job.title: "Changed in SQL", Job.min_experience: 1}).where(Job.id == ids[5])
    await both_ways(world.admin)
    await both_ways(world.editor)

    names = {
        name["id"]: name for name in msgspec.json.decode(await jobs.job_names_json(world.admin))
    }
    assert names[ids[0]]["title"] == 'Renamed "job"'
    assert names[ids[1]]["status"] == "open"
    assert names[ids[5]]["title"] == "Changed in SQL"
    assert ids[4] not in names


async def test_an_empty_list_is_an_empty_array(db: None) -> None:
    viewer = await factories.user(await factories.org(), Role.VIEWER)
    assert await jobs.list_owned_and_shared_json(viewer) == b"[]"
    assert await jobs.job_names_json(viewer) == b"[]"
    assert await jobs.job_names_json(viewer, "x") == b"[]"


@pytest.mark.postgres_only
async def test_the_trigger_writes_what_the_structs_define(db: None) -> None:
    """The installed trigger holds today's expressions: a struct changed without a migration
    that rewrites it fails here, before any list is wrong."""
    [row] = await Job.raw("SELECT prosrc FROM pg_proc WHERE proname = 'job_write_json'")
    source = row["prosrc"]
    assert json_lists.row_json(schemas.JobName, {}, alias="NEW") in source
    assert json_lists.row_json(schemas.Job, jobs.JOB_IN_LISTS, alias="NEW") in source


@pytest.mark.postgres_only
async def test_a_job_written_with_the_trigger_off_is_refused(db: None) -> None:
    """A bulk load as a replica skips triggers: the job is refused, not missing from lists."""
    import asyncpg

    owner = await factories.user(await factories.org(), Role.EDITOR)
    connection = await asyncpg.connect(SERVICES.database_url)
    try:
        await connection.execute("SET session_replication_role = replica")
        with pytest.raises(asyncpg.NotNullViolationError) as refused:
            await connection.execute(
                "INSERT INTO job (org, owner, title, public_key) VALUES ($1, $2, 'x', 'k')",
                owner.org_id,
                owner.user_id,
            )
        assert refused.value.column_name in ("names_json", "list_json")
    finally:
        await connection.close()
