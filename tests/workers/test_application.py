"""The application operations' own rules: atomic writes under concurrency, access checked
inside, and a share that adds nobody when it fails."""

from __future__ import annotations

import asyncio

import pytest
from taskiq import AsyncBroker

from models import idempotency
from models.enums import Role
from models.errors import Conflict, Invalid, NotFound
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.pipeline.operations import totals_for_jobs
from models.tables import JobShare, User
from tests import factories
from workers.operations import descriptions
from workers.operations import jobs as use_cases


async def test_concurrent_skill_additions_all_land(broker: AsyncBroker, editor: Actor) -> None:
    """Two clicks on different "Add skill" buttons at the same moment keep both skills."""
    job = await factories.job(editor, must_have_skills=["Python"])
    skills = ["Kubernetes", "Terraform", "Go", "Rust", "SQL", "kubernetes"]

    await asyncio.gather(*(use_cases.add_skill(editor, job.id, skill) for skill in skills))

    stored = (await jobs.get_job(editor, job.id)).must_have_skills
    assert stored[0] == "Python"
    # Whichever of "Kubernetes" and "kubernetes" landed first is kept, once.
    assert sorted(s.casefold() for s in stored[1:]) == [
        "go",
        "kubernetes",
        "rust",
        "sql",
        "terraform",
    ]


async def test_adding_a_skill_checks_access_and_input(broker: AsyncBroker, editor: Actor) -> None:
    job = await factories.job(editor)
    viewer = await factories.user(editor.org_id, Role.VIEWER)
    with pytest.raises(NotFound):
        await use_cases.add_skill(viewer, job.id, "Go")
    with pytest.raises(Invalid):
        await use_cases.add_skill(editor, job.id, "   ")


async def test_a_failed_share_with_slack_users_adds_nobody(
    broker: AsyncBroker, editor: Actor
) -> None:
    owner = await factories.user(editor.org_id, Role.EDITOR)
    foreign = await factories.job(owner)  # not shared with the editor: they cannot see it
    before = await User.count()
    with pytest.raises(NotFound):
        await use_cases.share_with_slack_users(
            editor, foreign.id, "T1", ["UNEW1", "UNEW2"], default_role=Role.EDITOR
        )
    assert await User.count() == before
    own = await factories.job(editor)
    shared = await use_cases.share_with_slack_users(
        editor, own.id, "T1", ["UNEW1", "UNEW2", "UNEW1"], default_role=Role.VIEWER
    )
    assert len(shared) == 2
    added = await User.select(User.role).where(User.slack_user_id.is_in(["UNEW1", "UNEW2"]))
    assert [row["role"] for row in added] == ["Viewer", "Viewer"]
    assert await JobShare.count().where(JobShare.job == own.id) == 2


async def test_a_proposal_is_accepted_only_for_its_own_job(
    broker: AsyncBroker, editor: Actor
) -> None:
    first = await factories.job(editor, description="One.")
    second = await factories.job(editor, title="Other", description="Two.")
    handle = await descriptions.rewrite_job(editor, first.id, "Make it longer.")
    await broker.wait_all()  # type: ignore[attr-defined]
    assert await idempotency.stored(f"rewrite:{handle.run_id}") is not None

    with pytest.raises(NotFound):
        await use_cases.accept_rewrite(editor, second.id, handle.run_id)
    accepted = (await use_cases.accept_rewrite(editor, first.id, handle.run_id)).job
    assert accepted.description != "One."
    assert (await jobs.get_job(editor, second.id)).description == "Two."


async def test_a_rewrite_instruction_is_checked(broker: AsyncBroker, editor: Actor) -> None:
    job = await factories.job(editor)
    with pytest.raises(Invalid, match="how the description should change"):
        await descriptions.rewrite_job(editor, job.id, "  ")
    with pytest.raises(Invalid, match="at most"):
        await descriptions.rewrite_job(editor, job.id, "x" * 2001)


async def test_stage_totals_only_for_jobs_the_actor_can_see(editor: Actor) -> None:
    own = await factories.job(editor)
    stranger = await factories.user(await factories.org(), Role.ADMIN)
    assert sum((await totals_for_jobs(editor, [own.id]))[own.id].values()) == 0
    with pytest.raises(NotFound):
        await totals_for_jobs(stranger, [own.id])


async def test_a_unique_race_is_a_conflict(editor: Actor) -> None:
    """A violation the domain could not check first (two writers racing) is translated
    once, where the database is touched."""
    from models.db import atomic

    with pytest.raises(Conflict):
        async with atomic():
            await User.insert(
                User(org=editor.org_id, email=editor.email, name="Twin", role=Role.EDITOR)
            )
