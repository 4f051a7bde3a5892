"""OPTIONS answers with every method of the path.

Litestar makes one OPTIONS handler per group of handlers sharing a path, and when
controllers share a path (`/api/jobs`) the first one's wins: `Allow: OPTIONS, POST`
although GET exists. The route knows all of its methods; this answers with them.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.status_codes import HTTP_204_NO_CONTENT


def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    if request.method != "OPTIONS":
        return None
    for route in request.app.routes:
        if request.route_handler in getattr(route, "route_handlers", ()):
            allow = ", ".join(sorted(route.methods))
            return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": allow})
    return None
