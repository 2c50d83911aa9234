"""Chunks fit the model, keep exact offsets, overlap by a sentence, and cover the article."""

from __future__ import annotations

from retrieval.core.articles import make_article
from retrieval.core.text import sentence_spans
from retrieval.ingest.chunking import MAX_CHARS_PER_TOKEN, chunk_article, embedded_text
from retrieval.ingest.documents import load_file
from tests.conftest import SEED


def test_seed_chunks_fit_the_model_and_quote_the_article_exactly(embedder):
    (article,) = load_file(SEED, 1_000_000).articles
    chunks = chunk_article(article, embedder.count_tokens, 128, 1)
    assert len(chunks) > 1
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert embedder.count_tokens([embedded_text(chunk.title, chunk.text)])[0] <= 128
        assert chunk.n_chunks == len(chunks)
    # every sentence of the article lands in some chunk
    for start, end in sentence_spans(article.text):
        assert any(c.start <= start and end <= c.end for c in chunks)
    # consecutive chunks share a sentence whenever it fits in the budget
    budget = 128 - embedder.count_tokens([embedded_text(article.title, "")])[0]
    overlaps = 0
    for prev, nxt in zip(chunks, chunks[1:]):
        last = [article.text[s:e] for s, e in sentence_spans(article.text, prev.start, prev.end)][-1]
        if nxt.start < prev.end:
            overlaps += 1
        else:
            assert embedder.count_tokens([last])[0] + embedder.count_tokens([nxt.text])[0] > budget
    assert overlaps >= 1


def test_a_sentence_longer_than_the_budget_is_split_not_truncated(embedder):
    words = " ".join(f"word{i}" for i in range(400))
    article = make_article(words + ".", "x")
    chunks = chunk_article(article, embedder.count_tokens, 64, 0)
    assert len(chunks) > 2
    assert all(embedder.count_tokens([embedded_text(c.title, c.text)])[0] <= 64 for c in chunks)
    assert " ".join(c.text for c in chunks).split() == article.text.split()


def test_abbreviations_and_decimals_do_not_end_sentences():
    text = "Mr. Smith paid $1.13bn to the U.S. firm. Shares rose 5.2% on Friday. Then it fell."
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == ["Mr. Smith paid $1.13bn to the U.S. firm.", "Shares rose 5.2% on Friday.", "Then it fell."]


def test_title_in_metadata_gives_the_whole_budget_to_the_passage(embedder):
    (article,) = load_file(SEED, 1_000_000).articles
    with_title = chunk_article(article, embedder.count_tokens, 96, 1, "passage")
    alone = chunk_article(article, embedder.count_tokens, 96, 1, "metadata")
    assert len(alone) < len(with_title)
    for chunk in alone:
        assert article.text[chunk.start : chunk.end] == chunk.text and chunk.title == article.title
        assert embedded_text(chunk.title, chunk.text, "metadata") == chunk.text
        assert embedder.count_tokens([chunk.text])[0] <= 96
    assert max(embedder.count_tokens([c.text for c in alone])) > 96 - embedder.count_tokens([article.title])[0]


class LinearBudget:
    """A word-counting tokenizer that fails the test once it has read more than ``factor`` times the text:
    the chunker must count a text's words a bounded number of times, never re-read growing prefixes."""

    def __init__(self, text: str, factor: int = 4) -> None:
        self.limit = factor * len(text)
        self.read = 0

    def __call__(self, texts: list[str]) -> list[int]:
        self.read += sum(len(t) for t in texts)
        assert self.read <= self.limit, "the chunker re-reads the text (superlinear splitting)"
        return [len(t.split()) for t in texts]


def test_a_huge_line_without_punctuation_is_split_in_one_pass():
    text = " ".join(f"word{i % 5000}" for i in range(400_000))  # 3 MB, one "sentence"
    article = make_article(text, "big.txt", title="Big")
    counter = LinearBudget(article.text)
    chunks = chunk_article(article, counter, 96, 0, "metadata")
    assert len(chunks) == 400_000 // 96 + 1
    assert all(len(c.text.split()) <= 96 and article.text[c.start : c.end] == c.text for c in chunks)
    assert " ".join(c.text for c in chunks) == article.text


def test_a_giant_word_is_cut_into_pieces_the_model_can_read(embedder):
    word = "x" * 100_000  # the tokenizer reads it as one unknown token: it is cut by its length
    punctuated = "-".join(["ab"] * 30_000)  # one word of 90,000 tokens
    for text in (word, punctuated, f"Before it. {punctuated} After it."):
        article = make_article(text, "w.txt", title="W")
        chunks = chunk_article(article, embedder.count_tokens, 96, 0, "metadata")
        assert "".join(c.text for c in chunks).replace(" ", "") == text.replace(" ", "")
        assert max(embedder.count_tokens([c.text for c in chunks])) <= 96
        assert max(len(c.text) for c in chunks) <= 96 * MAX_CHARS_PER_TOKEN
