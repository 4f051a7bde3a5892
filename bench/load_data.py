"""Load the job-endpoint benchmark's data into a fresh PostgreSQL database.

    .venv/bin/python bench/load_data.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres]
                                        [--database hirebot_bench] [--seed 3]

Drops and recreates the database, applies Hirebot's migrations (`hirebot migrate`), then loads
with PostgreSQL COPY (asyncpg `copy_records_to_table`), into the migrated, indexed tables:

- 2 organizations x 2,000 jobs (titles, ~600-character descriptions as the twin's, skills, weights);
- 50 users per organization: an Admin, the benchmark Editor, 48 other Editors owning jobs;
- the Editor of organization A sees exactly 160 jobs: owns 60, 100 more are shared with them
  (and ~6,000 other shares exist, so the share table is not trivial);
- 200,000 candidates (100,000 per organization);
- 1,000,000 applications: 100,000 on one job (the Editor's, open), 900,000 across the
  3,999 others; stage counts (JobStageCount) computed from the same applications and
  checked against a GROUP BY after the load.

Writes `bench/results/tokens.json`: bearer tokens for the Editor and the Admin of
organization A, the big job's id and the database URL (the file is git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import secrets
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from common import ROOT, admin_execute, database_url, migrate

RESULTS = ROOT / "bench" / "results"

ORGS = 2
JOBS_PER_ORG = 2_000
USERS_PER_ORG = 50  # an Admin, the benchmark Editor, 48 Editors who own the other jobs
CANDIDATES_PER_ORG = 100_000
APPLICATIONS = 1_000_000
BIG_JOB_APPLICATIONS = 100_000
EDITOR_OWNS = 60
EDITOR_SHARED = 100

STAGES = (
    ("Applied", 50),
    ("Resume Screening", 20),
    ("Assessments", 10),
    ("Interview", 8),
    ("Offer", 4),
    ("Hired", 3),
    ("Rejected", 5),
)
ROLES = ("Backend", "Frontend", "Data", "Platform", "Mobile", "Security", "QA", "ML", "Site")
KINDS = ("Engineer", "Developer", "Analyst", "Lead", "Architect", "Scientist", "Tester")
LEVELS = ("Junior", "", "Senior", "Staff", "Principal")
SKILLS = ("Python", "Go", "Rust", "TypeScript", "SQL", "Kubernetes", "AWS", "React", "Kafka")
PARAGRAPH = (
    "You will design, build and operate services that thousands of people rely on every "
    "day. You will work with product managers, designers and other engineers, review code, "
    "write tests and documentation, and take part in an on-call rotation. We value clear "
    "writing, small safe changes and curiosity. "
)


def description(n: int) -> str:
    # About 600 characters, as the DRF twin's descriptions (bench/versus_drf.py compares).
    return f"Role {n}. " + PARAGRAPH * 2


def token_pair() -> tuple[str, str]:
    token = "hb_" + secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


class Data:
    """Every row to load, generated in memory from one seed."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.now = datetime(2026, 11, 1, tzinfo=UTC)
        self.orgs = [(n, f"Bench Org {'AB'[n - 1]}", self.now) for n in range(1, ORGS + 1)]

        # Users: per organization, ids start at (org - 1) * USERS_PER_ORG + 1.
        self.users: list[tuple[Any, ...]] = []
        self.admin: dict[int, int] = {}
        self.editor: dict[int, int] = {}
        self.owners: dict[int, list[int]] = {}
        for org in range(1, ORGS + 1):
            first = (org - 1) * USERS_PER_ORG + 1
            ids = list(range(first, first + USERS_PER_ORG))
            self.admin[org], self.editor[org], self.owners[org] = ids[0], ids[1], ids[2:]
            for uid in ids:
                role = "Admin" if uid == ids[0] else "Editor"
                self.users.append(
                    (uid, org, f"user{uid}@org{org}.bench", f"User {uid}", role, True, self.now)
                )

        # Jobs: per organization, ids (org - 1) * JOBS_PER_ORG + 1 ...
        self.jobs: list[tuple[Any, ...]] = []
        self.shares: set[tuple[int, int]] = set()
        self.job_org: dict[int, int] = {}
        for org in range(1, ORGS + 1):
            first = (org - 1) * JOBS_PER_ORG + 1
            editor, owners = self.editor[org], self.owners[org]
            for n, job_id in enumerate(range(first, first + JOBS_PER_ORG)):
                owner = editor if n < EDITOR_OWNS else owners[n % len(owners)]
                low = rng.randint(0, 6)
                level = rng.choice(LEVELS)
                title = f"{level} {rng.choice(ROLES)} {rng.choice(KINDS)} #{job_id}".strip()
                created = self.now - timedelta(minutes=JOBS_PER_ORG - n)
                self.jobs.append(
                    (
                        job_id,
                        org,
                        owner,
                        title,
                        description(job_id),
                        rng.sample(SKILLS, 3),
                        "Full-time",
                        low,
                        low + rng.randint(0, 5),
                        rng.choice(("Berlin", "Remote", "Lisbon", None)),
                        rng.choice(("open", "open", "draft", "closed")),
                        "ready",
                        "none",
                        secrets.token_urlsafe(32),
                        created,
                        created,
                    )
                )
                self.job_org[job_id] = org
                for _ in range(rng.randint(0, 3)):  # background shares among colleagues
                    colleague = rng.choice(owners)
                    if colleague != owner:
                        self.shares.add((job_id, colleague))
            # The Editor's 100 shared jobs, owned by others; no other share reaches them.
            self.shares = {(j, u) for j, u in self.shares if u != editor}
            shared = rng.sample(range(first + EDITOR_OWNS, first + JOBS_PER_ORG), EDITOR_SHARED)
            self.shares |= {(job_id, editor) for job_id in shared}

        self.big_job = 1  # the first job of organization A: the Editor's own
        big = list(self.jobs[0])
        big[10] = "open"
        self.jobs[0] = tuple(big)

        self.candidates = [
            (cid, org, f"Candidate {cid}", f"c{cid}@mail.bench", self.now)
            for org in range(1, ORGS + 1)
            for cid in range((org - 1) * CANDIDATES_PER_ORG + 1, org * CANDIDATES_PER_ORG + 1)
        ]

        # Applications: the big job gets every candidate of organization A; the other jobs
        # get contiguous (wrapping) blocks of their organization's candidates.
        names = [name for name, _ in STAGES]
        weights = [weight for _, weight in STAGES]
        others = [job[0] for job in self.jobs if job[0] != self.big_job]
        rest = APPLICATIONS - BIG_JOB_APPLICATIONS
        sizes = [rng.randint(25, 425) for _ in others]
        scale = rest / sum(sizes)
        sizes = [max(1, int(size * scale)) for size in sizes]
        sizes[-1] += rest - sum(sizes)
        plan = [
            (self.big_job, BIG_JOB_APPLICATIONS, 0),
            *[
                (job_id, size, rng.randrange(CANDIDATES_PER_ORG))
                for job_id, size in zip(others, sizes, strict=True)
            ],
        ]
        self.applications: list[tuple[Any, ...]] = []
        self.counts: Counter[tuple[int, str]] = Counter()
        next_id = 1
        for job_id, size, start in plan:
            base = (self.job_org[job_id] - 1) * CANDIDATES_PER_ORG + 1
            stages = rng.choices(names, weights, k=size)
            for k, stage in enumerate(stages):
                candidate = base + (start + k) % CANDIDATES_PER_ORG
                self.applications.append((next_id, job_id, candidate, stage, self.now, self.now))
                next_id += 1
            self.counts.update((job_id, stage) for stage in stages)
        assert len(self.applications) == APPLICATIONS

        self.stage_counts = [
            (n, job[0], stage, self.counts[(job[0], stage)])
            for n, (job, stage) in enumerate(
                ((job, stage) for job in self.jobs for stage in names), start=1
            )
        ]
        self.weights = [(job[0], job[0], 40, 30, 10, 20) for job in self.jobs]
        self.tokens = {"editor": token_pair(), "admin": token_pair()}


async def copy(connection: asyncpg.Connection, table: str, columns: list[str], rows: list) -> None:
    started = time.perf_counter()
    await connection.copy_records_to_table(table, records=rows, columns=columns)
    print(f"  {table:<22} {len(rows):>9,} rows  {time.perf_counter() - started:6.2f} s")


BULK_TABLES = ("candidate", "application")
"""Their secondary indexes are dropped for the COPY and rebuilt after it (same definitions,
read from pg_indexes): building an index once is far cheaper than maintaining it per row."""


async def load(url: str, data: Data) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SET maintenance_work_mem = '256MB'")
        # Foreign-key checks run as per-row triggers; the generated rows are consistent by
        # construction (and checked below), so the load skips them (superuser only).
        await connection.execute("SET session_replication_role = replica")
        async with connection.transaction():
            indexes = await connection.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[])"
                " AND indexname NOT LIKE '%_pkey'",
                list(BULK_TABLES),
            )
            for index in indexes:
                await connection.execute(f'DROP INDEX "{index["indexname"]}"')
            await copy(connection, "organization", ["id", "name", "created_at"], data.orgs)
            await copy(
                connection,
                "app_user",
                ["id", "org", "email", "name", "role", "is_active", "created_at"],
                data.users,
            )
            # A job's stored JSON is written by its trigger (models.json_lists), which replica
            # mode skips: the 4,000 jobs load with triggers on.
            await connection.execute("SET session_replication_role = origin")
            await copy(
                connection,
                "job",
                [
                    "id",
                    "org",
                    "owner",
                    "title",
                    "description",
                    "must_have_skills",
                    "employment_type",
                    "min_experience",
                    "max_experience",
                    "location",
                    "status",
                    "description_status",
                    "jd_json_status",
                    "public_key",
                    "created_at",
                    "updated_at",
                ],
                data.jobs,
            )
            await connection.execute("SET session_replication_role = replica")
            shares = [(n, j, u, data.now) for n, (j, u) in enumerate(sorted(data.shares), 1)]
            await copy(connection, "job_share", ["id", "job", "user", "created_at"], shares)
            await copy(
                connection,
                "resume_score_weights",
                ["id", "job", "skills", "experience", "education", "criteria"],
                data.weights,
            )
            await copy(
                connection, "job_stage_count", ["id", "job", "stage", "total"], data.stage_counts
            )
            await copy(
                connection,
                "candidate",
                ["id", "org", "name", "email", "created_at"],
                data.candidates,
            )
            await copy(
                connection,
                "application",
                ["id", "job", "candidate", "stage", "created_at", "updated_at"],
                data.applications,
            )
            started = time.perf_counter()
            for index in indexes:
                await connection.execute(index["indexdef"])
            print(
                f"  {len(indexes)} indexes of {', '.join(BULK_TABLES)} rebuilt"
                f"{'':>15}{time.perf_counter() - started:6.2f} s"
            )
            tokens = [
                (
                    n,
                    data.admin[1] if who == "admin" else data.editor[1],
                    f"bench {who}",
                    digest,
                    token[:10],
                    data.now,
                )
                for n, (who, (token, digest)) in enumerate(data.tokens.items(), start=1)
            ]
            await copy(
                connection,
                "api_token",
                ["id", "user", "name", "token_hash", "prefix", "created_at"],
                tokens,
            )
            for table in (
                "organization",
                "app_user",
                "job",
                "job_share",
                "resume_score_weights",
                "job_stage_count",
                "candidate",
                "application",
                "api_token",
            ):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
        started = time.perf_counter()
        # VACUUM too, as autovacuum would soon: it marks the pages all-visible, which index-only
        # scans need (the Admin's job names); the twin's loader does the same.
        await connection.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE                           {time.perf_counter() - started:6.2f} s")
    finally:
        await connection.close()


async def verify(url: str, data: Data) -> None:
    """Stage counts equal a fresh count; the Editor sees 160 jobs; the big job has 100,000."""
    connection = await asyncpg.connect(url)
    try:
        drift = await connection.fetchval(
            """
            SELECT count(*) FROM job_stage_count s
            FULL JOIN (SELECT job, stage, count(*) AS n FROM application GROUP BY job, stage) a
              ON a.job = s.job AND a.stage = s.stage
            WHERE coalesce(s.total, 0) <> coalesce(a.n, 0)
            """
        )
        orphans = await connection.fetchval(
            """
            SELECT count(*) FROM application a
            LEFT JOIN job j ON j.id = a.job
            LEFT JOIN candidate c ON c.id = a.candidate
            WHERE j.id IS NULL OR c.id IS NULL OR c.org <> j.org
            """
        )
        editor = data.editor[1]
        visible = await connection.fetchval(
            "SELECT count(*) FROM job WHERE org = 1 AND (owner = $1 OR id IN "
            '(SELECT job FROM job_share WHERE "user" = $1))',
            editor,
        )
        big = await connection.fetchval(
            "SELECT count(*) FROM application WHERE job = $1", data.big_job
        )
        totals = await connection.fetchrow(
            "SELECT (SELECT count(*) FROM job) AS jobs, (SELECT count(*) FROM candidate) AS"
            " candidates, (SELECT count(*) FROM application) AS applications"
        )
    finally:
        await connection.close()
    print(
        f"  check: {totals['jobs']:,} jobs, {totals['candidates']:,} candidates, "
        f"{totals['applications']:,} applications; the Editor sees {visible} jobs; "
        f"big job {data.big_job}: {big:,} applications; stage-count drift: {drift}; "
        f"dangling or cross-organization applications: {orphans}"
    )
    assert orphans == 0, "applications that break a foreign key"
    assert drift == 0, "stage counts disagree with the applications"
    assert visible == EDITOR_OWNS + EDITOR_SHARED
    assert big == BIG_JOB_APPLICATIONS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="hirebot_bench")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    url = database_url(args.admin_url, args.database)

    started = time.perf_counter()
    admin_execute(
        args.admin_url,
        f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)',
        f'CREATE DATABASE "{args.database}"',
    )
    migrate(url, quiet=True)
    print(f"database {args.database} created and migrated in {time.perf_counter() - started:.1f} s")
    generated = time.perf_counter()
    data = Data(args.seed)
    print(f"rows generated in {time.perf_counter() - generated:.1f} s; loading with COPY:")
    asyncio.run(load(url, data))
    asyncio.run(verify(url, data))
    print(f"loaded in {time.perf_counter() - started:.1f} s (target: under 120 s)")

    RESULTS.mkdir(parents=True, exist_ok=True)
    tokens = {
        "database_url": url,
        "editor": data.tokens["editor"][0],
        "admin": data.tokens["admin"][0],
        "big_job_id": data.big_job,
        "editor_visible_jobs": EDITOR_OWNS + EDITOR_SHARED,
    }
    (RESULTS / "tokens.json").write_text(json.dumps(tokens, indent=2) + "\n")
    print(f"tokens written to {(RESULTS / 'tokens.json').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
