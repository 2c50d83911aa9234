"""Choose the recency boost and the conflict rule on the dev split of the dated corpus; report test once.

    PYTHONPATH=. python benchmarks/tune_time.py [--data-dir DIR] [--report-test]

Runs the time-aware questions (benchmarks/dated/questions.jsonl, each asked on its ``asked_on`` day) through
the same flow `newsbot ask` uses, over a grid of settings, and prints for each: answer accuracy,
time_filter_accuracy, latest_accuracy, conflict precision and recall. The recency grid (decay per year, floor)
is chosen by latest_accuracy + answer accuracy; the plausible gap and conflict window (logit gap, days apart) by
conflict F1 + answer accuracy. ``--report-test`` prints the chosen setting's test figures once.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.core.settings import Settings
from retrieval.evaluation.formats import load
from retrieval.evaluation.runner import corpus_key, embedding_key, eval_settings, run_eval
from retrieval.newsbot import Newsbot

QUESTIONS = ROOT / "benchmarks" / "dated" / "questions.jsonl"
CORPUS = ROOT / "benchmarks" / "dated" / "articles"
DECAYS = (20.0, 2.0, 100.0, 365.0)  # ties keep the first listed (the earlier default)
FLOORS = (0.3, 0.5)
GAPS = (2.0, 4.0, 6.0)
DAYS = (1.0, 0.0)
REPORT_PROBABILITIES = (0.3, 0.5, 0.7)  # the reader's probability from which a report answers
REPORT_MARGINS = (None, 0.0, 1.0, 2.0)  # ... or its span margin (None: the probability alone)
KEYS = ("answer_accuracy", "time_filter_accuracy", "latest_accuracy", "conflict_precision", "conflict_recall")


def figures(bot: Newsbot, questions: list, **overrides: float) -> dict:
    bot.settings = bot.settings.model_copy(update=overrides)
    evalset = load(QUESTIONS)
    evalset.questions = questions
    report = run_eval(bot, evalset, ["hybrid"], corpus=CORPUS)
    return {k: report.get(k) for k in KEYS}


def line(label: str, row: dict) -> str:
    return label + "  " + "  ".join(f"{k} {v:.3f}" if v is not None else f"{k} -" for k, v in row.items())


def f1(row: dict) -> float:
    p, r = row["conflict_precision"] or 0.0, row["conflict_recall"] or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/newsbot-dated"))
    parser.add_argument("--report-test", action="store_true")
    args = parser.parse_args()
    settings = Settings(_env_file=None, data_dir=args.data_dir)
    evalset = load(QUESTIONS)
    bot = Newsbot(eval_settings(settings, corpus_key(evalset, CORPUS, QUESTIONS) + "|" + embedding_key(settings)))
    bot.ingest([CORPUS])
    dev = [q for q in evalset.questions if q.split == "dev"]
    best_recency = None
    for decay, floor in itertools.product(DECAYS, FLOORS):
        row = figures(bot, dev, recency_decay=decay, recency_floor=floor)
        print(line(f"decay {decay:>5} floor {floor}", row), flush=True)
        score = (row["latest_accuracy"] or 0) + (row["answer_accuracy"] or 0)
        if best_recency is None or score > best_recency[0]:
            best_recency = (score, decay, floor)
    assert best_recency is not None
    _, decay, floor = best_recency
    best_conflict = None
    for gap, days, probability in itertools.product(GAPS, DAYS, REPORT_PROBABILITIES):
        row = figures(bot, dev, recency_decay=decay, recency_floor=floor, plausible_gap=gap, conflict_days=days,
                      report_probability=probability)
        print(line(f"gap {gap} days {days} report probability {probability}", row), flush=True)
        score = f1(row) + (row["answer_accuracy"] or 0) + (row["latest_accuracy"] or 0)
        if best_conflict is None or score > best_conflict[0] + 1e-9:
            best_conflict = (score, gap, days, probability)
    assert best_conflict is not None
    _, gap, days, probability = best_conflict
    best_margin = None
    for margin in REPORT_MARGINS:  # with the gap and days chosen above
        row = figures(bot, dev, recency_decay=decay, recency_floor=floor, plausible_gap=gap, conflict_days=days,
                      report_probability=probability, report_margin=margin)
        print(line(f"report margin {margin}", row), flush=True)
        score = f1(row) + (row["answer_accuracy"] or 0) + (row["latest_accuracy"] or 0)
        if best_margin is None or score > best_margin[0] + 1e-9:
            best_margin = (score, margin)
    assert best_margin is not None
    chosen = {"recency_decay": decay, "recency_floor": floor, "plausible_gap": gap, "conflict_days": days,
              "report_probability": probability, "report_margin": best_margin[1]}
    print(f"chosen on dev: {chosen}")
    print(line("dev ", figures(bot, dev, **chosen)))
    if args.report_test:
        test = [q for q in evalset.questions if q.split == "test"]
        print(line("test", figures(bot, test, **chosen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
