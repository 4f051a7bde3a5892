"""Descriptions written live: how soon the model's first words reach the Slack thread.

Target (issue 12): the first streamed words are in the thread within 1.5 s of the model's
first token, at p95.

    .venv/bin/python bench/streaming.py          # --jobs 30 --at-once 10

It runs the real processes (`hirebot serve`, one `hirebot worker`, Redis between them)
against a throw-away PostgreSQL database (or --database-url), the fake Slack Web API and a
fake OpenAI-compatible model that streams each description in 12-character pieces. A job
is one `/job new` modal submitted, signed as Slack signs it, --at-once of them together.
The fake model notes when it writes a description's first piece; the fake Slack notes when
the first text of that job arrives in its thread: `chat.startStream` with the first words,
or, in the second round where Slack refuses streams, the message posted in the thread
(then updated every ~2 s). The lag between the two is reported, as is the time until the
stream ends with its buttons.
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
from pathlib import Path
from typing import Any

from common import DESCRIPTION as DESCRIPTION_PREFIX
from common import (
    ROOT,
    bench_database,
    delete_queue,
    descriptions_by_title,
    migrate,
    thread_roots,
)
from conversation import summary
from slack_ack import Connection, free_port, http_request, until_healthy

SECRET = "bench-signing-secret"
TARGET_SECONDS = 1.5
DESCRIPTION = (
    "## About the role\n\nYou will join a small platform team that builds the services "
    "behind our product, and help decide what to build next.\n\n## What you will do\n\n"
    "- Design, build and run services in Python.\n- Review your colleagues' changes with "
    "care.\n- Improve how we observe our systems.\n\n## What we are looking for\n\n- Two "
    "or more years of experience building backend services.\n- Good knowledge of "
    "PostgreSQL.\n- Clear writing.\n\n## What we offer\n\nA salary range in the advert, "
    "flexible hours and a learning budget.\n"
)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=30, help="per round")
    parser.add_argument("--at-once", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.5, help="model's first token, s")
    parser.add_argument("--piece-delay", type=float, default=0.03, help="between pieces, s")
    parser.add_argument("--slack-latency", type=float, default=0.05, help="fake Slack, s")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--database-url", default=None)
    return parser.parse_args()


def main() -> int:
    from common import reachable

    args = options()
    if not reachable(args.redis):
        print(f"error: no Redis at {args.redis} (the worker needs it)", file=sys.stderr)
        return 2
    with bench_database(args.database_url) as database_url:
        migrate(database_url)
        figures = asyncio.run(run(args, database_url))
    for name, value in figures.items():
        print(f"{name:>40}: {value}")
    return 0


async def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    from tests.fakes.openai_server import FakeOpenAI, Reply, streamed
    from tests.fakes.slack_api import FakeSlackAPI

    def reply(body: dict[str, Any]) -> Reply:
        """The description streamed; the JSON conversion that follows, plausible."""
        return streamed(DESCRIPTION, args.piece_delay) if body.get("stream") else Reply()

    queue = f"hirebot-bench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    with (
        FakeSlackAPI(latency=args.slack_latency) as slack,
        FakeOpenAI(latency=args.latency, responder=reply) as model,
    ):
        env = {
            **os.environ,
            "HIREBOT_DATABASE_URL": database_url,
            "HIREBOT_BROKER_URL": f"{args.redis}?queue={queue}",
            "HIREBOT_LOG_LEVEL": "WARNING",
            "OPENAI_API_KEY": "bench",
            "OPENAI_BASE_URL": model.base_url,
            "HIREBOT_LLM_MODEL": "fake-model",
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SECRET,
            "HIREBOT_SLACK_API_URL": slack.base_url,
        }
        hirebot = str(Path(sys.executable).with_name("hirebot"))
        processes = [
            await asyncio.create_subprocess_exec(
                hirebot, *command, cwd=ROOT, env=env, start_new_session=True
            )
            for command in (["serve", "--port", str(port)], ["worker"])
        ]
        figures: dict[str, Any] = {}
        try:
            await until_healthy(port)
            await draft(port, slack, model, "Warm-up", 1, 1)  # not measured
            for name, refused in (("streamed", False), ("streams refused", True)):
                slack.reset()
                model.first_text_at.clear()
                if refused:
                    refuse = {"ok": False, "error": "not_allowed_token_type"}
                    slack.set_response("chat.startStream", refuse)
                lags, ends = await draft(port, slack, model, name, args.jobs, args.at_once)
                figures[f"{name}: jobs written"] = f"{len(ends)} of {args.jobs}"
                figures[f"{name}: first words in the thread"] = summary(lags)
                figures[f"{name}: within {TARGET_SECONDS} s"] = (
                    f"{sum(1 for lag in lags if lag <= TARGET_SECONDS)} of {len(lags)}"
                )
                figures[f"{name}: first token to the end"] = summary(ends)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    await asyncio.wait_for(process.wait(), 40)
                except TimeoutError:
                    process.kill()
            await delete_queue(args.redis, queue)
    figures["model: first token after (s)"] = args.latency
    figures["model: description length (chars)"] = len(DESCRIPTION)
    figures["database"] = database_url.split(":", 1)[0]
    return figures


async def draft(
    port: int, slack: Any, model: Any, batch: str, jobs: int, at_once: int
) -> tuple[list[float], list[float]]:
    """Draft `jobs` jobs, `at_once` at a time; per job, the lag from the model's first
    piece to the first text in its thread, and to the description's end there."""
    from chaos import new_job_state

    from bot.blocks import ids
    from tests.fakes import slack_requests as signed

    tag = f"{batch.split()[0].title()} {uuid.uuid4().hex[:4]}"
    titles = [f"{tag} {number:03d}" for number in range(jobs)]
    for start in range(0, jobs, at_once):
        group = titles[start : start + at_once]
        requests = [
            http_request(
                port,
                *signed.interactivity(
                    SECRET,
                    signed.view_submission_payload(
                        ids.NEW_JOB_CALLBACK,
                        new_job_state(title),
                        private_metadata=json.dumps({"channel": "CSTREAM"}),
                        user_id=f"US{start + offset:03d}",
                        view_id=f"VS{uuid.uuid4().hex[:8]}",
                    ),
                ),
            )
            for offset, title in enumerate(group)
        ]
        connections = [await Connection.open(port) for _ in requests]
        await asyncio.gather(*(c.post(r) for c, r in zip(connections, requests, strict=True)))
        for connection in connections:
            connection.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = descriptions_by_title(slack.calls(), set(group))
            if len(done) == len(group):
                break
            await asyncio.sleep(0.2)
    return lags_of(slack.calls(), model.first_text_at, set(titles))


def lags_of(
    calls: list[Any], first_text_at: list[tuple[Any, float]], titles: set[str]
) -> tuple[list[float], list[float]]:
    roots = thread_roots(calls, titles)
    token_at: dict[str, float] = {}
    for received, at in first_text_at:
        for title in titles:
            if title in received.user_text:
                token_at.setdefault(title, at)
    first_words: dict[str, float] = {}
    messages: dict[str, str] = {}  # streams, and messages updated where streams are refused
    ended: dict[str, float] = {}
    for call in calls:
        if not call.ok:
            continue
        title = roots.get(str(call.params.get("thread_ts")))
        text = str(call.params.get("text", ""))
        if call.method in ("chat.startStream", "chat.postMessage") and title is not None:
            messages[str(call.response.get("ts"))] = title
            first_words.setdefault(title, call.at)
            if text.startswith(DESCRIPTION_PREFIX):  # posted whole
                ended.setdefault(title, call.at)
        elif call.method in ("chat.stopStream", "chat.update"):
            title = messages.get(str(call.params.get("ts")))
            ends_it = call.method == "chat.stopStream" or text.startswith(DESCRIPTION_PREFIX)
            if title is not None and ends_it:
                ended.setdefault(title, call.at)
    lags = [first_words[t] - token_at[t] for t in titles if t in first_words and t in token_at]
    ends = [ended[t] - token_at[t] for t in titles if t in ended and t in token_at]
    return lags, ends


if __name__ == "__main__":
    sys.exit(main())
