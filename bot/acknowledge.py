"""Acknowledge first, work after: what each listener is wrapped in.

`after_ack(work)` is a Bolt listener that acknowledges at once (a modal with its `check`
first: errors show inline and nothing runs; otherwise the checked form is handed to `work`
as its `form` argument, so it is read once) and starts `work` as a background task. The
app runs with `process_before_response=True`, so Slack's HTTP response leaves as soon as
the acknowledgement is done.

Why not Bolt's lazy listeners: for each one Bolt deep-copies the request before answering
(about 3 ms of CPU per request here), and with `process_before_response=False` it polls
every 10 ms for the acknowledgement; at 50 requests at once both add up to hundreds of
milliseconds. The work here runs on the same event loop, exactly as Bolt runs lazy
functions in a long-running process, but without the copy.

Each piece of work runs once per delivery (`bot.dedupe`), and an error is told to the user
through `bot.errors.report`, the same mapping `app.error` uses.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dedupe import claim_delivery, delivery_key, release_delivery
from bot.errors import report
from models.errors import DomainError

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]


class Form(Protocol):
    @property
    def errors(self) -> Mapping[str, str]:
        """Errors by block id (empty: valid)."""


Check = Callable[[Mapping[str, Any]], Form]
"""A submitted view -> its form, read and checked."""

_NEEDED = ("ack", "body", "client", "logger", "respond")
_running: set[asyncio.Task[None]] = set()


async def acknowledge(ack: AsyncAck) -> None:
    """The whole listener of a click that needs nothing more (a URL button)."""
    await ack()


def after_ack(work: Listener, check: Check | None = None) -> Listener:
    """A Bolt listener: acknowledge (after `check`ing a submitted view), then start `work`.

    Bolt injects arguments by parameter name, so the listener declares the parameters of
    `work` plus those it needs itself.
    """
    own = list(inspect.signature(work).parameters)
    names = [*_NEEDED, *(name for name in own if name not in (*_NEEDED, "form"))]
    if check is not None and "view" not in names:
        names.append("view")

    async def listener(**kwargs: Any) -> None:
        ack: AsyncAck = kwargs["ack"]
        arguments = {name: kwargs[name] for name in own if name != "form"}
        if check is not None:
            form = check(kwargs["view"])
            if form.errors:
                await ack(response_action="errors", errors=dict(form.errors))
                return
            if "form" in own:
                arguments["form"] = form
        await ack()
        task = asyncio.create_task(_run(work, arguments, kwargs))
        _running.add(task)
        task.add_done_callback(_finished)

    listener.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    listener.__name__ = work.__name__
    listener.__qualname__ = work.__qualname__
    listener.__doc__ = work.__doc__
    return listener


async def _run(work: Listener, arguments: dict[str, Any], injected: dict[str, Any]) -> None:
    body, logger = injected["body"], injected["logger"]
    key = delivery_key(body, work.__name__)
    claimed = False
    try:
        claimed = key is None or await claim_delivery(key)
        if not claimed:
            logger.info("skipped a repeated delivery (%s)", key)
            return
        await work(**arguments)
    except Exception as error:
        await report(error, body, injected["client"], logger, injected["respond"])
        if claimed and key is not None and not isinstance(error, DomainError):
            await release_delivery(key)  # a bug or an outage: a retry may do better


def _finished(task: asyncio.Task[None]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("background work failed", exc_info=task.exception())


async def drain() -> None:
    """Wait for the work started so far (tests; a graceful shutdown)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
