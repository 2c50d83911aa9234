"""Check an LLM's reply against the passages it was given: citations, support, declines. Pure, no I/O.

The rules (docs/llm.md explains why):

- The reply is split into sentences. Citation markers ``[n]`` (also ``[1, 2]``, ``[1][2]``) are read from each
  sentence; a marker that opens a sentence belongs to the one before ("... fell. [2] The ...").
- A number that names no passage given is removed. A sentence left with no valid citation is dropped, unless it
  only says that the articles do not cover something.
- Each cited sentence must be supported by its passages: every number and every name (a capitalised word inside
  the sentence) it states appears in them, and enough of its content words appear in the best window (one
  sentence or two adjacent ones) of each cited passage, or fewer do but its meaning is close (cosine similarity
  of the sentence and that window, when an embedder is given). This catches invented facts, names, numbers and
  off-topic text; it cannot catch a sentence that reuses a passage's words to say something else ("Iran and
  Russia broke off relations" from "Iran and Russia enjoy important relations"): that needs an entailment model.
- Sentences of a passage that address an AI ("ignore previous instructions", "note to AI assistants", "you are
  now ...") and the rest of their paragraph are not evidence: a model that obeys an article and cites it fails.
- Verdicts: ``ok`` (at least one supported cited sentence, none unsupported), ``not_found`` (the reply says the
  passages do not answer and cites nothing), ``rejected`` (empty, nothing validly cited, a cited sentence not
  supported, or, with an embedder, nothing in it relates to the question). The caller replaces a rejected reply
  with the extractive answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from retrieval.core.hygiene import ADDRESSED_TO_AI
from retrieval.core.names import names_in
from retrieval.core.text import sentence_spans, terms
from retrieval.llm.prompting import Passage

# embed(texts) -> one unit-length vector per text (rows of a numpy array or lists of floats)
EmbedFn = Callable[[list[str]], Sequence[Sequence[float]]]

# Calibrated on paraphrases and corrupted claims about the seed article (tests/llm/test_checking.py holds them).
LEXICAL_ENOUGH = 0.75  # share of a sentence's content words found in its passage: supported on words alone
LEXICAL_MIN = 0.5  # with at least this share, a cosine similarity of SEMANTIC_MIN with the passage suffices
SEMANTIC_MIN = 0.55
LEXICAL_FLOOR = 0.34  # below this share a sentence is unsupported whatever its similarity; above it, a close
SEMANTIC_HIGH = 0.7  # paraphrase (cosine >= SEMANTIC_HIGH) is supported
RELEVANCE_MIN = 0.2  # cosine similarity of the closest answer sentence to the question

_MARKER_GROUP = re.compile(r"\s*\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ABSENT = re.compile(
    r"\bnot (?:in|mentioned in|covered (?:in|by)|stated in|given in|found in) (?:the |these |any )?"
    r"(?:articles?|passages?|sources?)\b"
    r"|\b(?:articles?|passages?|sources?) (?:do|does|did) not (?:say|mention|answer|cover|contain|state|include|"
    r"specify|provide|report|explain|give)\b"
    r"|\b(?:no|none of the) (?:articles?|passages?|sources?) (?:say|says|mention|mentions|answer|answers|cover|"
    r"covers|contain|contains)\b",
    re.IGNORECASE,
)
_ADDRESSED_TO_AI = ADDRESSED_TO_AI  # text addressed to an AI inside an article: never evidence
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


@dataclass(frozen=True)
class SentenceCheck:
    """One sentence of the reply and what the checker made of it."""

    text: str  # without its markers
    cited: tuple[int, ...]  # valid passage numbers, as the model wrote them
    invalid: tuple[int, ...]  # numbers that named no passage (removed)
    kind: Literal["cited", "uncited", "absent", "not_found"]
    lexical: float = 0.0
    semantic: float | None = None
    names_numbers_ok: bool = True  # every number and name in it appears in the cited passages
    supported: bool = False
    evidence: dict[int, tuple[int, int]] = field(default_factory=dict)  # passage n -> best sentence span in chunk


@dataclass(frozen=True)
class CitedPassage:
    """A passage the checked answer cites, under its new number, with the span that supports it."""

    n: int  # the number in the checked answer (1.. in order of first citation)
    passage: Passage
    start: int  # offsets in the chunk text
    end: int
    score: float


@dataclass
class Checked:
    """The verdict on one reply; ``text`` is the answer to show when ``verdict == "ok"``."""

    verdict: Literal["ok", "not_found", "rejected"]
    text: str = ""
    cited: list[CitedPassage] = field(default_factory=list)
    reason: str = ""  # why a reply was rejected, for the user (one clause)
    sentences: list[SentenceCheck] = field(default_factory=list)

    @property
    def dropped(self) -> list[str]:
        """Sentences left out because they cited nothing valid."""
        return [s.text for s in self.sentences if s.kind == "uncited"]

    @property
    def removed(self) -> list[int]:
        """Citation numbers that pointed at no passage and were removed."""
        return sorted({n for s in self.sentences for n in s.invalid})


def normalise(text: str) -> str:
    """Lower case, markers and punctuation out, single spaces: for comparing short phrases."""
    text = _MARKER_GROUP.sub(" ", text.lower())
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def strip_reasoning(text: str) -> str:
    """The reply without ``<think>...</think>`` blocks some local models emit first."""
    return _THINK.sub("", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of a reply, one list item or line at a time; leading markers move to the sentence before."""
    out: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line)
        for s, e in sentence_spans(line):
            sentence = line[s:e]
            lead = _LEADING_MARKERS.match(sentence)
            if lead and out:
                out[-1] = out[-1] + " " + lead.group().strip()
                sentence = sentence[lead.end() :].strip()
            if sentence:
                out.append(sentence)
    return out


def check_reply(
    reply: str,
    passages: Sequence[Passage],
    question: str = "",
    embed: EmbedFn | None = None,
    not_found: str = "NOT IN THE ARTICLES",
) -> Checked:
    """Check ``reply`` against the ``passages`` it was written from (see the module docstring)."""
    text = strip_reasoning(reply or "")
    if not text:
        return Checked("rejected", reason="the LLM returned an empty answer")
    sentinel = normalise(not_found)
    if normalise(text) == sentinel or (normalise(text).startswith(sentinel) and not _MARKER_GROUP.search(text)):
        return Checked("not_found", sentences=[SentenceCheck(text, (), (), "not_found")])
    by_n = {p.n: p for p in passages}
    evidence = {p.n: _Evidence(p) for p in passages}
    raw = [_read(sentence, by_n, sentinel) for sentence in split_sentences(text)]
    cited = [s for s in raw if s.kind == "cited"]
    vectors: dict[str, list[float]] = {}
    if embed is not None and cited:
        wanted = [s.text for s in cited] + [question] * bool(question)
        for n in {n for s in cited for n in s.cited}:
            ev = evidence[n]
            wanted.extend(text for first, last in ev.windows for text in ev.window_texts(first, last))
        unique = list(dict.fromkeys(wanted))
        vectors = {t: [float(x) for x in v] for t, v in zip(unique, embed(unique), strict=False)}
    checked = [_support(s, evidence, vectors) if s.kind == "cited" else s for s in raw]
    cited = [s for s in checked if s.kind == "cited"]
    if not cited:
        if checked and all(s.kind in ("absent", "not_found") for s in checked):
            return Checked("not_found", sentences=checked)
        reason = (
            "the LLM's answer cited only passages that do not exist"
            if any(s.invalid for s in checked)
            else "the LLM's answer cited no passage"
        )
        return Checked("rejected", reason=reason, sentences=checked)
    if not all(s.supported for s in cited):
        return Checked(
            "rejected", reason="the LLM's answer said things its cited passages do not support", sentences=checked
        )
    if vectors and question:
        relevance = max(_cos(vectors[question], vectors[s.text]) for s in cited)
        if relevance < RELEVANCE_MIN:
            return Checked("rejected", reason="the LLM's answer was not about the question", sentences=checked)
    return _assemble(checked, by_n)


# ---- reading sentences ---------------------------------------------------------------------------


def _read(sentence: str, by_n: dict[int, Passage], sentinel: str) -> SentenceCheck:
    numbers = [int(x) for group in _MARKER_GROUP.findall(sentence) for x in re.split(r"[,;]", group)]
    valid = tuple(dict.fromkeys(n for n in numbers if n in by_n))
    invalid = tuple(dict.fromkeys(n for n in numbers if n not in by_n))
    clean = _MARKER_GROUP.sub("", sentence)
    clean = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(clean.split())).strip()
    if valid:
        return SentenceCheck(clean, valid, invalid, "cited")
    if normalise(clean) == sentinel:
        return SentenceCheck(clean, (), invalid, "not_found")
    kind: Literal["absent", "uncited"] = "absent" if _ABSENT.search(clean) else "uncited"
    return SentenceCheck(clean, (), invalid, kind)


class _Evidence:
    """What a passage can support: its sentences, minus text addressed to an AI; its title and date."""

    def __init__(self, passage: Passage) -> None:
        chunk = passage.chunk
        text = chunk.text
        self.spans: list[tuple[int, int]] = []
        tainted_paragraph = -1
        paragraph = 0
        cursor = 0
        for s, e in sentence_spans(text):
            paragraph += text.count("\n\n", cursor, s)
            cursor = s
            sentence = text[s:e]
            if _ADDRESSED_TO_AI.search(sentence):
                tainted_paragraph = paragraph
            if paragraph == tainted_paragraph:
                continue
            self.spans.append((s, e))
        self.sentences = [" ".join(text[s:e].split()) for s, e in self.spans]
        header = f"{chunk.title} {chunk.date or ''}"
        if chunk.date and re.fullmatch(r"\d{4}-\d\d-\d\d", chunk.date):
            header += " " + _MONTH_NAMES[int(chunk.date[5:7]) - 1]
        self.header_terms = set(terms(header))
        self.sentence_terms = [set(terms(s)) for s in self.sentences]
        self.terms = set().union(self.header_terms, *self.sentence_terms)
        count = len(self.spans)
        # what one claim may rest on: one sentence, or two that follow each other
        self.windows = [(i, i) for i in range(count)] + [(i, i + 1) for i in range(count - 1)]
        self.numbers = {_num(x) for x in _NUMBER.findall(" ".join(self.sentences) + " " + header)}
        if chunk.date and re.fullmatch(r"\d{4}-\d\d-\d\d", chunk.date):
            self.numbers.update({str(int(part)) for part in chunk.date.split("-")})

    def window_texts(self, first: int, last: int) -> list[str]:
        return [" ".join(self.sentences[first : last + 1])]


def _num(text: str) -> str:
    plain = text.replace(",", "")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain.lstrip("0") or "0"


def _support(s: SentenceCheck, evidence: dict[int, _Evidence], vectors: dict[str, list[float]]) -> SentenceCheck:
    """Score how well the cited passages support the sentence: best window of each, numbers and names."""
    claim_terms = set(terms(s.text))
    sources = [evidence[n] for n in s.cited]
    pool: set[str] = set()
    semantic: float | None = None
    best: dict[int, tuple[int, int]] = {}
    for n, ev in zip(s.cited, sources, strict=False):
        scored = []
        for first, last in ev.windows:
            window_terms = set().union(ev.header_terms, *ev.sentence_terms[first : last + 1])
            overlap = len(claim_terms & window_terms) / (len(claim_terms) or 1)
            sim = (
                max((_cos(vectors[s.text], vectors[text]) for text in ev.window_texts(first, last)), default=0.0)
                if vectors
                else 0.0
            )
            scored.append((sim + overlap, overlap, sim, first, last))
        if not scored:
            continue
        # support is judged on the one window whose words and meaning both fit the claim best
        _, _, sim, first, last = max(scored)
        pool |= set().union(ev.header_terms, *ev.sentence_terms[first : last + 1])
        if vectors:
            semantic = max(semantic if semantic is not None else -1.0, sim)
        # the quote: a single sentence unless the pair clearly adds
        quote = max(scored, key=lambda item: item[0] - 0.1 * (item[4] - item[3]))
        best[n] = (ev.spans[quote[3]][0], ev.spans[quote[4]][1])
    lexical = len(claim_terms & pool) / len(claim_terms) if claim_terms else 1.0
    pool_numbers = set().union(*(ev.numbers for ev in sources))
    names_numbers_ok = all(_num(x) in pool_numbers for x in _NUMBER.findall(s.text))
    all_terms = set().union(*(ev.terms for ev in sources))
    names_ok = all(set(terms(name)) <= all_terms for name in names_in(s.text))  # names the passages must hold
    if semantic is None:
        supported = lexical >= LEXICAL_ENOUGH
    else:
        supported = (
            lexical >= LEXICAL_ENOUGH
            or (lexical >= LEXICAL_MIN and semantic >= SEMANTIC_MIN)
            or (lexical >= LEXICAL_FLOOR and semantic >= SEMANTIC_HIGH)
        )
    supported = supported and names_numbers_ok and names_ok and bool(best)
    return SentenceCheck(
        s.text,
        s.cited,
        s.invalid,
        "cited",
        round(lexical, 3),
        None if semantic is None else round(semantic, 3),
        names_numbers_ok and names_ok,
        supported,
        best,
    )


def _cos(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = sum(x * x for x in a) ** 0.5
    nb = sum(y * y for y in b) ** 0.5
    return dot / (na * nb) if na and nb else 0.0


# ---- the checked answer --------------------------------------------------------------------------


def _assemble(checked: list[SentenceCheck], by_n: dict[int, Passage]) -> Checked:
    renumber: dict[int, int] = {}
    for s in checked:
        for n in s.cited:
            renumber.setdefault(n, len(renumber) + 1)
    parts = []
    for s in checked:
        if s.kind == "cited":
            markers = " ".join(f"[{renumber[n]}]" for n in s.cited)
            body, end = (s.text[:-1], s.text[-1]) if s.text[-1:] in ".!?" else (s.text, ".")
            parts.append(f"{body} {markers}{end}")
        elif s.kind == "absent":
            parts.append(s.text)
    cited = []
    for old, new in sorted(renumber.items(), key=lambda item: item[1]):
        spans = sorted({s.evidence[old] for s in checked if s.kind == "cited" and old in s.evidence})
        start, stop = _quote_span(spans)
        score = max(
            (s.semantic if s.semantic is not None else s.lexical)
            for s in checked
            if s.kind == "cited" and old in s.cited
        )
        cited.append(CitedPassage(new, by_n[old], start, stop, round(score, 4)))
    return Checked("ok", text=" ".join(parts), cited=cited, sentences=checked)


def _quote_span(spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The first run of supporting sentences that follow each other closely (at most two runs merged)."""
    start, end = spans[0]
    for s, e in spans[1:]:
        if s - end > 400:
            break
        end = max(end, e)
    return start, end
