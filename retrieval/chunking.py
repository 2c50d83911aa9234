"""Sentence-aware chunks bounded by the embedding model's own token count, with character offsets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from retrieval.store.chunks import chunk_id
from retrieval.text import sentence_spans
from retrieval.types import Article, Chunk

TokenCounter = Callable[[list[str]], list[int]]
TitlePlace = Literal["passage", "metadata"]


def embedded_text(title: str, text: str, title_place: TitlePlace = "passage") -> str:
    """What the encoder sees for a chunk.

    ``passage``: the title, then the text (the title gives context to passages that never name their topic);
    ``metadata``: the text alone (the title stays in the chunk's metadata, where BM25 still scores it).
    """
    return f"{title}\n{text}" if title and title_place == "passage" else text


def chunk_article(
    article: Article,
    count_tokens: TokenCounter,
    max_tokens: int,
    overlap_sentences: int = 1,
    title_place: TitlePlace = "passage",
) -> list[Chunk]:
    """Split ``article.text`` into chunks of whole sentences whose embedded text fits ``max_tokens``.

    A sentence longer than the budget on its own is split at word boundaries. Each chunk repeats the last
    ``overlap_sentences`` sentences of the previous one (when they fit), so that a sentence and the one it
    leans on are found together. With ``title_place="passage"`` the title's tokens count against the budget.
    """
    text = article.text
    with_title = article.title and title_place == "passage"
    title_cost = count_tokens([embedded_text(article.title, "")])[0] if with_title else 0
    budget = max(8, max_tokens - title_cost)
    fitted = _fit_spans(text, sentence_spans(text), count_tokens, budget)
    spans = [span for span, _ in fitted]
    costs = [cost for _, cost in fitted]

    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i, cost in enumerate(costs):
        if current and used + cost > budget:
            groups.append(current)
            keep = current[-overlap_sentences:] if overlap_sentences else []
            # keep the overlap only if it leaves room for the new sentence
            while keep and sum(costs[j] for j in keep) + cost > budget:
                keep = keep[1:]
            current, used = list(keep), sum(costs[j] for j in keep)
        current.append(i)
        used += cost
    if current:
        groups.append(current)

    return chunks_at(article, [(spans[group[0]][0], spans[group[-1]][1]) for group in groups])


def chunks_at(article: Article, spans: list[tuple[int, int]]) -> list[Chunk]:
    """The chunks of ``article`` at the (start, end) character ``spans`` of its text, in order."""
    return [
        Chunk(
            id=chunk_id(article.id, index),
            doc_id=article.id,
            index=index,
            text=article.text[start:end],
            start=start,
            end=end,
            title=article.title,
            source=article.source,
            date=article.date,
            url=article.url,
            n_chunks=len(spans),
            publisher=article.publisher,
        )
        for index, (start, end) in enumerate(spans)
    ]


def _fit_spans(
    text: str, spans: list[tuple[int, int]], count_tokens: TokenCounter, budget: int
) -> list[tuple[tuple[int, int], int]]:
    """Each sentence with its token count; one that alone exceeds ``budget`` becomes word-boundary pieces."""
    if not spans:
        return []
    costs = count_tokens([text[s:e] for s, e in spans])
    out: list[tuple[tuple[int, int], int]] = []
    for (start, end), cost in zip(spans, costs, strict=False):
        if cost <= budget:
            out.append(((start, end), cost))
        else:
            pieces = _split_long(text, start, end, count_tokens, budget)
            out.extend(zip(pieces, count_tokens([text[s:e] for s, e in pieces]), strict=False))
    return out


def _split_long(text: str, start: int, end: int, count_tokens: TokenCounter, budget: int) -> list[tuple[int, int]]:
    words: list[tuple[int, int]] = []
    pos = start
    for word in text[start:end].split():
        w_start = text.index(word, pos)
        words.append((w_start, w_start + len(word)))
        pos = w_start + len(word)
    pieces: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        lo, hi = i + 1, len(words)
        # binary search the longest run of words from i that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count_tokens([text[words[i][0] : words[mid - 1][1]]])[0] <= budget:
                lo = mid
            else:
                hi = mid - 1
        pieces.append((words[i][0], words[lo - 1][1]))
        i = lo
    return pieces
