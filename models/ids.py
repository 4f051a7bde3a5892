"""Row ids: PostgreSQL serials (int4), so 1 to 2**31 - 1; any other names no row."""

from __future__ import annotations

from typing import Annotated

import msgspec

MAX_ID = 2**31 - 1

Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, examples=[42])]
"""An id in a request body."""
