"""Step 1 of a question, understand: clean it, make a follow-up self-contained, read its time words; and, once
retrieved, which answerers it is for (`route`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

from retrieval.answering.language import foreign_question
from retrieval.answering.overview import asks_for_news, news_subject
from retrieval.answering.smalltalk import small_talk
from retrieval.asking.conversation import FollowUp, strip_context
from retrieval.asking.query import Parts, Query, clean_question
from retrieval.search.searcher import Filters

if TYPE_CHECKING:
    from retrieval.asking.retrieve import Retrieved
    from retrieval.asking.timewords import TimeScope


class Intent(Enum):
    """What a question is for, in the order the answerers are tried."""

    SMALL_TALK = "smalltalk"  # "hi", "thanks!": a reply, not a decline quoting unrelated passages
    LANGUAGE = "language"  # not the articles' language: say which language is read
    OVERVIEW = "overview"  # "What's the latest news?": the newest stories
    ABOUT = "about"  # "latest news on Yukos": the stories about a subject
    QUESTION = "question"  # any other question: the extractive (or LLM) answer


@dataclass(frozen=True)
class Understood:
    """A question made ready to search: cleaned, self-contained, with the time it asks about."""

    question: str  # cleaned
    follow: FollowUp  # what is searched (a rewritten follow-up), and its story
    scope: TimeScope | None  # what the question says about time (None: nothing)
    filters: Filters  # the query's filters with the range its time words name
    reference: date  # the day time words count from

    @property
    def search_text(self) -> str:
        """What retrieval searches: the self-contained question without its time words."""
        return self.scope.question if self.scope is not None else self.follow.searched


def understand(parts: Parts, query: Query) -> Understood:
    """Clean ``query``'s question, resolve it against the conversation, and read its time words."""
    question = clean_question(query.question, parts.settings.max_question_chars)
    parts.ensure_seeded()
    follow = FollowUp(question, question)
    if query.conversation is not None:
        follow = query.conversation.follow_up(question, lambda doc_id: article_text(parts, doc_id))
    day = reference(parts, query)
    scope, filters = time_scope(query, follow.searched, day)
    return Understood(question, follow, scope, filters, day)


def article_text(parts: Parts, doc_id: str) -> str:
    """An indexed article as a reader sees it: its title on the first line, then its text (chunks joined)."""
    chunks = parts.index.view.passages.document(doc_id)
    return "\n".join(c.text if c.index else f"{c.title}\n{c.text}" for c in chunks)


def reference(parts: Parts, query: Query) -> date:
    """The day time words count from: the query's, today, or the newest article's (NEWSBOT_TIME_REFERENCE)."""
    if query.reference is not None:
        return query.reference
    if parts.settings.time_reference == "newest":
        newest = parts.index.view.passages.newest_date
        if newest:
            return date.fromisoformat(newest)
    return date.today()


def time_scope(query: Query, searched: str, day: date) -> tuple[TimeScope | None, Filters]:
    """The question's time words as a scope; its range becomes the filters unless --since/--until were given."""
    from retrieval.asking.timewords import understand_time

    scope = understand_time(searched, day)
    if not scope.expressions:
        return None, query.filters
    filters = query.filters
    if scope.has_filter and not (filters.since or filters.until):  # explicit dates win over time words
        filters = replace(filters, since=scope.since, until=scope.until)
    return scope, filters


def scored_words(got: Retrieved) -> str:
    """What sentences are scored against: the user's own words (inherited context and time words only steer
    retrieval)."""
    return strip_context(got.scope.question if got.scope is not None and not got.widened else got.searched)


def route(parts: Parts, got: Retrieved) -> list[Intent]:
    """The answerers ``got`` is for, in order: the first that answers does (a news request about nothing indexed
    falls through to the question)."""
    if small_talk(got.question) is not None:
        return [Intent.SMALL_TALK]
    if foreign_question(got.question, parts.index.view.keywords.known):
        return [Intent.LANGUAGE]
    intents = []
    if asks_for_news(scored_words(got)):
        intents.append(Intent.OVERVIEW)
    if news_subject(got.question, got.scope.expressions if got.scope is not None else ()) is not None:
        intents.append(Intent.ABOUT)
    return [*intents, Intent.QUESTION]
