"""Conversations at once: 50 users write to Hirebot's DM together.

Targets (issue 10): against a fake model that answers each call after 1 s, 50
conversations started at once (each one tool round and an answer) all answered in under
5 s by one worker process; every event acknowledged in under 100 ms p99; the first visible
sign of progress in the thread within 1.5 s p95.

    .venv/bin/python bench/conversation.py          # --conversations 50 --latency 1.0

It needs Redis (the broker between `hirebot serve` and one `hirebot worker`) and uses a
throw-away PostgreSQL database (or --database-url). The fake Slack Web API records every
call with its arrival time; the fake OpenAI-compatible server answers a user's message with
a `list_jobs` tool call and the tool's result with a streamed sentence, each after the
latency. Times are from the event written to: its acknowledgement read, the first status
line (`assistant.threads.setStatus`) or placeholder in its thread, and the end of its
streamed answer (`chat.stopStream`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from common import ROOT, bench_database, delete_queue, migrate, reachable
from slack_ack import Connection, free_port, http_request, until_healthy

SECRET = "bench-signing-secret"


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--latency", type=float, default=1.0, help="fake model, seconds")
    parser.add_argument("--slack-latency", type=float, default=0.05, help="fake Slack, s")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--database-url", default=None)
    return parser.parse_args()


def main() -> int:
    args = options()
    if not reachable(args.redis):
        print(f"error: no Redis at {args.redis} (the worker needs it)", file=sys.stderr)
        return 2
    with bench_database(args.database_url) as database_url:
        migrate(database_url)
        figures = asyncio.run(run(args, database_url))
    for name, value in figures.items():
        print(f"{name:>34}: {value}")
    return 0


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(samples: list[float]) -> str:
    if not samples:
        return "none"
    ms = [value * 1000 for value in (statistics.median(samples), percentile(samples, 0.95))]
    tail = [value * 1000 for value in (percentile(samples, 0.99), max(samples))]
    return f"p50 {ms[0]:.0f} ms · p95 {ms[1]:.0f} ms · p99 {tail[0]:.0f} ms · max {tail[1]:.0f} ms"


def reply_for(body: dict[str, Any]) -> Any:
    """One tool round, then the answer."""
    from tests.fakes.openai_server import streamed, tool_call

    last = body["messages"][-1]
    if last["role"] == "tool":
        return streamed("You have no jobs yet; say “new job <title>” to draft one.", 0.05)
    return tool_call("list_jobs", status=None, title=None)


async def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    from tests.fakes.openai_server import FakeOpenAI
    from tests.fakes.slack_api import FakeSlackAPI

    queue = f"hirebot-bench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    with (
        FakeSlackAPI(latency=args.slack_latency) as slack,
        FakeOpenAI(latency=args.latency, responder=reply_for) as model,
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
        try:
            await until_healthy(port)
            figures = await converse(args, port, slack)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    await asyncio.wait_for(process.wait(), 40)
                except TimeoutError:
                    process.kill()
            await delete_queue(args.redis, queue)
    figures["database"] = database_url.split(":", 1)[0]
    return figures


async def converse(args: argparse.Namespace, port: int, slack: Any) -> dict[str, Any]:
    from tests.fakes import slack_requests as signed

    count = args.conversations
    users = [f"UB{n:04d}" for n in range(count)]
    # Warm up: one conversation (the first user becomes the Admin), not measured.
    warm = await Connection.open(port)
    body, headers = signed.event(
        SECRET, signed.message_event("my jobs", "UWARM", "DWARM", channel_type="im")
    )
    await warm.post(http_request(port, body, headers))
    slack.wait_for("chat.stopStream", 1, timeout=30)
    slack.reset()

    events = [
        signed.message_event("my jobs", user, f"D{user}", channel_type="im") for user in users
    ]
    requests = [http_request(port, *signed.event(SECRET, event)) for event in events]
    connections = [await Connection.open(port) for _ in users]
    sent_at: list[float] = [0.0] * count

    async def send(index: int) -> tuple[float, int]:
        sent_at[index] = time.monotonic()
        return await connections[index].post(requests[index])

    acks = await asyncio.gather(*(send(i) for i in range(count)))
    started = min(sent_at)
    slack.wait_for("chat.stopStream", count, timeout=60)
    for connection in [*connections, warm]:
        connection.close()

    by_thread = {event["ts"]: i for i, event in enumerate(events)}
    progress: dict[int, float] = {}
    answered: dict[int, float] = {}
    stream_ts: dict[str, int] = {}
    for call in slack.calls():
        if call.method == "assistant.threads.setStatus":
            index = by_thread.get(str(call.params.get("thread_ts")))
            if index is not None:
                progress.setdefault(index, call.at - sent_at[index])
        elif call.method == "chat.startStream":
            index = by_thread.get(str(call.params.get("thread_ts")))
            if index is not None:
                stream_ts[str(call.response.get("ts"))] = index
        elif call.method == "chat.stopStream":
            index = stream_ts.get(str(call.params.get("ts")))
            if index is not None:
                answered[index] = call.at - sent_at[index]
    last_answer = max(started + answered[i] for i in answered) if answered else float("nan")
    return {
        "conversations": count,
        "answered": len(answered),
        "acks (send to response)": summary([a for a, _ in acks]),
        "non-200 acks": sum(1 for _, status in acks if status != 200),
        "first progress in the thread": summary(list(progress.values())),
        "answer complete": summary(list(answered.values())),
        "all answered after (s)": round(last_answer - started, 2),
        "model latency (s)": args.latency,
    }


if __name__ == "__main__":
    sys.exit(main())
