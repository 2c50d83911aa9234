"""Retrieval modes over the seed article, and the LangChain retriever interface."""

from __future__ import annotations

import pytest

from retrieval.integrations.langchain import NewsRetriever, news_vectorstore
from retrieval.search.searcher import Filters


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
def test_each_mode_finds_the_khmeimim_passage_first(seeded, mode):
    hits = seeded.search("Through which air base were the Iranians transported?", k=3, mode=mode)
    assert "Khmeimim Air Base" in hits[0].chunk.text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hybrid_hits_carry_both_ranks(seeded):
    hits = seeded.search("Hayat Tahrir al-Sham entered Damascus", k=3, mode="hybrid")
    assert hits[0].dense_rank is not None and hits[0].bm25_rank is not None


def test_langchain_retriever_returns_documents_with_metadata(seeded):
    retriever = NewsRetriever(searcher=seeded.searcher, k=2)
    docs = retriever.invoke("Where was the stronghold of the groups?")
    assert len(docs) == 2 and "Idlib" in docs[0].page_content
    assert docs[0].metadata["date"] == "2024-12-20" and docs[0].metadata["title"].startswith("Esmaeil Baghaei Hamaneh")
    assert NewsRetriever(searcher=seeded.searcher, filters=Filters(since="2030-01-01")).invoke("Idlib") == []


def test_unknown_mode_is_a_clear_error(seeded):
    with pytest.raises(ValueError, match="unknown retrieval mode"):
        seeded.search("x", mode="magic")


def test_filters_restrict_every_mode_to_the_matching_articles(seeded, tmp_path):
    other = tmp_path / "harbour.txt"
    other.write_text("Title: Harbour reopens\nDate: 2025-03-01\n\nThe Dunmere harbour reopened after the storm, "
                     "and Iranian pilgrims' ferries were moved to its air base pier.")
    seeded.ingest([other])
    question = "Through which air base were the Iranians transported?"
    for mode in ("dense", "bm25", "hybrid"):
        assert {h.chunk.source for h in seeded.search(question, k=50, mode=mode)} >= {str(other.resolve())}
        only_new = seeded.search(question, k=3, mode=mode, filters=Filters(source="harbour"))
        assert only_new and {h.chunk.title for h in only_new} == {"Harbour reopens"}
        only_seed = seeded.search(question, k=3, mode=mode, filters=Filters(until="2024-12-31"))
        assert only_seed and "Khmeimim Air Base" in only_seed[0].chunk.text
        assert all(h.chunk.date == "2024-12-20" for h in only_seed)


def test_the_index_is_also_a_langchain_vector_store(seeded):
    docs = news_vectorstore(seeded).similarity_search("Through which air base were the Iranians transported?", k=1)
    assert "Khmeimim Air Base" in docs[0].page_content and docs[0].metadata["date"] == "2024-12-20"
