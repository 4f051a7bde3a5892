"""Is this request from Slack? Checked first, on the raw bytes, before anything reads them.

Slack signs `v0:<timestamp>:<raw body>` with the app's signing secret (HMAC-SHA256) and
sends the timestamp and `v0=<hex>` in headers. slack_sdk's `SignatureVerifier` raises,
rather than answering False, on a timestamp that is not an integer, and wants the body as
text; here every malformed header is simply "not verified", the HMAC covers the bytes as
received, and a body that is not UTF-8 is refused after the signature check (Slack never
sends one), so nothing downstream ever decodes unverified bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Any

MAX_AGE_SECONDS = 300
"""Slack's own tolerance: a request older (or newer) than five minutes may be a replay."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


VERIFIED = "hirebot_verified"
"""Bolt context key set on a request whose origin is proven: a checked signature (HTTP, set
by `bot.http`) or the app's own WebSocket (Socket Mode)."""


def is_verified(request: Any) -> bool:
    """Whether a Bolt request was verified (error handlers act on nothing else)."""
    context = getattr(request, "context", None)
    return context is not None and bool(context.get(VERIFIED))


class Unverified(Exception):
    """The request is not provably from Slack; `reason` is safe to log (no body)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verified_body(
    raw: bytes, headers: Mapping[str, str], secret: str, *, now: float | None = None
) -> str:
    """The body as text if Slack signed exactly these bytes recently; `Unverified` if not."""
    if not secret:
        raise Unverified("no signing secret is configured")
    timestamp = _header(headers, "x-slack-request-timestamp")
    signature = _header(headers, "x-slack-signature")
    if timestamp is None:
        raise Unverified("missing X-Slack-Request-Timestamp")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Unverified("malformed X-Slack-Request-Timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        raise Unverified("stale X-Slack-Request-Timestamp")
    if signature is None:
        raise Unverified("missing X-Slack-Signature")
    if not _SIGNATURE.fullmatch(signature):
        raise Unverified("malformed X-Slack-Signature")
    expected = hmac.new(
        secret.encode(), b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(signature[3:], expected):
        raise Unverified("wrong X-Slack-Signature")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unverified("body is not UTF-8") from None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value.strip() if isinstance(value, str) else None
