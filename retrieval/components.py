"""`Components`: the parts `Newsbot` is made of, each made on first use from the settings (nothing heavy
happens at import or construction time)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from retrieval.core.settings import Settings

if TYPE_CHECKING:
    from retrieval.answering.lexicon import WordVectors
    from retrieval.answering.model import Selector
    from retrieval.answering.reader import Reader
    from retrieval.feeds import FeedFollower
    from retrieval.llm.answerer import LLMAnswerer
    from retrieval.news.catalog import Catalog
    from retrieval.search.embeddings import Embedder
    from retrieval.search.searcher import Searcher
    from retrieval.store import Index
    from retrieval.store.reprints import ReprintStore

log = logging.getLogger("newsbot")
Self = TypeVar("Self", bound="Components")


class Components:
    """The product's parts, each made on first use from the settings: encoder, index, searcher, answer
    selector and reader, word vectors, reprint groups, the LLM answerer; `close()` releases them."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        notice: Callable[[str], None] | None = None,
        client_factory: Callable[[Settings], Any] | None = None,
        purpose: str = "serve",
    ) -> None:
        self.settings = settings
        self.purpose = purpose  # "ingest" (bulk encoding) or "serve" (answers): picks the encoder when "auto"
        self.notice = notice or log.info
        self._embedder = embedder
        self._client_factory = client_factory
        self._index: Index | None = None
        self._searcher: Searcher | None = None
        self._llm: LLMAnswerer | None = None
        self._selector: Selector | None = None
        self._reader: Reader | None = None
        self._word_vectors: WordVectors | None | bool = False  # False: not loaded yet
        self._reprints: ReprintStore | None = None
        self._feeds: FeedFollower | None = None

    # ---- wiring --------------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from retrieval.search.embeddings import Embedder

            s = self.settings
            self._embedder = Embedder(
                s.embedding_model,
                s.embedding_batch_size,
                s.backend_for(self.purpose),
                cache_dir=s.onnx_cache,
                notice=self.notice,
            )
        return self._embedder

    def prepare_fast_encoder(self) -> None:
        """With the auto backend, make the ONNX export answers will use (once per model; a few seconds)."""
        s = self.settings
        if s.embedding_backend != "auto":
            return
        from retrieval.core.errors import NewsbotError
        from retrieval.search.onnx_backend import EXPORT_NOTICE, exported_model, is_exported

        location = self.embedder.location
        if is_exported(location, "onnx", s.onnx_cache):
            return
        self.notice(EXPORT_NOTICE)
        try:
            exported_model(location, "onnx", s.onnx_cache)
        except (NewsbotError, OSError) as exc:  # answers then fall back to torch
            self.notice(f"could not prepare the ONNX encoder ({exc}); answers will use torch")

    def _new_index(self, check_model: bool = True) -> Index:
        from retrieval.store import Index

        if self._client_factory is None:
            return Index(self.settings, self.embedder.name).open(check_model)
        return Index(self.settings, self.embedder.name, self._client_factory).open(check_model)

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = self._new_index()
        return self._index

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            from retrieval.search.searcher import Searcher

            s = self.settings
            self._searcher = Searcher(self.index, self.embedder, s.candidates, s.rrf_k, (s.dense_weight, s.bm25_weight))
        return self._searcher

    @property
    def catalog(self) -> Catalog:
        from retrieval.news.catalog import Catalog

        return Catalog(self.index, self.settings)

    @property
    def llm_answerer(self) -> LLMAnswerer:
        """The LLM answerer (its chat model is built on first use, from the settings)."""
        if self._llm is None:
            from retrieval.llm.answerer import LLMAnswerer

            self._llm = LLMAnswerer(self.settings, embed=self.embedder.encode, notice=self.notice)
        return self._llm

    @property
    def selector(self) -> Selector:
        """The fitted answer selector shipped in the package (`retrieval.answering.model`)."""
        if self._selector is None:
            from retrieval.answering.model import Selector

            self._selector = Selector.load()
        return self._selector

    @property
    def reader(self) -> Reader:
        """The sentence reader shipped in the package (`retrieval.answering.reader`), loaded on first use."""
        if self._reader is None:
            from retrieval.answering.reader import Reader

            self._reader = Reader.load()
        return self._reader

    @property
    def word_vectors(self) -> WordVectors | None:
        """The embedding model's input word vectors, for soft word matching (None when the model has none)."""
        if self._word_vectors is False:
            from retrieval.answering.lexicon import WordVectors

            self._word_vectors = WordVectors.from_model_dir(self.embedder.location)
        return self._word_vectors if not isinstance(self._word_vectors, bool) else None

    def warm_up(self) -> None:
        """Load the model, the answer selector and the index now (the bot does this before it starts polling)."""
        self.embedder.embed_query("warm up")
        self.index.refresh()
        self.selector  # noqa: B018 - loads the weights now, not at the first question
        self.reader  # noqa: B018 - loads the reader model now, not at the first question
        self.word_vectors  # noqa: B018 - loads the word vectors now, not at the first question

    @property
    def reprints(self) -> ReprintStore | None:
        """The reprint groups beside the index (None when NEWSBOT_GROUP_REPRINTS is off)."""
        if not self.settings.group_reprints:
            return None
        if self._reprints is None:
            from retrieval.store.reprints import ReprintStore, store_file

            default = type(self.settings).model_fields["collection"].default
            self._reprints = ReprintStore(self.settings.data_dir / store_file(self.settings.collection, default))
        return self._reprints

    def is_known_url(self, url: str) -> bool:
        """True when an indexed article (or a grouped reprint) has ``url`` as its link or source."""
        if self.index.view.documents.knows_url(url):
            return True
        store = self.reprints
        return store is not None and store.has_url(url)

    def close(self) -> None:
        """Release the index (its Chroma client) and the feed and reprint stores; the next use opens them again."""
        if self._index is not None:
            self._index.close()
        self._index = None
        self._searcher = None
        if self._feeds is not None:
            self._feeds.fetcher.close()
            self._feeds.registry.close()
            self._feeds = None
        if self._reprints is not None:
            self._reprints.close()
            self._reprints = None

    def __enter__(self: Self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
