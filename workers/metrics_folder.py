"""Where the processes of one `hirebot serve --workers N` or `hirebot worker` write their
Prometheus metrics, so /metrics adds them up (prometheus_client's multiprocess mode).

It must be chosen before prometheus_client is first imported, which reads it then: the
CLI calls `prepare_multiprocess` before it imports the app or the workers.
"""

from __future__ import annotations

import os
import shutil
import tempfile

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess(kind: str) -> str:
    """A fresh folder for this run's processes to write their metrics to (none left over
    from an earlier run: counters would start from its values), named in the environment
    the child processes inherit."""
    folder = os.environ.get(MULTIPROC_ENV)
    if folder is None:
        folder = tempfile.mkdtemp(prefix=f"hirebot-{kind}-metrics-")
        os.environ[MULTIPROC_ENV] = folder
    else:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    return folder
