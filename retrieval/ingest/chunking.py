"""Sentence-aware chunks bounded by the embedding model's own token count, with character offsets."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from retrieval.core.text import sentence_spans
from retrieval.core.types import Article, Chunk
from retrieval.store.chunks import chunk_id

TokenCounter = Callable[[list[str]], list[int]]
TitlePlace = Literal["passage", "metadata"]
Tick = Callable[[int], None]  # tick(characters split so far): progress, and the place to stop a slow split
COUNT_BATCH = 4096  # texts per tokenizer call, so that a huge article reports progress as it is split
MAX_CHARS_PER_TOKEN = 12  # a "sentence" longer than this many characters per budget token is cut too


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
    tick: Tick | None = None,
) -> list[Chunk]:
    """Split ``article.text`` into chunks of whole sentences whose embedded text fits ``max_tokens``.

    A sentence longer than the budget on its own is split at word boundaries (a word longer than the budget is
    cut). Each chunk repeats the last ``overlap_sentences`` sentences of the previous one (when they fit), so
    that a sentence and the one it leans on are found together. With ``title_place="passage"`` the title's
    tokens count against the budget. The work is linear in the text; ``tick(characters done)`` is called now
    and then (it may raise to stop a split that takes too long).
    """
    text = article.text
    with_title = article.title and title_place == "passage"
    title_cost = count_tokens([embedded_text(article.title, "")])[0] if with_title else 0
    budget = max(8, max_tokens - title_cost)
    fitted = _fit_spans(text, sentence_spans(text), count_tokens, budget, tick)
    spans = [span for span, _ in fitted]
    groups = _grouped(spans, [cost for _, cost in fitted], budget, overlap_sentences)
    return chunks_at(article, [(spans[group[0]][0], spans[group[-1]][1]) for group in groups])


def _grouped(spans: list[tuple[int, int]], costs: list[int], budget: int, overlap: int) -> list[list[int]]:
    """Consecutive sentences gathered while they fit ``budget`` tokens (and `MAX_CHARS_PER_TOKEN` characters a
    token), each group repeating the last ``overlap`` sentences of the one before when they leave room."""
    max_chars = budget * MAX_CHARS_PER_TOKEN

    def fits(used: int, first: int, i: int) -> bool:
        return used + costs[i] <= budget and spans[i][1] - spans[first][0] <= max_chars

    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i, cost in enumerate(costs):
        if current and not fits(used, current[0], i):
            groups.append(current)
            current = current[-overlap:] if overlap else []
            used = sum(costs[j] for j in current)
            while current and not fits(used, current[0], i):  # keep the overlap only if it leaves room
                used -= costs[current.pop(0)]
        current.append(i)
        used += cost
    if current:
        groups.append(current)
    return groups


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
            file_offset=article.file_offset,
        )
        for index, (start, end) in enumerate(spans)
    ]


def _fit_spans(
    text: str, spans: list[tuple[int, int]], count_tokens: TokenCounter, budget: int, tick: Tick | None = None
) -> list[tuple[tuple[int, int], int]]:
    """Each sentence with its token count; one over ``budget`` (or `MAX_CHARS_PER_TOKEN` characters a token)
    becomes word-boundary pieces. Linear in the text: the tokenizer is called on slices of `COUNT_BATCH` texts."""
    max_chars = budget * MAX_CHARS_PER_TOKEN
    short = [span for span in spans if span[1] - span[0] <= max_chars]  # longer ones are split uncounted
    costs = iter(_count(text, short, count_tokens, tick))
    out: list[tuple[tuple[int, int], int]] = []
    for start, end in spans:
        cost = next(costs) if end - start <= max_chars else budget + 1
        if cost <= budget:
            out.append(((start, end), cost))
        else:
            out.extend(_split_long(text, start, end, count_tokens, budget, tick))
    return out


def _count(text: str, spans: list[tuple[int, int]], count_tokens: TokenCounter, tick: Tick | None) -> list[int]:
    """Token counts of ``text``'s ``spans``, asked in slices so that ``tick`` hears of the progress."""
    costs: list[int] = []
    for i in range(0, len(spans), COUNT_BATCH):
        part = spans[i : i + COUNT_BATCH]
        costs.extend(count_tokens([text[s:e] for s, e in part]))
        if tick is not None:
            tick(part[-1][1])
    return costs


_NON_SPACE = re.compile(r"\S+")


def _split_long(
    text: str, start: int, end: int, count_tokens: TokenCounter, budget: int, tick: Tick | None = None
) -> list[tuple[tuple[int, int], int]]:
    """``text[start:end]`` as pieces of whole words that fit ``budget`` tokens, each with its token count.

    One pass: the words are counted in batches and walked greedily (the WordPiece count of a text is the sum of
    its words' counts); a word over the budget on its own is cut into pieces of characters. A tokenizer whose
    counts do not add up is checked piece by piece and an oversized piece is halved.
    """
    words = [m.span() for m in _NON_SPACE.finditer(text, start, end)]
    max_chars = budget * MAX_CHARS_PER_TOKEN
    pieces: list[tuple[int, int]] = []
    piece_start, used, prev_end = -1, 0, start
    costs = _word_costs(text, words, count_tokens, max_chars, tick)
    for (w_start, w_end), cost in zip(words, costs, strict=True):
        if cost > budget or w_end - w_start > max_chars:  # one giant word: cut it on its own
            if piece_start >= 0:
                pieces.append((piece_start, prev_end))
            pieces.extend(_cut_word(w_start, w_end, cost, budget, max_chars))
            piece_start, used = -1, 0
            continue
        if piece_start >= 0 and (used + cost > budget or w_end - piece_start > max_chars):
            pieces.append((piece_start, prev_end))
            piece_start, used = -1, 0
        if piece_start < 0:
            piece_start = w_start
        used += cost
        prev_end = w_end
    if piece_start >= 0:
        pieces.append((piece_start, prev_end))
    return _checked(text, pieces, count_tokens, budget, tick)


def _word_costs(
    text: str, words: list[tuple[int, int]], count_tokens: TokenCounter, max_chars: int, tick: Tick | None
) -> list[int]:
    """Token counts of the ``words`` of ``text``, each distinct word counted once (news repeats its words); a
    word longer than ``max_chars`` is counted by its first ``max_chars`` characters (it is cut anyway)."""
    samples = [text[s : min(e, s + max_chars)] for s, e in words]
    distinct = dict.fromkeys(samples, 0)
    keys = list(distinct)
    for i in range(0, len(keys), COUNT_BATCH):
        batch = keys[i : i + COUNT_BATCH]
        distinct.update(zip(batch, count_tokens(batch), strict=True))
        if tick is not None:  # the share of distinct words counted, as a place in the text
            tick(words[(i + len(batch)) * len(words) // len(keys) - 1][1])
    return [distinct[sample] for sample in samples]


def _cut_word(start: int, end: int, cost: int, budget: int, max_chars: int) -> list[tuple[int, int]]:
    """A word cut into runs of characters of about ``budget`` tokens and at most ``max_chars``; ``cost`` is the
    token count of its first ``max_chars`` characters."""
    step = max(1, min(max_chars, min(end - start, max_chars) * budget // max(cost, 1)))
    return [(s, min(s + step, end)) for s in range(start, end, step)]


def _checked(
    text: str, pieces: list[tuple[int, int]], count_tokens: TokenCounter, budget: int, tick: Tick | None
) -> list[tuple[tuple[int, int], int]]:
    """``pieces`` with their token counts, each over ``budget`` halved until it fits (one character always does)."""
    out: list[tuple[tuple[int, int], int]] = []
    todo = pieces
    while todo:
        costs = _count(text, todo, count_tokens, tick)
        again: list[tuple[int, int]] = []
        for (s, e), cost in zip(todo, costs, strict=True):
            if cost <= budget or e - s <= 1:
                out.append(((s, e), cost))
            else:
                again.extend(_halves(text, s, e))
        todo = again
    return sorted(out)


def _halves(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in two, at the space nearest the middle (else the middle character), trimmed."""
    middle = (start + end) // 2
    space = text.rfind(" ", start + 1, middle + 1)
    cut = space if space > start else middle
    left = (start, len(text[start:cut].rstrip()) + start)
    right_start = cut + (len(text[cut:end]) - len(text[cut:end].lstrip()))
    return [span for span in (left, (right_start, end)) if span[1] > span[0]]
