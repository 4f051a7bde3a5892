"""Explicit parameter markers shared by the controllers (Litestar 3 drops inferred ones)."""

from __future__ import annotations

from litestar.di import NamedDependency

from api.cache import JobListCache
from models.identity.actor import Actor
from models.settings import Settings

CurrentActor = NamedDependency[Actor]
"""The authenticated caller, resolved from the bearer token by `api.auth.provide_actor`."""

AppSettings = NamedDependency[Settings]
"""The settings the app was created with (`api.app.create_app`)."""

JobLists = NamedDependency[JobListCache]
"""The app's cache of encoded job lists (`api.cache`)."""
