"""`hirebot worker`: taskiq's worker processes for the configured broker, stopped gracefully.

taskiq's process manager forks the workers and, on SIGTERM or SIGINT, asks each to stop:
it stops taking messages and lets running tasks finish. taskiq does not bound how long the
parent then waits for its children (with Redis streams or NATS they can hang), so after
HIREBOT_WORKER_SHUTDOWN_GRACE seconds (plus the broker's own shutdown time) the workers
still alive are killed. A killed task was not acknowledged: the broker delivers it again.

The broker is built from the settings given, and the worker processes import the task
modules they are given (`hirebot worker` passes those of `workers/` and `bot/`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from taskiq.cli.common_args import LogLevel
from taskiq.cli.worker.args import WorkerArgs
from taskiq.cli.worker.run import run_worker as taskiq_run_worker
from taskiq.middlewares.prometheus_middleware import PrometheusMiddleware

from models.settings import Settings
from workers.broker import activate, build_broker
from workers.metrics_folder import MULTIPROC_ENV
from workers.retry import worst_case_seconds

log = logging.getLogger("hirebot.worker")

MAX_ASYNC_TASKS = 200
"""Tasks one worker process runs at once: model calls mostly wait, so keep many in flight."""

BROKER_SHUTDOWN_SECONDS = 5.0
"""Time each worker gets to close the broker and its resources after its tasks finished."""

KILL_MARGIN_SECONDS = 1.0


def run_worker(
    settings: Settings,
    task_modules: list[str],
    workers: int = 1,
    grace_seconds: int | None = None,
    *,
    max_async_tasks: int = MAX_ASYNC_TASKS,
) -> int:
    """Run worker processes for the broker of `settings` until SIGTERM/SIGINT; the exit
    status. Each process imports `task_modules` (which declare the tasks it runs)."""
    if settings.broker_url.startswith("memory://"):
        print(
            "hirebot worker: HIREBOT_BROKER_URL is memory://, so tasks run inside "
            "`hirebot serve`; set it to redis://host:port/db to run separate workers.",
            file=sys.stderr,
        )
        return 2
    worst = worst_case_seconds(settings)
    if settings.broker_url.startswith(("redis://", "rediss://")) and (
        settings.task_redelivery_seconds <= worst
    ):
        print(
            f"hirebot worker: HIREBOT_TASK_REDELIVERY_SECONDS={settings.task_redelivery_seconds}"
            f" is not more than the longest a task may run ({worst:.0f} s, from "
            "HIREBOT_LLM_TIMEOUT and HIREBOT_LLM_MAX_ATTEMPTS): a running task would be "
            f"delivered again. Set it above {worst:.0f}.",
            file=sys.stderr,
        )
        return 2
    grace = settings.worker_shutdown_grace_seconds if grace_seconds is None else grace_seconds
    # Built here and inherited by the forked processes (taskiq accepts a broker object).
    broker = activate(build_broker(settings))
    if settings.worker_metrics_port:
        broker.add_middlewares(task_metrics(settings))
    args = WorkerArgs(
        broker=broker,  # type: ignore[arg-type]
        modules=task_modules,
        workers=workers,
        max_async_tasks=max_async_tasks,
        wait_tasks_timeout=float(grace),
        shutdown_timeout=BROKER_SHUTDOWN_SECONDS,
        log_level=LogLevel.__members__.get(settings.log_level.upper(), LogLevel.INFO),
    )
    status = taskiq_run_worker(args)
    # taskiq's manager returns as soon as it has signalled its workers to stop.
    survivors = stop_children(grace + BROKER_SHUTDOWN_SECONDS + KILL_MARGIN_SECONDS)
    if survivors:
        log.warning("killed %d worker(s) still running after the grace period", survivors)
    return 0 if status is None else 1


def task_metrics(settings: Settings) -> PrometheusMiddleware:
    """taskiq's Prometheus middleware: tasks received, succeeded and failed, and their
    durations, by task, for every worker process, served on HIREBOT_WORKER_METRICS_PORT
    (with Hirebot's own counters: model calls, Slack errors)."""
    folder = os.environ.get(MULTIPROC_ENV)
    return PrometheusMiddleware(
        metrics_path=Path(folder) if folder else None,
        server_port=settings.worker_metrics_port,
        server_addr=settings.worker_metrics_host,
    )


def stop_children(deadline_seconds: float) -> int:
    """Wait for the worker processes to exit; kill those left at the deadline (or at a
    second SIGTERM/SIGINT). The number killed."""
    hurry = False

    def now_please(_signum: int, _frame: FrameType | None) -> None:
        nonlocal hurry
        hurry = True

    signal.signal(signal.SIGTERM, now_please)
    signal.signal(signal.SIGINT, now_please)
    deadline = time.monotonic() + deadline_seconds
    while multiprocessing.active_children() and not hurry and time.monotonic() < deadline:
        time.sleep(0.1)
    children = multiprocessing.active_children()
    for child in children:
        child.kill()
        child.join(timeout=5)
    return len(children)
