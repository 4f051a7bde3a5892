"""Hirebot's own Prometheus metrics, defined once (`api/metrics.py` serves them).

Requests are counted by Litestar's Prometheus middleware and tasks by taskiq's, in the
workers on their own port; these are the rest: model calls and tokens, Slack API errors
and rate limits, and the outbox's backlog. With several processes they are added up
across them (`workers/metrics_folder.py`).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

MODEL_CALLS = Counter(
    "hirebot_model_calls",
    "Model calls by purpose, model and outcome.",
    ["purpose", "model", "outcome"],
)
MODEL_TOKENS = Counter("hirebot_model_tokens", "Model tokens, in and out.", ["direction"])
SLACK_API_ERRORS = Counter(
    "hirebot_slack_api_errors",
    "Slack Web API calls that failed, by method and error.",
    ["method", "error"],
)
SLACK_RATE_LIMITED = Counter(
    "hirebot_slack_rate_limited",
    "Slack Web API answers 429 (each waited out and retried).",
    ["method"],
)
OUTBOX_BACKLOG = Gauge(
    "hirebot_outbox_backlog",
    "Tasks in the outbox not yet done (read when /metrics is scraped).",
    multiprocess_mode="mostrecent",
)
