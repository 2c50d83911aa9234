"""Follow-ups over the BBC dialogue set: do follow-up questions stay on the story and get answered?

    PYTHONPATH=. python benchmarks/followups.py [--split test] [--data-dir /work/data/bbc] [--corpus DIR]
        [--dialogues benchmarks/dialogues/bbc_dialogues.jsonl] [--boost 0,0.1,0.2] [--show] [--json FILE]

The corpus is indexed into the evaluation index `newsbot eval --corpus` uses (reused when it is already there).
Every dialogue is asked turn by turn with the conversation layer (`retrieval.asking.conversation`), and each follow-up
is asked again on its own, without it. Reported, on the chosen split (default test; tune on dev):

- first-turn accuracy: the opening questions;
- follow-up accuracy with and without the conversation layer, by turn kind (pronoun, definite description,
  ellipsis, role question, topic switch);
- wrong story switches: a follow-up whose top cited article is not among the turn's sources while the previous
  turn's top cited article was among its own.

Accuracy is `newsbot eval`'s answer accuracy: an accepted answer appears in a non-declined answer.
``--boost`` compares values of `Settings.story_boost` (the preference for the story's articles).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.asking.conversation import Conversation
from retrieval.core.settings import Settings
from retrieval.core.types import Answer
from retrieval.evaluation.formats import EvalSet
from retrieval.evaluation.metrics import contains_answer
from retrieval.evaluation.runner import corpus_key, embedding_key, eval_settings
from retrieval.newsbot import Newsbot

KINDS = ("pronoun", "definite", "ellipsis", "role", "switch")
DEFAULT_DIALOGUES = ROOT / "benchmarks" / "dialogues" / "bbc_dialogues.jsonl"


def default_corpus() -> Path:
    """The shared BBC corpus: the first ``shared/corpora/bbc`` above this checkout."""
    for parent in ROOT.parents:
        if (parent / "shared" / "corpora" / "bbc").is_dir():
            return parent / "shared" / "corpora" / "bbc"
    return ROOT.parent / "shared" / "corpora" / "bbc"


@dataclass
class TurnResult:
    dialogue: str
    number: int  # 1-based
    kind: str
    question: str
    searched: str | None
    correct: bool  # with the conversation layer
    correct_alone: bool  # asked on its own
    top: str | None  # the top cited article (corpus-relative), with the layer
    top_alone: str | None
    on_story: bool  # the top cited article is among the turn's sources
    on_story_alone: bool
    answer: str = ""


@dataclass
class Tally:
    n: int = 0
    correct: int = 0
    correct_alone: int = 0
    left: int = 0  # left the story wrongly, with the layer
    left_alone: int = 0
    rows: list[TurnResult] = field(default_factory=list)


def correct(answer: Answer, accepted: list[str]) -> bool:
    return answer.found and contains_answer(answer.answer, [accepted])


def top_article(answer: Answer, files: dict[str, str]) -> str | None:
    """The corpus-relative file of the first citation (of the first related passage when declined)."""
    cites = answer.citations or answer.related
    return files.get(cites[0].doc_id) if cites else None


def run(
    bot: Newsbot, dialogues: list[dict[str, Any]], files: dict[str, str], alone_too: bool = True, **knobs: Any
) -> list[TurnResult]:
    """Ask every dialogue with the conversation layer (``knobs`` for its `Conversation`), and every follow-up
    alone (unless not ``alone_too``); one result per turn."""
    out: list[TurnResult] = []
    for dialogue in dialogues:
        conversation = Conversation(max_turns=bot.settings.history_turns, **knobs)
        for number, turn in enumerate(dialogue["turns"], 1):
            answer = bot.ask(turn["question"], conversation=conversation)
            alone = answer if number == 1 or not alone_too else bot.ask(turn["question"])
            top, top_alone = top_article(answer, files), top_article(alone, files)
            out.append(
                TurnResult(
                    dialogue=dialogue["id"],
                    number=number,
                    kind=turn["kind"],
                    question=turn["question"],
                    searched=answer.searched,
                    correct=correct(answer, turn["answers"]),
                    correct_alone=correct(alone, turn["answers"]),
                    top=top,
                    top_alone=top_alone,
                    on_story=top in turn["sources"],
                    on_story_alone=top_alone in turn["sources"],
                    answer=answer.answer,
                )
            )
    return out


def tally(results: list[TurnResult]) -> dict[str, Tally]:
    """Counts by turn kind, plus "first" and "follow-ups" (every turn after the first)."""
    by: dict[str, Tally] = defaultdict(Tally)
    previous: TurnResult | None = None
    for r in results:
        keys = ["first"] if r.number == 1 else [r.kind, "follow-ups"]
        for key in keys:
            t = by[key]
            t.n += 1
            t.correct += r.correct
            t.correct_alone += r.correct_alone
            t.rows.append(r)
            if r.number > 1 and previous is not None:
                t.left += (not r.on_story) and previous.on_story
                t.left_alone += (not r.on_story_alone) and previous.on_story_alone
        previous = r
    return by


def print_table(by: dict[str, Tally], label: str) -> None:
    print(f"\n{label}")
    print(f"{'turns':<12} {'n':>4} {'with layer':>11} {'without':>9} {'left story (with / without)':>29}")
    for key in ("first", *KINDS, "follow-ups"):
        t = by.get(key)
        if t is None or not t.n:
            continue
        left = f"{t.left} / {t.left_alone}" if key != "first" else "-"
        without = f"{t.correct_alone / t.n:.3f}" if key != "first" else "-"
        print(f"{key:<12} {t.n:>4} {t.correct / t.n:>11.3f} {without:>9} {left:>29}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("dev", "test", "all"))
    parser.add_argument("--data-dir", type=Path, default=Path("/work/data/bbc"))
    parser.add_argument("--corpus", type=Path, default=default_corpus())
    parser.add_argument("--dialogues", type=Path, default=DEFAULT_DIALOGUES)
    parser.add_argument("--boost", default=None, help="comma-separated values of story_boost to compare")
    parser.add_argument("--decay", default=None, help="comma-separated values of Conversation.story_decay")
    parser.add_argument("--topic", default=None, help="comma-separated values of Conversation.context_topic")
    parser.add_argument("--no-alone", action="store_true", help="skip asking the follow-ups alone (for sweeps)")
    parser.add_argument("--show", action="store_true", help="print every follow-up: ok/BAD, searched text")
    parser.add_argument("--json", type=Path, default=None, help="write every turn's result to this file")
    args = parser.parse_args(argv)

    rows = [json.loads(line) for line in args.dialogues.read_text(encoding="utf-8").splitlines() if line.strip()]
    dialogues = [r for r in rows if args.split == "all" or r.get("split") == args.split]
    settings = Settings(_env_file=None, data_dir=args.data_dir)
    key = corpus_key(EvalSet([], None, "newsbot"), args.corpus, args.dialogues) or ""
    bot = Newsbot(eval_settings(settings, key + "|" + embedding_key(settings)), notice=lambda m: print(m))
    started = time.perf_counter()
    report = bot.ingest([args.corpus])
    print(
        f"evaluation index: {len(report.added)} added, {len(report.unchanged)} already indexed "
        f"({time.perf_counter() - started:.1f} s)"
    )
    prefix = str(args.corpus.resolve()) + "/"
    files = {doc_id: info.file.removeprefix(prefix) for doc_id, info in bot.index.view.documents.all_files().items()}
    turns = sum(len(d["turns"]) for d in dialogues)
    print(f"{len(dialogues)} dialogues ({args.split}), {turns} turns")

    boosts = [float(b) for b in args.boost.split(",")] if args.boost else [bot.settings.story_boost]
    decays = [float(d) for d in args.decay.split(",")] if args.decay else [Conversation.story_decay]
    topics = [int(t) for t in args.topic.split(",")] if args.topic else [Conversation.context_topic]
    everything: dict[str, Any] = {}
    for boost, decay, topic in [(b, d, t) for b in boosts for d in decays for t in topics]:
        bot.settings = bot.settings.model_copy(update={"story_boost": boost})
        started = time.perf_counter()
        results = run(bot, dialogues, files, not args.no_alone, story_decay=decay, context_topic=topic)
        seconds = time.perf_counter() - started
        by = tally(results)
        print_table(by, f"story_boost {boost}, story_decay {decay}, context_topic {topic} ({seconds:.1f} s)")
        if args.show:
            for r in results:
                if r.number == 1:
                    print(f"\n{r.dialogue}")
                mark = "ok " if r.correct else "BAD"
                alone = "ok " if r.correct_alone else "BAD"
                print(f"  {mark}/{alone} {r.kind:<9} {r.question}")
                if r.searched:
                    print(f"            searched: {r.searched}")
                if not r.correct:
                    print(f"            top: {r.top}  answer: {r.answer[:160]}")
        everything[f"{boost}/{decay}/{topic}"] = [r.__dict__ for r in results]
    if args.json:
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
