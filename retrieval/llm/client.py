"""The chat model behind the LLM answerer: built with LangChain's ``init_chat_model`` from the settings.

The provider packages are optional extras, imported only here and only when an LLM is configured. Every failure
becomes an `LLMUnavailable` whose message is one line an operator can act on and never holds the API key.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from retrieval.core.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# provider -> the pip extra of newsbot that installs its LangChain integration
EXTRAS = {"openai": "openai", "azure_openai": "openai", "ollama": "ollama"}


class LLMUnavailable(Exception):
    """The LLM cannot be used now; ``str(exc)`` is one line. ``permanent``: retrying will not help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def describe(settings: Settings) -> str:
    """``openai:gpt-4o-mini at http://host/v1``: the model and where it runs (no key)."""
    where = f" at {settings.llm_base_url}" if settings.llm_base_url else ""
    return f"{settings.llm}{where}"


def provider_of(spec: str) -> str:
    """The LangChain provider of a ``provider:model`` spec (``openai`` for ``gpt-4o-mini``)."""
    head = spec.split(":", 1)[0] if ":" in spec else ""
    if head:
        return head.replace("-", "_").lower()
    name = spec.lower()
    if name.startswith(("gpt-", "o1", "o3", "chatgpt")):
        return "openai"
    if name.startswith("claude"):
        return "anthropic"
    return ""


def model_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``init_chat_model``, spelled the way the provider's class expects them."""
    provider = provider_of(settings.llm or "")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    kwargs: dict[str, Any] = {"temperature": settings.llm_temperature}
    if provider == "ollama":
        kwargs["num_predict"] = settings.llm_max_tokens
        kwargs["client_kwargs"] = {"timeout": settings.llm_timeout}
        if settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        return kwargs
    kwargs.update(max_tokens=settings.llm_max_tokens, timeout=settings.llm_timeout, max_retries=0)
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if key:
        kwargs["api_key"] = key
    if provider == "openai" and settings.llm_base_url:
        # an OpenAI-compatible server (llama.cpp, vLLM, LM Studio, Ollama's /v1): chat completions is what they
        # all speak, and most need no key, but the client insists on one
        kwargs["use_responses_api"] = False
        kwargs.setdefault("api_key", "not-needed")
    return kwargs


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The LangChain chat model the settings name; `LLMUnavailable` (permanent) when it cannot be built."""
    spec = settings.llm or ""
    provider = provider_of(spec)
    extra = EXTRAS.get(provider, "llm")
    try:
        from langchain.chat_models import init_chat_model
    except ImportError:
        raise LLMUnavailable(
            f"NEWSBOT_LLM={spec} needs LangChain: pip install 'newsbot[{extra}]'", permanent=True
        ) from None
    try:
        return init_chat_model(spec, **model_kwargs(settings))
    except ImportError as exc:
        package = _missing_package(str(exc)) or f"the LangChain integration for {provider or spec}"
        hint = f"pip install 'newsbot[{extra}]'" if provider in EXTRAS else f"pip install {package}"
        raise LLMUnavailable(
            f"NEWSBOT_LLM={spec} needs {package}, which is not installed: {hint}", permanent=True
        ) from None
    except Exception as exc:  # noqa: BLE001 - a bad spec or option: say which, in one line
        raise LLMUnavailable(f"NEWSBOT_LLM={spec} cannot be used: {one_line(exc, settings)}", permanent=True) from None


def classify(exc: BaseException) -> str:
    """The kind of failure: ``timeout``, ``unreachable``, ``refused`` (HTTP 401/403), ``http`` or ``malformed``."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"APITimeoutError", "TimeoutException", "ReadTimeout", "ConnectTimeout", "TimeoutError"}:
        return "timeout"
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "ClientConnectorError", "RemoteProtocolError"}:
        return "unreachable"
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return "refused" if status in (401, 403) else "http"
    return "malformed"


def explain(exc: BaseException, settings: Settings) -> str:
    """One line saying why a call to the LLM failed (unreachable, timed out, refused, malformed)."""
    where = describe(settings)
    kind = classify(exc)
    if kind == "timeout":
        return f"the LLM ({where}) did not answer within {settings.llm_timeout:g} s (NEWSBOT_LLM_TIMEOUT)"
    if kind == "unreachable":
        return f"the LLM server ({where}) cannot be reached"
    status = getattr(exc, "status_code", None)
    if kind == "refused":
        return f"the LLM server ({where}) refused the API key (HTTP {status}; check NEWSBOT_LLM_API_KEY)"
    if kind == "http" and status == 404:
        return f"the LLM server ({where}) does not know this model or path (HTTP 404)"
    if kind == "http":
        return f"the LLM server ({where}) answered HTTP {status}: {one_line(exc, settings)}"
    return (
        f"the LLM server ({where}) sent a response newsbot cannot read "
        f"({type(exc).__name__}: {one_line(exc, settings)})"
    )


def one_line(exc: BaseException, settings: Settings, limit: int = 160) -> str:
    """The exception's message on one line, shortened, with the API key (whole or in part) taken out."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = redact(text, settings)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def redact(text: str, settings: Settings) -> str:
    """``text`` without the API key, nor the fragments of it that error messages like to echo."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    if key:
        text = text.replace(key, "<key>")
        if len(key) >= 8:
            text = re.sub(re.escape(key[:3]) + r"[\w*.\-]*" + re.escape(key[-4:]), "<key>", text)
    return re.sub(r"\b(sk|key|api[-_]?key)[-_][\w*.\-]{6,}", "<key>", text, flags=re.IGNORECASE)


def _missing_package(message: str) -> str | None:
    found = re.search(r"requires the ([\w.-]+) package|No module named '([\w.]+)'", message)
    if not found:
        return None
    name = found.group(1) or found.group(2).split(".")[0].replace("_", "-")
    return name
