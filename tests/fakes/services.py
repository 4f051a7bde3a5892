"""Private services for fault tests and the chaos bench: a Redis and a PostgreSQL cluster
of their own, on their own ports, that can be stopped and started again without touching
the machine's shared ones."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test only, on its own port, that can be stopped and started."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private Redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of this test only (initdb as the postgres user)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="hirebot-pg-"))
        shutil.chown(self.data, "postgres")
        self.bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/hirebot"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def start(self) -> None:
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data / "db"), "-A", "trust",
                          "-U", "postgres")  # fmt: skip
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-o", options,
                          "-w", "start")  # fmt: skip
        self._as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                          "hirebot")  # fmt: skip

    def restart(self) -> None:
        """A fast restart: connections are cut, the data stays."""
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-m", "fast",
                          "-w", "restart")  # fmt: skip

    def stop(self) -> None:
        if (self.data / "db" / "postmaster.pid").exists():
            self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-m",
                              "immediate", "stop")  # fmt: skip
        shutil.rmtree(self.data, ignore_errors=True)
