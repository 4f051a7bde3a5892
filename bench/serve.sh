#!/bin/sh
# Serve Hirebot's API for the benchmark: 2 uvicorn worker processes (what `hirebot serve
# --workers 2` runs) against the database bench/load_data.py created, on loopback only.
#
#   bench/serve.sh            # http://127.0.0.1:8765, until Ctrl-C
#   PORT=9000 bench/serve.sh
#
# Each process keeps its own in-memory list cache (HIREBOT_CACHE_URL=memory://, the embedded
# default); set HIREBOT_CACHE_URL=redis://127.0.0.1:6379/0 to measure the shared Redis store.
set -eu
cd "$(dirname "$0")/.."
export HIREBOT_DATABASE_URL="${HIREBOT_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/hirebot_bench}"
export HIREBOT_CACHE_URL="${HIREBOT_CACHE_URL:-memory://}"
export HIREBOT_BROKER_URL="${HIREBOT_BROKER_URL:-memory://}"
export HIREBOT_LOG_LEVEL="${HIREBOT_LOG_LEVEL:-WARNING}"
exec .venv/bin/uvicorn api.app:create_app --factory \
    --host 127.0.0.1 --port "${PORT:-8765}" --workers "${WORKERS:-2}" \
    --no-access-log --log-level warning
