"""The Dockerfile and compose.yaml name commands that work: the files the image copies
build and install (non-editable, as `pip install .` in the image does), and every command
the compose services run is one `hirebot` knows, the migrations included."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def dockerfile() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def instructions(name: str) -> list[str]:
    return [line[len(name) + 1 :].strip() for line in dockerfile() if line.startswith(f"{name} ")]


@pytest.fixture(name="installed", scope="module")
def fx_installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the image installs: the files it copies, built and unpacked as `pip install .`."""
    context = tmp_path_factory.mktemp("context")
    for copy in instructions("COPY"):
        *sources, _ = copy.split()
        for source in sources:
            path = ROOT / source
            assert path.exists(), f"the Dockerfile copies {source}, which does not exist"
            if path.is_dir():
                shutil.copytree(
                    path, context / source, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy(path, context / source)
    [run] = [r for r in instructions("RUN") if "pip install" in r]
    assert re.search(r"pip install \.(\s|$)", run), run  # a regular (not editable) install
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            ".",
        ],
        cwd=context,
        check=True,
    )
    [wheel] = wheels.glob("hirebot-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def hirebot(
    site: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `hirebot` (its entry point, `api.cli:main`), away from the checkout."""
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", *args],
        cwd=site.parent,
        env={**os.environ, "PYTHONPATH": str(site), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_image_installs_the_whole_package(installed: Path) -> None:
    assert (installed / "piccolo_conf.py").exists()
    assert list((installed / "models" / "migrations").glob("hirebot_*.py"))
    assert json.loads((installed / "models" / "language" / "wordlists.json").read_text())
    entry = (next(installed.glob("hirebot-*.dist-info")) / "entry_points.txt").read_text()
    assert "hirebot = api.cli:main" in entry
    # Everything `serve` and `worker` load is in it (not only what `--help` imports).
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import api.app, bot.app, models.tables, workers.cli, piccolo_conf\n"
            "for m in (api.app, bot.app, models.tables, workers.cli, piccolo_conf):\n"
            "    print(m.__file__)",
        ],
        cwd=installed.parent,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert loaded.returncode == 0, loaded.stderr
    for path in loaded.stdout.split():  # the installed copies, not the checkout's
        assert path.startswith(str(installed)), path
    assert instructions("ENTRYPOINT") == ['["hirebot"]']
    assert instructions("USER") == ["hirebot"]  # not root


def test_every_compose_command_is_a_hirebot_command(installed: Path, tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    commands = {
        name: service["command"]
        for name, service in compose["services"].items()
        if service.get("build") == "."
    }
    assert set(commands) == {"migrate", "api", "worker"}
    assert compose["services"]["api"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    for name, command in commands.items():
        answer = hirebot(installed, *command, "--help")
        assert answer.returncode == 0, (name, answer.stdout, answer.stderr)
    [default] = instructions("CMD")
    assert hirebot(installed, *json.loads(default), "--help").returncode == 0
    # The one-shot migrate, as the image runs it, on a database of its own.
    database = f"sqlite:///{tmp_path / 'hirebot.db'}"
    migrated = hirebot(installed, *commands["migrate"], env={"HIREBOT_DATABASE_URL": database})
    assert migrated.returncode == 0, migrated.stderr
    assert "migrations:" in migrated.stdout
