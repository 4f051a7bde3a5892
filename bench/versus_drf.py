"""Hirebot and the Django REST framework twin, side by side on the same PostgreSQL, interleaved.

    DRF_TWIN_DIR=/path/to/drf_twin DRF_TWIN_BENCH_JSON=/path/to/drf_twin_bench.json \\
        .venv/bin/python bench/versus_drf.py [--duration 10] [--alone 5] [--connections 32]
                                             [--only list,names,stages,mixed]

Needs Hirebot's data (bench/load_data.py, tokens in bench/results/tokens.json) and the twin's
(its `setup.sh`; it writes the ids and tokens file that DRF_TWIN_BENCH_JSON or
`--drf-json` names). The twin lives outside this repository: its folder comes from
DRF_TWIN_DIR or `--drf-dir`, its database from DRF_TWIN_DB_URL or `--drf-db`.

It starts the twin (`serve.sh`: gunicorn, 2 workers) and Hirebot twice (2 uvicorn workers
each): with the list cache off (`HIREBOT_CACHE_TTL=off`) and on (the default). For each of
`list/` (an Editor), `job-names-list/` (an Admin) and `stage-filters/` (the job with 100,000
applications) it runs wrk on the twin, then Hirebot without and with the cache, at
`--connections` and then alone, and prints requests/s, latencies and the ratios to DRF.

The mixed round: `--connections` connections read `list/` and `job-names-list/` (each its
own user of 20 of an organization, alternating) while one job of the organization changes
every second (Hirebot: `PATCH /api/jobs/{id}`; the twin has no write endpoint for jobs, so
its row is updated in SQL, which it reads uncached). Every read whose body holds the
changing job must show a version at least as new as the last change committed before the
read started; the count of stale reads is printed (it must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import ROOT
from load import RESULTS, Measure, run_wrk

HIREBOT_OFF, HIREBOT_ON, DRF_PORT = 8771, 8772, 8001
MIXED_USERS = 20


@dataclass
class Side:
    name: str
    base: str
    scheme: str  # Authorization scheme: Bearer (Hirebot) or Token (DRF)
    tokens: dict[str, str]
    paths: dict[str, str]


def wait_for(url: str, timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def running(command: list[str], env: dict[str, str], cwd: Path, url: str) -> Any:
    process = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True)
    try:
        wait_for(url)
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def hirebot_command(port: int) -> list[str]:
    return [
        str(ROOT / ".venv/bin/uvicorn"),
        "api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def hirebot_env(database_url: str, ttl: str) -> dict[str, str]:
    return {
        **os.environ,
        "HIREBOT_DATABASE_URL": database_url,
        "HIREBOT_CACHE_URL": "memory://",
        "HIREBOT_CACHE_TTL": ttl,
        "HIREBOT_BROKER_URL": "memory://",
        "HIREBOT_LOG_LEVEL": "WARNING",
    }


async def hirebot_tokens(database_url: str, user_ids: list[int]) -> dict[int, str]:
    """A fresh API token for each of `user_ids` (inserted as `hirebot token create` would)."""
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        tokens = {}
        for user_id in user_ids:
            token = "hb_" + secrets.token_urlsafe(32)
            await connection.execute(
                'INSERT INTO api_token ("user", name, prefix, token_hash, created_at) '
                "VALUES ($1, 'versus-drf', $2, $3, now())",
                user_id,
                token[:10],
                hashlib.sha256(token.encode()).hexdigest(),
            )
            tokens[user_id] = token
        return tokens
    finally:
        await connection.close()


async def drf_tokens(drf_db: str, user_ids: list[int]) -> dict[int, str]:
    """A DRF token for each of `user_ids` (the twin's loader creates only three)."""
    import asyncpg

    connection = await asyncpg.connect(drf_db)
    try:
        rows = await connection.fetch(
            "SELECT user_id, key FROM authtoken_token WHERE user_id = ANY($1)", user_ids
        )
        tokens = {row["user_id"]: row["key"] for row in rows}
        for user_id in user_ids:
            if user_id not in tokens:
                key = secrets.token_hex(20)
                await connection.execute(
                    "INSERT INTO authtoken_token (key, user_id, created) VALUES ($1, $2, now())",
                    key,
                    user_id,
                )
                tokens[user_id] = key
        return tokens
    finally:
        await connection.close()


# Mixed reads and writes ------------------------------------------------------------------


@dataclass
class Mixed:
    requests_per_second: float
    reads: int
    errors: int
    changes: int
    checked: int  # reads whose body held the changing job
    stale: int


async def mixed(
    base: str,
    scheme: str,
    users: list[str],
    connections: int,
    seconds: int,
    change: Any,
    marker: str,
) -> Mixed:
    """Reads of `list/` and `job-names-list/` by `users` on `connections` connections while
    `change(version)` commits version 1, 2, ... of the changing job, one a second."""
    import aiohttp

    pattern = re.compile(rf'"title":\s*"{re.escape(marker)} v(\d+)"'.encode())
    committed = 0  # the newest version committed (its change returned)
    reads = errors = checked = stale = 0
    stop = time.monotonic() + seconds

    async def writer() -> int:
        nonlocal committed
        version = 0
        while time.monotonic() < stop - 0.5:
            started = time.monotonic()
            version += 1
            await change(version)
            committed = version
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        return version

    async def reader(n: int, session: aiohttp.ClientSession) -> None:
        nonlocal reads, errors, checked, stale
        headers = {"Authorization": f"{scheme} {users[n % len(users)]}"}
        paths = ("/api/jobs/list/", "/api/jobs/job-names-list/")
        k = n
        while time.monotonic() < stop:
            k += 1
            before = committed
            async with session.get(base + paths[k % 2], headers=headers) as response:
                body = await response.read()
            reads += 1
            if response.status != 200:
                errors += 1
                continue
            found = pattern.search(body)
            if found is not None:
                checked += 1
                if int(found.group(1)) < before:
                    stale += 1

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        await change(0)
        began = time.monotonic()
        results = await asyncio.gather(writer(), *(reader(n, session) for n in range(connections)))
        elapsed = time.monotonic() - began
    return Mixed(reads / elapsed, reads, errors, int(results[0]), checked, stale)


# Main ----------------------------------------------------------------------------------------


def line(label: str, measure: Measure, drf: Measure | None) -> str:
    ratio = f"  {measure.requests_per_second / drf.requests_per_second:6.1f}x DRF" if drf else ""
    return (
        f"    {label:<16} {measure.requests_per_second:8.0f} req/s  p50 {measure.p50_ms:7.2f} "
        f"p99 {measure.p99_ms:7.2f} ms  errors {measure.errors}{ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drf-dir", default=os.environ.get("DRF_TWIN_DIR"))
    parser.add_argument("--drf-json", default=os.environ.get("DRF_TWIN_BENCH_JSON"))
    parser.add_argument(
        "--drf-db",
        default=os.environ.get("DRF_TWIN_DB_URL", "postgresql://postgres@127.0.0.1:5432/drf_twin"),
    )
    parser.add_argument("--database-url", default=None, help="Hirebot's (tokens.json's)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--alone", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", default="list,names,stages,mixed")
    args = parser.parse_args()
    if not args.drf_dir or not args.drf_json:
        parser.error("name the twin: DRF_TWIN_DIR and DRF_TWIN_BENCH_JSON (or the options)")
    drf_dir = Path(args.drf_dir)
    ours = json.loads((RESULTS / "tokens.json").read_text())
    theirs = json.loads(Path(args.drf_json).read_text())
    database_url = args.database_url or ours["database_url"]
    only = args.only.split(",")

    big, hot = ours["big_job_id"], theirs["hot_job_id"]
    hirebot_paths = {
        "list": ("editor", "/api/jobs/list/"),
        "names": ("admin", "/api/jobs/job-names-list/"),
        "stages": ("editor", f"/api/jobs/{big}/stage-filters/"),
    }
    drf_paths = {**hirebot_paths, "stages": ("editor", f"/api/jobs/{hot}/stage-filters/")}
    drf_env = {**os.environ, "DRF_TWIN_DB_URL": args.drf_db, "BIND": f"127.0.0.1:{DRF_PORT}"}
    report: dict[str, Any] = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}

    with (
        running(["./serve.sh"], drf_env, drf_dir, f"http://127.0.0.1:{DRF_PORT}/"),
        running(
            hirebot_command(HIREBOT_OFF),
            hirebot_env(database_url, "off"),
            ROOT,
            f"http://127.0.0.1:{HIREBOT_OFF}/health",
        ),
        running(
            hirebot_command(HIREBOT_ON),
            hirebot_env(database_url, "300"),
            ROOT,
            f"http://127.0.0.1:{HIREBOT_ON}/health",
        ),
    ):
        sides = [
            ("DRF twin", f"http://127.0.0.1:{DRF_PORT}", "Token", theirs["tokens"], drf_paths),
            ("Hirebot, no cache", f"http://127.0.0.1:{HIREBOT_OFF}", "Bearer", ours, hirebot_paths),
            ("Hirebot, cache", f"http://127.0.0.1:{HIREBOT_ON}", "Bearer", ours, hirebot_paths),
        ]
        import httpx

        for name in ("list", "names", "stages"):
            if name not in only:
                continue
            print(f"{name}:")
            figures: dict[str, Any] = {}
            for loaded in (True, False):
                drf_measure: Measure | None = None
                for label, base, scheme, tokens, paths in sides:
                    who, path = paths[name]
                    for _ in range(3):  # warm: connections, caches
                        httpx.get(
                            base + path, headers={"Authorization": f"{scheme} {tokens[who]}"}
                        ).raise_for_status()
                    measure = run_wrk(
                        base + path,
                        tokens[who],
                        args.connections if loaded else 1,
                        args.duration if loaded else args.alone,
                        scheme=scheme,
                    )
                    if label == "DRF twin":
                        drf_measure = measure
                    print(
                        line(
                            f"{label}{'' if loaded else ', alone'}",
                            measure,
                            None if label == "DRF twin" else drf_measure,
                        )
                    )
                    figures[f"{label}{'' if loaded else ' alone'}"] = vars(measure)
            report[name] = figures

        if "mixed" in only:
            report["mixed"] = asyncio.run(
                mixed_round(args, database_url, ours, theirs, sides)  # type: ignore[arg-type]
            )
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = RESULTS / f"versus-drf-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"saved {path.relative_to(ROOT)}")


async def mixed_round(
    args: argparse.Namespace,
    database_url: str,
    ours: dict[str, Any],
    theirs: dict[str, Any],
    sides: list[tuple[str, str, str, dict[str, str], dict[str, Any]]],
) -> dict[str, Any]:
    import asyncpg
    import httpx

    print(f"mixed ({MIXED_USERS} users, list/ and job-names-list/, one job change a second):")
    # The organization's first 20 users on both sides (ids 1..20 in both data sets).
    user_ids = list(range(1, MIXED_USERS + 1))
    hirebot_users = list((await hirebot_tokens(database_url, user_ids)).values())
    drf_users = list((await drf_tokens(args.drf_db, user_ids)).values())
    job = ours["big_job_id"]
    editor = ours["editor"]
    figures: dict[str, Any] = {}

    drf_connection = await asyncpg.connect(args.drf_db)
    original = await drf_connection.fetchval("SELECT title FROM hiring_job WHERE id = $1", job)

    async def drf_change(version: int) -> None:
        await drf_connection.execute(
            "UPDATE hiring_job SET title = $1, updated_at = now() WHERE id = $2",
            f"Mixed bench job v{version}",
            job,
        )

    client = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{HIREBOT_ON}",
        headers={"Authorization": f"Bearer {editor}"},
    )

    async def hirebot_change(version: int) -> None:
        response = await client.patch(
            f"/api/jobs/{job}", json={"title": f"Mixed bench job v{version}"}
        )
        response.raise_for_status()

    hirebot_original = (await client.get(f"/api/jobs/{job}")).json()["title"]
    drf_result: Mixed | None = None
    try:
        for label, base, scheme, users, change in (
            ("DRF twin", sides[0][1], "Token", drf_users, drf_change),
            ("Hirebot, cache", sides[2][1], "Bearer", hirebot_users, hirebot_change),
        ):
            result = await mixed(
                base, scheme, users, args.connections, args.duration, change, "Mixed bench job"
            )
            ratio = ""
            if drf_result is not None:
                ratio = f"  {result.requests_per_second / drf_result.requests_per_second:6.1f}x DRF"
            else:
                drf_result = result
            print(
                f"    {label:<16} {result.requests_per_second:8.0f} reads/s  reads {result.reads}"
                f"  errors {result.errors}  changes {result.changes}  checked {result.checked}"
                f"  stale {result.stale}{ratio}"
            )
            figures[label] = vars(result)
    finally:
        restore = "UPDATE hiring_job SET title = $1 WHERE id = $2"
        await drf_connection.execute(restore, original, job)
        await drf_connection.close()
        await client.patch(f"/api/jobs/{job}", json={"title": hirebot_original})
        await client.aclose()
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
