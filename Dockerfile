# Hirebot's image: the `hirebot` command on a slim Python, run as a user without privileges.
#   docker build -t hirebot .
#   docker run --rm -p 8000:8000 hirebot serve      (or: migrate, worker, bot --socket)
# compose.yaml runs it with PostgreSQL and Redis; the README lists every setting.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md piccolo_conf.py manifest.yml ./
COPY api ./api
COPY bot ./bot
COPY models ./models
COPY workers ./workers
RUN pip install . && useradd --create-home --uid 10001 hirebot

USER hirebot
WORKDIR /home/hirebot
# In a container: listen on every interface, log JSON lines.
ENV HIREBOT_HOST=0.0.0.0 \
    HIREBOT_WORKER_METRICS_HOST=0.0.0.0 \
    HIREBOT_LOG_FORMAT=json
EXPOSE 8000 9100
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('HIREBOT_PORT', '8000')}/health\", timeout=2)"]
ENTRYPOINT ["hirebot"]
CMD ["serve"]
