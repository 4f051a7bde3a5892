"""Logs: one line per event, human-readable in development and JSON in production
(HIREBOT_LOG_FORMAT), each carrying the request id and the organization and user it is
for; no token, secret or OAuth code.

Every log record gets `request_id`, `org_id` and `user_id` from a context variable (a log
record factory, so every handler sees them, pytest's included). The HTTP middleware begins
a request's context (`api/request_id.py`), the actor's resolution fills in the organization
and user, a task queued by the request carries them in its labels (`labels()`), and the
worker that runs it begins the same context again (`TaskContextMiddleware`), so one id
follows the work from the request into the task and its log lines.
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

from models.settings import Settings


@dataclass(slots=True)
class LogContext:
    """Who and what the current request or task is for. Mutable on purpose: Litestar
    resolves dependencies in tasks of their own, so the actor's resolution fills in the
    request's context object rather than setting a variable its caller would not see."""

    request_id: str | None = None
    org_id: int | None = None
    user_id: int | None = None


CONTEXT: ContextVar[LogContext | None] = ContextVar("log_context", default=None)


def current() -> LogContext:
    return CONTEXT.get() or LogContext()


def begin(
    request_id: str | None, org_id: int | None = None, user_id: int | None = None
) -> Token[LogContext | None]:
    """A fresh context for a request or a task (reset it with the token)."""
    return CONTEXT.set(LogContext(request_id, org_id, user_id))


REQUEST_ID_LABEL = "request_id"
TEXT_FORMAT = "%(levelname)s %(name)s%(context)s: %(message)s"

_base_factory = logging.getLogRecordFactory()


def _record_with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    context = current()
    record.request_id, record.org_id, record.user_id = (
        context.request_id,
        context.org_id,
        context.user_id,
    )
    return record


logging.setLogRecordFactory(_record_with_context)


def act_for(org_id: int, user_id: int) -> None:
    """The organization and user this request or task works for, from now on in it."""
    context = CONTEXT.get()
    if context is None:  # outside a request (Socket Mode): a context of its own
        begin(None, org_id, user_id)
    else:
        context.org_id, context.user_id = org_id, user_id


def labels() -> dict[str, str]:
    """What a task queued now carries of its context: the request id, organization and
    user (labels are strings)."""
    now = current()
    context = {REQUEST_ID_LABEL: now.request_id, "org_id": now.org_id, "user_id": now.user_id}
    return {name: str(value) for name, value in context.items() if value is not None}


def _number(value: object) -> int | None:
    return int(value) if isinstance(value, (str, int)) and str(value).isdigit() else None


class SecretsRedacted(logging.Filter):
    """Tokens, refresh tokens, OAuth codes and client secrets out of a log line."""

    tokens = re.compile(r"xox[a-z]?[.-][A-Za-z0-9.-]+")
    fields = re.compile(
        r"(['\"]?(?:code|client_secret|refresh_token|access_token|token)['\"]?\s*[:=]\s*)"
        r"(['\"]?)[^'\",}\s&]+"
    )
    code = re.compile(r"(with code: )\S+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned == message:
            return True
        # Clean the arguments first, keeping their shape: formatters such as uvicorn's
        # access log unpack them themselves.
        if isinstance(record.args, tuple):
            record.args = tuple(self.clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self.clean(arg) for key, arg in record.args.items()}
        if record.args and self.clean(record.getMessage()) == record.getMessage():
            return True
        record.msg, record.args = cleaned, ()  # a secret in the message itself
        return True

    def clean(self, value: object) -> object:
        if isinstance(value, (int, float)) or value is None:
            return value
        text = value if isinstance(value, str) else str(value)
        cleaned = self.tokens.sub("[redacted]", text)
        cleaned = self.fields.sub(r"\1\2[redacted]", cleaned)
        cleaned = self.code.sub(r"\1[redacted]", cleaned)
        return value if cleaned == text else cleaned


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, the error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "org_id", "user_id"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`LEVEL logger [request org user]: message`, the context only when there is one."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("req", getattr(record, "request_id", None)),
                ("org", getattr(record, "org_id", None)),
                ("user", getattr(record, "user_id", None)),
            )
            if value is not None
        ]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


def configure_logging(settings: Settings, *, replace: bool = False) -> None:
    """The process's log handler, unless one is set up already (pytest's, a host's) and
    not to be `replace`d (taskiq's, in a worker process)."""
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    if root.handlers and not replace:
        return
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    handler.addFilter(SecretsRedacted())
    root.addHandler(handler)


class TaskContextMiddleware(TaskiqMiddleware):
    """A task's log lines carry the request id of the request that queued it."""

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        given = message.labels
        begin(
            given.get(REQUEST_ID_LABEL) or None,
            _number(given.get("org_id")),
            _number(given.get("user_id")),
        )
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        CONTEXT.set(None)
