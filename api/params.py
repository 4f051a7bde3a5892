"""Explicit parameter markers shared by the controllers (Litestar 3 drops inferred ones)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.cache import JobListCache
from models.identity.actor import Actor
from models.ids import MAX_ID
from models.settings import Settings

CurrentActor = NamedDependency[Actor]
"""The authenticated caller, resolved from the bearer token by `api.auth.provide_actor`."""

AppSettings = NamedDependency[Settings]
"""The settings the app was created with (`api.app.create_app`)."""

JobLists = NamedDependency[JobListCache]
"""The app's cache of encoded job lists (`api.cache`)."""

MAX_OFFSET = 1_000_000_000
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
"""A page's offset (bounded: a larger one could only be an empty page or a driver error)."""

QueryId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
"""An optional id in the query, in the range ids have."""
UpdatedAfter = Annotated[
    datetime | None,
    QueryParameter(
        description="RFC 3339: only rows changed after this moment, oldest change first, with "
        "`next_cursor` to continue (incremental sync; see the README)."
    ),
]
SyncCursor = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="`next_cursor` of the previous page (incremental sync: always given).",
    ),
]

PageCursor = Annotated[
    str | None, QueryParameter(max_length=40, description="`next_cursor` of the previous page.")
]
"""A newest-first page's cursor (the audit log, webhook deliveries)."""
