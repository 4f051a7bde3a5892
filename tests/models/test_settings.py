"""Settings: parsed from the environment, rejected with a clear message, all documented."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from api.cache import JobListCache
from models.settings import Settings, SettingsError, env_name

ROOT = Path(__file__).resolve().parents[2]


def test_values_are_parsed_with_their_types() -> None:
    settings = Settings.from_env(
        {"HIREBOT_PORT": "9001", "HIREBOT_DEBUG": "yes", "HIREBOT_LLM_TIMEOUT": "2.5"},
        env_file="/nonexistent",
    )
    assert (settings.port, settings.debug, settings.llm_timeout_seconds) == (9001, True, 2.5)
    assert settings.is_sqlite
    assert not settings.llm_online
    assert not settings.slack_configured


BAD_VALUES = [
    ("HIREBOT_PORT", "eighty", "a whole number from 1 to 65535"),
    ("HIREBOT_PORT", "0", "a whole number from 1 to 65535"),
    ("HIREBOT_DATABASE_URL", "mysql://x", "a URL starting with sqlite:///, postgresql://"),
    ("HIREBOT_BROKER_URL", "kafka://x", "a URL starting with memory://, redis://"),
    ("HIREBOT_CACHE_URL", "memcached://x", "a URL starting with memory://, redis://"),
    ("HIREBOT_DEFAULT_SLACK_ROLE", "Owner", "one of Admin, Editor or Viewer"),
    ("HIREBOT_LLM_MAX_ATTEMPTS", "7", "a whole number from 1 to 3"),
    ("HIREBOT_LOG_LEVEL", "LOUD", "one of DEBUG, INFO, WARNING or ERROR"),
    ("HIREBOT_LOG_FORMAT", "xml", "one of text or json"),
    ("HIREBOT_CACHE_TTL", "0", "a whole number of seconds from 1 to 86400, or off"),
    ("HIREBOT_CACHE_TTL", "-5", "a whole number of seconds from 1 to 86400, or off"),
    ("HIREBOT_CACHE_TTL", "forever", "a whole number of seconds from 1 to 86400, or off"),
    ("HIREBOT_CACHE_TTL", "100000", "a whole number of seconds from 1 to 86400, or off"),
    ("HIREBOT_DB_POOL_SIZE", "0", "a whole number of connections from 1 to 100"),
    ("HIREBOT_DB_POOL_SIZE", "1000", "a whole number of connections from 1 to 100"),
    ("HIREBOT_LLM_TIMEOUT", "0", "a number of seconds from 0.1 to 3600"),
    ("HIREBOT_LLM_TIMEOUT", "soon", "a number of seconds from 0.1 to 3600"),
    ("HIREBOT_GENERATION_WAIT", "-1", "a number of seconds from 0.1 to 3600"),
    ("HIREBOT_TASK_REDELIVERY_SECONDS", "0", "a whole number of seconds from 1 to 604800"),
    ("HIREBOT_WORKER_SHUTDOWN_GRACE", "0", "a whole number of seconds from 1 to 3600"),
    ("HIREBOT_SERVE_SHUTDOWN_GRACE", "7200", "a whole number of seconds from 1 to 3600"),
    ("HIREBOT_MAX_BODY_BYTES", "10", "a whole number of bytes from 1024 to 1073741824"),
    ("HIREBOT_WORKER_METRICS_PORT", "70000", "a whole number from 0 to 65535 (0: off)"),
    ("HIREBOT_WEBHOOK_RETRY_HOURS", "1", "a number of hours from 24 to 168"),
    ("HIREBOT_LLM_MONTHLY_TOKENS", "-1", "tokens from 0 to 1000000000000 (0: no limit)"),
    ("HIREBOT_OFFLINE_STREAM_PACE", "9", "a number of seconds from 0 to 5"),
    ("HIREBOT_CONVERSATION_TURNS_PER_MINUTE", "0", "a whole number from 1 to 1000"),
    ("HIREBOT_CONVERSATION_CONTEXT_CHARS", "10", "characters from 1000 to 1000000"),
    ("HIREBOT_PROPOSAL_TTL_HOURS", "0", "a whole number of hours from 1 to 720"),
    ("HIREBOT_PUBLIC_URL", "hirebot.example", "a URL starting with http:// or https://"),
    ("HIREBOT_SLACK_API_URL", "slack.com/api", "a URL starting with http:// or https://"),
    ("OPENAI_BASE_URL", "localhost:8080", "a URL starting with http:// or https://"),
    ("HIREBOT_DEBUG", "maybe", "true or false"),
]


@pytest.mark.parametrize(("name", "value", "allowed"), BAD_VALUES)
def test_bad_values_name_the_setting_and_what_it_accepts(
    name: str, value: str, allowed: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({name: value}, env_file="/nonexistent")
    message = str(raised.value)
    assert message.startswith(f"{name}={value!r} is not valid: use "), message
    assert allowed in message
    assert "\n" not in message


def test_every_ranged_or_listed_setting_is_covered_by_a_bad_value() -> None:
    from models.settings import _RULES

    covered = {name for name, _, _ in BAD_VALUES}
    assert {env_name(field) for field in _RULES} <= covered


def test_the_cache_ttl_is_seconds_or_off_and_never_for_ever() -> None:
    assert Settings.from_env({}, env_file="/nonexistent").cache_ttl_seconds == 300
    assert Settings.from_env({"HIREBOT_CACHE_TTL": "60"}, env_file="/x").cache_ttl_seconds == 60
    for off in ("off", "OFF", " Off "):
        settings = Settings.from_env({"HIREBOT_CACHE_TTL": off}, env_file="/x")
        assert settings.cache_ttl_seconds is None
    assert JobListCache(ttl_seconds=None).ttl_seconds is None
    with pytest.raises(ValueError, match="at least 1 second"):
        JobListCache(ttl_seconds=0)  # a 0 would keep lists for ever in the memory store


def test_log_levels_in_any_case_are_accepted() -> None:
    assert Settings.from_env({"HIREBOT_LOG_LEVEL": "debug"}, env_file="/x").log_level == "debug"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "name", "value"),
    [
        ("serve", "HIREBOT_LOG_LEVEL", "LOUD"),
        ("serve", "HIREBOT_CACHE_TTL", "0"),
        ("worker", "HIREBOT_DB_POOL_SIZE", "0"),
        ("migrate", "HIREBOT_LLM_TIMEOUT", "-3"),
    ],
)
def test_a_command_stops_at_start_with_one_line(command: str, name: str, value: str) -> None:
    """As a user runs it: the process exits at once, printing only the setting's error."""
    env = {**os.environ, name: value}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", command],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {name}={value!r} is not valid: use "), line


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("HIREBOT_PORT=7000\nHIREBOT_HOST=0.0.0.0\n")
    settings = Settings.from_env({"HIREBOT_PORT": "7001"}, env_file=str(env_file))
    assert (settings.host, settings.port) == ("0.0.0.0", 7001)


def test_every_setting_has_a_docstring_naming_it_and_a_readme_row() -> None:
    tree = ast.parse((ROOT / "models/settings.py").read_text())
    settings_class = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    docs: dict[str, str] = {}
    body = settings_class.body
    for index, node in enumerate(body[:-1]):
        following = body[index + 1]
        if isinstance(node, ast.AnnAssign) and isinstance(following, ast.Expr):
            assert isinstance(node.target, ast.Name)
            docs[node.target.id] = str(following.value.value)  # type: ignore[attr-defined]
    readme = (ROOT / "README.md").read_text()
    for field in fields(Settings):
        assert docs[field.name].startswith(env_name(field.name) + ":"), field.name
        assert f"| `{env_name(field.name)}` |" in readme, field.name


@pytest.mark.parametrize(
    ("environ", "data_dir"),
    [
        ({"HOME": "/home/ann"}, "/home/ann/.local/share/hirebot"),
        ({"HOME": "/home/ann", "XDG_DATA_HOME": "/srv/data"}, "/srv/data/hirebot"),
        ({"HOME": "/home/ann", "XDG_DATA_HOME": "relative"}, "/home/ann/.local/share/hirebot"),
        ({"HOME": "/home/ann", "HIREBOT_DATA_DIR": "/var/lib/hirebot"}, "/var/lib/hirebot"),
    ],
)
def test_the_default_database_is_in_the_data_folder_whatever_the_folder(
    environ: dict[str, str], data_dir: str
) -> None:
    settings = Settings.from_env(environ, env_file="/nonexistent")
    assert settings.data_dir == data_dir
    assert settings.database_url == f"sqlite:///{data_dir}/hirebot.db"
    explicit = Settings.from_env(
        {**environ, "HIREBOT_DATABASE_URL": "postgresql://db/hirebot"}, env_file="/nonexistent"
    )
    assert (explicit.data_dir, explicit.database_url) == (data_dir, "postgresql://db/hirebot")
