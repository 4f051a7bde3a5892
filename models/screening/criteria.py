"""A job's screening criteria. Access follows the job's: reading needs READ, writing CHANGE.

Deleting is soft (`is_deleted`); a deleted criterion is gone for every operation here: it is
not listed, cannot be read or updated (NotFound), and a bulk write naming it is Invalid.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import msgspec
from piccolo.columns import Column

from models import events, sync
from models.db import atomic
from models.enums import CriteriaKind
from models.errors import Invalid, NotFound, TooLarge
from models.events import EntityType, EventType
from models.identity.actor import Actor
from models.jobs.access import Action, load_job, visible_jobs
from models.screening import schemas
from models.tables import Criteria, Job
from models.text import check_text, is_blank

MAX_PAGE = 100
MAX_BULK = 500
_YES_NO = ("yes", "no")


def decode_json_list(raw: Any) -> list[str]:
    """A JSON column as stored (text on both engines) or already decoded."""
    value = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
    return [str(item) for item in value] if isinstance(value, list) else []


def criteria_out(row: dict[str, Any]) -> schemas.Criteria:
    return schemas.Criteria(
        id=row["id"],
        job_id=row["job"],
        question=row["question"],
        kind=CriteriaKind(row["kind"]),
        options=decode_json_list(row["options"]),
        required=bool(row["required"]),
        expected_answer=row["expected_answer"],
        weight=row["weight"],
        position=row["position"],
        created_at=row["created_at"],
    )


def fit_answer(kind: CriteriaKind | str, options: list[str], value: str) -> str:
    """`value` as stored for a criterion of `kind`; ValueError says why it does not fit.

    yes_no takes yes/no in any case; number any finite number; choice one of the options
    (any case, stored as the option is spelled); text anything.
    """
    text = value.strip()
    if kind == CriteriaKind.YES_NO:
        if text.lower() not in _YES_NO:
            raise ValueError("must be yes or no")
        return text.lower()
    if kind == CriteriaKind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise ValueError("must be a number") from None
        if not math.isfinite(number):
            raise ValueError("must be a finite number")
        return text
    if kind == CriteriaKind.CHOICE:
        for option in options:
            if option.lower() == text.lower():
                return option
        raise ValueError(f"must be one of {', '.join(options)}")
    return value


def _clean_options(options: list[str], field: str) -> list[str]:
    cleaned: list[str] = []
    for option in options:
        text = option.strip()
        if not text:
            raise Invalid("options must not be blank", field=field)
        if text.lower() in (o.lower() for o in cleaned):
            raise Invalid(f"option {text!r} is given twice", field=field)
        cleaned.append(text)
    return cleaned


def validated(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Column values of a criterion after the rules that tie its fields together."""
    check_text(
        {f"{prefix}{name}": values[name] for name in ("question", "options", "expected_answer")}
    )
    question = values["question"].strip()
    if is_blank(question):
        raise Invalid("question must not be blank", field=f"{prefix}question")
    kind = CriteriaKind(values["kind"])
    options = _clean_options(values["options"], f"{prefix}options")
    if kind == CriteriaKind.CHOICE and not options:
        raise Invalid("a choice criterion needs at least one option", field=f"{prefix}options")
    if kind != CriteriaKind.CHOICE and options:
        raise Invalid("options are only for choice criteria", field=f"{prefix}options")
    expected = values["expected_answer"]
    if expected is not None and expected.strip():
        try:
            expected = fit_answer(kind, options, expected)
        except ValueError as exc:
            raise Invalid(
                f"expected_answer {exc} for a {kind.value} criterion",
                field=f"{prefix}expected_answer",
            ) from None
    else:
        expected = None
    return {
        "question": question,
        "kind": kind.value,
        "options": msgspec.json.encode(options).decode(),
        "required": values["required"],
        "expected_answer": expected,
        "weight": values["weight"],
        "position": values["position"],
    }


AUDITED = ("question", "kind", "options", "required", "expected_answer", "weight", "position")
"""A criterion's fields, as its events show them."""


def _fields(data: schemas.CriteriaFields) -> dict[str, Any]:
    return {
        name: getattr(data, name)
        for name in (
            "question",
            "kind",
            "options",
            "required",
            "expected_answer",
            "weight",
            "position",
        )
    }


def _columns(values: dict[str, Any]) -> dict[Any, Any]:
    """An update of these values, stamped (the incremental sync reads `updated_at`)."""
    columns = {Criteria._meta.get_column_by_name(name): value for name, value in values.items()}
    return {**columns, Criteria.updated_at: datetime.now(UTC)}


def _page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if offset < 0:
        raise Invalid("offset must not be negative", field="offset")


async def load_criterion(
    actor: Actor, criteria_id: int, action: Action = Action.READ
) -> dict[str, Any]:
    """A live criterion row if `actor` may perform `action` on its job.

    A criterion of a job the caller cannot see is reported as the criterion not being found,
    so its job's id is not revealed.
    """
    row = (
        await Criteria.select()
        .where((Criteria.id == criteria_id) & (Criteria.is_deleted == False))  # noqa: E712
        .first()
    )
    if row is None:
        raise NotFound(f"criteria {criteria_id} not found")
    try:
        await load_job(actor, row["job"], action)
    except NotFound:
        raise NotFound(f"criteria {criteria_id} not found") from None
    return dict(row)


# Reading -----------------------------------------------------------------------------------


async def list_criteria(
    actor: Actor,
    job_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    updated_after: datetime | None = None,
    cursor: str | None = None,
) -> list[schemas.Criteria] | schemas.CriteriaChanges:
    """Live criteria of one job, or of every job the caller can see, a page at a time; with
    `updated_after` or a sync cursor, those changed (or deleted) since (`models.sync`)."""
    _page(limit, offset)
    position = sync.start(updated_after, cursor)
    if position is None and cursor:
        raise Invalid("cursor must be a next_cursor of this list's sync", field="cursor")
    query = Criteria.select()
    if position is None:
        query = query.where(Criteria.is_deleted == False)  # noqa: E712
    order: tuple[Column, ...]
    if job_id is not None:
        await load_job(actor, job_id)
        query = query.where(Criteria.job == job_id)
        order = (Criteria.position, Criteria.id)
    else:
        query = query.where(Criteria.job.is_in(Job.select(Job.id).where(visible_jobs(actor))))
        order = (Criteria.job, Criteria.position, Criteria.id)
    if position is not None:
        changed, next_cursor = await sync.page(query, Criteria, position, limit)
        return schemas.CriteriaChanges(
            items=[criteria_out(row) for row in changed if not row["is_deleted"]],
            deleted=[row["id"] for row in changed if row["is_deleted"]],
            next_cursor=next_cursor,
        )
    rows = await query.order_by(*order).limit(limit).offset(offset)
    return [criteria_out(row) for row in rows]


async def list_by_job(actor: Actor, job_id: int) -> list[schemas.Criteria]:
    """Every live criterion of a job, in position order (the spec's `list_by_job`)."""
    await load_job(actor, job_id)
    rows = (
        await Criteria.select()
        .where((Criteria.job == job_id) & (Criteria.is_deleted == False))  # noqa: E712
        .order_by(Criteria.position, Criteria.id)
    )
    return [criteria_out(row) for row in rows]


async def get_criteria(actor: Actor, criteria_id: int) -> schemas.Criteria:
    return criteria_out(await load_criterion(actor, criteria_id))


# Writing -----------------------------------------------------------------------------------


async def create_criteria(actor: Actor, data: schemas.CriteriaCreate) -> schemas.Criteria:
    values = validated(_fields(data))
    async with atomic():
        await load_job(actor, data.job_id, Action.CHANGE)
        rows = await Criteria.insert(Criteria(_columns({**values, "job": data.job_id}))).returning(
            *Criteria.all_columns()
        )
        await _record(actor, data.job_id, rows[0]["id"], created=[rows[0]["id"]])
    return criteria_out(rows[0])


async def _record(
    actor: Actor,
    job_id: int,
    criteria_id: int | None,
    *,
    created: list[int] | None = None,
    updated: list[int] | None = None,
    deleted: list[int] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """criteria.changed: which criteria of the job were created, updated or deleted."""
    await events.record(
        EventType.CRITERIA_CHANGED,
        actor.org_id,
        EntityType.CRITERIA,
        criteria_id,
        actor=actor,
        job_id=job_id,
        before=before,
        after=after,
        data={"created": created or [], "updated": updated or [], "deleted": deleted or []},
    )


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values.get(name) for name in AUDITED}


async def update_criteria(
    actor: Actor, criteria_id: int, data: schemas.CriteriaFields | schemas.CriteriaUpdate
) -> schemas.Criteria:
    """Apply a full (PUT) or partial (PATCH) update; the merged criterion must be valid.

    When a PATCH turns a choice criterion into another kind without sending options, its
    options are dropped with the kind they belonged to.
    """
    async with atomic():
        current = await load_criterion(actor, criteria_id, Action.CHANGE)
        merged = {**current, "options": decode_json_list(current["options"])}
        changes = {
            name: value
            for name, value in msgspec.structs.asdict(data).items()
            if value is not msgspec.UNSET
        }
        merged.update(changes)
        if merged["kind"] != CriteriaKind.CHOICE and "options" not in changes:
            merged["options"] = []
        values = validated(merged)
        await Criteria.update(_columns(values)).where(Criteria.id == criteria_id)
        was = _audited({**current, "options": decode_json_list(current["options"])})
        before, after = events.changed(was, _audited({**was, **values}))
        await _record(
            actor, current["job"], criteria_id, updated=[criteria_id], before=before, after=after
        )
    return criteria_out({**current, **values})


async def delete_criteria(actor: Actor, criteria_id: int) -> None:
    """Soft delete: the row stays (its responses too) but the criterion is gone for good."""
    async with atomic():
        current = await load_criterion(actor, criteria_id, Action.CHANGE)
        await Criteria.update(_columns({"is_deleted": True})).where(Criteria.id == criteria_id)
        await _record(actor, current["job"], criteria_id, deleted=[criteria_id])


async def bulk_create_or_update(
    actor: Actor, data: schemas.CriteriaBulk
) -> schemas.CriteriaBulkResult:
    """Items with an id update that criterion of the job (only the fields they give, as a
    PATCH does), items without one create one (as a POST does).

    Everything is checked before anything is written, and all is written in one transaction:
    an id that is not a live criterion of this job is NotFound and nothing changes.
    """
    if len(data.criteria) > MAX_BULK:
        raise TooLarge(f"at most {MAX_BULK} criteria per request, not {len(data.criteria)}")
    ids = [item.id for item in data.criteria if item.id is not None]
    if len(ids) != len(set(ids)):
        repeated = next(i for i in ids if ids.count(i) > 1)
        raise Invalid(f"criteria {repeated} appears more than once", field="criteria")
    for index, item in enumerate(data.criteria):
        if item.id is None and item.question is msgspec.UNSET:
            raise Invalid(
                "question is required to create a criterion (an item without an id)",
                field=f"criteria[{index}].question",
            )
    async with atomic():
        await load_job(actor, data.job_id, Action.CHANGE)
        await _check_ids_belong(data.job_id, ids)
        stored = await _rows_by_id(ids)
        items = [
            (item.id, validated(_bulk_values(item, stored), f"criteria[{index}]."))
            for index, item in enumerate(data.criteria)
        ]
        new = [values for item_id, values in items if item_id is None]
        created: list[dict[str, Any]] = []
        if new:
            created = await Criteria.insert(
                *[Criteria(_columns({**values, "job": data.job_id})) for values in new]
            ).returning(*Criteria.all_columns())
        for item_id, values in items:
            if item_id is not None:
                await Criteria.update(_columns(values)).where(Criteria.id == item_id)
        rows = await _rows_by_id(ids)
        # One event for the whole request, listing its rows.
        await _record(actor, data.job_id, None, created=[row["id"] for row in created], updated=ids)
    created_rows = iter(created)
    result = [
        criteria_out(rows[item_id] if item_id is not None else next(created_rows))
        for item_id, _ in items
    ]
    return schemas.CriteriaBulkResult(created=len(created), updated=len(ids), criteria=result)


def _bulk_values(item: schemas.CriteriaItem, stored: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """An item's fields over the stored criterion it updates, or over a new one's defaults."""
    given = {
        name: value
        for name, value in msgspec.structs.asdict(item).items()
        if value is not msgspec.UNSET and name != "id"
    }
    if item.id is None:
        return {**_fields(schemas.CriteriaFields(question=given["question"])), **given}
    current = stored[item.id]
    merged = {**current, "options": decode_json_list(current["options"]), **given}
    if merged["kind"] != CriteriaKind.CHOICE and "options" not in given:
        merged["options"] = []  # as a PATCH does: the options go with their kind
    return merged


async def _rows_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    return {row["id"]: row for row in await Criteria.select().where(Criteria.id.is_in(ids))}


async def _check_ids_belong(job_id: int, ids: list[int]) -> None:
    if not ids:
        return
    live = await Criteria.select(Criteria.id).where(
        Criteria.id.is_in(ids) & (Criteria.job == job_id) & (Criteria.is_deleted == False)  # noqa: E712
    )
    foreign = sorted(set(ids) - {row["id"] for row in live})
    if foreign:
        names = ", ".join(str(i) for i in foreign)
        raise NotFound(f"criteria {names} not found in job {job_id}", field="criteria")
