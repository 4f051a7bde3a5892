"""Explicit parameter markers shared by the controllers (Litestar 3 drops inferred ones)."""

from __future__ import annotations

from litestar.di import NamedDependency

from models.identity.actor import Actor

CurrentActor = NamedDependency[Actor]
"""The authenticated caller, resolved from the bearer token by `api.auth.provide_actor`."""
