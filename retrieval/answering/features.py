"""Features of a candidate sentence: what a reader weighs when deciding whether it answers the question.

Every feature is a number computed from the question's profile, the sentence, its neighbours, its chunk's
retrieval scores and the collection's term statistics. The fitted model (`retrieval.answering.model`) turns them
into the probability that the sentence answers the question; `FEATURES` fixes their order, and the weights
file names them, so a weights file fitted on other features is refused rather than misread.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from retrieval.answering.lexicon import WordVectors, content_words
from retrieval.answering.measures import measure_spans
from retrieval.answering.patterns import DATE, MANNER, NUMBER, PLACE_LEAD, QUARTER, QUOTED, REASON, YEAR, figure_key
from retrieval.answering.question import KINDS, QuestionProfile
from retrieval.answering.reader import SentenceReading
from retrieval.answering.roles import role_names
from retrieval.core.names import names_in
from retrieval.core.text import terms

# A sentence that opens with one of these leans on the sentence before it ("these people", "he", "they").
REFERRING = re.compile(
    r"^(?:(?:all|but|and|so|yet|however,?|also|both|most|some|many|none|each|one)\s+(?:of\s+)?)?"
    r"(?:these|those|this|that|they|them|he|she|it|its|his|her|their|such|the two|the three|both)\b",
    re.IGNORECASE,
)

FEATURES = (
    "coverage",  # idf-weighted share of the question's terms in the sentence
    "coverage_context",  # ... in the sentence, the one before it and the title
    "coverage_window",  # ... in the sentence and both neighbours
    "soft_coverage",  # question terms the sentence lacks but says in other words (word vectors)
    "restates",  # share of the sentence's terms that the question already holds
    "novelty",  # log of the sentence's content terms the question lacks
    "names_covered",  # share of the question's name terms in the sentence and its context
    "chunk_similarity",  # cosine of the chunk to the question
    "chunk_rank",  # 1 / rank of the chunk after fusion
    "in_dense",  # the dense retriever found the chunk
    "in_bm25",  # BM25 found the chunk
    "asked_type",  # the sentence holds the kind of thing asked for, and the question does not
    "new_facts",  # log of names, figures and dates the sentence adds to the question
    "year_match",  # the sentence names a year the question names
    "year_conflict",  # the question names a year or quarter; the sentence names only others
    "article_start",  # the first sentence of the article
    "chunk_position",  # position of the sentence in its chunk (0 first, 1 last)
    "title_coverage",  # share of the question's terms in the article title
    "unknown_names",  # names and figures of the question no indexed article mentions
    "refers_back",  # the sentence opens with a reference to the sentence before it
    "length",  # log of the sentence's words
    "quotes",  # a quotation or reported speech
    *(f"kind_{kind}" for kind in KINDS),  # the question's kind (a different base rate per kind)
    *(f"type_{kind}" for kind in KINDS),  # asked_type per kind: a date means more for "when" than for "what"
    "density",  # matched question terms / the shortest run of words that holds them all
    "bigrams",  # share of the question's consecutive term pairs that the sentence has consecutively too
    "focus",  # the sentence holds the question's focus noun ("which *comedian*", "how many *prizes*")
    "near_answer",  # a new name or figure stands close to a question term (the fact next to what was asked)
    "names_in_sentence",  # share of the question's name terms in the sentence itself
    "coverage_gap",  # coverage minus the best coverage among the candidates (filled in by `relative`)
    "soft_gap",  # soft coverage minus the best among the candidates
    "local_coverage",  # question terms weighted by how few candidates hold them: what sets this sentence apart
    "local_soft",  # the same for words the sentence says in other words
    "local_gap",  # local coverage minus the best among the candidates
    "local_soft_gap",  # local soft coverage minus the best among the candidates
    "role_asked",  # the question asks for a role holder ("who runs it?", "its spokesman?")
    "role_name",  # ... and the sentence names someone next to one of the role's words ("chief executive Anna Berg")
    "measure_asked",  # the question wants a figure of one measure: an age, a duration, money, a count...
    "measure_fit",  # ... and the sentence gives a new figure of that measure ("the 21-year-old" for "how old")
    "measure_near",  # ... next to a word of the question ("a 140-metre *footbridge*", not "a debate of three hours")
    "reader",  # the sentence reader's logit that the sentence answers (`retrieval.answering.reader`)
    "reader_gap",  # ... minus the best among the candidates (filled in by `relative`)
    "reader_span",  # the reader's best span in the sentence against "no answer here", bounded
)
INDEX = {name: i for i, name in enumerate(FEATURES)}
_TOKEN = re.compile(r"[\w'’.-]+")


@dataclass(frozen=True)
class Context:
    """What the features read besides the question and the sentence."""

    idf: Callable[[str], float]
    known: Callable[[str], bool]
    vectors: WordVectors | None = None
    article_terms: Callable[[str], frozenset[str]] | None = None  # doc_id -> the terms of the whole article


@dataclass(frozen=True)
class SentenceView:
    """A candidate sentence with the text around it and its chunk's retrieval facts."""

    text: str
    before: str  # the previous sentence (or "")
    after: str  # the next sentence (or "")
    title: str
    chunk_rank: int
    chunk_similarity: float
    in_dense: bool
    in_bm25: bool
    position: int  # index of the sentence in its chunk
    sentences_in_chunk: int
    article_start: bool


def unknown_names(question: QuestionProfile, known: Callable[[str], bool]) -> int:
    """Names and figures in the question that no indexed article mentions: the articles cannot be about them."""
    entities = set(question.name_terms) | {t for t in question.terms if t.isdigit()}
    return sum(1 for t in entities if not known(t))


def asked_type(question: QuestionProfile, sentence: str) -> float:
    """1 when the sentence holds something of the kind the question asks for that the question does not hold."""
    kind = question.kind
    if kind == "when":
        return float(any(m.group().lower() not in question.words for m in DATE.finditer(sentence)))
    if kind == "how_many":
        return float(
            any(
                figure_key(m.group()) not in question.numbers
                for m in NUMBER.finditer(sentence)
                if any(ch.isdigit() for ch in m.group()) or len(m.group()) > 3
            )
        )
    new_names = [n for n in names_in(sentence) if not set(terms(n)) <= question.name_terms]
    if kind in ("who", "which", "list"):
        return min(1.0, len(new_names) / (2.0 if kind == "list" else 1.0))
    if kind == "where":
        return float(bool(new_names) and bool(PLACE_LEAD.search(sentence)))
    if kind == "why":
        return float(bool(REASON.search(sentence)))
    if kind == "how":
        return float(bool(MANNER.search(sentence)) or bool(NUMBER.search(sentence)))
    return float(bool(new_names) or bool(NUMBER.search(sentence)))


def new_facts(question: QuestionProfile, sentence: str) -> int:
    names = [n for n in names_in(sentence) if not set(terms(n)) <= question.name_terms]
    numbers = [
        m.group()
        for m in NUMBER.finditer(sentence)
        if figure_key(m.group()) not in question.numbers and any(ch.isdigit() for ch in m.group())
    ]
    dates = [m.group() for m in DATE.finditer(sentence) if m.group().lower() not in question.words]
    return len(names) + len(numbers) + len(dates)


def _coverage(q_terms: frozenset[str], found: set[str], weight: float, idf: Callable[[str], float]) -> float:
    return sum(idf(t) for t in q_terms & found) / weight


def features(
    question: QuestionProfile, view: SentenceView, ctx: Context, unknown: int, reading: SentenceReading | None = None
) -> list[float]:
    """The feature vector of one candidate sentence, in the order of `FEATURES` (the reader's are 0 without it)."""
    idf = ctx.idf
    # a plain word no article uses ("evacuated") can only match by meaning: it does not count in coverage
    q_terms = frozenset(t for t in question.terms if ctx.known(t) or t in question.name_terms)
    weight = sum(idf(t) for t in q_terms) or 1.0
    s_terms = set(terms(view.text))
    before_terms = set(terms(view.before))
    after_terms = set(terms(view.after))
    title_terms = set(terms(view.title))
    coverage = _coverage(q_terms, s_terms, weight, idf)
    coverage_context = _coverage(q_terms, s_terms | before_terms | title_terms, weight, idf)
    coverage_window = _coverage(q_terms, s_terms | before_terms | after_terms, weight, idf)
    soft = 0.0
    if ctx.vectors is not None:
        missing = [w for w in content_words(question.text) if terms(w) and terms(w)[0] not in s_terms]
        sentence_words = content_words(view.text)
        if missing and sentence_words:
            soft = sum(ctx.vectors.best_match(w, sentence_words) * idf(terms(w)[0]) for w in missing) / weight
    content = {t for t in s_terms if not t.isdigit()}
    restates = len(content & question.terms) / len(content) if content else 0.0
    novelty = math.log1p(len(content - question.terms))
    names_covered = (
        len(question.name_terms & (s_terms | before_terms | title_terms)) / len(question.name_terms)
        if question.name_terms
        else 1.0
    )
    years = set(YEAR.findall(view.text))
    year_match = float(bool(question.years & years))
    quarters_asked = bool(question.quarters)
    conflict = float(
        (bool(question.years) and bool(years) and not question.years & years)
        or (
            quarters_asked
            and bool(QUARTER.search(view.text))
            and not any(q in view.text.lower() for q in _quarter_words(question.quarters))
        )
    )
    typed = asked_type(question, view.text)
    n_words = len(view.text.split())
    values = [
        coverage,
        coverage_context,
        coverage_window,
        soft,
        restates,
        novelty,
        names_covered,
        max(0.0, view.chunk_similarity),
        1.0 / view.chunk_rank,
        float(view.in_dense),
        float(view.in_bm25),
        typed,
        math.log1p(new_facts(question, view.text)),
        year_match,
        conflict,
        float(view.article_start),
        view.position / max(1, view.sentences_in_chunk - 1),
        len(q_terms & title_terms) / len(q_terms) if q_terms else 0.0,
        float(unknown),
        float(bool(REFERRING.match(view.text))),
        math.log1p(n_words),
        float(bool(QUOTED.search(view.text))),
    ]
    values += [float(question.kind == kind) for kind in KINDS]
    values += [typed if question.kind == kind else 0.0 for kind in KINDS]
    values += _placement(question, view.text, q_terms)
    values += [0.0] * 6  # relative to the other candidates: set by `relative`
    values += [float(bool(question.role)), float(bool(role_names(view.text, question.role, question.words)))]
    spans = measure_spans(question.measure, view.text, question.numbers, question.counted)
    values += [float(question.measure is not None), float(bool(spans)), _nearness(spans, view.text, q_terms)]
    if reading is None:
        values += [0.0, 0.0, 0.0]
    else:
        values += [reading.logit, 0.0, max(-20.0, min(20.0, reading.span_margin))]
    return values


def _nearness(spans: list[tuple[int, int]], sentence: str, q_terms: frozenset[str]) -> float:
    """``1 / (1 + characters / 20)`` from the closest of ``spans`` to a word of the question (0 without either)."""
    anchors = [(m.start(), m.end()) for m in _TOKEN.finditer(sentence) if (terms(m.group()) or [""])[0] in q_terms]
    gaps = [max(0, a_start - end, start - a_end) for start, end in spans for a_start, a_end in anchors]
    return 1.0 / (1.0 + min(gaps) / 20.0) if gaps else 0.0


def relative(question: QuestionProfile, sentences: list[str], rows: list[list[float]], ctx: Context) -> None:
    """Fill in the features that compare a candidate with the other candidates of the same question.

    Within the retrieved passages, the question's topic words (the company, the person) are everywhere; the
    words that name what is asked ("suspension", "semi-final") are in few sentences. ``local`` weights each
    question term by ``log(1 + candidates / candidates holding it)``.
    """
    if not rows:
        return
    found = [set(terms(s)) for s in sentences]
    n = len(found)
    holding = {t: sum(1 for f in found if t in f) for t in question.terms}
    weight = {t: math.log(1 + n / holding[t]) if holding[t] else 0.0 for t in question.terms}
    total = sum(weight.values()) or 1.0
    q_words = content_words(question.text)
    for sentence, s_terms, row in zip(sentences, found, rows, strict=True):
        row[INDEX["local_coverage"]] = sum(weight[t] for t in question.terms if t in s_terms) / total
        soft = 0.0
        if ctx.vectors is not None:
            words = content_words(sentence)
            for word in q_words:
                stem = terms(word)
                if stem and stem[0] not in s_terms and words:
                    soft += ctx.vectors.best_match(word, words) * math.log(1 + n / (1 + holding.get(stem[0], 0)))
        row[INDEX["local_soft"]] = soft / total
    for name, gap in (
        ("reader", "reader_gap"),
        ("coverage", "coverage_gap"),
        ("soft_coverage", "soft_gap"),
        ("local_coverage", "local_gap"),
        ("local_soft", "local_soft_gap"),
    ):
        best = max(row[INDEX[name]] for row in rows)
        for row in rows:
            row[INDEX[gap]] = row[INDEX[name]] - best


def _placement(question: QuestionProfile, sentence: str, q_terms: frozenset[str]) -> list[float]:
    """Where the question's words stand in the sentence: density, bigrams, focus noun, a new fact nearby."""
    tokens = [(m.start(), (terms(m.group()) or [""])[0]) for m in _TOKEN.finditer(sentence)]
    hits = [i for i, (_, t) in enumerate(tokens) if t and t in q_terms]
    matched = {tokens[i][1] for i in hits}
    density = len(matched) / _shortest_window(tokens, matched) if matched else 0.0
    q_seq = terms(question.text)
    q_pairs = set(zip(q_seq, q_seq[1:], strict=False))
    s_seq = [t for _, t in tokens if t]
    bigrams = len(q_pairs & set(zip(s_seq, s_seq[1:], strict=False))) / len(q_pairs) if q_pairs else 0.0
    focus_terms = set(terms(question.focus))
    focus = float(bool(focus_terms & set(s_seq))) if focus_terms else 0.0
    spots = [sentence.find(n) for n in names_in(sentence) if not set(terms(n)) <= question.name_terms]
    spots += [
        m.start()
        for m in NUMBER.finditer(sentence)
        if any(ch.isdigit() for ch in m.group()) and figure_key(m.group()) not in question.numbers
    ]
    anchors = [tokens[i][0] for i in hits]
    near = 1.0 / (1.0 + min(abs(a - b) for a in spots for b in anchors) / 20.0) if spots and anchors else 0.0
    in_sentence = len(question.name_terms & set(s_seq)) / len(question.name_terms) if question.name_terms else 1.0
    return [density, bigrams, focus, near, in_sentence]


def _shortest_window(tokens: list[tuple[int, str]], wanted: set[str]) -> int:
    """Length in words of the shortest run of ``tokens`` that holds every term of ``wanted``."""
    counts: dict[str, int] = {}
    have, left, best = 0, 0, len(tokens)
    for right, (_, term) in enumerate(tokens):
        if term in wanted:
            counts[term] = counts.get(term, 0) + 1
            have += counts[term] == 1
        while have == len(wanted):
            best = min(best, right - left + 1)
            gone = tokens[left][1]
            if gone in wanted:
                counts[gone] -= 1
                have -= counts[gone] == 0
            left += 1
    return max(1, best)


def _quarter_words(quarters: frozenset[str]) -> list[str]:
    words = {"1": "first", "2": "second", "3": "third", "4": "fourth"}
    return [words.get(q, q) for q in quarters] + [f"q{q}" for q in quarters]


class ArticleSupport(NamedTuple):
    terms: float  # idf-weighted share of the question's terms in the article
    names: float  # share of the question's name terms in the article
    year_missing: float  # 1.0 when a year the question names is neither in the article nor its date


def article_support(
    question: QuestionProfile, article: frozenset[str], ctx: Context, dated: str | None = None
) -> ArticleSupport:
    """How much of the question the whole article holds: idf-weighted terms, name terms, and whether a year the
    question names is missing from it (neither in its text nor its date).

    A near miss ("What did Valve's sales reach by the end of 2004?" against an article that gives no figure)
    shares most words with its article but not all: the words it lacks are what the articles do not answer. A
    year the article never mentions ("Who became Vodafone's chief executive in 2008?") asks about another time.
    """
    q_terms = [t for t in question.terms if ctx.known(t) or t in question.name_terms]
    weight = sum(ctx.idf(t) for t in q_terms) or 1.0
    terms_share = sum(ctx.idf(t) for t in q_terms if t in article) / weight
    names_share = len(question.name_terms & article) / len(question.name_terms) if question.name_terms else 1.0
    held = article | ({dated[:4]} if dated else set())
    year_missing = float(any(year not in held for year in question.years))
    return ArticleSupport(terms_share, names_share, year_missing)
