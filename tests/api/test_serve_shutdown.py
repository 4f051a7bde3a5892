"""`hirebot serve` on SIGTERM: the request in flight finishes, new ones are refused, the
process exits cleanly within HIREBOT_SERVE_SHUTDOWN_GRACE."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from models.enums import Role
from tests import factories
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
SPEC = {
    "job_title": "Backend Engineer",
    "must_have_skills": "Python, PostgreSQL",
    "employment_type": "Full-time",
    "min_experience": 2,
    "max_experience": 5,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_sigterm_lets_the_request_in_flight_finish(db: None, tmp_path: Path) -> None:
    actor = await factories.user(await factories.org(), Role.EDITOR)
    headers = await factories.headers(actor)
    port = free_port()
    with FakeOpenAI(latency=1.5) as model:
        env = {
            **os.environ,  # HIREBOT_DATABASE_URL: the test database (migrated)
            "HIREBOT_PORT": str(port),
            "HIREBOT_BROKER_URL": "memory://",
            "HIREBOT_CACHE_URL": "memory://",
            "OPENAI_API_KEY": "test",
            "OPENAI_BASE_URL": model.base_url,
            "HIREBOT_LLM_MAX_ATTEMPTS": "1",
            "HIREBOT_SERVE_SHUTDOWN_GRACE": "20",
        }
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            server = subprocess.Popen(  # noqa: ASYNC220 - a server to signal, not to wait on
                [sys.executable, "-m", "api.cli", "serve"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=out,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    try:
                        if (await client.get("/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
                in_flight = asyncio.create_task(
                    client.post("/api/jobs/generate-job-description/", json=SPEC, headers=headers)
                )
                for _ in range(200):  # until the model is writing: the request is in flight
                    if model.requests or in_flight.done():
                        break
                    await asyncio.sleep(0.05)
                assert model.requests and not in_flight.done(), await in_flight
                server.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.3)
                async with httpx.AsyncClient(base_url=base, timeout=2) as newcomer:
                    with pytest.raises(httpx.TransportError):
                        await newcomer.get("/health")  # no new connections meanwhile
                answer = await in_flight
            assert answer.status_code == 200, answer.text
            assert answer.json()["job"]["description_status"] == "ready"
            # uvicorn shuts down cleanly, then exits by the signal it was sent (as is usual).
            assert server.wait(timeout=20) in (0, -signal.SIGTERM)
            assert "Application shutdown complete" in log.read_text()
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
            print(log.read_text()[-3000:])
