"""The ingest pipeline's plumbing with a word-counting tokenizer and a recording index (no model, no Chroma)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from retrieval.core.types import Article
from retrieval.ingest.pipeline import run_pipeline


class WordEmbedder:
    max_tokens = 510

    def __init__(self) -> None:
        self.threads: set[str] = set()

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def encode_array(self, texts, progress=None):
        self.threads.add(threading.current_thread().name)
        if progress:
            progress(len(texts))
        return np.ones((len(texts), 4), dtype=np.float32)


class RecordingIndex:
    def __init__(self, fail_at: int | None = None) -> None:
        self.events: list[tuple[str, object]] = []
        self.fail_at = fail_at

    def upsert(self, chunks, vectors, files):
        if self.fail_at is not None and len([e for e in self.events if e[0] == "upsert"]) == self.fail_at:
            raise RuntimeError("disk full")
        assert len(vectors) == len(chunks) and {c.doc_id for c in chunks} <= set(files)
        self.events.append(("upsert", [c.id for c in chunks]))

    def delete_documents(self, doc_ids):
        self.events.append(("delete", list(doc_ids)))


def articles(n: int, sentences: int = 6):
    for i in range(n):
        text = " ".join(f"Sentence {j} of article {i} has a few words." for j in range(sentences))
        yield Article(id=f"doc{i}", title=f"Title {i}", text=text, source=f"/news/{i}.txt"), f"/news/{i}.txt"


def run(items, index, **kw):
    began = []
    n = run_pipeline(items, WordEmbedder(), index, chunk_tokens=20, overlap_sentences=0,
                     begin=lambda: began.append(len(index.events)), group=kw.pop("group", 5), **kw)
    return n, began


def test_every_chunk_is_written_once_in_groups_of_whole_articles():
    index = RecordingIndex()
    n, began = run(articles(7), index)
    written = [cid for kind, ids in index.events if kind == "upsert" for cid in ids]
    assert n == len(written) == len(set(written)) == 7 * 3  # two 9-word sentences per 20-token chunk
    assert began == [0]  # begin() before the first write, once
    for kind, ids in index.events:
        docs = {cid.rsplit("-", 1)[0] for cid in ids}
        for doc in docs:  # an article is never split over two writes
            assert sum(cid.startswith(doc + "-") for cid in ids) == 3


def test_nothing_to_write_never_begins():
    index = RecordingIndex()
    assert run(iter(()), index) == (0, [])
    assert index.events == []


def test_interrupted_documents_are_deleted_right_before_they_are_written_again():
    index = RecordingIndex()
    run(articles(3), index, replace={"doc1"}, group=100)
    assert index.events[0] == ("delete", ["doc1"]) and index.events[1][0] == "upsert"


def test_a_failing_write_stops_the_run_with_its_error():
    index = RecordingIndex(fail_at=1)
    with pytest.raises(RuntimeError, match="disk full"):
        run(articles(40), index)
    assert len([e for e in index.events if e[0] == "upsert"]) == 1


def test_a_failing_reader_stops_the_run_with_its_error():
    def broken():
        yield from articles(2)
        raise OSError("cannot read /news/3.txt")

    with pytest.raises(OSError, match="cannot read"):
        run(broken(), RecordingIndex())


def test_encoding_happens_in_the_calling_thread_and_reading_beside_it():
    embedder = WordEmbedder()
    seen = []

    def reading():
        for item in articles(4):
            seen.append(threading.current_thread().name)
            yield item

    run_pipeline(reading(), embedder, RecordingIndex(), chunk_tokens=20, overlap_sentences=0,
                 begin=lambda: None, group=5)
    assert embedder.threads == {threading.current_thread().name}
    assert set(seen) == {"newsbot-reader"}


def test_the_first_group_is_small_so_encoding_starts_early_and_groups_grow_to_the_set_size():
    index = RecordingIndex()
    run(articles(200), index, group=120)  # 3 chunks an article
    sizes = [len(ids) for kind, ids in index.events if kind == "upsert"]
    assert sum(sizes) == 600
    assert sizes[0] < 40  # about FIRST_GROUP chunks, whole articles
    assert sizes[:4] == sorted(sizes[:4]) and max(sizes) <= 120 + 2  # doubling, capped at the group (+ one article)
    assert max(sizes) >= 120


class TextEmbedder(WordEmbedder):
    """Counts what reaches the encoder; a text's vector is its length and word count, so vectors can be checked."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def encode_array(self, texts, progress=None):
        self.calls.append(list(texts))
        super().encode_array(texts, progress)
        return np.array([[len(t), len(t.split()), 0, 1] for t in texts], dtype=np.float32)


class VectorIndex(RecordingIndex):
    def __init__(self) -> None:
        super().__init__()
        self.vectors: dict[str, tuple[str, list[float]]] = {}

    def upsert(self, chunks, vectors, files):
        super().upsert(chunks, vectors, files)
        self.vectors.update({c.id: (f"{c.title}\n{c.text}", list(v)) for c, v in zip(chunks, vectors, strict=True)})


def test_identical_embedded_texts_in_a_group_are_encoded_once_and_every_chunk_gets_its_vector():
    boiler = "Subscribe to our newsletter for more."
    items = [
        (Article(id=f"doc{i}", title="Same title", text=boiler if i % 2 else f"Story {i} is short.",
                 source=f"/news/{i}.txt"), f"/news/{i}.txt")
        for i in range(6)
    ]
    embedder, index, seen = TextEmbedder(), VectorIndex(), []
    n = run_pipeline(items, embedder, index, chunk_tokens=20, overlap_sentences=0, begin=lambda: None, group=100,
                     progress=lambda stage, done, total: seen.append((done, total)))
    assert n == 6 and len(embedder.calls) == 1
    encoded = embedder.calls[0]
    assert len(encoded) == len(set(encoded)) == 4  # three stories and the boilerplate once, not three times
    for text, vector in index.vectors.values():
        assert vector[:2] == [len(text), len(text.split())]
    assert seen[-1] == (6, 6)  # the progress counts every chunk


def test_title_in_metadata_keeps_the_title_out_of_what_the_encoder_sees():
    for place in ("passage", "metadata"):
        embedder, index = TextEmbedder(), VectorIndex()
        run_pipeline(articles(3, sentences=4), embedder, index, chunk_tokens=19, overlap_sentences=0,
                     title_place=place, begin=lambda: None)
        (encoded,) = embedder.calls
        assert all(text.startswith("Title ") == (place == "passage") for text in encoded)
        if place == "metadata":  # the passage alone; two 9-word sentences fit 19 tokens without the title
            assert sorted(encoded) == sorted(text.split("\n", 1)[1] for text, _ in index.vectors.values())
            assert len(encoded) == 3 * 2
        else:  # the 2-word title leaves room for one sentence
            assert len(encoded) == 3 * 4


class SlowOnBigEmbedder(WordEmbedder):
    """Counting the words of the big article moves a fake clock 10 s on: the time limit, without waiting."""

    def __init__(self, clock: list[float]) -> None:
        super().__init__()
        self.clock = clock

    def count_tokens(self, texts):
        if any("giant" in t for t in texts):
            self.clock[0] += 10
        return super().count_tokens(texts)


def test_an_article_that_splits_past_the_time_limit_fails_alone_and_the_rest_is_written():
    now = [0.0]
    big = Article(id="big", title="Big", text=" ".join(["giant"] * 300_000), source="/news/big.txt")
    items = [*articles(1), (big, "/news/big.txt"), *[(a, k) for a, k in articles(3) if a.id != "doc0"]]
    failed, seen = [], []
    index = RecordingIndex()
    run_pipeline(items, SlowOnBigEmbedder(now), index, chunk_tokens=20, overlap_sentences=0, begin=lambda: None,
                 on_error=lambda article, reason: failed.append((article.source, reason)), time_limit=30,
                 clock=lambda: now[0], progress=lambda stage, done, total: seen.append(stage))
    assert failed == [("/news/big.txt", "took longer than 30 s to read and split into passages; skipped")]
    written = {cid.rsplit("-", 1)[0] for kind, ids in index.events if kind == "upsert" for cid in ids}
    assert written == {"doc0", "doc1", "doc2"}
    assert "splitting" in seen  # the big article showed its progress before it was stopped


def test_a_long_article_moves_the_progress_bar_while_it_is_split():
    text = " ".join(f"Sentence {i} has a few words." for i in range(40_000))  # 1.2 MB
    seen = []
    run_pipeline([(Article(id="long", title="Long", text=text, source="/l.txt"), "/l.txt")], WordEmbedder(),
                 RecordingIndex(), chunk_tokens=20, overlap_sentences=0, begin=lambda: None, group=100_000,
                 progress=lambda stage, done, total: seen.append((stage, done, total)))
    splitting = [done for stage, done, total in seen if stage == "splitting"]
    assert len(set(splitting)) >= 5 and splitting == sorted(splitting) and splitting[-1] == len(text)
    assert seen.index(("splitting", len(text), len(text))) < [s for s, _, _ in seen].index("embedding")
