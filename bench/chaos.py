"""Chaos: an operator's bad day, repeated. Each experiment drafts a batch of jobs through
Slack while one fault strikes, then checks every job's outcome.

    .venv/bin/python bench/chaos.py                  # --trials 20, every experiment
    .venv/bin/python bench/chaos.py --only redis_restart,slack_429

It runs the real processes (`hirebot serve`, one `hirebot worker`) against a private Redis
and, as root, a private PostgreSQL cluster (otherwise a throw-away database on the local
server, and no PostgreSQL restart), with the fake Slack Web API and a fake OpenAI-compatible
model whose answers the experiments turn into 429s, 500s or hangs. A trial is one `/job new`
modal submitted, signed as Slack signs it; it is complete when its description is in its
thread (streamed and ended with its buttons, or posted whole). Per experiment it prints the
trials, those completed exactly once, lost (never posted, or the job still pending),
duplicated (posted more than once) and the 5xx answers of the server. The goal: 0 lost,
0 stuck, 0 duplicated.

Experiments: worker_sigkill (the worker killed mid-generation, another started),
redis_restart and postgres_restart (mid-batch, 5 s down), slack_500 and slack_429 (storms
on the posting calls), model_429, model_500 and model_hang (the model failing its first
calls).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from common import ROOT, bench_database, descriptions_by_title, migrate
from slack_ack import Connection, free_port, http_request, until_healthy

SECRET = "chaos-signing-secret"
EXPERIMENTS = (
    "worker_sigkill",
    "redis_restart",
    "postgres_restart",
    "slack_500",
    "slack_429",
    "model_429",
    "model_500",
    "model_hang",
)
# The model's worst case with these is 2 x (2 s x 2 attempts + 8 s backoff) = 24 s; a turn
# 6 x 12 = 72 s; plus 10 s: the redelivery window must be above 82 s.
WORKER_ENV = {
    "HIREBOT_LLM_TIMEOUT": "2",
    "HIREBOT_LLM_MAX_ATTEMPTS": "2",
    "HIREBOT_TASK_REDELIVERY_SECONDS": "85",
    "HIREBOT_WORKER_SHUTDOWN_GRACE": "5",
}


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated experiments")
    parser.add_argument("--settle", type=float, default=240.0, help="seconds to wait per batch")
    return parser.parse_args()


class Model:
    """What the fake model does next: answer, or fail the next `left` calls in one way."""

    def __init__(self) -> None:
        self.fault: str | None = None
        self.left = 0

    def fail(self, fault: str, calls: int) -> None:
        self.fault, self.left = fault, calls

    def reply(self, body: dict[str, Any]) -> Any:
        from tests.fakes.openai_server import Reply, rate_limited, server_error, slow

        if self.left > 0 and self.fault is not None:
            self.left -= 1
            if self.fault == "model_429":
                return rate_limited(1)
            if self.fault == "model_500":
                return server_error(500)
            return slow(30)  # a hang, past the client's timeout
        return slow(0.8, Reply())  # a plausible answer after a while


class Chaos:
    def __init__(self, args: argparse.Namespace, database_url: str) -> None:
        self.args, self.database_url = args, database_url
        self.port = free_port()
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.model = Model()
        self.results: list[dict[str, Any]] = []

    async def run(self) -> None:
        from tests.fakes.openai_server import FakeOpenAI
        from tests.fakes.services import PrivateRedis
        from tests.fakes.slack_api import FakeSlackAPI

        self.redis = PrivateRedis()
        self.redis.start()
        with (
            FakeSlackAPI(latency=0.02) as self.slack,
            FakeOpenAI(responder=self.model.reply) as self.fake_model,
        ):
            self.env = {
                **os.environ,
                **WORKER_ENV,
                "HIREBOT_DATABASE_URL": self.database_url,
                "HIREBOT_BROKER_URL": f"{self.redis.url}/0?queue=chaos",
                "HIREBOT_CACHE_URL": f"{self.redis.url}/1",
                "HIREBOT_LOG_LEVEL": "WARNING",
                "OPENAI_API_KEY": "chaos",
                "OPENAI_BASE_URL": self.fake_model.base_url,
                "HIREBOT_LLM_MODEL": "fake-model",
                "SLACK_BOT_TOKEN": "xoxb-chaos",
                "SLACK_SIGNING_SECRET": SECRET,
                "HIREBOT_SLACK_API_URL": self.slack.base_url,
            }
            await self.start("serve", ["serve", "--port", str(self.port)])
            await self.start("worker", ["worker"])
            await until_healthy(self.port)
            try:
                wanted = [e for e in EXPERIMENTS if not self.args.only or e in self.args.only]
                for name in wanted:
                    if name == "postgres_restart" and self.postgres is None:
                        print(f"{name:>18}: skipped (needs root for a private PostgreSQL)")
                        continue
                    await self.experiment(name)
            finally:
                for process in self.processes.values():
                    await stop(process)
                self.redis.stop()

    postgres: Any = None

    async def start(self, name: str, command: list[str]) -> None:
        hirebot = str(Path(sys.executable).with_name("hirebot"))
        self.processes[name] = await asyncio.create_subprocess_exec(
            hirebot, *command, cwd=ROOT, env=self.env, start_new_session=True
        )

    async def experiment(self, name: str) -> None:
        self.slack.reset()
        submissions = await self.submit(self.args.trials)
        fault: Callable[[], Awaitable[None]] = getattr(self, f"_{name}")
        started = time.monotonic()
        await fault()
        outcome = await self.settle(submissions, started)
        outcome["experiment"] = name
        self.results.append(outcome)
        print(
            f"{name:>18}: trials {outcome['trials']}, completed once {outcome['once']}, "
            f"lost {outcome['lost']}, stuck {outcome['stuck']}, duplicated "
            f"{outcome['duplicated']}, 5xx {outcome['5xx']}, {outcome['seconds']:.0f} s"
        )

    async def submit(self, count: int) -> list[dict[str, Any]]:
        from bot.blocks import ids
        from tests.fakes import slack_requests as signed

        batch = uuid.uuid4().hex[:6]
        made = []
        for number in range(count):
            title = f"Chaos {batch} {number}"
            payload = signed.view_submission_payload(
                ids.NEW_JOB_CALLBACK,
                new_job_state(title=title),
                private_metadata=json.dumps({"channel": "CCHAOS"}),
                user_id=f"UC{number:03d}",
                view_id=f"V{batch}{number:04d}",
            )
            made.append(
                {
                    "title": title,
                    "request": http_request(self.port, *signed.interactivity(SECRET, payload)),
                }
            )
        connections = [await Connection.open(self.port) for _ in made]
        answers = await asyncio.gather(
            *(c.post(m["request"]) for c, m in zip(connections, made, strict=True))
        )
        for connection in connections:
            connection.close()
        for submission, (_, status) in zip(made, answers, strict=True):
            submission["status"] = status
        return made

    async def settle(self, submissions: list[dict[str, Any]], started: float) -> dict[str, Any]:
        import asyncpg

        titles = {s["title"] for s in submissions}
        deadline = time.monotonic() + self.args.settle
        while True:
            posted = self.descriptions_by_title(titles)
            done = sum(1 for t in titles if posted.get(t, 0) >= 1)
            if done == len(titles) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(3.0)  # late duplicates would arrive now
        posted = self.descriptions_by_title(titles)
        connection = await asyncpg.connect(self.database_url.replace("postgresql+", "postgresql"))
        try:
            rows = await connection.fetch(
                "SELECT title, description_status FROM job WHERE title = ANY($1)", list(titles)
            )
        finally:
            await connection.close()
        statuses = {row["title"]: row["description_status"] for row in rows}
        return {
            "trials": len(titles),
            "once": sum(1 for t in titles if posted.get(t, 0) == 1),
            "lost": sum(1 for t in titles if posted.get(t, 0) == 0),
            "stuck": sum(1 for t in titles if statuses.get(t) == "pending"),
            "duplicated": sum(1 for t in titles if posted.get(t, 0) > 1),
            "5xx": sum(1 for s in submissions if s["status"] >= 500),
            "seconds": time.monotonic() - started,
        }

    def descriptions_by_title(self, titles: set[str]) -> dict[str, int]:
        return descriptions_by_title(self.slack.calls(), titles)

    # Faults --------------------------------------------------------------------------------

    async def _worker_sigkill(self) -> None:
        await self.until(lambda: len(self.fake_model.requests) > 0)
        os.killpg(self.processes["worker"].pid, signal.SIGKILL)
        await self.processes["worker"].wait()
        await self.start("worker", ["worker"])

    async def _redis_restart(self) -> None:
        await asyncio.sleep(0.5)
        self.redis.stop()
        await asyncio.sleep(5)
        self.redis.start()

    async def _postgres_restart(self) -> None:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(self.postgres.restart)

    async def _slack_500(self) -> None:
        self.slack.server_error_next("chat.postMessage", times=10)
        self.slack.server_error_next("chat.update", times=10)

    async def _slack_429(self) -> None:
        self.slack.rate_limit_next("chat.postMessage", retry_after=2, times=12)

    async def _model_429(self) -> None:
        self.model.fail("model_429", 10)

    async def _model_500(self) -> None:
        self.model.fail("model_500", 10)

    async def _model_hang(self) -> None:
        self.model.fail("model_hang", 6)

    async def until(self, condition: Callable[[], bool], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(0.05)


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        os.killpg(process.pid, signal.SIGKILL)


def new_job_state(title: str) -> dict[str, Any]:
    """A new-job modal's state, as Slack sends it back."""
    from bot.blocks import ids
    from tests.fakes.slack_requests import number_state, select_state, text_state

    return {
        ids.JOB_TITLE_BLOCK: {ids.JOB_TITLE_ACTION: text_state(title)},
        ids.JOB_SKILLS_BLOCK: {ids.JOB_SKILLS_ACTION: text_state("Python, PostgreSQL")},
        ids.JOB_EMPLOYMENT_BLOCK: {ids.JOB_EMPLOYMENT_ACTION: select_state("Full-time")},
        ids.JOB_MIN_EXPERIENCE_BLOCK: {ids.JOB_MIN_EXPERIENCE_ACTION: number_state(2)},
        ids.JOB_MAX_EXPERIENCE_BLOCK: {ids.JOB_MAX_EXPERIENCE_ACTION: number_state(5)},
        ids.JOB_LOCATION_BLOCK: {ids.JOB_LOCATION_ACTION: text_state("Lisbon")},
        ids.JOB_NOTES_BLOCK: {ids.JOB_NOTES_ACTION: text_state(None)},
    }


def main() -> int:
    args = options()
    from tests.fakes.services import PrivatePostgres

    postgres = None
    if os.geteuid() == 0 and Path("/usr/lib/postgresql").exists():
        postgres = PrivatePostgres()
        postgres.start()
        database_url = postgres.url
        migrate(database_url)
        try:
            chaos = Chaos(args, database_url)
            chaos.postgres = postgres
            asyncio.run(chaos.run())
        finally:
            postgres.stop()
    else:
        with bench_database(None) as database_url:
            migrate(database_url)
            chaos = Chaos(args, database_url)
            asyncio.run(chaos.run())
    bad = [r for r in chaos.results if r["lost"] or r["stuck"] or r["duplicated"] or r["5xx"]]
    print("all experiments: 0 lost, 0 stuck, 0 duplicated" if not bad else f"{len(bad)} failing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
