"""Load the job endpoints of a running Hirebot (bench/serve.sh) over loopback and report.

    .venv/bin/python bench/load.py [--base http://127.0.0.1:8765] [--duration 15]
                                   [--connections 32] [--alone 10] [--tool auto|wrk|python]
                                   [--only list,names,stages]

Scenarios (tokens and the big job's id come from bench/results/tokens.json):
- list:   GET /api/jobs/list/ as the Editor who sees 160 jobs;
- names:  GET /api/jobs/job-names-list/ as the Admin (all 2,000 jobs of the organization);
- stages: GET /api/jobs/{big}/stage-filters/ of the job with 100,000 applications.

Each runs with N connections for D seconds (requests/s and latency percentiles), then on one
connection ("alone": latency percentiles). wrk is used when installed (`apt-get install wrk`);
otherwise an aiohttp generator does the same in Python (it competes with the server for the
CPU, so its figures are lower bounds). Results are printed and saved as JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    who: str
    target_rps: float
    target_alone_ms: float | None


def scenarios(tokens: dict[str, Any]) -> list[Scenario]:
    big = tokens["big_job_id"]
    return [
        Scenario("list", "/api/jobs/list/", "editor", 435, 5.0),
        Scenario("names", "/api/jobs/job-names-list/", "admin", 360, None),
        Scenario("stages", f"/api/jobs/{big}/stage-filters/", "editor", 545, 3.0),
    ]


@dataclass
class Measure:
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int
    requests: int


# wrk ---------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def run_wrk(
    url: str, token: str, connections: int, seconds: int, scheme: str = "Bearer"
) -> Measure:
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"Authorization: {scheme} {token}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s*(50|90|99)%\s+([\d.]+(?:us|ms|s))\s*$", output, re.M))
    if len(percentiles) < 3:
        print(output)
        raise SystemExit("could not read wrk's latency distribution (printed above)")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    total = re.search(r"(\d+) requests in", output)
    if socket_errors:
        print(f"    wrk: socket errors: {socket_errors.group(1)}")
    return Measure(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(percentiles["50"]),
        p90_ms=_ms(percentiles["90"]),
        p99_ms=_ms(percentiles["99"]),
        errors=int(errors.group(1)) if errors else 0,
        requests=int(total.group(1)) if total else 0,
    )


# Python (aiohttp) ----------------------------------------------------------------------------


def run_python(url: str, token: str, connections: int, seconds: int) -> Measure:
    return asyncio.run(_python(url, token, connections, seconds))


async def _python(url: str, token: str, connections: int, seconds: int) -> Measure:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    return Measure(
        requests_per_second=len(ordered) / elapsed,
        p50_ms=statistics.median(ordered),
        p90_ms=pct(0.9),
        p99_ms=pct(0.99),
        errors=errors,
        requests=len(ordered),
    )


# Main ----------------------------------------------------------------------------------------


def preflight(base: str, tokens: dict[str, Any], chosen: list[Scenario]) -> None:
    """Every scenario answers 200 with the data the benchmark is about (and warms caches)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        for scenario in chosen:
            headers = {"Authorization": f"Bearer {tokens[scenario.who]}"}
            for _ in range(4):  # reach both worker processes, most likely
                response = client.get(scenario.path, headers=headers)
                response.raise_for_status()
            body = response.json()
            if scenario.name == "list":
                assert len(body) == tokens["editor_visible_jobs"], len(body)
            elif scenario.name == "stages":
                assert sum(entry["count"] for entry in body) == 100_000
            size = len(response.content)
            print(f"  {scenario.name:<7} {scenario.path}: {len(body)} items, {size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--duration", type=int, default=15, help="seconds per loaded run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--alone", type=int, default=10, help="seconds of the 1-connection run")
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--only", default="list,names,stages")
    args = parser.parse_args()
    if not 1 <= args.duration <= 60 or not 1 <= args.alone <= 60:
        parser.error("keep runs between 1 and 60 seconds: the machine is shared")

    tokens = json.loads((RESULTS / "tokens.json").read_text())
    chosen = [s for s in scenarios(tokens) if s.name in args.only.split(",")]
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    run = run_wrk if tool == "wrk" else run_python
    print(
        f"load generator: {tool}; {args.connections} connections x {args.duration} s; "
        f"alone: 1 connection x {args.alone} s"
    )
    preflight(args.base, tokens, chosen)

    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool": tool,
        "connections": args.connections,
        "duration_s": args.duration,
        "results": {},
    }
    lines = []
    for scenario in chosen:
        url = args.base + scenario.path
        token = tokens[scenario.who]
        loaded = run(url, token, args.connections, args.duration)
        alone = run(url, token, 1, args.alone)
        report["results"][scenario.name] = {
            "path": scenario.path,
            "as": scenario.who,
            "loaded": asdict(loaded),
            "alone": asdict(alone),
        }
        rate_ok = loaded.requests_per_second >= scenario.target_rps
        line = (
            f"{scenario.name:<7} {loaded.requests_per_second:8.0f} req/s "
            f"(target >= {scenario.target_rps:.0f}: {'ok' if rate_ok else 'MISSED'})  "
            f"p50 {loaded.p50_ms:6.2f} p90 {loaded.p90_ms:6.2f} p99 {loaded.p99_ms:6.2f} ms  "
            f"errors {loaded.errors}  | alone p50 {alone.p50_ms:5.2f} p90 {alone.p90_ms:5.2f} "
            f"p99 {alone.p99_ms:5.2f} ms"
        )
        if scenario.target_alone_ms is not None:
            ok = alone.p50_ms < scenario.target_alone_ms
            line += f" (target < {scenario.target_alone_ms:.0f}: {'ok' if ok else 'MISSED'})"
        print(line)
        lines.append(line)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"jobs-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"saved {path.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    main()
