"""Follow-up questions without an LLM: a bounded history that turns a follow-up into a self-contained question
and remembers the story (the articles the last answers cited) so that retrieval can stay on it.

A question that brings a new proper name of its own (one the conversation has not mentioned) starts afresh and
is searched as it is. Otherwise it is a follow-up of the story told so far:

- a pronoun ("Where was their stronghold?"), a definite description ("How far did the carmaker's shares fall?",
  "What did the French carmaker say?") or no subject of its own ("Which group led the fighters?"): searched
  together with the names of the previous turn (and the role words, for "who runs it?");
- an ellipsis: "and Russia?" / "what about Hama?" reuse the last question with the new name in place of its name
  or pronoun ("Where was Hama's stronghold?"), or, with neither, "What about Hama?" searched with its words; "and
  in 2003?" / "and the year before?" a previous question with the new time in place of the old one; "and the
  dividend?" becomes "What about the dividend?";
- a question word alone: "where?" after "When did the government fall?" is "Where did the government fall?";
  after a question for its subject, it is asked of that subject ("Who led the fighters?", "when?": "When did
  they lead the fighters?").

Nationality words ("the French carmaker", "the Dutchman") and dates are not new names; "the French carmaker
Renault" brings one. `FollowUp.story` tells retrieval which articles to prefer (`retrieval.asking.retrieve`).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from retrieval.answering.roles import asked_role, role_hint
from retrieval.core.names import DEMONYMS
from retrieval.core.names import names_in as find_names
from retrieval.core.text import STOPWORDS
from retrieval.core.types import Answer

_REFERRING = re.compile(
    r"\b(he|she|it|its|they|them|their|theirs|his|her|hers|this|that|these|those|there|"
    r"the same|such)\b",
    re.IGNORECASE,
)
_POINTER = re.compile(r"\b(he|she|they|them|this|that|these|those|the same|such)\b", re.IGNORECASE)
# "Who chairs it in Scotland?": with a name the story's articles mention, "it" still points back (a possessive,
# "What did Iran say about its presence?", points inside the question)
_OBJECT_PRONOUN = re.compile(r"\b(it|him|them|there)\b", re.IGNORECASE)
# ... but a possessive that comes before every new name cannot point to them ("What award was its director given
# in Sweden?"): it points back
_POSSESSIVE_PRONOUN = re.compile(r"\b(its|his|her|their)\b", re.IGNORECASE)
_ELLIPSIS = re.compile(
    r"^\s*(?:and what about|and how about|what about|how about|what of|same for|and for|and in|and)\s+(.+?)\s*\??\s*$",
    re.IGNORECASE,
)
_AND_QUESTION = re.compile(
    r"^\s*and\s+((?:who|whom|whose|what|which|why|how|when|where)\b(?!\s+(?:it|he|she|they|we|you|the|its|about|of)\b).+)$",
    re.IGNORECASE,
)
# a question word alone: "where?", "and when?", "why exactly?", "how many?" asks it of the previous question
_BARE_QUESTION_WORD = re.compile(
    r"^\s*(?:(?:and|but|so|ok|okay)[\s,]+)?(who|whom|when|where|why|how|how many|how much|how long|how old|how far|"
    r"by whom|since when|for how long|from where)(?:\s+(?:exactly|then|now|though|again))?\s*[?!.]*\s*$",
    re.IGNORECASE,
)
# the question word a question opens with, before its auxiliary ("When did", "How much was"): replaceable
_LEADING_QUESTION_WORD = re.compile(
    r"^\s*(?:who|whom|what|which|when|where|why|how(?:\s+(?:many|much|long|old|far))?)(?=\s+(?:did|does|do|is|was|"
    r"were|are|has|have|had|will|would|can|could|should|might)\b)",
    re.IGNORECASE,
)
_AUXILIARY_FIRST = re.compile(r"^\s*(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could)\b", re.I)
_KEEPS_PREPOSITION = re.compile(r"^\s*and\s+(for|in)\s", re.IGNORECASE)
# a time on its own: "in 2003", "the year before", "for the whole of 2004", "back in 2001", "when it floated"
_TIME = re.compile(
    r"^(?:(?:back|back then|in|for|during|over|by|at|on|from)\s+)*(?:the\s+)?(?:whole\s+of\s+|end\s+of\s+|start\s+of\s+"
    r"|first\s+half\s+of\s+|second\s+half\s+of\s+)?(?:(?:19|20)\d\d|year before|previous year|year after|following "
    r"year|last year|this year|next year|(?:first|second|third|fourth|final|last|previous) quarter|quarter before|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)(?:\s+(?:19|20)\d\d)?"
    r"|when\s+.+|then|before that|after that|before|after)$",
    re.IGNORECASE,
)
# a time inside a question, to be replaced by the time of an ellipsis
_TIME_IN = re.compile(
    r"\s*\b(?:(?:in|during|for|over|on|at|by)\s+(?:the\s+)?(?:(?:19|20)\d\d|(?:first|second|third|fourth|final|last)"
    r"\s+quarter|quarter|year|month|week|day|whole\s+of\s+(?:19|20)\d\d)|last year|this year|now|so far)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = {
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "which",
    "why",
    "how",
    "is",
    "are",
    "was",
    "were",
    "did",
    "do",
    "does",
    "can",
    "could",
    "will",
    "would",
    "should",
    "has",
    "have",
    "had",
}
_GENERIC = (
    STOPWORDS
    | _QUESTION_WORDS
    | {"group", "groups", "people", "thing", "things", "article", "articles", "news", "said", "according", "also"}
    # words about the news itself: inherited, "latest" would turn every follow-up into a newest-first search
    | {"latest", "newest", "recent", "recently", "headlines", "stories", "story", "happened", "happening"}
)
# capitalised words that open a sentence or stand before a name without being part of it
_NOT_NAME_START = frozenset(
    """meanwhile however although while after before since senior former veteran legendary injured new ex
        sprinter striker winger actor actress singer rapper director boss chief chairman president minister
        secretary spokesman spokeswoman mr mrs ms dr sir""".split()
)
# titles written in capitals: "the MP", "the MEP" describe a person, they do not name one
TITLES = frozenset("mp mps mep meps msp msps am pm ceo cfo coo md".split())
CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december""".split()
)
# the nouns a definite description refers back with ("the carmaker", "the food giant's", "the Dutchman")
DESCRIPTION_HEADS = frozenset(
    """firm company companies carmaker maker manufacturer group bank lender insurer broker airline carrier retailer
    supermarket chain giant business operator network supplier miner producer brewer drugmaker agency body watchdog
    regulator federation association union party government ministry council minister chancellor secretary
    president premier leader chief boss chairman chairwoman spokesman spokeswoman official mp singer band trio duo
    rapper star actor actress director film movie epic thriller sequel album song record single show series novel
    book studio label club team side hosts visitors striker winger midfielder defender goalkeeper keeper player
    coach manager captain sprinter athlete runner champion deal merger takeover bid plan scheme ban case trial
    court lawsuit plaintiff blogger spammer designer developer console handheld chip device phone engine browser
    software site website portal service candidate defector commissioner post match game tournament race event
    festival ceremony award prize report study survey budget tax country state city town plant factory""".split()
)
_WORDS = re.compile(r"[\w'’-]+")
# the kind of thing a description names: a person ("the minister", "the Dutchman") or an organisation or place
PERSON_HEADS = frozenset(
    """minister chancellor secretary president premier leader chief boss chairman chairwoman spokesman spokeswoman
    official mp singer rapper star actor actress director striker winger midfielder defender goalkeeper keeper
    player coach manager captain sprinter athlete runner champion blogger spammer designer candidate defector
    commissioner""".split()
)
ORGANISATION_HEADS = frozenset(
    """firm company carmaker maker manufacturer group bank lender insurer broker airline carrier retailer supermarket
    chain giant business operator network supplier miner producer brewer drugmaker agency body watchdog regulator
    federation association union party government ministry council club team side band trio duo studio label
    country state city town""".split()
)
# a question that asks whom or what the description that ends it names: "Who is the shadow foreign secretary?"
_IDENTITY = re.compile(r"^\s*(?:and\s+)?(?:who|what|which)\s+(?:is|was|are|were|'s)\s+$", re.IGNORECASE)
_RELATIVE = re.compile(r"(?:'s|’s)?\s+(?:that|which|who|whom|whose|it|he|she|they|we|you|i)\b", re.IGNORECASE)
_PLACE_HEADS = frozenset("country state city town".split())
_ORGANISATION_WORDS = frozenset(
    """city united fc club group bank motors airways airlines coal records studios studio party council office court
    university association federation commission agency inc ltd plc corp company international news times house
    league cup championships championship open games awards festival""".split()
)
_PARTICLES = frozenset("de van von al bin la le du of the".split())
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def strip_context(searched: str) -> str:
    """The question without the inherited "(context, words)" that `Conversation.rewrite` appends."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", searched) or searched


def descriptions_in(question: str) -> list[str]:
    """Definite descriptions in ``question`` that can refer back: "the carmaker", "the French carmaker"."""
    return [question[start:end] for start, end, _ in _descriptions(question)]


def _descriptions(question: str) -> list[tuple[int, int, str]]:
    """(start, end, head) of each definite description, the possessive ending left outside the span.

    The head is the last person or organisation noun of the phrase ("the budget carrier's" -> carrier, "the German
    carrier plan" -> carrier), else its last description noun ("the film").
    """
    words = list(_WORDS.finditer(question))
    out = []
    for i, word in enumerate(words):
        if word.group().lower() != "the":
            continue
        heads: list[tuple[int, str]] = []
        for j in range(i + 1, min(len(words), i + 5)):
            bare = _POSSESSIVE.sub("", words[j].group())
            lowered = bare.lower()
            following = _POSSESSIVE.sub("", words[j + 1].group()).lower() if j + 1 < len(words) else ""
            if lowered in DESCRIPTION_HEADS or (
                lowered in DEMONYMS and following not in DESCRIPTION_HEADS and not _plural_noun(following)
            ):
                heads.append((words[j].start() + len(bare), lowered))  # "the carmaker", "the Dutchman"
            elif lowered in _GENERIC:
                break
            if bare != words[j].group():  # a possessive ends the phrase
                break
        if heads:
            kinds = [h for h in heads if h[1] in PERSON_HEADS | ORGANISATION_HEADS or h[1] in DEMONYMS]
            end, head = (kinds or heads)[-1]
            out.append((word.start(), end, head))
    return out


def _plural_noun(word: str) -> bool:
    """A word that reads as a plural noun ("shareholders", "fans"): after it, a nationality word is an adjective
    ("the two Irish shareholders"), not a person ("the American said")."""
    return len(word) > 4 and word.endswith("s") and not word.endswith("ss") and word not in _VERBS_IN_S


_VERBS_IN_S = frozenset(
    "says claims wants plans hopes thinks believes denies admits insists faces argues warns tells knows needs "
    "expects seems looks remains makes takes gives plays leads owns runs works".split()
)


def _possessive_before(question: str, names: list[str]) -> bool:
    """A possessive pronoun comes before the first of ``names`` in ``question``: it refers to an earlier turn."""
    possessive = _POSSESSIVE_PRONOUN.search(question)
    places = [question.find(n) for n in names]
    return possessive is not None and all(place > possessive.start() for place in places if place >= 0)


def _titles_joined(names: list[str], question: str, texts: list[str]) -> list[str]:
    """``names`` with two joined by "and" in ``question`` made one when the story's articles use them only together:
    "Hide and Seek" is a film's title, "Russia and China" are two names (each also stands alone in the articles)."""
    joined = " ".join(texts)
    out: list[str] = []
    for name in names:
        if out:
            pair = re.compile(rf"\b{re.escape(out[-1])}\s+(?:and|And|&)\s+{re.escape(name)}\b")
            asked, told = pair.search(question), pair.search(joined)
            alone = re.compile(rf"\b(?:{re.escape(out[-1])}|{re.escape(name)})\b")
            if asked and told and not alone.search(pair.sub(" ", joined)):
                out[-1] = asked.group(0)
                continue
        out.append(name)
    return out


def _person_like(name: str) -> bool:
    """A name that looks like a person's: two to four capitalised words, none of them an organisation's word."""
    words = name.split()
    return (
        2 <= len(words) <= 4
        and all((w[:1].isupper() and not w.isupper()) or w.lower() in _PARTICLES for w in words)
        and not any(w.lower().strip(".,") in _ORGANISATION_WORDS for w in words)
    )


def _place_like(name: str, texts: list[str]) -> bool:
    """The articles write "in India", "across Europe": a place, not an organisation a description could name.
    "Shares in Renault" and "a stake in BMW" are holdings in a firm, not places."""
    key = re.escape(name)
    places = sum(
        1
        for t in texts
        for m in re.finditer(rf"\b(?:in|to|across|throughout|around)\s+{key}\b", t)
        if not _HOLDING.search(t[max(0, m.start() - 20) : m.start()])
    )
    return places > 0 and places * 3 >= sum(len(re.findall(rf"\b{key}\b", t)) for t in texts)


_HOLDING = re.compile(r"\b(?:shares?|stakes?|holdings?|investments?|interests?)\s+$", re.IGNORECASE)


def _premodified(name: str, head: str, words: list[str], texts: list[str]) -> int:
    """How many of ``words`` (a description's) the articles write right before ``name``, with the description's
    ``head`` among them ("German car maker BMW", "electronics giant Sony"); 0 when they never do."""
    best = 0
    for text in texts:
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            before = re.split(r"[.!?,;:()]\s*", text[max(0, match.start() - 25) : match.start()])[-1].lower()
            found = {w for w in words if re.search(_compound(w) + r"\W*$" if w == head else _compound(w), before)}
            if head in found:
                best = max(best, len(found))
    return best


def _compound(word: str) -> str:
    """A pattern for ``word`` that also finds it written apart: "carmaker", "car maker", "car-maker"."""
    return re.sub(r"(?<=\w)maker$", r"[\\s-]?maker", re.escape(word))


def _near(name: str, words: list[str], texts: list[str]) -> float:
    """How closely ``words`` (a description's) stand to ``name`` in ``texts``: for each word found within 80
    characters and in the same sentence, ``1 / (1 + characters between / 10)`` at its closest."""
    closest: dict[str, int] = {}
    keys = {name, name.split()[-1]} if _person_like(name) else {name}
    for text in texts:
        lowered = text.lower()
        for key in keys:
            for match in re.finditer(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text):
                lo, hi = max(0, match.start() - 80), match.end() + 80
                for word in words:
                    # "carmaker" is also written "car maker" and "car-maker"
                    for found in re.finditer(_compound(word), lowered[lo:hi]):
                        at = lo + found.start()
                        if match.start() <= at < match.end():
                            continue  # "American" inside "North American Court" does not describe it
                        lo_gap, hi_gap = (at + len(word), match.start()) if at < match.start() else (match.end(), at)
                        if re.search(r"[.!?]\s", text[lo_gap:hi_gap]):
                            continue  # in another sentence: it describes something else
                        closest[word] = min(closest.get(word, 1000), max(0, hi_gap - lo_gap))
    return sum(1.0 / (1.0 + gap / 10.0) for gap in closest.values())


@dataclass
class Turn:
    """One exchange: what was asked and searched, the names it was about, the articles its answer cited."""

    question: str
    searched: str
    names: list[str]
    topic: list[str]
    cited: list[str] = field(default_factory=list)  # doc_ids of the answer's citations, first citation first
    said: str = ""  # the question and the answer: to tell a name already mentioned from a new one
    fresh: bool = True  # the question started a story of its own (no rewrite)


@dataclass(frozen=True)
class FollowUp:
    """How one question is searched within its conversation."""

    question: str  # as asked
    searched: str  # self-contained: the question (an ellipsis completed) + "(inherited, context)"; shown to users
    story: dict[str, float] = field(default_factory=dict)  # doc_id -> weight: articles to prefer
    fresh: bool = True  # the question starts a story of its own: searched as it is, no article preferred


def _ask_instead(question: str, asked: str) -> str:
    """``question`` asking ``asked`` ("where") instead of what it asked: its question word replaced ("When did the
    government fall?" -> "Where did the government fall?"), put before it ("Did Iran leave Syria?" -> "Why did Iran
    leave Syria?"), or, where it asked for the subject, asked of the subject it asked for (`_of_the_subject`: "Who
    led the fighters?" -> "When did they lead the fighters?", "Who was evacuated?" -> "How were they
    evacuated?"); a question it cannot turn so gets ``asked`` in front ("When: ...")."""
    asked = asked[:1].upper() + asked[1:].lower()
    about = _of_the_subject(question, asked)
    if about:
        return about
    leading = _LEADING_QUESTION_WORD.match(question)
    if leading:
        return asked + question[leading.end() :]
    lowered = question.strip()[:1].lower() + question.strip()[1:]
    return f"{asked} {lowered}" if _AUXILIARY_FIRST.match(question) else f"{asked}: {lowered}"


# a question for its subject: "Who led the fighters?", "What caused the crash?", "Which armed group was behind it?"
_SUBJECT = re.compile(r"^\s*(who|what|which|whose)\s+(.*?)[\s?!.]*$", re.IGNORECASE)
# the words after an auxiliary that name its subject: the question asked for something else ("Who is the minister?",
# "Who did the fighters support?", "Who is Assad?")
_SUBJECT_AFTER = frozenset(
    "the a an this that these those his her its their our your my he she it they we you i".split()
)


def _subject_and_verb(question: str) -> tuple[str, str, str, str] | None:
    """(question word, its noun, verb, the rest) of a question for its subject ("Which armed group led the
    offensive?" -> which, armed group, led, the offensive), or None when no verb follows the subject."""
    from retrieval.core.verbs import AUXILIARIES, is_verb

    found = _SUBJECT.match(question)
    if not found:
        return None
    first, words = found.group(1).lower(), found.group(2).split()
    for size in (0, 1, 2) if first in ("what", "which", "whose") else (0,):
        if size == 0 and first in ("which", "whose") or len(words) <= size:
            continue
        verb = words[size].lower()
        if verb in AUXILIARIES or is_verb(verb):
            return first, " ".join(words[:size]), verb, " ".join(words[size + 1 :])
    return None


def _pointing(first: str, noun: str, plural: bool, person: str, thing: str) -> str:
    """What points back to the answer of a question opening with ``first`` (and ``noun``): ``person`` for "who",
    ``thing`` for "what", "that group"/"those players" for "which group"/"which players", "their car" for "whose
    car"."""
    if first == "whose":
        return f"their {noun}"
    if noun:
        return f"{'those' if plural else 'that'} {noun}"
    return person if first in ("who", "whom") else thing


_PREPOSITIONS = frozenset("about of in on at to for from with by over after before during against into".split())


def _of_the_object(first: str, noun: str, verb: str, rest: str, asked: str) -> str | None:
    """A question for the object of its verb ("Who did the fighters support?", "Which city did the rebels take?")
    asked again with ``asked``, the object pointed to after the verb: "When did the fighters support them?",
    "When did the rebels take that city?". None when the verb is "be" ("Who is Assad?") or a preposition follows
    (where the object would go cannot be told)."""
    if verb in ("is", "are", "was", "were", "has", "have", "had") or not rest:
        return None
    words = rest.split()
    if len(words) > 5 or any(w.lower() in _PREPOSITIONS for w in words):
        return None
    plural = _plural_noun(noun.split()[-1].lower()) if noun else False
    return f"{asked} {verb} {rest} {_pointing(first, noun, plural, 'them', 'that')}?"


def _of_the_subject(question: str, asked: str) -> str | None:
    """A question for its subject asked again with ``asked`` of that subject: "who" becomes "they", "what" "it",
    "which group" "that group" (a plural "those"); an auxiliary goes before it ("Why have they resigned?"), a
    verb takes "did", "do" or "does" ("When did that group lead the offensive?"), and a past verb whose base its
    spelling does not tell is kept in "When was it that they visited Damascus?". "How many?" asks the number of
    the subject ("How many were evacuated?"). None for any other question, and for "who?" again."""
    from retrieval.core.verbs import AUXILIARIES, base_form, with_they

    found = _subject_and_verb(question)
    if not found or asked.lower() in ("who", "whom"):
        return None
    first, noun, verb, rest = found
    plural = first == "who" or _plural_noun(noun.split()[-1].lower() if noun else "")
    tail = f" {rest}" if rest else ""
    auxiliary = verb.lower() in AUXILIARIES
    if auxiliary and (not rest or rest.split()[0].lower() in _SUBJECT_AFTER or rest[:1].isupper()):
        return _of_the_object(first, noun, verb, rest, asked)  # "Who is Assad?", "Who did the fighters support?"
    if asked.lower().startswith(("how many", "how much")):  # "How many were evacuated?"
        return f"{asked} {with_they(verb) if auxiliary else verb.lower()}{tail}?" if first == "who" else None
    subject = _pointing(first, noun, plural, "they", "it")
    if auxiliary:
        return f"{asked} {with_they(verb) if first == 'who' else verb.lower()} {subject}{tail}?"
    base = base_form(verb)
    if base is None:  # a past form its spelling does not undo ("visited")
        return f"{asked} was it that {subject} {verb.lower()}{tail}?"
    present = verb.lower().endswith("s") and base != verb.lower()
    helper = ("do" if plural else "does") if present else "did"
    return f"{asked} {helper} {subject} {base}{tail}?"


_PRONOUN = re.compile(r"\b(he|she|it|they|him|them|his|her|its|their)\b", re.IGNORECASE)
_WITH_A_NAME = {"are": "is", "were": "was", "have": "has", "do": "does"}  # the verb of "they", with one name


def _pronoun_named(question: str, name: str) -> str | None:
    """``question`` with its first pronoun replaced by ``name`` ("where was their stronghold?" -> "Where was
    Hama's stronghold?"; "Where were they based?" -> "Where was Hama based?"), or None when it has none."""
    found = _PRONOUN.search(question)
    if found is None:
        return None
    pronoun, after = found.group(1).lower(), question[found.end() :]
    possessive = pronoun in ("his", "its", "their") or (pronoun == "her" and re.match(r"\s+[a-z]", after) is not None)
    before = question[: found.start()]
    if pronoun == "they":  # "were they" / "they were": the verb agrees with one name
        before = re.sub(r"\b(are|were|have|do)(\s+)$", lambda m: _WITH_A_NAME[m.group(1).lower()] + m.group(2), before)
        after = re.sub(r"^(\s+)(are|were|have)\b", lambda m: m.group(1) + _WITH_A_NAME[m.group(2).lower()], after)
    out = (before + name + ("'s" if possessive else "") + after).strip()
    return out[:1].upper() + out[1:]


def names_in(text: str) -> list[str]:
    """Names in ``text`` (`retrieval.core.names`) without a possessive ending, and without leading question and function
    words, nationality words, titles (MP), days and months."""
    found: list[str] = []
    for name in find_names(text):
        words = name.split()
        while words and (words[0].lower() in _GENERIC or _POSSESSIVE.sub("", words[0]).lower() in _NOT_NAME_START):
            words = words[1:]
        name = " ".join(words)
        bare = [_POSSESSIVE.sub("", w).lower() for w in words]
        if not name or name.lower() in _GENERIC or all(w in DEMONYMS | CALENDAR | TITLES for w in bare):
            continue
        name = _POSSESSIVE.sub("", name)
        if name not in found:
            found.append(name)
    return found


def topic_words(text: str) -> list[str]:
    """Content words of ``text`` (no names, no function words), in order."""
    words = re.findall(r"(?<![\w'’-])[a-z][a-z'-]+", text)  # lower-case words only: names are kept apart
    return [w for w in dict.fromkeys(words) if w not in _GENERIC and len(w) > 2]


def _mentioned(name: str, said: str) -> bool:
    """``name`` (or its last word, "Hewitt" for "Patricia Hewitt's") occurs in ``said``."""
    bare = re.sub(r"['’]s?$", "", name)
    candidates = {bare, bare.split()[-1]} if len(bare.split()) > 1 else {bare}
    return any(re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", said, re.IGNORECASE) for c in candidates if len(c) > 1)


@dataclass
class Conversation:
    """The last ``max_turns`` turns of one conversation, and the rewriting of follow-ups."""

    max_turns: int = 4
    history: deque[Turn] = field(default_factory=deque)
    # chosen on the dev split of the BBC dialogue set (benchmarks/followups.py)
    story_decay: float = 0.5  # weight of the articles cited one turn earlier, relative to the last turn's
    context_topic: int = 2  # topic words of the previous question added to a follow-up's search

    def reset(self) -> None:
        self.history.clear()

    def rewrite(self, question: str) -> str:
        """``question`` made self-contained using the previous turn (unchanged when it stands on its own)."""
        return self.follow_up(question).searched

    def follow_up(self, question: str, article_text: Callable[[str], str] | None = None) -> FollowUp:
        """How ``question`` is searched: rewritten when it is a follow-up, with the story to prefer.

        ``article_text(doc_id)`` gives a story article as a reader sees it (its title on the first line). With it,
        a question with a new name and "it" follows up when the story's articles mention the name ("Who chairs it
        in Scotland?"), and a definite description is replaced by the story's name that fits it ("the German
        carmaker" -> "BMW", see `_resolve`).
        """
        if not self.history:
            return FollowUp(question, question)
        last = self.history[-1]
        story = self.story()
        texts = [article_text(doc_id) for doc_id in story] if article_text is not None else []
        bare = _BARE_QUESTION_WORD.match(question)
        if bare:  # "where?" after "When did the Assad government fall?": "Where did the Assad government fall?"
            completed, _ = self._resolve(_ask_instead(strip_context(last.searched), bare.group(1)), last, texts)
            return FollowUp(question, self._with_context(completed, last), story, fresh=False)
        again = _AND_QUESTION.match(question)  # "And who chairs it in Scotland?": a whole question after "and"
        if again:
            question = again.group(1)[:1].upper() + again.group(1)[1:]
        ellipsis = None if again else _ELLIPSIS.match(question)
        if ellipsis:
            kept = _KEEPS_PREPOSITION.match(question)
            rest, keep = ellipsis.group(1).strip(), kept.group(1).lower() if kept else ""
            completed, replaced = self._complete(rest, keep, texts)
            completed, _ = self._resolve(completed, last, texts)
            return FollowUp(question, self._with_context(completed, last, replaced), story, fresh=False)
        said = " ".join(t.said for t in self.history)
        new = [n for n in names_in(question[1:]) if not _mentioned(n, said)]
        # with a new name of its own, a possessive ("Did Russia keep its bases?") points inside the question
        in_story = bool(texts) and all(_mentioned(n, " ".join(texts)) for n in new)
        pointer = (
            _POINTER.search(question)
            or (in_story and _OBJECT_PRONOUN.search(question))
            or _possessive_before(question, new)
        )
        if new and not pointer:
            return FollowUp(question, question)
        resolved, _ = self._resolve(question, last, texts)
        return FollowUp(question, self._with_context(resolved, last), story, fresh=False)

    def _resolve(self, question: str, last: Turn, texts: list[str]) -> tuple[str, str]:
        """``question`` with its first definite description of a person or organisation replaced by the story's
        name that fits it, and that name; unchanged when nothing fits.

        A person ("the minister", "the Dutchman"): the story's person (a name like "Anne Lefevre") the articles
        describe with the description's words closest, else the first. An organisation ("the carmaker", "the
        federation"): a name that holds the noun ("Spain's Football Federation"), else one the articles write
        right after the description's words ("German car maker BMW"), else the organisation the story opened
        with, when a story article's headline names it; places ("in India") are not organisations.
        """
        first = ""
        while True:  # every description: "the actor and the director" are two of the story's people
            for start, end, head in _descriptions(question):
                if _RELATIVE.match(question, end):
                    continue  # "the party he quit", "the agency that brought the case": another one than the story's
                if _IDENTITY.match(question[:start]) and not question[end:].strip(" ?"):
                    continue  # "Who is the shadow foreign secretary?" asks whom the description names: keep it
                person = head in PERSON_HEADS or head in DEMONYMS
                if not person and head not in ORGANISATION_HEADS:
                    continue
                words = [w.lower() for w in _WORDS.findall(question[start:end])[1:]]
                best = (
                    self._person(question, words, last, texts)
                    if person
                    else self._organisation(question, words, head, last, texts)
                )
                if best:
                    question, first = question[:start] + best + question[end:], first or best
                    break
            else:
                return question, first

    def _person(self, question: str, words: list[str], last: Turn, texts: list[str]) -> str:
        fits = [n for n in last.names if _person_like(n) and n.lower() not in question.lower()]
        if not fits:
            return ""
        scores = {n: _near(n, words, texts) for n in fits}
        return max(fits, key=lambda n: (scores[n], -fits.index(n)))

    def _organisation(self, question: str, words: list[str], head: str, last: Turn, texts: list[str]) -> str:
        fits = [
            n
            for n in last.names
            if not _person_like(n)
            and n.lower() not in question.lower()
            and (head in _PLACE_HEADS or not _place_like(n, texts))
        ]
        holding = [n for n in fits if head in (w.lower() for w in _WORDS.findall(n))]
        if holding:
            return holding[0]
        scores = {n: _premodified(n, head, words, texts) for n in fits}
        if fits and max(scores.values()) > 0:
            return max(fits, key=lambda n: (scores[n], -fits.index(n)))
        opening = next((t for t in reversed(self.history) if t.fresh), None)
        titles = " ".join(text.split("\n", 1)[0] for text in texts)
        subjects = [n for n in names_in(opening.question[1:]) if n in fits] if opening is not None else []
        return next((n for n in subjects if _mentioned(n, titles)), "")  # the story's subject is in its headline

    def _with_context(self, asked: str, last: Turn, replaced: Collection[str] = ()) -> str:
        """``asked`` followed by the previous turn's names (and role words, topic words) it does not hold; the names
        an ellipsis ``replaced`` are left out."""
        lowered = asked.lower()
        context = [n for n in last.names if n.lower() not in lowered and n not in replaced][:4]
        hint = role_hint(asked)
        if hint and hint not in lowered:  # "Who runs the miner?" also searches "chief executive"
            context.append(hint)
        context += [w for w in last.topic if w not in lowered][: self.context_topic]
        return f"{asked} ({', '.join(context)})" if context else asked

    def _complete(self, rest: str, keep: str, texts: list[str] | None = None) -> tuple[str, list[str]]:
        """The question an ellipsis stands for, and the names the new one replaced. A new name takes the place of
        the last question's name, or of its pronoun; where it has neither, "What about X?" is searched with the last
        question's words (its names replaced). A new time takes the place of a previous question's time; anything
        else is "What about X?". ``keep`` is the preposition the ellipsis opened with ("and in 2003"); ``texts``,
        the story's articles, tell a title with "and" in it from two names (`_titles_joined`)."""
        asked = [strip_context(t.searched) for t in reversed(self.history)]
        if _TIME.match(rest):
            base = next((q for q in asked if _TIME_IN.search(q) and not asked_role(q)), None)
            base = base or next((q for q in asked if not asked_role(q)), asked[0])
            time = (f"{keep} " if keep else "") + rest
            if _TIME_IN.search(base):
                return _TIME_IN.sub(" " + time, base, count=1), []
            return f"{base.rstrip(' ?')} {time}?", []
        rest_names = names_in(f"about {rest}")
        if rest_names and " ".join(rest_names).lower() == re.sub(r"^the\s+", "", rest, flags=re.I).lower():
            last = self.history[-1]
            # the last question as the reader wrote it ("the actor" is no name to replace)
            base = strip_context(last.searched) if _ELLIPSIS.match(last.question) else last.question
            old = [n for n in _titles_joined(names_in(base[1:]), base, texts or []) if n.lower() not in rest.lower()]
            if old:
                return base.replace(old[-1], rest, 1), [old[-1]]
            # its pronoun ("where was their stronghold?" -> "Where was Hama's stronghold?"), else its words are
            # searched with the new name: either way, in place of the names the last question was about
            return _pronoun_named(base, rest) or f"What about {rest}?", last.names
        if asked_role(f"Who is {rest}?"):  # "and the country's sports minister?"
            return f"Who is {rest}?", []
        return f"What about {keep + ' ' if keep else ''}{rest}?", []

    def story(self) -> dict[str, float]:
        """The articles of the story told so far: doc_id -> weight, back to the question that started the story.

        The last answer's articles and the opening answer's weigh 1 (the reader asked about that story, then
        followed it); the answers in between ``story_decay`` per turn back.
        """
        out: dict[str, float] = {}
        weight = 1.0
        for turn in reversed(self.history):
            if turn.cited:
                for doc_id in turn.cited:
                    out[doc_id] = max(out.get(doc_id, 0.0), 1.0 if turn.fresh else weight)
                weight *= self.story_decay
            if turn.fresh:
                break
        return out

    def record(self, question: str, searched: str, answer: Answer | None, fresh: bool | None = None) -> None:
        """Remember a turn: names and topic words come from the searched question and the answer, the story from
        its citations; ``fresh`` (default: nothing was rewritten) says the question started a story of its own."""
        found = answer is not None and answer.found
        answer_text = answer.answer if answer is not None and found else ""
        answer_text = re.sub(r"\s*\[\d+\]", "", answer_text)
        asked = strip_context(searched)  # inherited context is re-derived, not stacked
        names = names_in(asked[1:]) + names_in(answer_text)
        inherited = re.search(r"\((.*)\)\s*$", searched)
        if inherited:  # a follow-up stays about the story's names: they come first
            names = [n.strip() for n in inherited.group(1).split(",") if n.strip()[:1].isupper()] + names
        topic = topic_words(asked)
        cited = list(dict.fromkeys(c.doc_id for c in answer.citations)) if answer is not None and found else []
        said = " ".join((question, asked, answer_text, ", ".join(names)))
        fresh = searched == question if fresh is None else fresh
        turn = Turn(question, searched, list(dict.fromkeys(names))[:8], topic[:6], cited, said, fresh)
        self.history.append(turn)
        while len(self.history) > max(1, self.max_turns):
            self.history.popleft()


class Conversations:
    """Conversations by key (a chat id): at most ``max_conversations``, the least recently used dropped first,
    and each forgotten ``max_age`` seconds after its last question (a new question then starts afresh).
    """

    def __init__(
        self,
        max_turns: int = 4,
        max_conversations: int = 10_000,
        max_age: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_turns = max_turns
        self.max_conversations = max(1, max_conversations)
        self.max_age = max_age
        self.clock = clock
        self._items: OrderedDict[object, tuple[float, Conversation]] = OrderedDict()  # least recently used first

    def get(self, key: object) -> Conversation:
        now = self.clock()
        self._expire(now)
        item = self._items.pop(key, None)
        conversation = item[1] if item is not None else Conversation(max_turns=self.max_turns)
        self._items[key] = (now, conversation)
        while len(self._items) > self.max_conversations:
            self._items.popitem(last=False)
        return conversation

    def reset(self, key: object) -> None:
        self._items.pop(key, None)

    def _expire(self, now: float) -> None:
        while self._items and now - next(iter(self._items.values()))[0] >= self.max_age:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        self._expire(self.clock())
        return len(self._items)
