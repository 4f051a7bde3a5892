"""Hirebot's own Prometheus metrics, defined once (`api/metrics.py` serves them).

Requests are counted by Litestar's Prometheus middleware and tasks by taskiq's, in the
workers on their own port; these are the rest: model calls and tokens, Slack API errors
and rate limits, webhook deliveries, and the backlogs of the outbox and of the webhooks.
With several processes they are added up across them (`workers/metrics_folder.py`).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
WEBHOOK_DELIVERIES = Counter(
    "hirebot_webhook_deliveries",
    "Webhook attempts by outcome: delivered, retry (to be tried again), failed, disabled "
    "(the endpoint answered 410 and was turned off).",
    ["outcome"],
)
WEBHOOK_LATENCY = Histogram(
    "hirebot_webhook_latency_seconds",
    "How long a webhook receiver took to answer (or to time out).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBHOOK_BACKLOG = Gauge(
    "hirebot_webhook_backlog",
    "Webhook deliveries not finished yet (read when /metrics is scraped).",
    multiprocess_mode="mostrecent",
)
