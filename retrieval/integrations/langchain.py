"""newsbot's index and searcher behind LangChain's interfaces, for chains and agents.

- `NewsEmbeddings`: newsbot's encoder as LangChain `Embeddings`;
- `news_vectorstore(newsbot)`: the collection as LangChain's `Chroma` vector store, with newsbot's own
  embedder (Chroma's default embedding function, which downloads a model, is never used);
- `NewsRetriever`: the hybrid searcher as a `BaseRetriever` returning `Document`s with the chunk's metadata.

newsbot's own search does not go through these (plain search never imports langchain_core).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from retrieval.search.searcher import Filters

if TYPE_CHECKING:
    from retrieval.newsbot import Newsbot
    from retrieval.search.embeddings import Embedder


class NewsEmbeddings(Embeddings):
    """newsbot's `Embedder` (the index's model and backend) as LangChain `Embeddings`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)


def news_vectorstore(newsbot: Newsbot) -> Any:
    """The index's collection as a langchain-chroma `Chroma` store sharing newsbot's client and embedder."""
    from langchain_chroma import Chroma

    index = newsbot.index
    return Chroma(
        client=index.chroma.client,
        collection_name=newsbot.settings.collection,
        embedding_function=NewsEmbeddings(newsbot.embedder),
    )


class NewsRetriever(BaseRetriever):
    """The searcher as a LangChain retriever: `Document`s with the chunk's metadata and score."""

    searcher: Any
    k: int = 5
    mode: str = "hybrid"
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.searcher.search(query, k=self.k, mode=self.mode, filters=self.filters)
        return [
            Document(
                id=h.chunk.id,
                page_content=h.chunk.text,
                metadata={
                    "doc_id": h.chunk.doc_id,
                    "title": h.chunk.title,
                    "date": h.chunk.date,
                    "source": h.chunk.source,
                    "url": h.chunk.url,
                    "start": h.chunk.start,
                    "end": h.chunk.end,
                    "score": h.score,
                },
            )
            for h in hits
        ]
