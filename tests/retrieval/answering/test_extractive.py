"""The extractive answerer's short answer for a role: the name next to the role asked for, with its qualifiers."""

from __future__ import annotations

from retrieval.answering.candidates import Candidate
from retrieval.answering.extractive import _holder
from retrieval.answering.features import SentenceView
from retrieval.answering.question import profile
from retrieval.core.types import Chunk, Hit


def _best(sentence: str) -> Candidate:
    chunk = Chunk("a-0", "a", 0, sentence, 0, len(sentence), "Title", "a.txt")
    view = SentenceView(text=sentence, before="", after="", title="Title", chunk_rank=1, chunk_similarity=0.5,
                        in_dense=True, in_bm25=True, position=0, sentences_in_chunk=1, article_start=True)
    return Candidate(Hit(chunk, 1.0), 1, 0, len(sentence), 0, view)


def test_a_sentence_naming_the_holder_of_the_role_asked_for_gives_the_short_answer():
    asked = profile("Who is the chief executive of the confectionery group?")
    assert _holder(asked, _best("Chief executive Todd Stitzer said sales would rise."))
    assert not _holder(asked, _best("The confectionery group said sales would rise."))
    assert not _holder(profile("What did the group sell?"), _best("Chief executive Todd Stitzer said so."))


def test_a_qualified_role_needs_its_qualifier_in_the_sentence():
    # "Foreign Secretary Jack Straw" once became the short answer to "Who is the shadow foreign secretary ...?"
    asked = profile("Who is the shadow foreign secretary who called the White Paper propaganda?")
    assert not _holder(asked, _best("His claims were denied by Foreign Secretary Jack Straw."))
    assert _holder(asked, _best("Shadow foreign secretary Michael Ancram told MPs so."))
