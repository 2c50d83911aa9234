"""The LangChain baseline's splitter: passages within the size, in order, losing no word, with exact offsets."""

from benchmarks.langchain_baseline import langchain_chunks, split_spans, split_text
from retrieval.core.types import Article

PARAGRAPHS = [
    "Shares in the carmaker fell 4% on Monday after it cut its profit forecast for the year.",
    "The firm blamed the strong euro and rising steel prices. " * 12,  # one paragraph longer than 600 characters
    "Analysts said the warning had been expected.",
    "",
    "A spokesman declined to comment.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def test_passages_fit_the_size_and_keep_every_word_in_order() -> None:
    spans = split_spans(TEXT, 600)
    assert all(end - start <= 600 for start, end in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert " ".join(TEXT[s:e] for s, e in spans).split() == TEXT.split()


def test_a_long_paragraph_is_split_at_sentence_ends_and_short_ones_are_merged() -> None:
    passages = split_text(TEXT, 600)
    assert passages[0] == PARAGRAPHS[0]  # the long paragraph that follows does not fit beside it
    assert len(passages) == 3 and all(p.endswith(".") for p in passages)
    assert passages[1].startswith("The firm blamed") and passages[2].startswith("The firm blamed")
    assert passages[2].endswith("expected.\n\n\n\nA spokesman declined to comment.")  # merged up to the size


def test_a_word_longer_than_the_size_is_cut() -> None:
    assert [len(p) for p in split_text("x" * 25, 10)] == [10, 10, 5]


def test_chunks_quote_the_article_at_their_offsets() -> None:
    article = Article(id="a1", title="Carmaker warns", text=TEXT, source="carmaker.txt")
    chunks = langchain_chunks(article)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(TEXT[c.start : c.end] == c.text and c.n_chunks == len(chunks) for c in chunks)
    assert chunks[0].title == "Carmaker warns"
