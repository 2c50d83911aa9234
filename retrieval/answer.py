"""The extractive answerer: pick the sentences that answer the question and cite them exactly, or decline."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.names import names_in
from retrieval.prompts import load_prompt
from retrieval.text import sentence_spans, terms
from retrieval.types import Answer, Chunk, Citation, Hit

# A sentence that opens with one of these leans on the sentence before it ("these people", "he", "they").
_REFERRING = re.compile(
    r"^(?:(?:all|but|and|so|yet|however,?|also|both|most|some|many|none|each|one)\s+(?:of\s+)?)?"
    r"(?:these|those|this|that|they|them|he|she|it|its|his|her|their|such|the two|the three|both)\b",
    re.IGNORECASE,
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_WHEN = re.compile(
    rf"\b(?:{_MONTHS}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTHS}|(?:19|20)\d\d|monday|tuesday|wednesday|"
    rf"thursday|friday|saturday|sunday|yesterday|last (?:week|month|year)|ago)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|"
    r"billion|half)\b",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    """One sentence of a retrieved chunk, with its absolute offsets and score parts."""

    hit: Hit
    rank: int
    start: int
    end: int
    position: int  # index of the sentence within its chunk
    coverage: float
    score: float


class ExtractiveAnswerer:
    """Scores the sentences of the top chunks against the question; cites the best, declines when weak."""

    def __init__(
        self,
        idf: Callable[[str], float],
        known: Callable[[str], bool],
        neighbours: Callable[[Chunk], tuple[Chunk | None, Chunk | None]],
        min_score: float = 0.46,
        max_citations: int = 3,
        chunks_considered: int = 5,
    ) -> None:
        self.idf = idf
        self.known = known
        self.neighbours = neighbours
        self.min_score = min_score
        self.max_citations = max_citations
        self.chunks_considered = chunks_considered

    def answer(self, question: str, hits: list[Hit], similarities: dict[str, float] | None = None) -> Answer:
        """An `Answer` from ``hits``; ``similarities`` gives each chunk's cosine similarity to the question."""
        similarities = similarities or {h.chunk.id: h.dense_score or 0.0 for h in hits}
        candidates = self.score(question, hits, similarities)
        if not candidates or candidates[0].score < self.min_score:
            return self._decline(question, candidates)
        best = candidates[0]
        picked = [best]
        for cand in candidates[1:]:
            if len(picked) >= min(2, self.max_citations):
                break
            if cand.score >= max(self.min_score, 0.9 * best.score) and not _overlaps(cand, picked):
                picked.append(cand)
        spans = [self._with_antecedent(c) for c in picked]
        citations, parts = [], []
        for n, (chunk, start, end, cand) in enumerate(_merge(spans), 1):
            citation = Citation.of(n, chunk, start, end, cand.score)
            citations.append(citation)
            parts.append(f"{' '.join(citation.quote.split())} [{n}]")
        return Answer(question=question, answer=" ".join(parts), found=True, citations=citations)

    def score(self, question: str, hits: list[Hit], similarities: dict[str, float]) -> list[Candidate]:
        """Every sentence of the top chunks, best first."""
        kind = _question_kind(question)
        q_words = {w.lower() for w in re.findall(r"\w+", question)}
        # names in the question that no indexed article mentions: the articles cannot be about them
        entities = {t for w in names_in(question) for t in terms(w)}
        entities |= {t for t in terms(question) if t.isdigit()}  # a year or figure no article mentions
        unknown = len([t for t in entities if not self.known(t)])
        # a plain word no article uses ("evacuated") can only match by meaning: leave it to the dense score
        q_terms = {t for t in terms(question) if self.known(t) or t in entities}
        q_weight = sum(self.idf(t) for t in q_terms) or 1.0
        penalty = 0.25 * unknown
        out: list[Candidate] = []
        for rank, hit in enumerate(hits[: self.chunks_considered], 1):
            chunk = hit.chunk
            spans = sentence_spans(chunk.text)
            prev_terms: set[str] = set(terms(chunk.title))
            for position, (s, e) in enumerate(spans):
                sentence = chunk.text[s:e]
                s_terms = set(terms(sentence))
                own = sum(self.idf(t) for t in q_terms & s_terms) / q_weight
                context = sum(self.idf(t) for t in q_terms & (s_terms | prev_terms)) / q_weight
                coverage = 0.7 * own + 0.3 * context
                sim = max(0.0, similarities.get(chunk.id, 0.0))
                bonus = _type_bonus(kind, sentence, q_words)
                score = 0.5 * coverage + 0.45 * sim + bonus - penalty - 0.02 * (rank - 1)
                out.append(Candidate(hit, rank, chunk.start + s, chunk.start + e, position, coverage, score))
                prev_terms = s_terms
        out.sort(key=lambda c: -c.score)
        return out

    def _with_antecedent(self, cand: Candidate) -> tuple[Chunk, int, int, Candidate]:
        """The sentence's span, extended back over the previous sentence when it opens with a reference."""
        chunk = cand.hit.chunk
        sentence = chunk.text[cand.start - chunk.start : cand.end - chunk.start]
        if not _REFERRING.match(sentence):
            return chunk, cand.start, cand.end, cand
        host = chunk
        if cand.position == 0:
            previous, _ = self.neighbours(chunk)
            if previous is None or previous.end < cand.end:
                return chunk, cand.start, cand.end, cand
            host = previous
        spans = [(host.start + s, host.start + e) for s, e in sentence_spans(host.text)]
        before = [s for s, e in spans if e <= cand.start]
        if not before:
            return chunk, cand.start, cand.end, cand
        return host, before[-1], cand.end, cand

    def _decline(self, question: str, candidates: list[Candidate]) -> Answer:
        related: list[Citation] = []
        seen: set[str] = set()
        for cand in candidates:
            chunk = cand.hit.chunk
            if chunk.doc_id in seen or len(related) >= 2:
                continue
            seen.add(chunk.doc_id)
            related.append(Citation.of(len(related) + 1, chunk, cand.start, cand.end, cand.score))
        return Answer(question=question, answer=load_prompt("decline"), found=False, related=related)


def _overlaps(cand: Candidate, picked: list[Candidate]) -> bool:
    return any(
        p.hit.chunk.doc_id == cand.hit.chunk.doc_id and p.start < cand.end and cand.start < p.end for p in picked
    )


def _merge(spans: list[tuple[Chunk, int, int, Candidate]]) -> list[tuple[Chunk, int, int, Candidate]]:
    """Join spans of one article that overlap or touch, when one chunk holds them both; keep article order."""
    out: list[tuple[Chunk, int, int, Candidate]] = []
    for chunk, start, end, cand in spans:
        for i, (c2, s2, e2, cand2) in enumerate(out):
            if c2.doc_id != chunk.doc_id:
                continue
            lo, hi = min(start, s2), max(end, e2)
            gap = chunk.text[min(e2, end) - chunk.start : max(s2, start) - chunk.start] if c2.id == chunk.id else "x"
            if (start <= e2 and s2 <= end) or (c2.id == chunk.id and not gap.strip()):
                host = chunk if chunk.start <= lo and chunk.end >= hi else c2
                if host.start <= lo and host.end >= hi:
                    out[i] = (host, lo, hi, cand2 if cand2.score >= cand.score else cand)
                    break
        else:
            out.append((chunk, start, end, cand))
    return out


def _question_kind(question: str) -> str:
    q = question.lower()
    for kind, pattern in (
        ("how many", r"\bhow (?:many|much)\b"),
        ("when", r"\bwhen\b|\bwhat (?:date|year|day)\b"),
        ("who", r"\bwho(?:m|se)?\b"),
        ("where", r"\bwhere\b|\bwhich (?:city|country|place)\b"),
    ):
        if re.search(pattern, q):
            return kind
    return "other"


def _type_bonus(kind: str, sentence: str, q_words: set[str]) -> float:
    """Reward a sentence holding the kind of thing asked for; a date or count question needs one."""
    if kind == "when":
        return 0.06 if _WHEN.search(sentence) else -0.1
    if kind == "how many":
        return 0.06 if _NUMBER.search(sentence) else -0.15
    if kind in ("who", "where"):
        names = [m for m in names_in(sentence) if m.lower() not in q_words]
        return 0.04 if names else 0.0
    return 0.0
