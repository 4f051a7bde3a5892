"""Opaque page cursors: a row id, tagged with what it pages, base64-encoded. A cursor of
another kind, or one this API did not give out, is Invalid (field `cursor`)."""

from __future__ import annotations

import base64

from models.errors import Invalid
from models.jobs.access import is_valid_id


def encode(kind: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}{row_id}".encode()).decode().rstrip("=")


def decode(kind: str, cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        row_id = int(raw[len(kind) :]) if raw.startswith(kind) else 0
        if not is_valid_id(row_id):
            raise ValueError(raw)
        return row_id
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise Invalid(
            "cursor is not valid; use next_cursor from a previous page", field="cursor"
        ) from None
