"""The LLM gateway: writing, rewriting and structuring job descriptions.

`build_gateway(settings)` picks the OpenAI-compatible gateway when a key is set and the
offline writer otherwise; callers only see `LLMGateway` and `LLMError`.
"""

from workers.llm.gateway import (
    Conversant,
    LLMError,
    LLMGateway,
    OnText,
    OnUsage,
    OpenAIGateway,
    build_gateway,
)
from workers.llm.offline import OFFLINE, OfflineGateway
from workers.llm.schemas import (
    GeneratedText,
    JobDescriptionInput,
    ModelTurn,
    RewriteInput,
    RewriteResult,
    StructuredJD,
    ToolCall,
    ToolSpec,
    rewrite_answer_schema,
    strict_schema,
    structured_jd_schema,
)

__all__ = [
    "OFFLINE",
    "Conversant",
    "GeneratedText",
    "JobDescriptionInput",
    "LLMError",
    "LLMGateway",
    "ModelTurn",
    "OfflineGateway",
    "OnText",
    "OnUsage",
    "OpenAIGateway",
    "RewriteInput",
    "RewriteResult",
    "StructuredJD",
    "ToolCall",
    "ToolSpec",
    "build_gateway",
    "rewrite_answer_schema",
    "strict_schema",
    "structured_jd_schema",
]
