"""Step 4 of a question, finish: stamp what was asked and searched and the timings, add each citation's
reprints and the date of what is quoted, offer "Did you mean" with a decline, and record the turn."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from retrieval.asking.query import Parts
from retrieval.asking.retrieve import Retrieved
from retrieval.core.text import terms
from retrieval.core.types import Answer, Citation

if TYPE_CHECKING:
    from retrieval.asking.conversation import Conversation
    from retrieval.asking.timewords import TimeScope

CHATTER = ("smalltalk", "language")  # replies that quote nothing and do not end the story


class Finisher:
    """Turns an answerer's `Answer` into the one the user gets."""

    def __init__(self, parts: Parts, clock: Callable[[], float] = time.perf_counter) -> None:
        self.parts = parts
        self.clock = clock

    def __call__(self, answer: Answer, got: Retrieved, conversation: Conversation | None, started: float) -> Answer:
        """Stamp question, searched text and timings on ``answer``; add reprints, dates and a suggestion; record
        it in the conversation."""
        t4 = self.clock()
        answer.question = got.question
        chatter = answer.answerer in CHATTER
        answer.searched = got.searched if got.searched != got.question and not chatter else None
        timings = dict(got.timings)
        t0 = timings.pop("start")
        timings.update(
            {key: value for key, value in answer.timings.items() if key == "llm"}, answer=t4 - started, total=t4 - t0
        )
        answer.timings = {key: round(value, 4) for key, value in timings.items()}
        self._add_reprints(answer)
        self._add_dates(answer, got.scope, got.widened, got.undated)
        if not answer.found and answer.answerer not in ("overview", *CHATTER):
            answer.suggestion = self.suggestion(got.question)
        if conversation is not None and not chatter:  # "thanks" does not end the story
            conversation.record(got.question, got.searched, answer, fresh=got.fresh)
        return answer

    def suggestion(self, question: str) -> str | None:
        """ "Did you mean ...?": ``question`` with the words no article uses spelled as the articles spell them."""
        from retrieval.asking.spelling import suggest

        bm25 = self.parts.index.view.keywords

        def surface(term: str) -> str | None:  # as written inside a sentence: "Speaking" opening one is no name
            spelt: list[tuple[bool, str]] = []  # (opens a sentence, the word)
            for chunk, _score in bm25.search(term, 1):
                text = f"{chunk.title}. {chunk.text}"
                for word in re.finditer(r"[A-Za-z][\w'’-]*", text):
                    if terms(word.group()) == [term]:
                        before = text[: word.start()].rstrip(" \"'“‘(")
                        spelt.append((not before or before.endswith((".", "!", "?", ":")), word.group().rstrip("'’")))
            inside = [word for opens, word in spelt if not opens] or [word.lower() for _, word in spelt]
            return inside[0] if inside else None

        def best_passage(text: str) -> tuple[float, frozenset[str]]:
            found = bm25.search(text, 1)
            if not found:
                return 0.0, frozenset()
            chunk, score = found[0]
            return score, frozenset(terms(f"{chunk.title} {chunk.text}"))

        def spellings(term: str) -> list[str]:  # "evacuated", "evacuation" for "evacu", from its best passages
            found = [word for chunk, _ in bm25.search(term, 3) for word in re.findall(r"[A-Za-z][\w'’-]*", chunk.text)]
            return [word for word in found if terms(word) == [term]]

        vectors = self.parts.word_vectors
        return suggest(
            question, bm25.vocabulary(), surface, best_passage, spellings, vectors.words if vectors else None
        )

    @staticmethod
    def _add_dates(answer: Answer, scope: TimeScope | None, widened: bool = False, undated: bool = False) -> None:
        """Say what time was understood, and name the date of what is quoted when time matters or dates differ.

        Over articles none of which is dated (an archive), the time words could not be applied: said once (an
        overview's own text already says so)."""
        if scope is not None and undated:
            words = " and ".join(f'"{w}"' for w in scope.expressions)
            verb = "was" if len(scope.expressions) == 1 else "were"
            note = f"every article: none is dated, so {words} {verb} not applied"
            answer.time = None if answer.answerer == "overview" else note
        elif scope is not None and (scope.has_filter or scope.recency):
            answer.time = scope.describe()
            if widened:
                answer.time = f"nothing dated {answer.time}: all dates searched"
        dates = {c.date for c in answer.citations if c.date}
        first = answer.citations[0] if answer.citations else None
        if (
            answer.found
            and not answer.conflict
            and first is not None
            and first.date
            and (answer.time or len(dates) > 1)
        ):
            day = date.fromisoformat(first.date)
            who = first.publisher or _site(first.url or first.source)
            answer.when = f"On {day.day} {day:%B %Y}, {who} reported" if who else f"Reported on {day.day} {day:%B %Y}"

    def _add_reprints(self, answer: Answer) -> None:
        """Each cited article's grouped reprints become its citation's ``also`` ("also reported by N others")."""
        store = self.parts.reprints
        if store is None or not (answer.citations or answer.related):
            return
        reports = store.reports_of({c.doc_id: c.source for c in [*answer.citations, *answer.related]})
        if not reports:
            return

        def with_copies(c: Citation) -> Citation:
            also = reports.get(c.doc_id)
            return replace(c, also=also) if also else c

        answer.citations = [with_copies(c) for c in answer.citations]
        answer.related = [with_copies(c) for c in answer.related]


def _site(source: str) -> str | None:
    """The site an article came from ("bbc.co.uk" for a page of www.bbc.co.uk), None for a local file (its name,
    "000_02dd03580792acdc.txt", says nothing about who reported it)."""
    from urllib.parse import urlsplit

    host = urlsplit(source).hostname if source.startswith(("http://", "https://")) else None
    return host.removeprefix("www.") if host else None
