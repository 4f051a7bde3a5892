"""Filter groups: owned by the caller, private to them, tied only to jobs they can see."""

from __future__ import annotations

import pytest

from models.enums import Role
from models.errors import Invalid, NotFound
from models.filter_groups import operations as groups
from models.filter_groups.schemas import FilterGroupCreate, FilterGroupUpdate
from models.jobs import operations as jobs
from models.tables import FilterGroup
from tests import factories


async def test_owner_is_the_caller_and_groups_are_private(db: None) -> None:
    org = await factories.org()
    me = await factories.user(org, Role.VIEWER)
    colleague = await factories.user(org, Role.ADMIN)
    created = await groups.create_filter_group(
        me, FilterGroupCreate(name=" Seniors ", filters={"stage": ["Interview"], "min": 5})
    )
    assert (created.owner_id, created.name, created.job_id) == (me.user_id, "Seniors", None)
    assert created.filters == {"stage": ["Interview"], "min": 5}
    assert await groups.get_filter_group(me, created.id) == created
    assert [g.id for g in await groups.list_filter_groups(me)] == [created.id]
    assert await groups.list_filter_groups(colleague) == []
    for call in (
        groups.get_filter_group(colleague, created.id),
        groups.update_filter_group(colleague, created.id, FilterGroupUpdate(name="Mine now")),
        groups.delete_filter_group(colleague, created.id),
    ):
        with pytest.raises(NotFound):
            await call
    assert (await FilterGroup.select(FilterGroup.name))[0]["name"] == "Seniors"


async def test_job_must_be_visible(db: None) -> None:
    org = await factories.org()
    owner = await factories.user(org)
    viewer = await factories.user(org, Role.VIEWER)
    stranger = await factories.user(await factories.org())
    job = await factories.job(owner)
    hidden = await factories.job(owner, "Hidden")
    await jobs.share_job(owner, job.id, [viewer.user_id])
    created = await groups.create_filter_group(
        viewer, FilterGroupCreate(name="For the job", job_id=job.id)
    )
    assert created.job_id == job.id
    assert [g.id for g in await groups.list_filter_groups(viewer, job_id=job.id)] == [created.id]
    assert await groups.list_filter_groups(viewer, job_id=hidden.id) == []
    with pytest.raises(NotFound):
        await groups.create_filter_group(viewer, FilterGroupCreate(name="x", job_id=hidden.id))
    with pytest.raises(NotFound):
        await groups.create_filter_group(stranger, FilterGroupCreate(name="x", job_id=job.id))
    with pytest.raises(NotFound):
        await groups.update_filter_group(viewer, created.id, FilterGroupUpdate(job_id=hidden.id))
    detached = await groups.update_filter_group(viewer, created.id, FilterGroupUpdate(job_id=None))
    assert detached.job_id is None
    assert (await groups.get_filter_group(viewer, created.id)).job_id is None


async def test_updates_and_limits(db: None) -> None:
    org = await factories.org()
    me = await factories.user(org)
    job = await factories.job(me)
    created = await groups.create_filter_group(
        me, FilterGroupCreate(name="A", job_id=job.id, filters={"a": 1})
    )
    patched = await groups.update_filter_group(
        me, created.id, FilterGroupUpdate(filters={"b": [1, 2]})
    )
    assert (patched.name, patched.job_id, patched.filters) == ("A", job.id, {"b": [1, 2]})
    replaced = await groups.update_filter_group(me, created.id, FilterGroupCreate(name="B"))
    assert (replaced.name, replaced.job_id, replaced.filters) == ("B", None, {})
    assert await groups.get_filter_group(me, created.id) == replaced
    with pytest.raises(Invalid) as caught:
        await groups.update_filter_group(
            me, created.id, FilterGroupUpdate(filters={"big": "x" * 17_000})
        )
    assert caught.value.field == "filters"
    with pytest.raises(Invalid) as caught:
        await groups.create_filter_group(me, FilterGroupCreate(name="   "))
    assert caught.value.field == "name"
    await groups.delete_filter_group(me, created.id)
    with pytest.raises(NotFound):
        await groups.get_filter_group(me, created.id)
    assert await FilterGroup.count() == 0
