"""The `hirebot` command line, run as a user runs it (a subprocess on the test database)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from models.tables import ApiToken, Organization, User

pytestmark = pytest.mark.slow


def hirebot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )


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
        (("bogus",), "No such command 'bogus'"),
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
