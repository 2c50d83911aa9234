"""Where a question goes, in four steps that `asker.Asker` runs:

1. `understand`: clean the question, make a follow-up self-contained (`conversation`), read its time words
   (`timewords`); and, once retrieved, which answerers it is for (`route`: small talk, language, news overview,
   news about a subject, the question);
2. `retrieve`: embed and search (a follow-up on its story, "latest" newest first, an empty time range widened);
3. `answer`: the first answerer of the route that answers (the extractive one of `retrieval.answering`, or the
   LLM's of `retrieval.llm`);
4. `finish`: stamps, reprints, dates, "Did you mean" (`spelling`), the conversation's turn.

`query` holds what crosses the steps' edges: `Query`, `AnswerStream`, `Parts` (what asking needs of `Newsbot`).

May import: ``core``, ``search``, ``store``, ``answering``, ``llm``.
"""
