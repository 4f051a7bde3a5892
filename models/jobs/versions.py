"""Versions of a job's description: every change numbered from 1, with its provenance.

A version is recorded in the transaction of the change that makes it (typed, generated,
a rewrite accepted in full or in part, a restore), so the history and the job never
disagree. Reading versions takes the same permission as reading the job.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from piccolo.query.functions.aggregate import Max
from piccolo.query.methods.select import Select

from models import events
from models.db import insert_one
from models.enums import Author, Surface, VersionSource
from models.errors import NotFound
from models.events import EntityType, EventSurface, EventType
from models.identity.actor import Actor
from models.jobs.access import load_job
from models.tables import DescriptionVersion, Job

MAX_LISTED = 100


class Provenance(msgspec.Struct, frozen=True, kw_only=True):
    """How a new description came to be; see the constructors below."""

    source: VersionSource
    author: Author
    author_user_id: int | None = None
    surface: Surface | None = None
    model_call_id: int | None = None
    model: str | None = None
    accepted_by_id: int | None = None
    restored_from: int | None = None

    @classmethod
    def typed(cls, actor: Actor) -> Provenance:
        return cls(
            source=VersionSource.TYPED,
            author=Author.PERSON,
            author_user_id=actor.user_id,
            surface=actor.surface,
            accepted_by_id=actor.user_id,
        )

    @classmethod
    def generated(cls, model: str, call_id: int | None, requested_by: int | None) -> Provenance:
        """Written by the model for the person who asked for it."""
        return cls(
            source=VersionSource.GENERATED,
            author=Author.MODEL,
            model=model,
            model_call_id=call_id,
            accepted_by_id=requested_by,
        )

    @classmethod
    def rewrite(
        cls, actor: Actor, model: str | None, call_id: int | None, *, partial: bool
    ) -> Provenance:
        """A model's rewrite, accepted (in full or in part) by `actor`."""
        return cls(
            source=VersionSource.REWRITE_PARTIAL if partial else VersionSource.REWRITE_ACCEPTED,
            author=Author.MODEL,
            surface=actor.surface,
            model=model,
            model_call_id=call_id,
            accepted_by_id=actor.user_id,
        )

    @classmethod
    def restored(cls, actor: Actor, number: int) -> Provenance:
        return cls(
            source=VersionSource.RESTORED,
            author=Author.PERSON,
            author_user_id=actor.user_id,
            surface=actor.surface,
            accepted_by_id=actor.user_id,
            restored_from=number,
        )


class VersionSummary(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    author: Author
    """"person" or "model"."""
    source: VersionSource
    author_user_id: int | None
    author_name: str | None
    model: str | None
    accepted_by_id: int | None
    accepted_by_name: str | None
    surface: Surface | None
    restored_from: int | None
    model_call_id: int | None
    created_at: datetime
    characters: int


class Version(VersionSummary, frozen=True, kw_only=True):
    text: str


async def record(job_id: int, text: str, provenance: Provenance) -> int:
    """Add the next version (inside the caller's transaction); its number. Concurrent
    changes of one job are serialized by the change's row update before this runs."""
    [row] = await DescriptionVersion.select(Max(DescriptionVersion.number).as_alias("last")).where(
        DescriptionVersion.job == job_id
    )
    number = int(row["last"] or 0) + 1
    stored = await insert_one(
        DescriptionVersion(
            job=job_id,
            number=number,
            text=text,
            author=provenance.author,
            author_user=provenance.author_user_id,
            surface=provenance.surface,
            source=provenance.source,
            model_call=provenance.model_call_id,
            model=provenance.model,
            accepted_by=provenance.accepted_by_id,
            restored_from=provenance.restored_from,
        )
    )
    await _record_event(job_id, stored["id"], number, len(text), provenance)
    return number


async def _record_event(
    job_id: int, version_id: int, number: int, characters: int, provenance: Provenance
) -> None:
    """description.generated (the model wrote it) or description.changed (a person typed,
    accepted or restored it), in the version's transaction; the text stays in the version."""
    [job] = await Job.select(Job.org).where(Job.id == job_id)
    generated = provenance.source == VersionSource.GENERATED
    await events.record(
        EventType.DESCRIPTION_GENERATED if generated else EventType.DESCRIPTION_CHANGED,
        job["org"],
        EntityType.DESCRIPTION,
        version_id,
        actor_id=provenance.author_user_id or provenance.accepted_by_id,
        surface=EventSurface(provenance.surface.value) if provenance.surface else None,
        job_id=job_id,
        data={
            "version": number,
            "source": provenance.source.value,
            "author": provenance.author.value,
            "model": provenance.model,
            "characters": characters,
        },
    )


async def list_versions(actor: Actor, job_id: int, limit: int = MAX_LISTED) -> list[VersionSummary]:
    """The newest versions first (at most `limit`)."""
    await load_job(actor, job_id)
    rows = (
        await _select()
        .where(DescriptionVersion.job == job_id)
        .order_by(DescriptionVersion.number, ascending=False)
        .limit(max(1, min(limit, MAX_LISTED)))
    )
    return [_summary(row) for row in rows]


async def get_version(actor: Actor, job_id: int, number: int) -> Version:
    await load_job(actor, job_id)
    row = await _version_row(job_id, number)
    return Version(**msgspec.structs.asdict(_summary(row)), text=row["text"])


async def version_text(actor: Actor, job_id: int, number: int) -> str:
    return (await get_version(actor, job_id, number)).text


async def latest(job_id: int) -> VersionSummary | None:
    """The current description's version, when it has one (system read: the caller has
    checked access to the job)."""
    row = (
        await _select()
        .where(DescriptionVersion.job == job_id)
        .order_by(DescriptionVersion.number, ascending=False)
        .first()
    )
    return None if row is None else _summary(row)


async def _version_row(job_id: int, number: int) -> dict[str, Any]:
    row = (
        await _select()
        .where((DescriptionVersion.job == job_id) & (DescriptionVersion.number == number))
        .first()
    )
    if row is None:
        raise NotFound(f"job {job_id} has no version {number}")
    return row


def _select() -> Select:
    return DescriptionVersion.select(
        DescriptionVersion.number,
        DescriptionVersion.author,
        DescriptionVersion.source,
        DescriptionVersion.author_user,
        DescriptionVersion.author_user.name.as_alias("author_name"),
        DescriptionVersion.model,
        DescriptionVersion.accepted_by,
        DescriptionVersion.accepted_by.name.as_alias("accepted_by_name"),
        DescriptionVersion.surface,
        DescriptionVersion.restored_from,
        DescriptionVersion.model_call,
        DescriptionVersion.created_at,
        DescriptionVersion.text,
    )


def _summary(row: dict[str, Any]) -> VersionSummary:
    return VersionSummary(
        number=row["number"],
        author=Author(row["author"]),
        source=VersionSource(row["source"]),
        author_user_id=row["author_user"],
        author_name=row["author_name"],
        model=row["model"],
        accepted_by_id=row["accepted_by"],
        accepted_by_name=row["accepted_by_name"],
        surface=Surface(row["surface"]) if row["surface"] else None,
        restored_from=row["restored_from"],
        model_call_id=row["model_call"],
        created_at=row["created_at"],
        characters=len(row["text"]),
    )
