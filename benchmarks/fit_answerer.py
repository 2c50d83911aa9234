"""Fit the answer selector on the train split, choose on dev, write retrieval/answering/selector.json.

    PYTHONPATH=. python benchmarks/fit_answerer.py [--data-dir DIR] [--corpus ../shared/corpora/bbc]
        [--questions benchmarks/questions/bbc_large.jsonl] [--out retrieval/answering/selector.json]

Reproducible: the same index, questions and settings give the same file. Steps:

1. Index the corpus into the evaluation index `newsbot eval --corpus` uses (reused when present).
2. Retrieve (hybrid, as `ask` does) for every question of the train and dev splits, and compute the features of
   every candidate sentence; a sentence is a positive when it (with the sentence it leans on) holds an accepted
   answer.
3. Sentence model: a linear scorer fitted listwise on train (softmax over each question's candidates, L2,
   L-BFGS): it is asked to put a sentence that holds the answer first, which is what the answerer uses it for.
   Its regularisation is chosen on dev by answer accuracy + refusal accuracy.
4. Answer model: a logistic regression on train questions over the best candidates' out-of-fold scores (five
   folds by article, so the answer model sees scores like those of unseen articles): the probability that the
   best sentence answers. The decline threshold is chosen on dev (answer accuracy + refusal accuracy, with at
   most 5% false refusals), the second-sentence share on dev (answer accuracy, answers of at most 45 words on
   average), and the short-span threshold on dev (right short answers minus wrong ones).
5. Pointwise logistic regression and gradient boosting on the same features are fitted for comparison and
   reported (candidate ranking on dev); they are not shipped.

Nothing from the test split is read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.answering.extractive import ExtractiveAnswerer
from retrieval.answering.features import FEATURES, Context
from retrieval.answering.lexicon import WordVectors
from retrieval.answering.model import ANSWER_FEATURES, Logistic, Selector
from retrieval.answering.question import profile
from retrieval.evaluation.formats import EvalQuestion, load
from retrieval.evaluation.metrics import contains_answer, normalize
from retrieval.evaluation.runner import corpus_key, embedding_key, eval_settings
from retrieval.newsbot import Newsbot
from retrieval.settings import Settings

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc"
DEFAULT_QUESTIONS = ROOT / "benchmarks" / "questions" / "bbc_large.jsonl"
DEFAULT_OUT = ROOT / "retrieval" / "answering" / "selector.json"
L2_GRID = (0.1, 1.0, 10.0)
SHARE_GRID = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.01)  # 1.01: never a second sentence
MAX_WORDS = 45.0
MAX_FALSE_REFUSALS = 0.05


@dataclass
class Retrieved:
    question: EvalQuestion
    hits: list
    similarities: dict[str, float]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path.home() / ".local/share/newsbot")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    settings = Settings(_env_file=None, data_dir=args.data_dir)
    evalset = load(args.questions)
    key = corpus_key(evalset, args.corpus, args.questions) + "|" + embedding_key(settings)
    bot = Newsbot(eval_settings(settings, key))
    report = bot.ingest([args.corpus])
    print(f"index: {len(report.added)} added, {len(report.unchanged)} already indexed", flush=True)
    vectors = WordVectors.from_model_dir(bot.embedder.location)
    view = bot.index.view
    context = Context(view.bm25.idf, view.bm25.known, vectors, view.table.article_terms)

    splits = {name: [q for q in evalset.questions if q.split == name] for name in ("train", "dev")}
    started = time.perf_counter()
    retrieved = {name: [retrieve(bot, q) for q in qs] for name, qs in splits.items()}
    print(f"retrieved {sum(map(len, retrieved.values()))} questions in {time.perf_counter() - started:.0f} s",
          flush=True)

    probe = ExtractiveAnswerer(context, view.table.neighbours, placeholder_selector())
    data = {name: candidate_rows(probe, rows) for name, rows in retrieved.items()}
    x_train, y_train, group_train, _ = data["train"]
    print(f"candidates: train {len(y_train)} ({int(y_train.sum())} positive), dev {len(data['dev'][1])}", flush=True)

    mean, scale = x_train.mean(axis=0), x_train.std(axis=0)
    scale[scale < 1e-6] = 1.0
    best = None
    for l2 in L2_GRID:
        sentence = fit_listwise(x_train, y_train, group_ids(data["train"]), mean, scale, l2)
        oof = out_of_fold_logits(x_train, y_train, group_train, data["train"], l2)
        answer_model = fit_answer_model(probe, retrieved["train"], oof)
        chosen, dev = choose_thresholds(probe, sentence, answer_model, retrieved["dev"])
        print(f"L2={l2:<5} dev: answer accuracy {dev['answer_accuracy']:.3f}, false refusals "
              f"{dev['false_refusal_rate']:.3f}, refusal accuracy {dev['refusal_accuracy']:.3f}, short exact "
              f"{dev['short_exact']:.3f}, words {dev['answer_words']:.1f} ({chosen})", flush=True)
        score = dev["answer_accuracy"] + dev["refusal_accuracy"]
        if best is None or score > best[0] + 1e-9:
            best = (score, l2, sentence, answer_model, chosen, dev)
    assert best is not None
    _, l2, sentence, answer_model, chosen, dev = best
    compare_models(x_train, y_train, data["train"], data["dev"], mean, scale, sentence)
    info = {
        "fitted_on": f"{args.questions.name} train split ({len(splits['train'])} questions, "
                     f"{len(y_train)} candidate sentences); chosen on dev ({len(splits['dev'])} questions)",
        "corpus": args.corpus.name,
        "questions_sha256": hashlib.sha256(args.questions.read_bytes()).hexdigest()[:16],
        "embedding": embedding_key(settings),
        "l2": l2,
        "dev": {k: round(v, 4) for k, v in dev.items()},
        "script": "benchmarks/fit_answerer.py",
    }
    out = {
        "version": 1,
        "sentence": logistic_dict(sentence),
        "answer": logistic_dict(answer_model),
        "threshold": round(chosen["threshold"], 4),
        "short_threshold": round(chosen["short_threshold"], 4),
        "second_share": chosen["second_share"],
        "info": info,
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"chose L2={l2}, {chosen}; wrote {args.out}")
    print_weights(sentence)
    return 0


def placeholder_selector() -> Selector:
    """A selector with zero weights: candidates and their features need no fitted model."""
    zero = Logistic(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), 0.0)
    answer = Logistic(ANSWER_FEATURES, np.zeros(len(ANSWER_FEATURES)), np.ones(len(ANSWER_FEATURES)),
                      np.zeros(len(ANSWER_FEATURES)), 0.0)
    return Selector(zero, answer, 0.5, 0.5, {})


def retrieve(bot: Newsbot, question: EvalQuestion) -> Retrieved:
    vector = bot.embedder.embed_query(question.question)
    hits = bot.search(question.question, k=8, vector=vector)
    return Retrieved(question, hits, bot.asker._similarities(hits, vector))


def label(probe: ExtractiveAnswerer, cand, answers) -> int:
    """1 when the sentence, with the sentence it leans on, holds an accepted answer."""
    chunk, start, end, _ = probe._with_antecedent(cand)
    text = chunk.text[start - chunk.start : end - chunk.start]
    return int(contains_answer(text, answers))


def candidate_rows(probe: ExtractiveAnswerer, rows: list[Retrieved]):
    """Features, labels, article folds and question numbers of every candidate of ``rows``."""
    xs, ys, folds, questions = [], [], [], []
    for number, row in enumerate(rows):
        cands = probe.candidates(profile(row.question.question), row.hits, row.similarities)
        for cand in cands:
            xs.append(cand.features)
            ys.append(label(probe, cand, row.question.answers) if row.question.answerable else 0)
            folds.append(article_group(row.question))
            questions.append(number)
    return np.asarray(xs, dtype=np.float64), np.asarray(ys), np.asarray(folds), np.asarray(questions)


def group_ids(data) -> np.ndarray:
    return data[3]


def article_group(question: EvalQuestion) -> int:
    key = question.sources[0] if question.sources else question.id
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 5


def fit_listwise(x, y, questions, mean, scale, l2) -> Logistic:
    """Weights that put, for each question with an answer among its candidates, a positive candidate first."""
    from scipy.optimize import minimize

    z = (x - mean) / scale
    groups = [ix for ix in (np.flatnonzero(questions == q) for q in np.unique(questions)) if y[ix].sum() > 0]
    n = len(groups)

    def loss(w):
        scores = z @ w
        value, grad = 0.5 * l2 * w @ w / n, l2 * w / n
        for ix in groups:
            s = scores[ix] - scores[ix].max()
            p = np.exp(s) / np.exp(s).sum()
            t = y[ix] / y[ix].sum()
            value -= (t * (s - np.log(np.exp(s).sum()))).sum() / n
            grad += z[ix].T @ (p - t) / n
        return value, grad

    w = minimize(loss, np.zeros(z.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}).x
    return Logistic(FEATURES, mean, scale, w, 0.0)


def out_of_fold_logits(x, y, folds, data, l2) -> list[float]:
    """Each train candidate's score from a sentence model fitted without its article's fold."""
    logits = np.zeros(len(y))
    for fold in range(5):
        held = folds == fold
        mean, scale = x[~held].mean(axis=0), x[~held].std(axis=0)
        scale[scale < 1e-6] = 1.0
        model = fit_listwise(x[~held], y[~held], data[3][~held], mean, scale, l2)
        logits[held] = model.logits(x[held])
    return list(logits)


def fit_answer_model(probe: ExtractiveAnswerer, rows: list[Retrieved], oof: list[float]) -> Logistic:
    """The answer model on train questions, from out-of-fold candidate scores."""
    from sklearn.linear_model import LogisticRegression

    logits = iter(oof)
    xs, ys = [], []
    for row in rows:
        cands = probe.candidates(profile(row.question.question), row.hits, row.similarities)
        if not cands:
            continue
        scored = sorted(((next(logits), cand) for cand in cands), key=lambda pair: -pair[0])
        best = scored[0][1]
        support = probe._support(profile(row.question.question), best)
        xs.append(Selector.answer_features([s for s, _ in scored], best.features, support))
        ys.append(label(probe, best, row.question.answers) if row.question.answerable else 0)
    x, y = np.asarray(xs), np.asarray(ys)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((x - mean) / scale, y)
    return Logistic(ANSWER_FEATURES, mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]))


def choose_thresholds(probe: ExtractiveAnswerer, sentence: Logistic, answer_model: Logistic,
                      rows: list[Retrieved]) -> tuple[dict, dict[str, float]]:
    """The second-sentence share, decline and short-span thresholds that do best on ``rows`` (dev)."""
    best = None
    for share in SHARE_GRID:
        selector = Selector(sentence, answer_model, 0.0, 0.0, {}, share)
        answerer = ExtractiveAnswerer(probe.context, probe.neighbours, selector, threshold=0.0)
        outcomes = []
        for row in rows:
            answer = answerer.answer(row.question.question, row.hits, row.similarities)
            right = contains_answer(answer.answer, row.question.answers) if row.question.answerable else False
            short_right = bool(answer.short) and any(normalize(answer.short) == normalize(v)
                                                     for part in row.question.answers for v in part)
            words = len(answer.answer.split())
            outcomes.append((answer.confidence or 0.0, row.question.answerable, right, answer.short, short_right,
                             words))
        for threshold in np.arange(0.02, 0.951, 0.01):
            figures = figures_at(outcomes, float(threshold))
            if figures["false_refusal_rate"] > MAX_FALSE_REFUSALS or figures["answer_words"] > MAX_WORDS:
                continue
            score = figures["answer_accuracy"] + figures["refusal_accuracy"]
            if best is None or score > best[0] + 1e-9:
                best = (score, share, float(threshold), outcomes)
    if best is None:
        raise SystemExit("no setting keeps false refusals and answer length within bounds on dev")
    _, share, threshold, outcomes = best
    short_best = (-1e9, threshold)
    for short_threshold in np.arange(threshold, 0.991, 0.01):
        given = [o for o in outcomes if o[0] >= short_threshold and o[3]]
        net = sum(1 if o[4] else -1 for o in given)
        if net > short_best[0]:
            short_best = (net, float(short_threshold))
    chosen = {"second_share": share, "threshold": threshold, "short_threshold": short_best[1]}
    return chosen, figures_at(outcomes, threshold, short_best[1])


def figures_at(outcomes, threshold: float, short_threshold: float | None = None) -> dict[str, float]:
    answerable = [o for o in outcomes if o[1]]
    unanswerable = [o for o in outcomes if not o[1]]
    short_threshold = threshold if short_threshold is None else short_threshold
    return {
        "answer_accuracy": sum(1 for o in answerable if o[0] >= threshold and o[2]) / max(1, len(answerable)),
        "false_refusal_rate": sum(1 for o in answerable if o[0] < threshold) / max(1, len(answerable)),
        "refusal_accuracy": sum(1 for o in unanswerable if o[0] < threshold) / max(1, len(unanswerable)),
        "short_exact": sum(1 for o in answerable if o[0] >= short_threshold and o[4]) / max(1, len(answerable)),
        "short_given": sum(1 for o in answerable if o[0] >= short_threshold and o[3]) / max(1, len(answerable)),
        "answer_words": float(np.mean([o[5] for o in answerable if o[0] >= threshold] or [0.0])),
    }


def compare_models(x_train, y_train, train, dev, mean, scale, listwise: Logistic) -> None:
    """Dev top-1 (the best candidate holds the answer) of the listwise model against pointwise ones (printed)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    x_dev, y_dev, _, q_dev = dev
    pointwise = LogisticRegression(C=1.0, max_iter=3000).fit((x_train - mean) / scale, y_train)
    boosted = HistGradientBoostingClassifier(max_depth=4, max_iter=200, learning_rate=0.05, random_state=0)
    boosted.fit(x_train, y_train)
    for name, scores in (("listwise linear (shipped)", listwise.logits(x_dev)),
                         ("pointwise logistic", pointwise.decision_function((x_dev - mean) / scale)),
                         ("gradient boosting", boosted.predict_proba(x_dev)[:, 1])):
        print(f"dev top-1 (questions whose answer is among the candidates), {name}: {top1(scores, y_dev, q_dev):.3f}")


def top1(scores, y, questions) -> float:
    """Share of the questions whose answer is among the candidates where the best-scored candidate holds it."""
    groups = [ix for ix in (np.flatnonzero(questions == q) for q in np.unique(questions)) if y[ix].sum() > 0]
    return float(np.mean([y[ix[np.argmax(scores[ix])]] for ix in groups]))


def logistic_dict(model: Logistic) -> dict:
    return {
        "features": list(model.names),
        "mean": [round(float(v), 6) for v in model.mean],
        "scale": [round(float(v), 6) for v in model.scale],
        "weights": [round(float(v), 6) for v in model.weights],
        "bias": round(float(model.bias), 6),
    }


def print_weights(model: Logistic) -> None:
    order = np.argsort(-np.abs(model.weights))
    print("sentence model weights (standardised features), largest first:")
    for i in order:
        print(f"  {model.names[i]:<22} {model.weights[i]:+.3f}")


if __name__ == "__main__":
    sys.exit(main())
