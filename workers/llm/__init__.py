"""The LLM gateway: writing, rewriting and structuring job descriptions.

`build_gateway(settings)` picks the OpenAI-compatible gateway when a key is set and the
offline writer otherwise; callers only see `LLMGateway` and `LLMError`.
"""

from workers.llm.gateway import LLMError, LLMGateway, OpenAIGateway, build_gateway
from workers.llm.offline import OFFLINE, OfflineGateway
from workers.llm.schemas import (
    GeneratedText,
    JobDescriptionInput,
    RewriteInput,
    RewriteResult,
    StructuredJD,
    rewrite_answer_schema,
    structured_jd_schema,
)

__all__ = [
    "OFFLINE",
    "GeneratedText",
    "JobDescriptionInput",
    "LLMError",
    "LLMGateway",
    "OfflineGateway",
    "OpenAIGateway",
    "RewriteInput",
    "RewriteResult",
    "StructuredJD",
    "build_gateway",
    "rewrite_answer_schema",
    "structured_jd_schema",
]
