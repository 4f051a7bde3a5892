"""Settings: parsed from the environment, rejected with a clear message, all documented."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HIREBOT_PORT", "eighty", "HIREBOT_PORT='eighty' is not valid"),
        ("HIREBOT_DATABASE_URL", "mysql://x", "HIREBOT_DATABASE_URL must start with"),
        ("HIREBOT_BROKER_URL", "kafka://x", "HIREBOT_BROKER_URL must be"),
        ("HIREBOT_DEFAULT_SLACK_ROLE", "Owner", "HIREBOT_DEFAULT_SLACK_ROLE must be one of"),
        ("HIREBOT_LLM_MAX_ATTEMPTS", "7", "between 1 and 3"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value}, env_file="/nonexistent")


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
