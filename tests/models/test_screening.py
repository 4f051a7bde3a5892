"""Screening criteria and candidate responses: rules, access, atomicity and statement counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from models.db import current_engine
from models.enums import CriteriaKind, Role
from models.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from models.identity.actor import Actor
from models.jobs import operations as jobs
from models.screening import criteria as ops
from models.screening import responses
from models.screening.schemas import (
    CandidateResponseChange,
    CandidateResponseCreate,
    CandidateResponseUpdate,
    CriteriaBulk,
    CriteriaCreate,
    CriteriaFields,
    CriteriaItem,
    CriteriaUpdate,
    ResponseItem,
)
from models.tables import Application, Candidate, CandidateResponse, Criteria, Event
from tests import factories


@dataclass
class World:
    owner: Actor
    viewer: Actor  # the job is shared with them
    stranger: Actor  # an Editor of another organization
    job_id: int
    candidate_id: int


@pytest.fixture(name="world")
async def fx_world(db: None) -> World:
    org = await factories.org()
    owner = await factories.user(org)
    viewer = await factories.user(org, Role.VIEWER)
    stranger = await factories.user(await factories.org())
    job = await factories.job(owner)
    await jobs.share_job(owner, job.id, [viewer.user_id])
    return World(owner, viewer, stranger, job.id, await factories.applicant(owner, job.id))


def new(job_id: int, question: str = "Willing to relocate?", **fields: Any) -> CriteriaCreate:
    return CriteriaCreate(job_id=job_id, question=question, **fields)


async def stored_responses() -> list[dict[str, Any]]:
    return await CandidateResponse.select().order_by(CandidateResponse.id)


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every SQL statement Piccolo sends while the block runs."""
    engine_class = type(current_engine())
    seen: list[str] = []
    original = engine_class.run_querystring

    async def spy(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    engine_class.run_querystring = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        engine_class.run_querystring = original  # type: ignore[method-assign]


# Criteria ----------------------------------------------------------------------------------


async def test_criteria_kinds_and_expected_answers(world: World) -> None:
    yes_no = await ops.create_criteria(
        world.owner, new(world.job_id, kind=CriteriaKind.YES_NO, expected_answer=" Yes ")
    )
    assert yes_no.expected_answer == "yes"
    choice = await ops.create_criteria(
        world.owner,
        new(
            world.job_id,
            "Level?",
            kind=CriteriaKind.CHOICE,
            options=["Junior", "Senior"],
            expected_answer="senior",
        ),
    )
    assert (choice.options, choice.expected_answer) == (["Junior", "Senior"], "Senior")
    number = await ops.create_criteria(
        world.owner, new(world.job_id, "Years?", kind=CriteriaKind.NUMBER, expected_answer="3.5")
    )
    assert number.expected_answer == "3.5"
    cases = [
        (new(world.job_id, kind=CriteriaKind.CHOICE), "options"),
        (new(world.job_id, kind=CriteriaKind.TEXT, options=["a"]), "options"),
        (new(world.job_id, kind=CriteriaKind.CHOICE, options=["a", "A"]), "options"),
        (new(world.job_id, kind=CriteriaKind.YES_NO, expected_answer="maybe"), "expected_answer"),
        (new(world.job_id, kind=CriteriaKind.NUMBER, expected_answer="many"), "expected_answer"),
        (new(world.job_id, kind=CriteriaKind.NUMBER, expected_answer="nan"), "expected_answer"),
        (
            new(world.job_id, kind=CriteriaKind.CHOICE, options=["a"], expected_answer="b"),
            "expected_answer",
        ),
        (new(world.job_id, "   "), "question"),
    ]
    for data, field in cases:
        with pytest.raises(Invalid) as caught:
            await ops.create_criteria(world.owner, data)
        assert caught.value.field == field, data
    assert await Criteria.count() == 3


async def test_patch_and_put_keep_the_rules(world: World) -> None:
    created = await ops.create_criteria(
        world.owner,
        new(world.job_id, kind=CriteriaKind.CHOICE, options=["a", "b"], expected_answer="a"),
    )
    with pytest.raises(Invalid) as caught:  # "a" does not fit yes_no
        await ops.update_criteria(world.owner, created.id, CriteriaUpdate(kind=CriteriaKind.YES_NO))
    assert caught.value.field == "expected_answer"
    changed = await ops.update_criteria(
        world.owner,
        created.id,
        CriteriaUpdate(kind=CriteriaKind.YES_NO, expected_answer="no", weight=5),
    )
    assert (changed.kind, changed.options, changed.expected_answer, changed.weight) == (
        CriteriaKind.YES_NO,
        [],
        "no",
        5,
    )
    assert await ops.get_criteria(world.owner, created.id) == changed
    replaced = await ops.update_criteria(
        world.owner, created.id, CriteriaFields(question="Notes", position=3)
    )
    assert (replaced.kind, replaced.expected_answer, replaced.weight, replaced.position) == (
        CriteriaKind.TEXT,
        None,
        1,
        3,
    )


async def test_soft_deleted_criteria_never_come_back(world: World) -> None:
    kept = await ops.create_criteria(world.owner, new(world.job_id, "Kept", position=1))
    gone = await ops.create_criteria(world.owner, new(world.job_id, "Gone", position=0))
    await ops.delete_criteria(world.owner, gone.id)
    row = await Criteria.select().where(Criteria.id == gone.id).first()
    assert row is not None
    assert row["is_deleted"]
    assert [c.id for c in await ops.list_by_job(world.owner, world.job_id)] == [kept.id]
    assert [c.id for c in await ops.list_criteria(world.owner, world.job_id)] == [kept.id]
    assert [c.id for c in await ops.list_criteria(world.owner)] == [kept.id]
    with pytest.raises(NotFound):
        await ops.get_criteria(world.owner, gone.id)
    with pytest.raises(NotFound):
        await ops.update_criteria(world.owner, gone.id, CriteriaUpdate(question="Back?"))
    with pytest.raises(NotFound):
        await ops.delete_criteria(world.owner, gone.id)
    bulk = CriteriaBulk(job_id=world.job_id, criteria=[CriteriaItem(id=gone.id, question="Back?")])
    with pytest.raises(NotFound, match=str(gone.id)):
        await ops.bulk_create_or_update(world.owner, bulk)


async def test_criteria_follow_the_jobs_access(world: World) -> None:
    created = await ops.create_criteria(world.owner, new(world.job_id))
    assert (await ops.get_criteria(world.viewer, created.id)).id == created.id
    assert len(await ops.list_by_job(world.viewer, world.job_id)) == 1
    for write in (
        ops.create_criteria(world.viewer, new(world.job_id)),
        ops.update_criteria(world.viewer, created.id, CriteriaUpdate(weight=2)),
        ops.delete_criteria(world.viewer, created.id),
    ):
        with pytest.raises(Forbidden):
            await write
    for call in (
        ops.get_criteria(world.stranger, created.id),
        ops.list_by_job(world.stranger, world.job_id),
        ops.create_criteria(world.stranger, new(world.job_id)),
        ops.delete_criteria(world.stranger, created.id),
    ):
        with pytest.raises(NotFound):
            await call
    assert await ops.list_criteria(world.stranger) == []
    assert (await Criteria.select(Criteria.weight, Criteria.is_deleted))[0] == {
        "weight": 1,
        "is_deleted": False,
    }


async def test_bulk_create_or_update(world: World) -> None:
    first = await ops.create_criteria(world.owner, new(world.job_id, "First"))
    result = await ops.bulk_create_or_update(
        world.owner,
        CriteriaBulk(
            job_id=world.job_id,
            criteria=[
                CriteriaItem(question="New one", kind=CriteriaKind.YES_NO, position=2),
                CriteriaItem(id=first.id, question="First, renamed", position=1),
            ],
        ),
    )
    assert (result.status, result.created, result.updated) == ("success", 1, 1)
    assert [c.question for c in result.criteria] == ["New one", "First, renamed"]
    assert result.criteria[1].id == first.id
    listed = await ops.list_by_job(world.owner, world.job_id)
    assert [c.question for c in listed] == ["First, renamed", "New one"]


async def test_bulk_with_a_foreign_id_writes_nothing(world: World) -> None:
    other_job = await factories.job(world.owner, "Other")
    mine = await ops.create_criteria(world.owner, new(world.job_id, "Mine"))
    foreign = await ops.create_criteria(world.owner, new(other_job.id, "Foreign"))
    before = await Criteria.select().order_by(Criteria.id)
    bad = [
        CriteriaBulk(
            job_id=world.job_id,
            criteria=[
                CriteriaItem(question="Would be created"),
                CriteriaItem(id=mine.id, question="Would be renamed"),
                CriteriaItem(id=foreign.id, question="Stolen"),
            ],
        ),
        CriteriaBulk(
            job_id=world.job_id,
            criteria=[
                CriteriaItem(question="Would be created"),
                CriteriaItem(id=999_999, question="Unknown"),
            ],
        ),
        CriteriaBulk(
            job_id=world.job_id,
            criteria=[
                CriteriaItem(id=mine.id, question="Would be renamed"),
                CriteriaItem(question="Bad", kind=CriteriaKind.CHOICE),
            ],
        ),
    ]
    for data in bad:
        with pytest.raises((Invalid, NotFound)) as caught:  # a foreign id names nothing: 404
            await ops.bulk_create_or_update(world.owner, data)
        assert caught.value.field is not None
        assert caught.value.field.startswith("criteria")
    with pytest.raises(Invalid) as caught:
        await ops.bulk_create_or_update(world.owner, bad[2])
    assert caught.value.field == "criteria[1].options"
    assert await Criteria.select().order_by(Criteria.id) == before
    too_many = CriteriaBulk(
        job_id=world.job_id, criteria=[CriteriaItem(question="q")] * (ops.MAX_BULK + 1)
    )
    with pytest.raises(TooLarge):
        await ops.bulk_create_or_update(world.owner, too_many)


# Responses ---------------------------------------------------------------------------------


async def test_responses_are_validated_against_their_criterion(world: World) -> None:
    ids = await factories.criteria_of_every_kind(world.owner, world.job_id)

    def item(kind: str, response: Any) -> CandidateResponseCreate:
        return CandidateResponseCreate(
            candidate_id=world.candidate_id,
            job_id=world.job_id,
            criteria_id=ids[kind],
            response=response,
        )

    stored = [
        await responses.create_response(world.owner, item("yes_no", True)),
        await responses.create_response(world.owner, item("number", 4.5)),
        await responses.create_response(world.owner, item("choice", "remote")),
        await responses.create_response(world.owner, item("text", " anything ")),
    ]
    assert [r.response for r in stored] == ["yes", "4.5", "Remote", " anything "]
    await CandidateResponse.delete(force=True)
    for kind, value in (("yes_no", "perhaps"), ("number", "four"), ("choice", "Mars")):
        with pytest.raises(Invalid) as caught:
            await responses.create_response(world.owner, item(kind, value))
        assert caught.value.field == "response"
    assert await stored_responses() == []


async def test_required_criteria_need_an_answer(world: World) -> None:
    required = await ops.create_criteria(world.owner, new(world.job_id, required=True))
    optional = await ops.create_criteria(world.owner, new(world.job_id, "Optional"))
    base = {"candidate_id": world.candidate_id, "job_id": world.job_id}
    with pytest.raises(Invalid):
        await responses.create_response(
            world.owner, CandidateResponseCreate(**base, criteria_id=required.id, response=" ")
        )
    empty = await responses.create_response(
        world.owner, CandidateResponseCreate(**base, criteria_id=optional.id)
    )
    assert empty.response == ""


async def test_single_response_crud_and_access(world: World) -> None:
    ids = await factories.criteria_of_every_kind(world.owner, world.job_id)
    data = CandidateResponseCreate(
        candidate_id=world.candidate_id, job_id=world.job_id, criteria_id=ids["number"], response=3
    )
    created = await responses.create_response(world.owner, data)
    with pytest.raises(Conflict):
        await responses.create_response(world.owner, data)
    assert await responses.get_response(world.viewer, created.id) == created
    with pytest.raises(NotFound, match="candidate response"):
        await responses.get_response(world.stranger, created.id)
    with pytest.raises(Forbidden):
        await responses.update_response(
            world.viewer, created.id, CandidateResponseChange(response="5")
        )
    with pytest.raises(Invalid):
        await responses.update_response(
            world.owner, created.id, CandidateResponseChange(response="x")
        )
    changed = await responses.update_response(
        world.owner, created.id, CandidateResponseChange(response=7)
    )
    assert changed.response == "7"
    assert changed.updated_at >= created.updated_at
    same = await responses.update_response(world.owner, created.id, CandidateResponseUpdate())
    assert same.response == "7"
    with pytest.raises(Forbidden):
        await responses.delete_response(world.viewer, created.id)
    with pytest.raises(NotFound):
        await responses.delete_response(world.stranger, created.id)
    await responses.delete_response(world.owner, created.id)
    assert await stored_responses() == []


async def test_create_response_checks_candidate_job_and_criteria(world: World) -> None:
    ids = await factories.criteria_of_every_kind(world.owner, world.job_id)
    other_job = await factories.job(world.owner, "Other")
    foreign_candidate = await factories.candidate(world.stranger.org_id, "bob@example.com")
    base = {"candidate_id": world.candidate_id, "job_id": world.job_id, "criteria_id": ids["text"]}
    for changes, message in (
        ({"candidate_id": foreign_candidate}, f"candidate {foreign_candidate}"),
        ({"job_id": other_job.id}, f"has not applied to job {other_job.id}"),
        ({"criteria_id": 999_999}, "criteria 999999"),
    ):
        with pytest.raises(NotFound, match=message):
            await responses.create_response(
                world.owner, CandidateResponseCreate(**{**base, **changes})
            )
    with pytest.raises(NotFound, match="job"):
        await responses.create_response(world.stranger, CandidateResponseCreate(**base))
    with pytest.raises(Forbidden):
        await responses.create_response(world.viewer, CandidateResponseCreate(**base))
    assert await stored_responses() == []


async def test_bulk_create_is_one_statement_and_all_or_nothing(world: World) -> None:
    ids = await factories.criteria_of_every_kind(world.owner, world.job_id)
    rows = await Candidate.insert(
        *[Candidate(org=world.owner.org_id, name="C", email=f"c{i}@x.test") for i in range(500)]
    ).returning(Candidate.id)
    candidates = [row["id"] for row in rows]
    await Application.insert(*[Application(job=world.job_id, candidate=c) for c in candidates])
    items = [
        CandidateResponseCreate(
            candidate_id=c, job_id=world.job_id, criteria_id=criteria_id, response="yes"
        )
        for c in candidates
        for criteria_id in (ids["yes_no"], ids["text"])
    ][:1_000]
    events_before = await Event.count()
    with counting_statements() as seen:
        created = await responses.bulk_create(world.owner, items)
    assert len(created) == 1_000
    inserts = [s for s in seen if s.lstrip().upper().startswith('INSERT INTO "CANDIDATE_RESPONSE"')]
    assert len(inserts) == 1
    assert len(seen) <= 9  # a fixed handful (the event's own INSERT too), whatever the items
    assert await Event.count() == events_before + 1  # one event for the whole bulk
    assert await CandidateResponse.count() == 1_000

    await CandidateResponse.delete(force=True)
    bad_answer = [*items[:10], items[10]]
    bad_answer[5] = CandidateResponseCreate(
        candidate_id=candidates[0], job_id=world.job_id, criteria_id=ids["number"], response="x"
    )
    with pytest.raises(Invalid) as caught:
        await responses.bulk_create(world.owner, bad_answer)
    assert caught.value.field == "responses[5].response"
    with pytest.raises(Conflict):
        await responses.bulk_create(world.owner, [items[0], items[1], items[0]])
    with pytest.raises(TooLarge):
        await responses.bulk_create(world.owner, [items[0]] * 1_001)
    with pytest.raises(Forbidden):
        await responses.bulk_create(world.viewer, items[:3])
    with pytest.raises(NotFound):
        await responses.bulk_create(world.stranger, items[:3])
    assert await stored_responses() == []

    await responses.bulk_create(world.owner, items[:1])
    with pytest.raises(Conflict):  # one of them is stored already
        await responses.bulk_create(world.owner, items[:5])
    assert await CandidateResponse.count() == 1


async def test_create_or_update_counts_and_upserts(world: World) -> None:
    ids = await factories.criteria_of_every_kind(world.owner, world.job_id)
    first = await responses.create_or_update_candidate_responses(
        world.owner,
        world.candidate_id,
        world.job_id,
        [ResponseItem(criteria_id=ids["yes_no"], response="no")],
    )
    assert (first.status, first.created, first.updated) == ("success", 1, 0)
    second = await responses.create_or_update_candidate_responses(
        world.owner,
        world.candidate_id,
        world.job_id,
        [
            ResponseItem(criteria_id=ids["yes_no"], response="YES"),
            ResponseItem(criteria_id=ids["number"], response=12),
            ResponseItem(criteria_id=ids["choice"], response="office"),
        ],
    )
    assert (second.created, second.updated) == (2, 1)
    rows = await stored_responses()
    assert {r["criteria"]: r["response"] for r in rows} == {
        ids["yes_no"]: "yes",
        ids["number"]: "12",
        ids["choice"]: "Office",
    }
    assert rows[0]["updated_at"] >= rows[0]["created_at"]


async def test_create_or_update_issues_a_fixed_number_of_statements(world: World) -> None:
    criteria_ids = [
        (await ops.create_criteria(world.owner, new(world.job_id, f"Q{i}"))).id for i in range(200)
    ]

    async def run(count: int) -> int:
        items = [ResponseItem(criteria_id=i, response="fine") for i in criteria_ids[:count]]
        with counting_statements() as seen:
            await responses.create_or_update_candidate_responses(
                world.owner, world.candidate_id, world.job_id, items
            )
        return len(seen)

    assert await run(2) == await run(200) == await run(200)
    assert await CandidateResponse.count() == 200


async def test_create_or_update_names_what_is_missing_and_writes_nothing(world: World) -> None:
    ids = await factories.criteria_of_every_kind(world.owner, world.job_id)
    await ops.delete_criteria(world.owner, ids["text"])
    good = ResponseItem(criteria_id=ids["yes_no"], response="yes")
    upsert = responses.create_or_update_candidate_responses
    with pytest.raises(NotFound, match="candidate 424242"):
        await upsert(world.owner, 424_242, world.job_id, [good])
    with pytest.raises(NotFound, match="job 434343"):
        await upsert(world.owner, world.candidate_id, 434_343, [good])
    with pytest.raises(NotFound, match="criteria 999999 not found"):
        await upsert(
            world.owner,
            world.candidate_id,
            world.job_id,
            [good, ResponseItem(criteria_id=999_999, response="x")],
        )
    with pytest.raises(NotFound, match=f"criteria {ids['text']} not found"):  # deleted
        await upsert(
            world.owner,
            world.candidate_id,
            world.job_id,
            [good, ResponseItem(criteria_id=ids["text"], response="x")],
        )
    with pytest.raises(Invalid) as caught:
        await upsert(
            world.owner,
            world.candidate_id,
            world.job_id,
            [good, ResponseItem(criteria_id=ids["number"], response="ten")],
        )
    assert caught.value.field == "responses[1].response"
    with pytest.raises(Invalid):
        await upsert(world.owner, world.candidate_id, world.job_id, [good, good])
    with pytest.raises(Forbidden):
        await upsert(world.viewer, world.candidate_id, world.job_id, [good])
    with pytest.raises(NotFound):
        await upsert(world.stranger, world.candidate_id, world.job_id, [good])
    with pytest.raises(TooLarge):
        await upsert(world.owner, world.candidate_id, world.job_id, [good] * 1_001)
    assert await stored_responses() == []


async def test_lists_only_show_visible_jobs(world: World) -> None:
    ids = await factories.criteria_of_every_kind(world.owner, world.job_id)
    hidden_job = await factories.job(world.owner, "Hidden")
    hidden = await ops.create_criteria(world.owner, new(hidden_job.id, "Hidden?"))
    await factories.applicant(world.owner, hidden_job.id)  # the same candidate, by email
    await responses.create_or_update_candidate_responses(
        world.owner,
        world.candidate_id,
        world.job_id,
        [ResponseItem(criteria_id=ids["text"], response="hi")],
    )
    await responses.create_or_update_candidate_responses(
        world.owner,
        world.candidate_id,
        hidden_job.id,
        [ResponseItem(criteria_id=hidden.id, response="hidden")],
    )
    assert len(await responses.list_responses(world.owner)) == 2
    seen = await responses.list_responses(world.viewer, candidate_id=world.candidate_id)
    assert [r.response for r in seen] == ["hi"]
    assert [c.job_id for c in await ops.list_criteria(world.viewer)] == [world.job_id] * 4
    with pytest.raises(NotFound):
        await responses.list_responses(world.viewer, job_id=hidden_job.id)
    assert await responses.list_responses(world.stranger) == []
    page = await responses.list_responses(world.owner, limit=1, offset=1)
    assert [r.response for r in page] == ["hidden"]
