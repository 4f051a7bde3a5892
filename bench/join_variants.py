"""How to read a job list's stored JSON: the ways of joining it, by the CPU each side spends.

    .venv/bin/python bench/join_variants.py [--reads 500] [--database-url URL]

On Hirebot's bench data (bench/load_data.py), one connection reads the Admin's 2,000 job
names and the Editor's 160 jobs (`list/`) in each way, `--reads` times, and prints per read
the wall time, the CPU of the PostgreSQL backend (user and system, from /proc: run it on
the database's machine) and this process's CPU. Every way must give the same bytes. The
one `models.json_lists` uses is "ARRAY of textsend".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import time

import asyncpg
from common import ROOT

NAMES_WHERE = '"job"."org" = $1'
LIST_WHERE = (
    '"job"."org" = $1 AND ("job"."owner" = $2 OR "job"."id" = ANY(ARRAY(SELECT "job_share"."job" '
    'FROM "job_share" WHERE "job_share"."user" = $3)))'
)


def variants(column: str, where: str) -> dict[str, tuple[str, str]]:
    ordered = f'SELECT "job"."id" AS id, {{}} AS s FROM "job" WHERE {where} ORDER BY "job"."id"'
    stored, as_bytes = f'"job"."{column}"', f'textsend("job"."{column}")'
    return {
        "string_agg ORDER BY, convert_to": (
            f"SELECT convert_to('[' || coalesce(string_agg(r.s, ',' ORDER BY r.id), '') || ']', "
            f"'UTF8') FROM ({ordered.format(stored)}) r",
            "bytes",
        ),
        "string_agg ORDER BY, text": (
            f"SELECT string_agg(r.s, ',' ORDER BY r.id) FROM ({ordered.format(stored)}) r",
            "text",
        ),
        "rows of textsend, bytes.join": (ordered.format(as_bytes), "rows"),
        "ARRAY of text, array_to_string": (
            f'SELECT array_to_string(ARRAY(SELECT {stored} FROM "job" WHERE {where} '
            'ORDER BY "job"."id"), \',\')',
            "text",
        ),
        "ARRAY of textsend, bytes.join": (
            f'SELECT ARRAY(SELECT {as_bytes} FROM "job" WHERE {where} ORDER BY "job"."id")',
            "array",
        ),
    }


def backend_cpu(pid: int) -> tuple[float, float]:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


async def read(statement: asyncpg.prepared_stmt.PreparedStatement, kind: str, args: list) -> bytes:
    if kind == "rows":
        return b"[" + b",".join([row["s"] for row in await statement.fetch(*args)]) + b"]"
    value = await statement.fetchval(*args)
    if kind == "array":
        return b"[" + b",".join(value) + b"]"
    if kind == "text":
        return b"[" + (value or "").encode() + b"]"
    return value  # type: ignore[no-any-return]


async def main(args: argparse.Namespace) -> None:
    tokens = json.loads((ROOT / "bench" / "results" / "tokens.json").read_text())
    connection = await asyncpg.connect(args.database_url or tokens["database_url"])
    pid = await connection.fetchval("SELECT pg_backend_pid()")
    editor = await connection.fetchval(
        'SELECT t."user" FROM api_token t WHERE t.name = $1', "bench editor"
    )
    org = await connection.fetchval("SELECT org FROM app_user WHERE id = $1", editor)
    cases = {
        "job-names-list/ (2,000)": (variants("names_json", NAMES_WHERE), [org]),
        "list/ (160)": (variants("list_json", LIST_WHERE), [org, editor, editor]),
    }
    for title, (ways, values) in cases.items():
        print(f"{title}: per read, wall / PostgreSQL user+system / this process")
        expected: bytes | None = None
        for name, (sql, kind) in ways.items():
            statement = await connection.prepare(sql)
            body = await read(statement, kind, values)
            assert expected is None or body == expected, name
            expected = body
            for _ in range(50):
                await read(statement, kind, values)
            user, system = backend_cpu(pid)
            mine = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            for _ in range(args.reads):
                await read(statement, kind, values)
            wall = (time.perf_counter() - started) / args.reads * 1000
            user2, system2 = backend_cpu(pid)
            mine2 = resource.getrusage(resource.RUSAGE_SELF)
            python = (
                (mine2.ru_utime - mine.ru_utime + mine2.ru_stime - mine.ru_stime)
                / args.reads
                * 1000
            )
            pg_user = (user2 - user) / args.reads * 1000
            pg_system = (system2 - system) / args.reads * 1000
            print(
                f"  {name:<34} {wall:5.2f} ms   {pg_user + pg_system:5.2f} ms "
                f"({pg_user:4.2f} + {pg_system:4.2f})   {python:5.2f} ms   {len(body):,} bytes"
            )
    await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    asyncio.run(main(parser.parse_args()))
