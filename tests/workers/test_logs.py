"""Log lines: JSON or text, with the request's context, and no secrets."""

from __future__ import annotations

import io
import json
import logging

import pytest

from models.settings import Settings, SettingsError
from workers.logs import CONTEXT, JsonFormatter, SecretsRedacted, TextFormatter, act_for, begin


def emit(formatter: logging.Formatter, message: str, *args: object) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    handler.addFilter(SecretsRedacted())
    logger = logging.getLogger("hirebot.test.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(message, *args)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return out.getvalue()


def test_a_json_line_carries_the_context_and_no_token() -> None:
    token = begin("req-1")
    try:
        act_for(7, 42)
        line = emit(JsonFormatter(), "posted with %s", "xoxb-123-secret")
    finally:
        CONTEXT.reset(token)
    record = json.loads(line)
    assert record["request_id"] == "req-1" and (record["org_id"], record["user_id"]) == (7, 42)
    assert record["level"] == "WARNING" and record["logger"] == "hirebot.test.logs"
    assert record["message"] == "posted with [redacted]"
    assert record["time"].endswith("+00:00")


def test_a_text_line_names_the_context_only_when_there_is_one() -> None:
    assert emit(TextFormatter(), "plain") == "WARNING hirebot.test.logs: plain\n"
    token = begin("req-2", 3, 4)
    try:
        line = emit(TextFormatter(), "inside")
    finally:
        CONTEXT.reset(token)
    assert line == "WARNING hirebot.test.logs [req=req-2 org=3 user=4]: inside\n"


def test_the_log_format_is_text_or_json() -> None:
    assert (
        Settings.from_env({"HIREBOT_LOG_FORMAT": "json"}, env_file="/nonexistent").log_format
        == "json"
    )
    with pytest.raises(SettingsError, match="HIREBOT_LOG_FORMAT='xml' is not valid"):
        Settings.from_env({"HIREBOT_LOG_FORMAT": "xml"}, env_file="/nonexistent")
