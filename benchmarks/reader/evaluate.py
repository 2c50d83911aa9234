"""The reader alone on the BBC question set's dev split: which sentence it puts first, and when it declines.

    PYTHONPATH=. python benchmarks/reader/evaluate.py CACHE/run/final.pt      # a training checkpoint (torch)
    PYTHONPATH=. python benchmarks/reader/evaluate.py retrieval/answering/models  # an exported reader (onnx)

Reads ``bbc_hits.jsonl`` (dump_hits.py): for every dev question, the top five retrieved chunks as newsbot reads
them. Prints top-1 (the best sentence holds an accepted answer, of the answerable questions whose answer is in
some candidate sentence), the decline figures at the best threshold (answer accuracy + refusal accuracy, at most
5% false refusals), the short answer's exact match, and the time to read. Used to choose between trained
variants (layers, losses) and between fp32 and int8; the test split is never read here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.reader.common import CACHE
from retrieval.answering.reader import encode, read_outputs
from retrieval.core.text import sentence_spans
from retrieval.evaluation.metrics import contains_answer, short_matches

CHUNKS = 5


class TorchScorer:
    """A checkpoint of train.py, run with torch (fp32)."""

    def __init__(self, path: Path) -> None:
        import torch

        from benchmarks.reader.data import tokenizer
        from benchmarks.reader.train import build_model

        state = torch.load(path, weights_only=False)
        layers = state.get("layers") or len([k for k in state["model"] if k.endswith("attention.self.query.weight")])
        self.model = build_model(layers)
        self.model.load_state_dict(state["model"])
        self.model.eval()
        self.tokenizer = tokenizer()
        torch.set_num_threads(2)

    def read(self, question: str, passages):
        import torch

        encoded = [encode(self.tokenizer, question, t, b, p, s) for t, b, p, s in passages]
        width = max(len(e.ids) for e in encoded)
        ids = torch.zeros((len(encoded), width), dtype=torch.long)
        types, mask = torch.zeros_like(ids), torch.zeros_like(ids)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)] = torch.tensor(e.ids)
            types[row, : len(e.ids)] = torch.tensor(e.types)
            mask[row, : len(e.ids)] = 1
        with torch.no_grad():
            scores = self.model(ids, mask, types).numpy()
        return [read_outputs(e, scores[r, : len(e.ids)], len(p[3])) for r, (e, p) in enumerate(zip(encoded, passages))]


def scorer(path: Path):
    if path.is_dir():
        from retrieval.answering.reader import Reader

        return Reader.load(path, threads=2)
    return TorchScorer(path)


def evaluate(read, rows: list[dict]) -> dict[str, float]:
    """Top-1, decline and short-answer figures of ``read`` over ``rows`` (dump_hits.py rows)."""
    outcomes = []  # (answerable, reachable, best holds answer, best probability, short exact, short given)
    started = time.perf_counter()
    for row in rows:
        passages, texts = [], []
        for chunk in row["chunks"][:CHUNKS]:
            spans = sentence_spans(chunk["text"])
            passages.append((chunk["title"], chunk["before"], chunk["text"], spans))
            texts.append([chunk["text"][s:e] for s, e in spans])
        readings = read.read(row["question"], passages)
        best = None
        for p, (reading, sentences) in enumerate(zip(readings, texts, strict=True)):
            for s, r in enumerate(reading):
                if r is not None and (best is None or r.logit > best[0].logit):
                    best = (r, p, s)
        answers = row["answers"]
        reachable = any(contains_answer(t, answers) for ts in texts for t in ts) if row["answerable"] else False
        if best is None:
            outcomes.append((row["answerable"], reachable, False, 0.0, False, False))
            continue
        r, p, s = best
        right = contains_answer(texts[p][s], answers) if row["answerable"] else False
        short = row["chunks"][p]["text"][r.span[0] : r.span[1]] if r.span else None
        outcomes.append((row["answerable"], reachable, right, r.probability,
                         bool(row["answerable"] and short_matches(short, answers)), r.span_margin))
    elapsed = time.perf_counter() - started
    answerable = [o for o in outcomes if o[0]]
    reachable = [o for o in answerable if o[1]]
    unanswerable = [o for o in outcomes if not o[0]]
    best = (-1.0, 0.0, {})
    for threshold in np.arange(0.01, 0.99, 0.01):
        fr = sum(o[3] < threshold for o in answerable) / len(answerable)
        if fr > 0.05:
            continue
        acc = sum(o[3] >= threshold and o[2] for o in answerable) / len(answerable)
        ref = sum(o[3] < threshold for o in unanswerable) / max(1, len(unanswerable))
        if acc + ref > best[0]:
            best = (acc + ref, float(threshold), {"answer_accuracy": acc, "false_refusals": fr, "refusal_accuracy": ref})
    pos = [o[3] for o in answerable if o[2]]
    neg = [o[3] for o in unanswerable] + [o[3] for o in answerable if not o[2]]
    auc = float(np.mean([[p > n for n in neg] for p in pos])) if pos and neg else 0.0
    return {
        "questions": len(outcomes),
        "top1": sum(o[2] for o in reachable) / max(1, len(reachable)),
        "top1_all": sum(o[2] for o in answerable) / max(1, len(answerable)),
        "auc_right_vs_not": auc,
        "threshold": best[1],
        **best[2],
        "short_exact_top1": sum(o[4] for o in answerable) / max(1, len(answerable)),
        "ms_per_question": 1000 * elapsed / max(1, len(outcomes)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, nargs="+")
    parser.add_argument("--hits", type=Path, default=CACHE / "bbc_hits.jsonl")
    parser.add_argument("--split", default="dev", choices=("dev", "train"))
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.hits.open(encoding="utf-8")]
    rows = [r for r in rows if r["split"] == args.split]
    for path in args.model:
        figures = evaluate(scorer(path), rows)
        print(f"{path}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                      for k, v in figures.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
