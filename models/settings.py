"""Every setting Hirebot reads, in one typed object.

This is the only module that reads the environment (and an optional `.env` file in the
working directory; real environment variables win over it). Each field's docstring is its
documentation; the README's settings table mirrors them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from models.enums import Role


class SettingsError(ValueError):
    """A setting has a value Hirebot cannot use; the message names it."""


ROLES = tuple(role.value for role in Role)

DEFAULT_SLACK_SCOPES = (
    "commands,chat:write,chat:write.public,im:write,app_mentions:read,im:history,"
    "channels:history,groups:history,assistant:write,users:read,users:read.email"
)
"""The bot scopes of manifest.yml (a test keeps the two equal)."""


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: str = ""
    """HIREBOT_DATA_DIR: folder for Hirebot's files on this machine (the default SQLite database, the demo token); empty means `$XDG_DATA_HOME/hirebot`, else `~/.local/share/hirebot`, whatever the working directory."""

    database_url: str = ""
    """HIREBOT_DATABASE_URL: `sqlite:///path.db` (embedded; a relative path is relative to the working directory) or `postgresql://user:pass@host:port/db`; empty means `sqlite:///<HIREBOT_DATA_DIR>/hirebot.db`."""

    db_pool_size: int = 10
    """HIREBOT_DB_POOL_SIZE: PostgreSQL connections per process (1-100); keep pools x processes under max_connections."""

    broker_url: str = "memory://"
    """HIREBOT_BROKER_URL: task queue: `memory://` (in-process), `redis://host:port/db`, `nats://host:port` or `amqp://user:pass@host:port/`."""

    task_redelivery_seconds: int = 600
    """HIREBOT_TASK_REDELIVERY_SECONDS: Redis streams: a task unacknowledged this long (its worker died) is delivered again."""

    worker_shutdown_grace_seconds: int = 30
    """HIREBOT_WORKER_SHUTDOWN_GRACE: seconds `hirebot worker` lets running tasks finish after SIGTERM before it exits."""

    cache_url: str = "memory://"
    """HIREBOT_CACHE_URL: store for cached job lists: `memory://` (one process) or `redis://host:port/db` (shared by all processes)."""

    cache_ttl_seconds: int | None = 300
    """HIREBOT_CACHE_TTL: seconds (1-86400) a cached job list lives at most (a change to a job invalidates the lists that show it sooner); `off` turns the list cache off."""

    openai_api_key: str = ""
    """OPENAI_API_KEY: key for the language model; empty selects the offline generator."""

    openai_base_url: str = ""
    """OPENAI_BASE_URL: base URL of any OpenAI-compatible server (Azure OpenAI, vLLM, Ollama); empty means OpenAI's."""

    llm_model: str = "gpt-4o-mini"
    """HIREBOT_LLM_MODEL: model name sent to the OpenAI-compatible server."""

    llm_timeout_seconds: float = 60.0
    """HIREBOT_LLM_TIMEOUT: seconds one model call may take before it is abandoned."""

    llm_max_attempts: int = 3
    """HIREBOT_LLM_MAX_ATTEMPTS: attempts per model call (1-3) on 429, 5xx and timeouts, with backoff honouring Retry-After."""

    offline_stream_pace: float = 0.05
    """HIREBOT_OFFLINE_STREAM_PACE: seconds between the lines of a description the offline writer streams into Slack (so it is written live, like a model's); 0 sends it at once."""

    llm_monthly_tokens: int = 0
    """HIREBOT_LLM_MONTHLY_TOKENS: model tokens (in + out) each organization may use per calendar month (UTC), unless an Admin sets its own at `PUT /api/usage/budget`; 0 means no limit."""

    generation_wait_seconds: float = 30.0
    """HIREBOT_GENERATION_WAIT: seconds `POST /api/jobs/generate-job-description/` waits for the worker before answering 504."""

    conversation_turns_per_minute: int = 20
    """HIREBOT_CONVERSATION_TURNS_PER_MINUTE: messages one user may send Hirebot in a minute (mentions, DM, threads); past it they are asked to wait."""

    conversation_context_chars: int = 12_000
    """HIREBOT_CONVERSATION_CONTEXT_CHARS: how much of a thread's earlier messages (characters, newest first) the model sees with each new one."""

    proposal_ttl_hours: int = 24
    """HIREBOT_PROPOSAL_TTL_HOURS: how long a confirmation card's Confirm button works."""

    slack_bot_token: str = ""
    """SLACK_BOT_TOKEN: the bot token (`xoxb-...`); with SLACK_SIGNING_SECRET it turns the Slack endpoint on."""

    slack_signing_secret: str = ""
    """SLACK_SIGNING_SECRET: verifies that requests to /slack/events come from Slack."""

    slack_app_token: str = ""
    """SLACK_APP_TOKEN: app-level token (`xapp-...`) for Socket Mode (`hirebot bot --socket`)."""

    slack_client_id: str = ""
    """SLACK_CLIENT_ID: the app's client id; with SLACK_CLIENT_SECRET (and no SLACK_BOT_TOKEN) it turns on OAuth mode: any workspace installs Hirebot at /slack/install."""

    slack_client_secret: str = ""
    """SLACK_CLIENT_SECRET: the app's client secret (OAuth mode)."""

    slack_scopes: str = DEFAULT_SLACK_SCOPES
    """SLACK_SCOPES: comma-separated bot scopes asked for at install (OAuth mode); the default is the manifest's."""

    secret_key: str = ""
    """HIREBOT_SECRET_KEY: Fernet key(s) that encrypt the stored Slack tokens (OAuth mode refuses to start without one); comma-separated to rotate keys: the first encrypts, all decrypt."""

    slack_api_url: str = "https://slack.com/api/"
    """HIREBOT_SLACK_API_URL: Slack Web API base URL (tests and proxies point it elsewhere)."""

    slack_response_url_hosts: str = ""
    """HIREBOT_SLACK_RESPONSE_URL_HOSTS: comma-separated extra hosts (http or https) a request's `response_url` may point to; Slack's own `hooks.slack.com` over https is always allowed."""

    default_slack_role: str = "Editor"
    """HIREBOT_DEFAULT_SLACK_ROLE: role given to Slack users on first use (the first user of a workspace becomes Admin)."""

    public_url: str = "http://127.0.0.1:8000"
    """HIREBOT_PUBLIC_URL: public base URL of this service, used in candidate links."""

    host: str = "127.0.0.1"
    """HIREBOT_HOST: address `hirebot serve` binds to."""

    port: int = 8000
    """HIREBOT_PORT: port `hirebot serve` listens on."""

    serve_shutdown_grace_seconds: int = 30
    """HIREBOT_SERVE_SHUTDOWN_GRACE: seconds `hirebot serve` lets requests in flight finish after SIGTERM (new ones are refused meanwhile)."""

    max_body_bytes: int = 1_048_576
    """HIREBOT_MAX_BODY_BYTES: largest request body accepted; larger ones get 413."""

    log_level: str = "INFO"
    """HIREBOT_LOG_LEVEL: DEBUG, INFO, WARNING or ERROR."""

    log_format: str = "text"
    """HIREBOT_LOG_FORMAT: `text` (a readable line) or `json` (one JSON object per line, for production)."""

    metrics_token: str = ""
    """HIREBOT_METRICS_TOKEN: bearer token /metrics answers to; empty: only loopback clients are answered."""

    worker_metrics_port: int = 9100
    """HIREBOT_WORKER_METRICS_PORT: port where `hirebot worker` serves its task metrics (Prometheus); 0 turns it off."""

    worker_metrics_host: str = "127.0.0.1"
    """HIREBOT_WORKER_METRICS_HOST: address the workers' metrics port binds to (0.0.0.0 in a container)."""

    webhook_allow_private: bool = False
    """HIREBOT_WEBHOOK_ALLOW_PRIVATE: let webhooks use http:// and loopback, private or link-local addresses (tests, single-tenant installs); off, they go only to public https:// hosts."""

    webhook_retry_hours: float = 24.0
    """HIREBOT_WEBHOOK_RETRY_HOURS: how long a failing webhook delivery is tried again (timeouts, 429, 5xx) before it is marked failed (24 to 168)."""

    debug: bool = False
    """HIREBOT_DEBUG: tracebacks in error responses; never in production."""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def llm_online(self) -> bool:
        return bool(self.openai_api_key)

    @property
    def slack_oauth(self) -> bool:
        """OAuth mode: workspaces install Hirebot, their tokens live in the database."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_signing_secret and (self.slack_bot_token or self.slack_oauth))

    @property
    def slack_scope_list(self) -> list[str]:
        return [scope.strip() for scope in self.slack_scopes.split(",") if scope.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: str = ".env") -> Settings:
        """Build settings from `environ` (default: the process environment) over `.env`."""
        source: dict[str, str] = {}
        if Path(env_file).is_file():
            source.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        source.update(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = env_name(field.name)
            if name in source:
                values[field.name] = _parse(field.name, source[name], str(field.type))
        # Fixed places, so every command finds the same database from any folder.
        data_dir = Path(values.get("data_dir") or default_data_dir(source)).expanduser()
        values["data_dir"] = str(data_dir.absolute())
        if not values.get("database_url"):
            values["database_url"] = f"sqlite:///{data_dir.absolute() / 'hirebot.db'}"
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise SettingsError, naming the setting and what it accepts, on the first value
        Hirebot cannot use (every number has a range, every choice its list)."""
        for name, rule in _RULES.items():
            value = getattr(self, name)
            if not rule.accepts(value):
                raise SettingsError(_invalid(name, value))
        if self.slack_oauth and not self.secret_key:
            raise SettingsError(
                "HIREBOT_SECRET_KEY is required in OAuth mode (SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET): it encrypts the stored Slack tokens; see README"
            )
        if self.secret_key:
            from models.secrets import SecretBox, SecretKeyError

            try:
                SecretBox(self.secret_key)
            except SecretKeyError as error:
                raise SettingsError(str(error)) from None
        if self.slack_oauth and not self.slack_scope_list:
            raise SettingsError("SLACK_SCOPES must name at least one scope")


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """`$XDG_DATA_HOME/hirebot` (an absolute XDG_DATA_HOME only, as the XDG spec says), else
    `~/.local/share/hirebot`."""
    xdg = environ.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "hirebot"
    home = Path(environ["HOME"]) if environ.get("HOME") else Path.home()
    return home / ".local" / "share" / "hirebot"


@dataclass(frozen=True, slots=True)
class _Range:
    """A number from `low` to `high` (both included); `whole`: an integer."""

    low: float
    high: float
    unit: str = ""
    whole: bool = True
    off: str = ""
    """The word that turns the feature off instead (the value is then None), if any."""
    note: str = ""

    def accepts(self, value: Any) -> bool:
        if value is None:
            return bool(self.off)
        return bool(self.low <= value <= self.high)

    def allowed(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        unit = f" of {self.unit}" if self.unit else ""
        text = f"{kind}{unit} from {_number(self.low)} to {_number(self.high)}"
        if self.note:
            text += f" ({self.note})"
        return f"{text}, or {self.off}" if self.off else text


@dataclass(frozen=True, slots=True)
class _Choice:
    """One of `values` (`any_case`: compared ignoring case)."""

    values: tuple[str, ...]
    any_case: bool = False

    def accepts(self, value: Any) -> bool:
        text = str(value).upper() if self.any_case else str(value)
        return text in self.values

    def allowed(self) -> str:
        return "one of " + _either(self.values)


@dataclass(frozen=True, slots=True)
class _Prefix:
    """A URL that starts with one of `schemes` (`empty`: or nothing at all)."""

    schemes: tuple[str, ...]
    empty: str = ""
    """What an empty value means, when it is allowed."""

    def accepts(self, value: Any) -> bool:
        return (bool(self.empty) and value == "") or str(value).startswith(self.schemes)

    def allowed(self) -> str:
        text = "a URL starting with " + _either(self.schemes)
        return f"{text}; or empty ({self.empty})" if self.empty else text


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return str(int(value)) if float(value).is_integer() else str(value)


def _either(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_HTTP = ("http://", "https://")

_RULES: dict[str, _Range | _Choice | _Prefix] = {
    "database_url": _Prefix(("sqlite:///", "postgresql://", "postgres://")),
    "db_pool_size": _Range(1, 100, "connections"),
    "broker_url": _Prefix(("memory://", "redis://", "rediss://", "nats://", "amqp://")),
    "task_redelivery_seconds": _Range(1, 7 * 86_400, "seconds"),
    "worker_shutdown_grace_seconds": _Range(1, 3600, "seconds"),
    "cache_url": _Prefix(("memory://", "redis://", "rediss://")),
    # Never 0: Litestar's memory store keeps an expiry of 0 for ever, Redis refuses it.
    "cache_ttl_seconds": _Range(1, 86_400, "seconds", off="off"),
    "openai_base_url": _Prefix(_HTTP, empty="OpenAI's"),
    "llm_timeout_seconds": _Range(0.1, 3600, "seconds", whole=False),
    "llm_max_attempts": _Range(1, 3),
    "offline_stream_pace": _Range(0, 5, "seconds", whole=False),
    "llm_monthly_tokens": _Range(0, 10**12, "tokens", note="0: no limit"),
    "generation_wait_seconds": _Range(0.1, 3600, "seconds", whole=False),
    "conversation_turns_per_minute": _Range(1, 1000),
    "conversation_context_chars": _Range(1000, 1_000_000, "characters"),
    "proposal_ttl_hours": _Range(1, 720, "hours"),
    "slack_api_url": _Prefix(_HTTP),
    "default_slack_role": _Choice(ROLES),
    "public_url": _Prefix(_HTTP),
    "port": _Range(1, 65535),
    "serve_shutdown_grace_seconds": _Range(1, 3600, "seconds"),
    "max_body_bytes": _Range(1024, 2**30, "bytes"),
    "log_level": _Choice(LOG_LEVELS, any_case=True),
    "log_format": _Choice(("text", "json")),
    "worker_metrics_port": _Range(0, 65535, note="0: off"),
    "webhook_retry_hours": _Range(24, 168, "hours", whole=False),
}
"""What each setting accepts, beyond its type; one line of error names it (`_invalid`)."""


def _invalid(name: str, value: Any) -> str:
    """The one-line error of a setting: its variable, the value given and what it accepts."""
    return f"{env_name(name)}={_number(value)!r} is not valid: use {_RULES[name].allowed()}"


_ENV_NAMES = {
    "data_dir": "HIREBOT_DATA_DIR",
    "database_url": "HIREBOT_DATABASE_URL",
    "db_pool_size": "HIREBOT_DB_POOL_SIZE",
    "broker_url": "HIREBOT_BROKER_URL",
    "task_redelivery_seconds": "HIREBOT_TASK_REDELIVERY_SECONDS",
    "worker_shutdown_grace_seconds": "HIREBOT_WORKER_SHUTDOWN_GRACE",
    "cache_url": "HIREBOT_CACHE_URL",
    "cache_ttl_seconds": "HIREBOT_CACHE_TTL",
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "llm_model": "HIREBOT_LLM_MODEL",
    "llm_timeout_seconds": "HIREBOT_LLM_TIMEOUT",
    "llm_max_attempts": "HIREBOT_LLM_MAX_ATTEMPTS",
    "offline_stream_pace": "HIREBOT_OFFLINE_STREAM_PACE",
    "llm_monthly_tokens": "HIREBOT_LLM_MONTHLY_TOKENS",
    "generation_wait_seconds": "HIREBOT_GENERATION_WAIT",
    "conversation_turns_per_minute": "HIREBOT_CONVERSATION_TURNS_PER_MINUTE",
    "conversation_context_chars": "HIREBOT_CONVERSATION_CONTEXT_CHARS",
    "proposal_ttl_hours": "HIREBOT_PROPOSAL_TTL_HOURS",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_client_id": "SLACK_CLIENT_ID",
    "slack_client_secret": "SLACK_CLIENT_SECRET",
    "slack_scopes": "SLACK_SCOPES",
    "secret_key": "HIREBOT_SECRET_KEY",
    "slack_api_url": "HIREBOT_SLACK_API_URL",
    "slack_response_url_hosts": "HIREBOT_SLACK_RESPONSE_URL_HOSTS",
    "default_slack_role": "HIREBOT_DEFAULT_SLACK_ROLE",
    "public_url": "HIREBOT_PUBLIC_URL",
    "host": "HIREBOT_HOST",
    "port": "HIREBOT_PORT",
    "serve_shutdown_grace_seconds": "HIREBOT_SERVE_SHUTDOWN_GRACE",
    "max_body_bytes": "HIREBOT_MAX_BODY_BYTES",
    "log_level": "HIREBOT_LOG_LEVEL",
    "log_format": "HIREBOT_LOG_FORMAT",
    "metrics_token": "HIREBOT_METRICS_TOKEN",
    "worker_metrics_port": "HIREBOT_WORKER_METRICS_PORT",
    "worker_metrics_host": "HIREBOT_WORKER_METRICS_HOST",
    "webhook_allow_private": "HIREBOT_WEBHOOK_ALLOW_PRIVATE",
    "webhook_retry_hours": "HIREBOT_WEBHOOK_RETRY_HOURS",
    "debug": "HIREBOT_DEBUG",
}


def env_name(field_name: str) -> str:
    """The environment variable that sets `field_name`."""
    return _ENV_NAMES[field_name]


def _to_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("true or false")


_CASTS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": int,
    "int | None": int,
    "float": float,
    "bool": _to_bool,
}
_KINDS = {"int": "a whole number", "float": "a number", "bool": "true or false"}


def _parse(name: str, raw: str, kind: str) -> Any:
    """The value of field `name` from its variable's text (`kind`: the field's type)."""
    text = raw.strip()
    rule = _RULES.get(name)
    if isinstance(rule, _Range) and rule.off and text.lower() == rule.off:
        return None
    try:
        return _CASTS[kind](text)
    except ValueError:
        allowed = rule.allowed() if rule is not None else _KINDS.get(kind, kind)
        raise SettingsError(f"{env_name(name)}={raw!r} is not valid: use {allowed}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings.from_env()
