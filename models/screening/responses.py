"""Candidates' responses to a job's criteria. Access follows the job's (READ / CHANGE).

A response is stored as text and must fit its criterion's kind. The candidate must have
applied to the job (an answer is part of an application) and the criterion (live) must
belong to the job. One response per (candidate,
job, criteria): the unique index enforces it, the operations report it first as Conflict.

Bulk writes never query per item: they load what they need in a few set queries, validate
in memory and write with one multi-row statement, all in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from models import events, sync
from models.db import atomic, insert_one, is_postgres
from models.errors import Conflict, Invalid, NotFound, TooLarge
from models.events import EntityType, EventType
from models.identity.actor import Actor
from models.jobs.access import Action, load_job, require_jobs, visible_jobs
from models.screening import schemas
from models.screening.criteria import decode_json_list, fit_answer
from models.tables import Application, CandidateResponse, Criteria, Job
from models.text import check_text

MAX_PAGE = 100
MAX_BULK = 1_000
_Key = tuple[int, int, int]  # (candidate, job, criteria)


def _now() -> datetime:
    return datetime.now(UTC)


def response_out(row: dict[str, Any]) -> schemas.CandidateResponse:
    return schemas.CandidateResponse(
        id=row["id"],
        candidate_id=row["candidate"],
        job_id=row["job"],
        criteria_id=row["criteria"],
        response=row["response"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def as_text(value: str | int | float | bool) -> str:
    """A response as stored: booleans become yes/no, numbers their decimal text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if isinstance(value, str) else str(value)


def fit_response(criterion: dict[str, Any], value: str | int | float | bool, field: str) -> str:
    """The stored text of a response to `criterion` (a row), or Invalid naming `field`.

    An empty response means "not answered": allowed unless the criterion is required.
    """
    text = as_text(value)
    check_text({field: text})
    if not text.strip():
        if criterion["required"]:
            raise Invalid(f"criteria {criterion['id']} is required", field=field)
        return ""
    try:
        return fit_answer(criterion["kind"], criterion["options"], text)
    except ValueError as exc:
        raise Invalid(
            f"response to criteria {criterion['id']} {exc} ({criterion['kind']})", field=field
        ) from None


def _too_many(count: int) -> None:
    if count > MAX_BULK:
        raise TooLarge(f"at most {MAX_BULK} responses per request, not {count}")


async def load_response(
    actor: Actor, response_id: int, action: Action = Action.READ
) -> dict[str, Any]:
    """A response row if `actor` may perform `action` on its job (else NotFound / Forbidden)."""
    row = await CandidateResponse.select().where(CandidateResponse.id == response_id).first()
    if row is None:
        raise NotFound(f"candidate response {response_id} not found")
    try:
        await load_job(actor, row["job"], action)
    except NotFound:
        raise NotFound(f"candidate response {response_id} not found") from None
    return dict(row)


async def _check_applied(pairs: set[tuple[int, int]]) -> None:
    """Each (candidate, job) is an application; the jobs' access is checked already, so a
    candidate of another organization is never found either."""
    found = await Application.select(Application.candidate, Application.job).where(
        Application.candidate.is_in(sorted({c for c, _ in pairs}))
        & Application.job.is_in(sorted({j for _, j in pairs}))
    )
    missing = sorted(pairs - {(row["candidate"], row["job"]) for row in found})
    if missing:
        candidate, job = missing[0]
        raise NotFound(f"candidate {candidate} has not applied to job {job}", field="candidate_id")


async def _live_criteria(
    criteria_ids: set[int] | None = None, job_id: int | None = None
) -> dict[int, dict[str, Any]]:
    """Live criteria by id: the given ones, or all of one job (no long IN list to build)."""
    query = Criteria.select(
        Criteria.id, Criteria.job, Criteria.kind, Criteria.options, Criteria.required
    ).where(Criteria.is_deleted == False)  # noqa: E712
    if criteria_ids is not None:
        query = query.where(Criteria.id.is_in(sorted(criteria_ids)))
    if job_id is not None:
        query = query.where(Criteria.job == job_id)
    rows = await query
    return {row["id"]: {**row, "options": decode_json_list(row["options"])} for row in rows}


def _missing_criteria(job_id: int, missing: list[int]) -> NotFound:
    names = ", ".join(str(i) for i in sorted(missing))
    return NotFound(f"criteria {names} not found in job {job_id}", field="criteria_id")


# Reading -----------------------------------------------------------------------------------


async def list_responses(
    actor: Actor,
    candidate_id: int | None = None,
    job_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    updated_after: datetime | None = None,
    cursor: str | None = None,
) -> list[schemas.CandidateResponse] | schemas.ResponseChanges:
    """Responses on jobs the caller can see, optionally of one candidate and/or one job;
    with `updated_after` or a sync cursor, those written since (`models.sync`)."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise Invalid("offset must not be negative", field="offset")
    query = CandidateResponse.select()
    if job_id is not None:
        await load_job(actor, job_id)
        query = query.where(CandidateResponse.job == job_id)
    else:
        visible = Job.select(Job.id).where(visible_jobs(actor))
        query = query.where(CandidateResponse.job.is_in(visible))
    if candidate_id is not None:
        query = query.where(CandidateResponse.candidate == candidate_id)
    position = sync.start(updated_after, cursor)
    if position is not None:
        changed, next_cursor = await sync.page(query, CandidateResponse, position, limit)
        items = [response_out(row) for row in changed]
        return schemas.ResponseChanges(items=items, next_cursor=next_cursor)
    if cursor:
        raise Invalid("cursor must be a next_cursor of this list's sync", field="cursor")
    rows = await query.order_by(CandidateResponse.id).limit(limit).offset(offset)
    return [response_out(row) for row in rows]


async def get_response(actor: Actor, response_id: int) -> schemas.CandidateResponse:
    return response_out(await load_response(actor, response_id))


# Writing -----------------------------------------------------------------------------------


async def create_response(
    actor: Actor, data: schemas.CandidateResponseCreate
) -> schemas.CandidateResponse:
    async with atomic():
        await load_job(actor, data.job_id, Action.CHANGE)
        await _check_applied({(data.candidate_id, data.job_id)})
        criterion = (await _live_criteria({data.criteria_id})).get(data.criteria_id)
        if criterion is None or criterion["job"] != data.job_id:
            raise _missing_criteria(data.job_id, [data.criteria_id])
        text = fit_response(criterion, data.response, "response")
        if await CandidateResponse.exists().where(
            (CandidateResponse.candidate == data.candidate_id)
            & (CandidateResponse.job == data.job_id)
            & (CandidateResponse.criteria == data.criteria_id)
        ):
            raise Conflict(
                f"candidate {data.candidate_id} already answered criteria {data.criteria_id}",
                field="criteria_id",
            )
        row = await insert_one(
            CandidateResponse(
                candidate=data.candidate_id,
                job=data.job_id,
                criteria=data.criteria_id,
                response=text,
            )
        )
        await _record(actor, [data.job_id], row["id"], created=[row["id"]])
    return response_out(row)


async def _record(
    actor: Actor,
    job_ids: list[int],
    response_id: int | None,
    *,
    created: list[int] | None = None,
    updated: list[int] | None = None,
    deleted: list[int] | None = None,
    candidate_id: int | None = None,
) -> None:
    """responses.written: which answers were created, updated or deleted (one event for a
    bulk write; its job when every row is of one job)."""
    jobs = sorted(set(job_ids))
    await events.record(
        EventType.RESPONSES_WRITTEN,
        actor.org_id,
        EntityType.RESPONSES,
        response_id,
        actor=actor,
        job_id=jobs[0] if len(jobs) == 1 else None,
        data={
            "created": created or [],
            "updated": updated or [],
            "deleted": deleted or [],
            "job_ids": jobs,
            "candidate_id": candidate_id,
        },
    )


async def update_response(
    actor: Actor,
    response_id: int,
    data: schemas.CandidateResponseChange | schemas.CandidateResponseUpdate,
) -> schemas.CandidateResponse:
    """Change the answer (PUT or PATCH); candidate, job and criteria stay as they are."""
    async with atomic():
        current = await load_response(actor, response_id, Action.CHANGE)
        if isinstance(data.response, msgspec.UnsetType):
            return response_out(current)
        criterion = (await _live_criteria({current["criteria"]})).get(current["criteria"])
        if criterion is None:
            raise NotFound(f"criteria {current['criteria']} was deleted", field="criteria_id")
        text = fit_response(criterion, data.response, "response")
        moment = _now()
        await CandidateResponse.update(
            {CandidateResponse.response: text, CandidateResponse.updated_at: moment}
        ).where(CandidateResponse.id == response_id)
        await _record(
            actor,
            [current["job"]],
            response_id,
            updated=[response_id],
            candidate_id=current["candidate"],
        )
    return response_out({**current, "response": text, "updated_at": moment})


async def delete_response(actor: Actor, response_id: int) -> None:
    async with atomic():
        current = await load_response(actor, response_id, Action.CHANGE)
        await CandidateResponse.delete().where(CandidateResponse.id == response_id)
        await _record(
            actor,
            [current["job"]],
            response_id,
            deleted=[response_id],
            candidate_id=current["candidate"],
        )


async def bulk_create(
    actor: Actor, items: list[schemas.CandidateResponseCreate]
) -> list[schemas.CandidateResponse]:
    """Create up to MAX_BULK responses with one INSERT in one transaction.

    Any bad item (unknown job, candidate or criteria, an answer that does not fit, a duplicate
    within the list or of a stored response) fails the whole request; nothing is written.
    Stored duplicates are found by the INSERT itself (ON CONFLICT DO NOTHING returns fewer
    rows), which also covers a concurrent writer, and the transaction is rolled back.
    """
    _too_many(len(items))
    if not items:
        return []
    keys: list[_Key] = [(i.candidate_id, i.job_id, i.criteria_id) for i in items]
    seen: set[_Key] = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise Conflict(
                f"responses[{index}] repeats candidate {key[0]}, job {key[1]}, criteria {key[2]}",
                field=f"responses[{index}]",
            )
        seen.add(key)
    async with atomic():
        await require_jobs(actor, {key[1] for key in keys}, Action.CHANGE)
        await _check_applied({(key[0], key[1]) for key in keys})
        criteria = await _live_criteria({key[2] for key in keys})
        texts = []
        for index, item in enumerate(items):
            criterion = criteria.get(item.criteria_id)
            if criterion is None or criterion["job"] != item.job_id:
                raise _missing_criteria(item.job_id, [item.criteria_id])
            texts.append(fit_response(criterion, item.response, f"responses[{index}].response"))
        moment = _now()
        ids = await _insert_new(keys, texts, moment)
        if len(ids) < len(keys):
            # Stored already: skipped by ON CONFLICT DO NOTHING. Raising rolls the rest back.
            c, j, k = next(key for key in keys if key not in ids)
            raise Conflict(
                f"candidate {c} already answered criteria {k} of job {j}", field="responses"
            )
        await _record(actor, [key[1] for key in keys], None, created=sorted(ids.values()))
    return [
        schemas.CandidateResponse(
            id=ids[key],
            candidate_id=key[0],
            job_id=key[1],
            criteria_id=key[2],
            response=text,
            created_at=moment,
            updated_at=moment,
        )
        for key, text in zip(keys, texts, strict=True)
    ]


async def create_or_update_candidate_responses(
    actor: Actor, candidate_id: int, job_id: int, responses: list[schemas.ResponseItem]
) -> schemas.UpsertResult:
    """The spec's utility: set a candidate's answers to a job's criteria.

    A missing candidate, job or criteria is NotFound naming it. Everything runs in one
    transaction with a fixed number of statements whatever the number of responses:
    the job, the candidate, the criteria and the stored answers are read once each, and one
    `INSERT ... ON CONFLICT (candidate, job, criteria) DO UPDATE` writes them all.
    `created` and `updated` count against the answers stored when the transaction read them.
    """
    _too_many(len(responses))
    ids = [item.criteria_id for item in responses]
    if len(ids) != len(set(ids)):
        repeated = next(i for i in ids if ids.count(i) > 1)
        raise Invalid(f"criteria {repeated} is answered more than once", field="responses")
    async with atomic():
        await load_job(actor, job_id, Action.CHANGE)
        await _check_applied({(candidate_id, job_id)})
        if not responses:
            return schemas.UpsertResult(created=0, updated=0)
        criteria = await _live_criteria(job_id=job_id)
        missing = [i for i in ids if i not in criteria]
        if missing:
            raise _missing_criteria(job_id, missing)
        texts = [
            fit_response(criteria[item.criteria_id], item.response, f"responses[{index}].response")
            for index, item in enumerate(responses)
        ]
        stored = await CandidateResponse.select(CandidateResponse.criteria).where(
            (CandidateResponse.candidate == candidate_id) & (CandidateResponse.job == job_id)
        )
        answered = {row["criteria"] for row in stored}
        updated = len(answered & set(ids))
        await _upsert(candidate_id, job_id, ids, texts)
        await events.record(
            EventType.RESPONSES_WRITTEN,
            actor.org_id,
            EntityType.RESPONSES,
            None,
            actor=actor,
            job_id=job_id,
            data={
                "candidate_id": candidate_id,
                "created_criteria": [i for i in ids if i not in answered],
                "updated_criteria": [i for i in ids if i in answered],
                "job_ids": [job_id],
            },
        )
    return schemas.UpsertResult(created=len(ids) - updated, updated=updated)


# Statements --------------------------------------------------------------------------------
# One statement per bulk write. On PostgreSQL the values travel as a few arrays expanded by
# `unnest` (a handful of parameters whatever the count, so no per-row work in Python); on
# SQLite, which has no arrays, as Piccolo's multi-row INSERT.

_INSERT = (
    'INSERT INTO "candidate_response" '
    '("candidate", "job", "criteria", "response", "created_at", "updated_at") '
)
_INSERT_NEW_POSTGRES = (
    _INSERT + "SELECT c, j, k, r, {}, {} "
    "FROM unnest({}::integer[], {}::integer[], {}::integer[], {}::text[]) AS t(c, j, k, r) "
    'ON CONFLICT DO NOTHING RETURNING "id", "candidate", "job", "criteria"'
)
_UPSERT_POSTGRES = (
    _INSERT + "SELECT {}, {}, k, r, {}, {} FROM unnest({}::integer[], {}::text[]) AS t(k, r) "
    'ON CONFLICT ("candidate", "job", "criteria") DO UPDATE '
    'SET "response" = EXCLUDED."response", "updated_at" = EXCLUDED."updated_at"'
)


async def _insert_new(keys: list[_Key], texts: list[str], moment: datetime) -> dict[_Key, int]:
    """Insert the rows that are not stored yet; the new ids by key (stored ones are skipped)."""
    if is_postgres():
        columns = [list(column) for column in zip(*keys, strict=True)]
        rows = await CandidateResponse.raw(_INSERT_NEW_POSTGRES, moment, moment, *columns, texts)
    else:
        rows = await (
            CandidateResponse.insert(
                *[
                    CandidateResponse(
                        candidate=c,
                        job=j,
                        criteria=k,
                        response=text,
                        created_at=moment,
                        updated_at=moment,
                    )
                    for (c, j, k), text in zip(keys, texts, strict=True)
                ]
            )
            .on_conflict(action="DO NOTHING")
            .returning(
                CandidateResponse.id,
                CandidateResponse.candidate,
                CandidateResponse.job,
                CandidateResponse.criteria,
            )
        )
    return {(row["candidate"], row["job"], row["criteria"]): row["id"] for row in rows}


async def _upsert(
    candidate_id: int, job_id: int, criteria_ids: list[int], texts: list[str]
) -> None:
    moment = _now()
    if is_postgres():
        await CandidateResponse.raw(
            _UPSERT_POSTGRES, candidate_id, job_id, moment, moment, criteria_ids, texts
        )
        return
    rows = [
        CandidateResponse(
            candidate=candidate_id,
            job=job_id,
            criteria=criteria_id,
            response=text,
            created_at=moment,
            updated_at=moment,
        )
        for criteria_id, text in zip(criteria_ids, texts, strict=True)
    ]
    await CandidateResponse.insert(*rows).on_conflict(
        target=(CandidateResponse.candidate, CandidateResponse.job, CandidateResponse.criteria),
        action="DO UPDATE",
        values=[CandidateResponse.response, CandidateResponse.updated_at],
    )
