"""The broker, built from the settings it is given; worker resources live in its state.

- `memory://`: taskiq's in-memory broker; tasks run inside the process that started it
  (`hirebot serve`, `hirebot bot --socket`), the embedded default.
- `redis://host:port/db[?queue=NAME]`: a Redis stream (acknowledged after the task ran, so
  a task whose worker died is delivered again after HIREBOT_TASK_REDELIVERY_SECONDS) and a
  Redis result backend. `queue` names the stream and consumer group (default `hirebot`).
- `nats://host:port[?queue=NAME]`: NATS JetStream (`pip install taskiq-nats`).
- `amqp://user:pass@host:port/[?results=redis://...]`: RabbitMQ (`pip install taskiq-aio-pika`);
  RabbitMQ keeps no results, so the API's waits need `results=` pointing at a Redis.

Tasks are declared once on taskiq's shared broker (`workers.tasks`, `bot.tasks`) and sent
through whichever broker `activate` made the process's own. Resources that tasks need
(settings, the database pool, the LLM gateway) open on WORKER_STARTUP into `broker.state`
and reach the tasks through `TaskiqDepends` (`settings_of`, `gateway_of`, `broker_of`),
which tests replace with `dependency_overrides`.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker, Context, InMemoryBroker, TaskiqDepends, TaskiqState
from taskiq.brokers.shared_broker import async_shared_broker
from taskiq.events import TaskiqEvents
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from models.settings import Settings, SettingsError
from workers.llm import LLMGateway, build_gateway
from workers.logs import TaskContextMiddleware, configure_logging
from workers.resources import close_resources, open_resources
from workers.retry import RetryMiddleware

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "hirebot"
RESULT_TTL_SECONDS = 86_400
"""Task results (what `workers.queue.wait` reads) stay in Redis this long."""

shared = async_shared_broker
"""Where tasks are declared: `shared.register_task(function, task_name=...)`."""


# Brokers ---------------------------------------------------------------------------------


class RecoveringStreamBroker(RedisStreamBroker):
    """taskiq-redis's stream broker, reclaiming abandoned messages even when the stream is
    idle, and riding out a Redis restart.

    taskiq-redis 1.2 runs XAUTOCLAIM only after a read that returned new messages, so the
    task of a dead worker waits for the next new task. XAUTOCLAIM claims each message for
    exactly one consumer, so no lock is needed around it. When Redis goes away the worker
    waits and reads again; when it comes back without its data, the consumer group is
    created again at the start of the stream.
    """

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        failures = 0
        while True:
            try:
                async for message in self._read():
                    failures = 0
                    yield message
            except (RedisConnectionError, RedisTimeoutError, OSError) as error:
                # Redis restarting: keep the worker alive and read again once it is back.
                failures += 1
                log.warning("Redis unavailable (%r); reading again shortly", error)
                await asyncio.sleep(min(0.5 * 2**failures, 10.0))
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                # Redis came back without its data: the stream and group are new, from 0.
                log.warning("the consumer group is gone; creating it again")
                await self._declare_group()

    async def _declare_group(self) -> None:
        async with Redis(connection_pool=self.connection_pool) as redis:
            try:
                await redis.xgroup_create(
                    self.queue_name, self.consumer_group_name, id="0", mkstream=True
                )
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    async def _read(self) -> AsyncGenerator[AckableMessage, None]:
        async with Redis(connection_pool=self.connection_pool) as redis:
            while True:
                fetched: Any = await redis.xreadgroup(
                    self.consumer_group_name,
                    self.consumer_name,
                    {self.queue_name: ">"},
                    block=self.block,
                    noack=False,
                    count=self.count,
                )
                for stream, messages in fetched or []:
                    for message_id, fields in messages:
                        yield self._message(stream, message_id, fields)
                claimed: Any = await redis.xautoclaim(
                    name=self.queue_name,
                    groupname=self.consumer_group_name,
                    consumername=self.consumer_name,
                    min_idle_time=self.idle_timeout,
                    count=self.unacknowledged_batch_size,
                )
                for message_id, fields in claimed[1]:
                    if fields:  # a message trimmed from the stream has no fields left
                        log.warning("redelivering unacknowledged message %s", message_id)
                        yield self._message(self.queue_name, message_id, fields)

    closing = False
    """Set when the broker shuts down: tasks still running then were abandoned."""

    async def shutdown(self) -> None:
        self.closing = True
        await super().shutdown()

    def _ack_generator(self, id: str, queue_name: str) -> Callable[[], Awaitable[None]]:
        ack = super()._ack_generator(id=id, queue_name=queue_name)

        async def ack_unless_abandoned() -> None:
            # A task cut off by shutdown past the grace period did not finish: leave its
            # message pending, so that another worker runs it again.
            if self.closing:
                log.warning("message %s left unacknowledged for redelivery", id)
                return
            await ack()

        return ack_unless_abandoned

    def _message(self, stream: Any, message_id: Any, fields: Any) -> AckableMessage:
        name = stream.decode() if isinstance(stream, bytes) else str(stream)
        return AckableMessage(
            data=fields[b"data"], ack=self._ack_generator(id=message_id, queue_name=name)
        )


def _split_url(url: str) -> tuple[str, dict[str, str]]:
    """The URL without Hirebot's own query parameters (`queue`, `results`), and those."""
    base, _, query_text = url.partition("?")
    query = dict(parse_qsl(query_text))
    ours: dict[str, str] = {k: query.pop(k) for k in ("queue", "results") if k in query}
    return (f"{base}?{urlencode(query)}" if query else base), ours


def _optional(module: str, package: str, scheme: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise SettingsError(
            f"HIREBOT_BROKER_URL={scheme}:// needs the {package} package: "
            f"pip install {package} (or pip install 'hirebot[{scheme}]')"
        ) from None


def redis_options() -> dict[str, Any]:
    """Connections that notice a restarted Redis: checked when idle, re-established and the
    command tried again (a few times, backing off) after a dropped connection."""
    return {
        "health_check_interval": 10,
        "socket_connect_timeout": 2,
        "socket_keepalive": True,
        "retry": Retry(ExponentialBackoff(cap=2.0, base=0.1), 3),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError, ConnectionError],
    }


def _transport(settings: Settings) -> AsyncBroker:
    url, params = _split_url(settings.broker_url)
    queue = params.get("queue", DEFAULT_QUEUE)
    if url.startswith("memory://"):
        # Results are kept for `queue.wait`; the API waits on a few at a time.
        return InMemoryBroker(max_stored_results=1000, max_async_tasks=200)
    if url.startswith(("redis://", "rediss://")):
        return RecoveringStreamBroker(
            url,
            queue_name=queue,
            consumer_group_name=queue,
            # From the stream's start: messages queued before any worker ran are read too.
            consumer_id="0",
            idle_timeout=settings.task_redelivery_seconds * 1000,
            xread_block=2000,
            xread_count=10,
            **redis_options(),
        ).with_result_backend(
            RedisAsyncResultBackend(
                url, result_ex_time=RESULT_TTL_SECONDS, prefix_str=queue, **redis_options()
            )
        )
    if url.startswith("nats://"):
        nats = _optional("taskiq_nats", "taskiq-nats", "nats")
        return nats.PullBasedJetStreamBroker(  # type: ignore[no-any-return]
            servers=url, queue=queue
        ).with_result_backend(nats.NATSObjectStoreResultBackend(servers=url))
    if url.startswith("amqp://"):
        pika = _optional("taskiq_aio_pika", "taskiq-aio-pika", "amqp")
        amqp: AsyncBroker = pika.AioPikaBroker(url=url)
        if "results" in params:
            amqp = amqp.with_result_backend(
                RedisAsyncResultBackend(params["results"], result_ex_time=RESULT_TTL_SECONDS)
            )
        else:
            log.warning("amqp:// without ?results=redis://...: nothing can wait for a result")
        return amqp
    raise SettingsError("HIREBOT_BROKER_URL must be memory://, redis://, nats:// or amqp://")


def build_broker(settings: Settings) -> AsyncBroker:
    """The broker for `settings.broker_url`, opening the worker resources when it starts
    running tasks (a worker process, or any process with memory://)."""
    broker = _transport(settings).with_middlewares(RetryMiddleware(), TaskContextMiddleware())
    broker.state.settings = settings
    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, _open_worker_resources)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, _close_worker_resources)
    return broker


def activate(broker: AsyncBroker) -> AsyncBroker:
    """Make `broker` the one this process sends tasks through."""
    shared.default_broker(broker)
    return broker


def active_broker() -> AsyncBroker:
    """The broker this process sends tasks through (`activate`d at start-up)."""
    broker = getattr(shared, "_default_broker", None)
    if broker is None:
        raise RuntimeError("no broker is active in this process (open the resources first)")
    return broker  # type: ignore[no-any-return]


async def broker_answers(broker: AsyncBroker | None, seconds: float) -> bool:
    """Whether the broker can take work now (a Redis broker answers PING)."""
    if broker is None:
        return False
    if isinstance(broker, RedisStreamBroker):
        try:
            async with Redis(connection_pool=broker.connection_pool) as redis:
                await asyncio.wait_for(redis.ping(), seconds)
        except Exception:
            return False
    return True


def is_in_memory(target: AsyncBroker) -> bool:
    return isinstance(target, InMemoryBroker)


# Worker resources --------------------------------------------------------------------------


async def _open_worker_resources(state: TaskiqState) -> None:
    from workers.relay import start_relay
    from workers.webhooks import start_webhook_sender

    settings: Settings = state.settings
    if active_broker().is_worker_process:  # `hirebot worker`: its lines, in the format set
        configure_logging(settings, replace=True)
    await open_resources(settings)
    state.gateway = build_gateway(settings)
    await start_relay(active_broker(), settings)
    await start_webhook_sender(settings)
    log.info("worker resources open (LLM: %s)", state.gateway.name)


async def _close_worker_resources(state: TaskiqState) -> None:
    from workers.relay import stop_relay
    from workers.webhooks import stop_webhook_sender

    await stop_webhook_sender()
    await stop_relay()
    await cancel_abandoned_tasks()
    gateway: LLMGateway | None = state.get("gateway")
    if gateway is not None:
        await gateway.aclose()
        del state.gateway
    await close_resources()


async def cancel_abandoned_tasks(wait_seconds: float = 2.0) -> None:
    """Cancel the tasks still running after the grace period, before their resources close.

    Otherwise they would go on against a closed model client and pool and could record a
    failure that is not theirs. Their messages stay unacknowledged (see
    `RecoveringStreamBroker`), so another worker runs them again. taskiq runs each message
    in a task of `Receiver.callback`; only those are cancelled.
    """
    abandoned = [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") == "Receiver.callback"
    ]
    for task in abandoned:
        task.cancel()
    if abandoned:
        log.warning("cancelled %d task(s) still running at shutdown", len(abandoned))
        await asyncio.wait(abandoned, timeout=wait_seconds)


# Dependencies for tasks --------------------------------------------------------------------


def settings_of(state: Annotated[TaskiqState, TaskiqDepends()]) -> Settings:
    return state.settings  # type: ignore[no-any-return]


def gateway_of(state: Annotated[TaskiqState, TaskiqDepends()]) -> LLMGateway:
    return state.gateway  # type: ignore[no-any-return]


def broker_of(context: Annotated[Context, TaskiqDepends()]) -> AsyncBroker:
    """The broker that delivered the running task (to queue follow-up tasks on it)."""
    return context.broker
