"""The `hirebot` command line, run as a user runs it (a subprocess on the test database)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from models.enums import GenerationStatus
from models.tables import ApiToken, Job, Organization, User
from tests.environment import POSTGRES_ADMIN_URL, admin_execute

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def hirebot(
    *args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`hirebot ARGS` in a subprocess (from `cwd`, with `env` changes; None unsets)."""
    environ = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    if cwd is not None:  # the installed command works without the checkout on its path
        environ["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
        cwd=cwd,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    assert "\x1b" not in result.stderr and "Traceback" not in result.stderr
    return lines[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_admin_commands_and_their_errors(db: None) -> None:
    assert hirebot("org", "create", "Acme").returncode == 0
    duplicate = hirebot("org", "create", "Acme")
    assert duplicate.returncode == 1
    assert duplicate.stderr.strip() == "error: an organization named 'Acme' already exists"

    created = hirebot(
        "user",
        "create",
        "--org",
        "Acme",
        "--email",
        "Ann@Acme.test",
        "--name",
        "Ann",
        "--role",
        "Admin",
    )
    assert created.returncode == 0, created.stderr
    assert (await User.select(User.email, User.role).first()) == {
        "email": "ann@acme.test",
        "role": "Admin",
    }

    for args, message in [
        (
            ("user", "create", "--org", "Nope", "--email", "a@b.c", "--name", "A"),
            "no organization named 'Nope'",
        ),
        (
            ("user", "create", "--org", "Acme", "--email", "bad", "--name", "A"),
            "'bad' is not an email address",
        ),
        (
            (
                "user",
                "create",
                "--org",
                "Acme",
                "--email",
                "x@y.z",
                "--name",
                "A",
                "--role",
                "Boss",
            ),
            "'Boss' is not one of",
        ),
        (("token", "create", "--email", "nobody@acme.test"), "no user with email nobody@acme.test"),
        (("token", "revoke", "hb_x"), "give at least the first 6 characters"),
        (("bogus",), "no such command 'bogus'"),
    ]:
        result = hirebot(*args)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr

    issued = hirebot("token", "create", "--email", "ann@acme.test", "--name", "ci")
    token = issued.stdout.strip()
    assert token.startswith("hb_")
    assert len(token) > 40
    stored = await ApiToken.select(ApiToken.token_hash, ApiToken.prefix).first()
    assert stored is not None
    assert token not in stored.values()
    assert stored["prefix"] == token[:10]

    assert hirebot("token", "revoke", token[:10]).returncode == 0
    assert (await ApiToken.select(ApiToken.revoked_at).first())["revoked_at"] is not None  # type: ignore[index]
    assert await Organization.count() == 1


def test_every_usage_error_is_one_line_and_the_usage(tmp_path: Path) -> None:
    for args, message, usage in [
        (
            ("user", "create"),
            "error: missing option '--org'",
            "usage: hirebot user create --org NAME --email E --name N [--role Admin|Editor|Viewer]",
        ),
        (("org", "create"), "error: missing argument 'NAME'", "usage: hirebot org create NAME"),
        (
            ("token", "create"),
            "error: missing option '--email'",
            "usage: hirebot token create --email E [--name N] [--org NAME]",
        ),
        (("token",), "error: missing command", "usage: hirebot token {create,list,revoke} ..."),
        ((), "error: missing command", "usage: hirebot {bot,demo,migrate,org,serve,token,"),
        (("bogus",), "error: no such command 'bogus'", "usage: hirebot {bot,demo,"),
        (
            ("serve", "--port", "0"),
            "error: invalid value for '--port'",
            "usage: hirebot serve [--host H] [--port P] [--workers N]",
        ),
        (("bot",), "error: HTTP mode is part of `hirebot serve`", "usage: hirebot bot [--socket]"),
        (
            ("user", "list", "extra"),
            "error: got unexpected extra argument",
            "usage: hirebot user list",
        ),
    ]:
        result = hirebot(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        first, second = result.stderr.splitlines()
        assert first.startswith(message), (args, first)
        assert second.startswith(usage), (args, second)
        assert "--help" in second


def test_commands_use_one_database_from_any_folder(tmp_path: Path) -> None:
    here, there, data = tmp_path / "here", tmp_path / "there", tmp_path / "xdg"
    here.mkdir(), there.mkdir()
    env: dict[str, str | None] = {
        "HIREBOT_DATABASE_URL": None,
        "HIREBOT_DATA_DIR": None,
        "XDG_DATA_HOME": str(data),
    }
    database = data / "hirebot" / "hirebot.db"
    unmigrated = one_line_error(hirebot("org", "create", "Foo", cwd=here, env=env))
    assert unmigrated == (
        f"error: the database {database} is not migrated yet: run `hirebot migrate`"
    )
    assert hirebot("migrate", cwd=here, env=env).returncode == 0
    created = hirebot("org", "create", "Foo", cwd=there, env=env)
    assert created.returncode == 0, created.stderr
    assert (
        hirebot(
            "user",
            "create",
            "--org",
            "Foo",
            "--email",
            "a@foo.test",
            "--name",
            "A",
            cwd=here,
            env=env,
        ).returncode
        == 0
    )
    listed = hirebot("user", "list", cwd=there, env=env)
    assert "a@foo.test" in listed.stdout, listed.stderr
    assert database.is_file()
    assert not list(here.iterdir()) and not list(there.iterdir())  # nothing in either folder
    # HIREBOT_DATA_DIR moves it; so does an explicit HIREBOT_DATABASE_URL.
    moved = one_line_error(
        hirebot("user", "list", cwd=here, env={**env, "HIREBOT_DATA_DIR": str(tmp_path / "d")})
    )
    assert str(tmp_path / "d" / "hirebot.db") in moved


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    database = tmp_path / "new.db"
    env = {"HIREBOT_DATABASE_URL": f"sqlite:///{database}"}
    line = one_line_error(hirebot("serve", "--port", str(closed_port()), cwd=tmp_path, env=env))
    assert line.startswith(f"error: the database {database} is not migrated yet ("), line
    assert line.endswith("migrations to run): run `hirebot migrate`"), line


def test_an_unreachable_postgres_is_one_clean_line(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/hirebot"
    for args in [("org", "create", "Foo"), ("user", "list"), ("token", "list"), ("migrate",)]:
        line = one_line_error(hirebot(*args, cwd=tmp_path, env={"HIREBOT_DATABASE_URL": url}))
        assert line.startswith("error: cannot reach the database 127.0.0.1:"), line


@pytest.mark.postgres_only
def test_an_unmigrated_postgres_says_to_migrate(tmp_path: Path) -> None:
    name = f"hirebot_empty_{uuid.uuid4().hex[:8]}"
    admin_execute(POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"')
    try:
        url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        line = one_line_error(hirebot("token", "list", env={"HIREBOT_DATABASE_URL": url}))
        assert line.endswith(f"/{name} is not migrated yet: run `hirebot migrate`"), line
        assert "postgres@" not in line
    finally:
        admin_execute(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_token_create_names_the_organization_the_email_is_in(db: None) -> None:
    for name in ("Acme", "Beta"):
        assert hirebot("org", "create", name).returncode == 0
    assert (
        hirebot(
            "user", "create", "--org", "Acme", "--email", "ann@acme.test", "--name", "Ann"
        ).returncode
        == 0
    )
    for org, message in [
        ("Beta", "error: ann@acme.test is not a user of 'Beta' (it is a user of 'Acme')"),
        ("Gamma", "error: no organization named 'Gamma'"),
    ]:
        result = hirebot("token", "create", "--email", "ann@acme.test", "--org", org)
        assert one_line_error(result) == message
    nobody = hirebot("token", "create", "--email", "bob@acme.test", "--org", "Acme")
    assert one_line_error(nobody) == "error: no user with email bob@acme.test in 'Acme'"
    assert hirebot("token", "create", "--email", "ann@acme.test", "--org", "Acme").returncode == 0
    assert await ApiToken.count() == 1


async def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`hirebot(*args)` off the event loop: the app's lifespan runs on it (the relay, the
    webhook sender), and a pass blocked mid-transaction would hold SQLite's write lock
    against the very command the test waits for."""
    return await asyncio.to_thread(hirebot, *args)


async def test_user_list_and_token_list(client: httpx.AsyncClient) -> None:
    for name in ("Acme", "Beta"):
        assert (await cli("org", "create", name)).returncode == 0
    for org, email, role in [
        ("Acme", "ann@acme.test", "Admin"),
        ("Beta", "bo@beta.test", "Viewer"),
    ]:
        created = await cli(
            "user", "create", "--org", org, "--email", email, "--name", email[:3], "--role", role
        )
        assert created.returncode == 0, created.stderr
    users = (await cli("user", "list")).stdout.splitlines()
    assert users[0].split() == ["ID", "EMAIL", "NAME", "ROLE", "ORGANIZATION", "ACTIVE", "SLACK"]
    assert [line.split()[1:5] for line in users[1:]] == [
        ["ann@acme.test", "ann", "Admin", "Acme"],
        ["bo@beta.test", "bo@", "Viewer", "Beta"],
    ]
    assert len((await cli("user", "list", "--org", "Beta")).stdout.splitlines()) == 2
    assert one_line_error(await cli("user", "list", "--org", "Nope")) == (
        "error: no organization named 'Nope'"
    )

    used = (await cli("token", "create", "--email", "ann@acme.test", "--name", "ci")).stdout.strip()
    idle = (await cli("token", "create", "--email", "bo@beta.test", "--name", "bi")).stdout.strip()
    gone = (await cli("token", "create", "--email", "bo@beta.test", "--name", "old")).stdout.strip()
    assert (await cli("token", "revoke", gone[:10])).returncode == 0
    answer = await client.get("/api/jobs/", headers={"Authorization": f"Bearer {used}"})
    assert answer.status_code == 200

    listing = await cli("token", "list")
    assert listing.returncode == 0, listing.stderr
    header, *rows = listing.stdout.splitlines()
    assert header.split() == ["PREFIX", "NAME", "OWNER", "ORGANIZATION", "CREATED", "LAST", "USED"]
    by_prefix = {row.split()[0]: row for row in rows}
    assert set(by_prefix) == {f"{used[:10]}...", f"{idle[:10]}..."}  # not the revoked one
    used_row, idle_row = by_prefix[f"{used[:10]}..."], by_prefix[f"{idle[:10]}..."]
    assert used_row.split()[1:4] == ["ci", "ann@acme.test", "Acme"]
    assert used_row.count(" UTC") == 2  # created, and used just now
    assert idle_row.endswith("never")
    stored = await ApiToken.select(ApiToken.token_hash)
    for secret in [used, idle, gone, *(row["token_hash"] for row in stored)]:
        assert secret not in listing.stdout  # never the token, nor its hash

    everything = (await cli("token", "list", "--all", "--org", "Beta")).stdout.splitlines()
    assert everything[0].split()[-1] == "REVOKED"
    assert len(everything) == 3
    assert [row.split()[1] for row in everything[1:]] == ["bi", "old"]
    assert everything[-1].endswith(" UTC")
    only = (await cli("token", "list", "--email", "ANN@acme.test")).stdout.splitlines()
    assert len(only) == 2 and only[1].startswith(used[:10])


async def test_demo_keeps_its_token_and_its_jobs_end_ready(db: None, tmp_path: Path) -> None:
    env: dict[str, str | None] = {"HIREBOT_DATA_DIR": str(tmp_path)}

    def demo_token(*args: str) -> str:
        result = hirebot("demo", *args, env=env)
        assert result.returncode == 0, result.stderr
        return next(
            line.split()[-1] for line in result.stdout.splitlines() if line.startswith("Demo token")
        )

    queue = f"redis://127.0.0.1:{closed_port()}/0"
    unqueued = one_line_error(hirebot("demo", env={**env, "HIREBOT_BROKER_URL": queue}))
    assert unqueued.startswith("error: cannot reach the task queue 127.0.0.1:"), unqueued

    first = demo_token()
    assert demo_token() == first  # reused, not another valid one
    assert await ApiToken.count() == 1
    assert (tmp_path / "demo-token").read_text().strip() == first
    assert (tmp_path / "demo-token").stat().st_mode & 0o077 == 0  # this user's only
    jobs = await Job.select(
        Job.description_status, Job.description_generated_by, Job.jd_json_status, Job.jd_json
    )
    assert len(jobs) == 3
    for job in jobs:
        assert job["description_status"] == GenerationStatus.READY
        assert job["description_generated_by"] == "offline"
        assert job["jd_json_status"] == GenerationStatus.READY
        assert job["jd_json"]

    assert hirebot("token", "revoke", first[:10]).returncode == 0
    second = demo_token()
    assert second != first
    assert demo_token() == second
    third = demo_token("--new-token")
    assert third not in (first, second)
    assert await ApiToken.count().where(ApiToken.revoked_at.is_null()) == 1
    assert await ApiToken.count() == 3
