"""One door to the language model: the protocol, the OpenAI implementation, the factory.

Transport failures (429, 5xx, timeouts, dropped connections) are retried by the openai
client itself: with `max_retries=n` it makes up to n+1 attempts, backs off exponentially
(0.5 s doubling, capped at 8 s, with jitter) and honours `Retry-After`/`retry-after-ms` up
to 120 s (see `AsyncAPIClient.request` in openai/_base_client.py). A well-transported but
unusable answer (bad JSON, wrong shape, failed checks) is asked for once more here.
Every failure leaves as `LLMError`, whose `reason` can be shown to users as is.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar, cast

import msgspec
import openai
from openai import AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat
from openai.types.completion_usage import CompletionUsage

from models.jobs.skills import clean_skills
from models.settings import Settings
from workers.llm import prompts
from workers.llm.offline import OfflineGateway
from workers.llm.schemas import (
    GeneratedText,
    JobDescriptionInput,
    ModelTurn,
    RewriteAnswer,
    RewriteInput,
    RewriteResult,
    StructuredJD,
    ToolCall,
    ToolSpec,
    Usage,
    rewrite_answer_schema,
    structured_jd_schema,
)

log = logging.getLogger(__name__)

ANSWER_ATTEMPTS = 2
"""Calls made for one operation when the model's answer is unusable."""

T = TypeVar("T")


class LLMError(Exception):
    """The model could not do what was asked; `reason` is short and user-facing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


OnText = Callable[[str], Awaitable[None]]
"""Receives the answer's text as it is written, piece by piece."""

OnUsage = Callable[[Usage], None]
"""Receives the tokens of each completion, as the model reports them."""


class LLMGateway(Protocol):
    name: str

    async def generate(
        self,
        data: JobDescriptionInput,
        *,
        on_text: OnText | None = None,
        on_usage: OnUsage | None = None,
    ) -> GeneratedText:
        """The description; with `on_text`, streamed to it while it is written."""
        ...

    async def rewrite(
        self, data: RewriteInput, *, on_usage: OnUsage | None = None
    ) -> RewriteResult: ...

    async def convert(
        self, title: str, description: str, *, on_usage: OnUsage | None = None
    ) -> StructuredJD: ...

    async def aclose(self) -> None: ...


class Conversant(Protocol):
    """A model that converses with tools (the OpenAI gateway; the offline parser)."""

    name: str

    async def converse(
        self,
        messages: Sequence[dict[str, Any]],
        tools: Sequence[ToolSpec],
        on_text: OnText,
        *,
        on_usage: OnUsage | None = None,
    ) -> ModelTurn: ...


class _InvalidAnswer(Exception):
    """The model answered, but not in the expected form; worth one more try."""


def _json_format(name: str, schema: dict[str, object]) -> ResponseFormat:
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


def _decoder(struct: type[T]) -> Callable[[str], T]:
    def decode(content: str) -> T:
        try:
            return msgspec.json.decode(content, type=struct)
        except msgspec.DecodeError as exc:  # ValidationError included
            raise _InvalidAnswer(str(exc)) from None

    return decode


def _text(content: str) -> str:
    if not content.strip():
        raise _InvalidAnswer("empty answer")
    return content.strip()


_decode_rewrite = _decoder(RewriteAnswer)
_decode_jd = _decoder(StructuredJD)


class OpenAIGateway:
    """Any OpenAI-compatible chat completions server (OpenAI, Azure, vLLM, Ollama...)."""

    def __init__(self, settings: Settings) -> None:
        self.name = settings.llm_model
        self._timeout = settings.llm_timeout_seconds
        self._attempts = settings.llm_max_attempts
        self._client = openai.AsyncOpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            timeout=settings.llm_timeout_seconds,
            max_retries=max(settings.llm_max_attempts - 1, 0),
        )

    async def generate(
        self,
        data: JobDescriptionInput,
        *,
        on_text: OnText | None = None,
        on_usage: OnUsage | None = None,
    ) -> GeneratedText:
        messages = prompts.generate_messages(data)
        if on_text is None:
            text = await self._ask(messages, None, _text, on_usage)
        else:
            text = _text(await self._stream_text(messages, on_text, on_usage))
        return GeneratedText(text=text, generated_by=self.name)

    async def _stream_text(
        self,
        messages: list[ChatCompletionMessageParam],
        on_text: OnText,
        on_usage: OnUsage | None,
    ) -> str:
        """One streamed answer (no second try: its pieces have been shown already)."""
        pieces: list[str] = []
        try:
            created = await self._client.chat.completions.create(
                model=self.name,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
            )
            stream = cast(AsyncStream[ChatCompletionChunk], created)
            async for chunk in stream:
                _report(on_usage, chunk.usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        pieces.append(choice.delta.content)
                        await on_text(choice.delta.content)
                    if choice.finish_reason == "content_filter":
                        raise LLMError("The model's content filter blocked the answer.")
                    if choice.finish_reason == "length":
                        raise LLMError("The model's answer was cut off at its length limit.")
        except openai.APIError as exc:
            raise LLMError(self._reason(exc)) from exc
        if not "".join(pieces).strip():
            raise LLMError("The model returned an empty description.")
        return "".join(pieces)

    async def rewrite(
        self, data: RewriteInput, *, on_usage: OnUsage | None = None
    ) -> RewriteResult:
        answer = await self._ask(
            prompts.rewrite_messages(data),
            _json_format("rewritten_job_description", rewrite_answer_schema()),
            _decode_rewrite,
            on_usage,
        )
        return RewriteResult(
            job_description=answer.job_description.strip(),
            suggested_skills=clean_skills(answer.suggested_skills),
            generated_by=self.name,
        )

    async def convert(
        self, title: str, description: str, *, on_usage: OnUsage | None = None
    ) -> StructuredJD:
        return await self._ask(
            prompts.convert_messages(title, description),
            _json_format("structured_job_description", structured_jd_schema()),
            _decode_jd,
            on_usage,
        )

    async def aclose(self) -> None:
        await self._client.close()

    async def converse(
        self,
        messages: Sequence[dict[str, Any]],
        tools: Sequence[ToolSpec],
        on_text: OnText,
        *,
        on_usage: OnUsage | None = None,
    ) -> ModelTurn:
        """One streamed answer: its text goes to `on_text` as it arrives; tool calls are
        collected from their pieces (strict schemas: the arguments fit, or the tool says why
        not)."""
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        try:
            created = await self._client.chat.completions.create(
                model=self.name,
                messages=cast(list[ChatCompletionMessageParam], list(messages)),
                tools=[
                    {
                        "type": "function",
                        "function": {
                            "name": tool.name,
                            "description": tool.description,
                            "parameters": tool.parameters,
                            "strict": True,
                        },
                    }
                    for tool in tools
                ],
                stream=True,
                stream_options={"include_usage": True},
            )
            stream = cast(AsyncStream[ChatCompletionChunk], created)
            async for chunk in stream:
                _report(on_usage, chunk.usage)
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        text.append(delta.content)
                        await on_text(delta.content)
                    for piece in delta.tool_calls or []:
                        call = calls.setdefault(piece.index, {"id": "", "name": "", "args": ""})
                        call["id"] = piece.id or call["id"]
                        if piece.function is not None:
                            call["name"] += piece.function.name or ""
                            call["args"] += piece.function.arguments or ""
                    if choice.finish_reason == "content_filter":
                        raise LLMError("The model's content filter blocked the answer.")
        except openai.APIError as exc:
            raise LLMError(self._reason(exc)) from exc
        return ModelTurn(
            text="".join(text),
            tool_calls=[
                ToolCall(id=c["id"] or f"call_{i}", name=c["name"], arguments=c["args"] or "{}")
                for i, c in sorted(calls.items())
            ],
        )

    async def _ask(
        self,
        messages: list[ChatCompletionMessageParam],
        response_format: ResponseFormat | None,
        decode: Callable[[str], T],
        on_usage: OnUsage | None = None,
    ) -> T:
        """Call the model, decode its answer, and ask once more if the answer is unusable."""
        for attempt in range(1, ANSWER_ATTEMPTS + 1):
            completion = await self._complete(messages, response_format)
            _report(on_usage, completion.usage)
            try:
                return decode(_content(completion))
            except _InvalidAnswer as exc:
                log.warning("unusable answer from %s (try %d): %s", self.name, attempt, exc)
        raise LLMError(
            "The model returned an answer that does not match the expected format "
            f"(after {ANSWER_ATTEMPTS} tries)."
        )

    async def _complete(
        self, messages: list[ChatCompletionMessageParam], response_format: ResponseFormat | None
    ) -> ChatCompletion:
        try:
            if response_format is None:
                return await self._client.chat.completions.create(
                    model=self.name, messages=messages
                )
            return await self._client.chat.completions.create(
                model=self.name, messages=messages, response_format=response_format
            )
        except openai.APIError as exc:
            raise LLMError(self._reason(exc)) from exc

    def _reason(self, exc: openai.APIError) -> str:
        tries = f"after {self._attempts} tries" if self._attempts > 1 else "on the first try"
        if isinstance(exc, openai.APITimeoutError):
            return f"The language model did not answer within {self._timeout:g} s ({tries})."
        if isinstance(exc, openai.APIConnectionError):
            return (
                "Could not reach the language model server; check OPENAI_BASE_URL and the network."
            )
        if isinstance(exc, openai.RateLimitError):
            return "The language model is rate-limiting us; try again in a minute."
        if isinstance(exc, openai.AuthenticationError):
            return "The language model rejected our API key; check OPENAI_API_KEY."
        if isinstance(exc, openai.PermissionDeniedError):
            return f"Our API key may not use the model {self.name!r}; check HIREBOT_LLM_MODEL."
        if isinstance(exc, openai.NotFoundError):
            return (
                f"The language model server does not know the model {self.name!r}; "
                "check HIREBOT_LLM_MODEL and OPENAI_BASE_URL."
            )
        if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
            return (
                f"The language model server failed (HTTP {exc.status_code}, {tries}); "
                "try again later."
            )
        if isinstance(exc, openai.APIStatusError):
            detail = exc.message[:200]
            return f"The language model rejected the request (HTTP {exc.status_code}): {detail}"
        return f"The language model call failed: {exc.message[:200]}"


def _report(on_usage: OnUsage | None, reported: CompletionUsage | None) -> None:
    if on_usage is not None and reported is not None:
        on_usage(
            Usage(tokens_in=reported.prompt_tokens or 0, tokens_out=reported.completion_tokens or 0)
        )


def _content(completion: ChatCompletion) -> str:
    """The answer's text; a refusal or a filtered answer is final, a cut one is retried."""
    if not completion.choices:
        raise _InvalidAnswer("no choices")
    choice = completion.choices[0]
    if choice.message.refusal:
        raise LLMError(f"The model refused: {choice.message.refusal[:300]}")
    if choice.finish_reason == "content_filter":
        raise LLMError("The model's content filter blocked the answer.")
    if choice.finish_reason == "length":
        raise _InvalidAnswer("answer cut off at the length limit")
    return choice.message.content or ""


def build_gateway(settings: Settings) -> LLMGateway:
    """The OpenAI gateway when a key is configured, the offline writer otherwise."""
    if settings.openai_api_key:
        return OpenAIGateway(settings)
    return OfflineGateway(chunk_delay=settings.offline_stream_pace)
