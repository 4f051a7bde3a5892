"""The domain's error family. Operations raise these; each surface maps them once
(the API to HTTP statuses in `api/errors.py`, the bot to ephemeral messages)."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """Base class: `message` is safe to show to the user who caused it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The thing does not exist, or the caller may not see it (never told apart)."""


class Forbidden(DomainError):
    """The caller can see the thing but their role does not allow this action."""


class Invalid(DomainError):
    """Input breaks a rule; `field` names the offending field when there is one."""


class Conflict(DomainError):
    """The change clashes with existing data (a duplicate, a state that forbids it)."""


class TooLarge(DomainError):
    """The request asks for more items than one call accepts."""


class Unauthenticated(DomainError):
    """No valid credentials."""


class GenerationTimeout(DomainError):
    """The worker did not answer in time; the work goes on (the API answers 504)."""


class GenerationFailed(DomainError):
    """The model (or the worker) could not do it; `message` says why (the API answers 502)."""


class BudgetExceeded(DomainError):
    """The organization used its monthly model budget (the API answers 429 with
    Retry-After); `resets_at` is when the next month's budget starts."""

    def __init__(self, message: str, *, resets_at: datetime) -> None:
        super().__init__(message)
        self.resets_at = resets_at
