"""Fit the answer selector on the question set's train and dev splits, write retrieval/answering/selector.json.

    PYTHONPATH=. python benchmarks/fit_answerer.py [--data-dir DIR] [--corpus ../shared/corpora/bbc]
        [--questions benchmarks/questions/bbc_large.jsonl] [--out retrieval/answering/selector.json]
        [--choose cv|dev] [--collection NAME] [--without FEATURE,...]

Reproducible: the same index, questions and settings give the same choices and figures; weights can differ in
the third decimal between runs (chunks whose retrieval scores nearly tie can swap ranks when the query
embedding differs in its last bits). It prints the out-of-fold errors by class, with an example of each. Steps:

1. Index the corpus into the evaluation index `newsbot eval --corpus` uses (reused when present; ``--collection``
   uses an existing index as it is, e.g. one of `benchmarks/chunking_sweep.py`'s, with NEWSBOT_CHUNK_* set).
2. Retrieve (hybrid, as `ask` does) for every question of the train and dev splits, and compute the features of
   every candidate sentence; a sentence is a positive when it (with the sentence it leans on) holds an accepted
   answer.
3. Sentence model: a linear scorer fitted listwise (softmax over each question's candidates, L2, L-BFGS): it is
   asked to put a sentence that holds the answer first, which is what the answerer uses it for.
4. Answer model: a logistic regression over the best candidates' out-of-fold scores (five folds by article, so it
   sees scores like those of unseen articles): the probability that the best sentence answers.
5. Choosing (``--choose cv``, the default): L2, the second-sentence share, the decline threshold (answer accuracy
   + refusal accuracy, at most 5% false refusals, answers of at most 45 words on average) and the short-span
   threshold are chosen on out-of-fold answers: five folds by article over train and dev together, each question
   answered by models fitted without its article. The shipped models are then fitted on train and dev. With 262
   dev questions alone (``--choose dev``: fit on train, choose on dev) the choice was noisier: a setting 0.04
   better on dev was 0.01 worse on test.
6. ``--choose dev`` also fits pointwise logistic regression and gradient boosting on the same features and
   reports their candidate ranking on dev; they are not shipped. ``--without`` holds features at zero (an
   ablation).

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
from retrieval.answering.features import FEATURES, INDEX, Context
from retrieval.answering.lexicon import WordVectors
from retrieval.answering.model import ANSWER_FEATURES, ANSWER_SIGNS, Logistic, Selector
from retrieval.answering.question import profile
from retrieval.asking.retrieve import similarities
from retrieval.core.settings import Settings
from retrieval.evaluation.formats import EvalQuestion, load
from retrieval.evaluation.metrics import contains_answer, normalize
from retrieval.evaluation.runner import corpus_key, embedding_key, eval_settings
from retrieval.newsbot import Newsbot

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
    parser.add_argument("--choose", choices=("dev", "cv"), default="cv",
                        help="dev: fit on train, choose on dev; cv (default): choose by five-fold cross-validation "
                             "by article over train and dev together, then fit on both")
    parser.add_argument("--collection", help="use this collection of --data-dir as it is (e.g. a chunking sweep's "
                                             "index, with NEWSBOT_CHUNK_* set to its settings) instead of the "
                                             "evaluation index")
    parser.add_argument("--without", default="", help="comma-separated features held at zero (an ablation)")
    parser.add_argument("--only", default="", help="comma-separated features: all others held at zero (an ablation)")
    parser.add_argument("--no-reader", action="store_true", help="candidates without the sentence reader")
    parser.add_argument("--choose-on", choices=("train+dev", "dev"), default="dev",
                        help="whose out-of-fold answers choose the settings: dev (default; the reader was trained on "
                             "the train split, so its train answers are in sample) or train and dev together")
    args = parser.parse_args(argv)

    settings = Settings(_env_file=None, data_dir=args.data_dir)  # NEWSBOT_CHUNK_* from the environment apply
    evalset = load(args.questions)
    if args.collection:
        bot = Newsbot(settings.model_copy(update={"collection": args.collection}))
        print(f"index: collection {args.collection!r} of {args.data_dir}, {embedding_key(settings)}", flush=True)
    else:
        key = corpus_key(evalset, args.corpus, args.questions) + "|" + embedding_key(settings)
        bot = Newsbot(eval_settings(settings, key))
        report = bot.ingest([args.corpus])
        print(f"index: {len(report.added)} added, {len(report.unchanged)} already indexed", flush=True)
    vectors = WordVectors.from_model_dir(bot.embedder.location)
    view = bot.index.view
    context = Context(view.keywords.idf, view.keywords.known, vectors, view.keywords.article_terms)

    splits = {name: [q for q in evalset.questions if q.split == name] for name in ("train", "dev")}
    started = time.perf_counter()
    retrieved = {name: [retrieve(bot, q) for q in qs] for name, qs in splits.items()}
    print(f"retrieved {sum(map(len, retrieved.values()))} questions in {time.perf_counter() - started:.0f} s",
          flush=True)

    masked = [FEATURES.index(name) for name in args.without.split(",") if name]
    if args.only:
        kept = {FEATURES.index(name) for name in args.only.split(",")}
        masked = [i for i in range(len(FEATURES)) if i not in kept]
    probe = CachedAnswerer(context, view.passages.neighbours, placeholder_selector(), masked=masked,
                           reader=None if args.no_reader else bot.reader.read)
    if args.choose == "cv":
        return fit_by_cross_validation(probe, retrieved["train"] + retrieved["dev"], args, settings)
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
    fitted_on = (f"{args.questions.name} train split ({len(splits['train'])} questions, {len(y_train)} candidate "
                 f"sentences); chosen on dev ({len(splits['dev'])} questions)")
    write_selector(args, settings, sentence, answer_model, chosen, {"fitted_on": fitted_on, "l2": l2, "dev": dev})
    print(f"chose L2={l2}, {chosen}; wrote {args.out}")
    print_weights(sentence)
    return 0


class CachedAnswerer(ExtractiveAnswerer):
    """The answerer with each question's candidates computed once: their features do not depend on the model.

    ``masked`` features are held at zero (an ablation: what the model does without them)."""

    def __init__(self, *args, masked: list[int] | None = None, cache: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.masked = masked or []
        self.cache = {} if cache is None else cache

    def candidates(self, question, hits, similarities):
        key = (question.text, id(hits))
        if key not in self.cache:
            cands = super().candidates(question, hits, similarities)
            for cand in cands:
                for i in self.masked:
                    cand.features[i] = 0.0
            self.cache[key] = cands
        return list(self.cache[key])

    def using(self, selector: Selector) -> CachedAnswerer:
        """The same candidates, scored by ``selector`` (no decline threshold: outcomes keep their probability)."""
        return CachedAnswerer(self.context, self.neighbours, selector, threshold=0.0, masked=self.masked,
                              cache=self.cache, reader=self.reader)


def fit_by_cross_validation(probe: CachedAnswerer, rows: list[Retrieved], args, settings) -> int:
    """Choose L2, second-sentence share and thresholds on out-of-fold answers (five folds by article over train
    and dev: every question is answered by a model that never saw its article), then fit on all of them."""
    started = time.perf_counter()
    x, y, folds, questions = candidate_rows(probe, rows)
    row_folds = np.asarray([article_group(r.question) for r in rows])
    print(f"candidates: {len(y)} ({int(y.sum())} positive) of {len(rows)} questions", flush=True)
    pooled: dict[tuple[float, float], list] = {}
    fold_models: dict[tuple[float, int], tuple[Logistic, Logistic]] = {}
    for l2 in L2_GRID:
        per_share: dict[float, list] = {share: [None] * len(rows) for share in SHARE_GRID}
        for fold in range(5):
            fit_rows = [r for r, f in zip(rows, row_folds, strict=True) if f != fold]
            keep = folds != fold
            sentence, answer_model = fit_models(probe, fit_rows, x[keep], y[keep], folds[keep], questions[keep], l2)
            fold_models[(l2, fold)] = (sentence, answer_model)
            for share in SHARE_GRID:
                answerer = probe.using(Selector(sentence, answer_model, 0.0, 0.0, {}, share))
                for i, row in enumerate(rows):
                    if row_folds[i] == fold:
                        per_share[share][i] = outcome(answerer, row)
        for share in SHARE_GRID:
            pooled[(l2, share)] = per_share[share]
        print(f"L2={l2}: folds done ({time.perf_counter() - started:.0f} s)", flush=True)
    best = None
    choosing = [r.question.split == "dev" or args.choose_on == "train+dev" for r in rows]

    def chosen_rows(outcomes: list) -> list:
        return [o for o, keep in zip(outcomes, choosing, strict=True) if keep]

    for (l2, share), outcomes in pooled.items():
        found = best_threshold(chosen_rows(outcomes))
        if found is not None and (best is None or found[0] > best[0] + 1e-9):
            best = (found[0], l2, share, found[1])
    if best is None:
        raise SystemExit("no setting keeps false refusals and answer length within bounds")
    _, l2, share, threshold = best
    outcomes = pooled[(l2, share)]
    short_threshold = choose_short_threshold(chosen_rows(outcomes), threshold)
    short_margin, short_kinds, outcomes = choose_reader_short(
        probe, rows, row_folds, fold_models, l2, share, threshold, short_threshold, choosing)
    cv = figures_at(outcomes, threshold, threshold)  # the short answers are already the shipped policy's
    dev_cv = figures_at(chosen_rows(outcomes), threshold, threshold)
    print("out-of-fold on the rows that chose (" + args.choose_on + "): "
          + ", ".join(f"{k} {v:.3f}" for k, v in dev_cv.items()), flush=True)
    print(f"chose L2={l2}, second share {share}, threshold {threshold:.2f}, short threshold {short_threshold:.2f}; "
          f"out-of-fold: " + ", ".join(f"{k} {v:.3f}" for k, v in cv.items()), flush=True)
    print_error_classes(rows, outcomes, threshold)
    sentence, answer_model = fit_models(probe, rows, x, y, folds, questions, l2)
    n_train = sum(1 for r in rows if r.question.split == "train")
    fitted_on = (f"{args.questions.name} train and dev splits ({n_train} + {len(rows) - n_train} questions, {len(y)} "
                 f"candidate sentences); settings chosen on the out-of-fold answers (five folds by article) of "
                 f"{args.choose_on}")
    chosen = {"second_share": share, "threshold": threshold, "short_threshold": short_threshold,
              "short_margin": short_margin, "short_kinds": short_kinds}
    write_selector(args, settings, sentence, answer_model, chosen,
                   {"fitted_on": fitted_on, "l2": l2, "cross_validated": cv, "chosen_on": args.choose_on,
                    "cross_validated_choosing_rows": dev_cv, "without": args.without, "only": args.only})
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    print_weights(sentence)
    print_weights(answer_model, "answer model")
    return 0


SHORT_MARGINS = (None, -2.0, 0.0, 2.0, 4.0)  # None: the rules of spans.py alone
SHORT_KIND_SETS = (
    ("who", "when", "where", "how_many", "which", "list"),
    ("who", "when", "where", "how_many", "which", "list", "what"),
    ("who", "when", "where", "how_many", "which", "list", "what", "search"),
)


def choose_reader_short(probe, rows, row_folds, fold_models, l2, share, threshold, short_threshold, choosing):
    """The reader's short-answer policy (margin over "no answer", kinds of question) with the most right minus
    wrong short answers out of fold (the rules of spans.py alone: margin None). Returns (margin, kinds, the
    outcomes under it: their short answers are the ones the shipped answerer gives)."""
    best = None
    for margin in SHORT_MARGINS:
        for kinds in SHORT_KIND_SETS if margin is not None else SHORT_KIND_SETS[:1]:
            outs = [None] * len(rows)
            for fold in range(5):
                sentence, answer_model = fold_models[(l2, fold)]
                selector = Selector(sentence, answer_model, 0.0, short_threshold, {}, share, margin, kinds)
                answerer = probe.using(selector)
                for i, row in enumerate(rows):
                    if row_folds[i] == fold:
                        outs[i] = outcome(answerer, row)
            kept = [o for o, keep in zip(outs, choosing, strict=True) if keep]
            given = [o for o in kept if o[0] >= threshold and o[3]]
            score = sum(1 if o[4] else -1 for o in given)
            answerable = max(1, sum(1 for o in kept if o[1]))
            print(f"short answers, reader margin {margin}, kinds {len(kinds)}: net {score}, shown "
                  f"{sum(1 for o in given if o[1]) / answerable:.3f}, exact "
                  f"{sum(1 for o in given if o[4]) / answerable:.3f}", flush=True)
            if best is None or score > best[0]:
                best = (score, margin, kinds, outs)
    assert best is not None
    return best[1], best[2], best[3]


def write_selector(args, settings, sentence: Logistic, answer_model: Logistic, chosen: dict, facts: dict) -> None:
    """The selector file: both models, the chosen thresholds and share, and how they were fitted."""
    info = {
        "fitted_on": facts.pop("fitted_on"),
        "corpus": args.corpus.name,
        "questions_sha256": hashlib.sha256(args.questions.read_bytes()).hexdigest()[:16],
        "embedding": embedding_key(settings),
        **{k: ({m: round(v, 4) for m, v in f.items()} if isinstance(f, dict) else f) for k, f in facts.items()},
        "script": "benchmarks/fit_answerer.py",
    }
    out = {
        "version": 1,
        "sentence": logistic_dict(sentence),
        "answer": logistic_dict(answer_model),
        "threshold": round(chosen["threshold"], 4),
        "short_threshold": round(chosen["short_threshold"], 4),
        "second_share": chosen["second_share"],
        **({"short_margin": chosen["short_margin"], "short_kinds": list(chosen["short_kinds"])}
           if chosen.get("short_margin") is not None else {}),
        "info": info,
    }
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def fit_models(probe, rows, x, y, folds, questions, l2) -> tuple[Logistic, Logistic]:
    """The sentence model on ``rows``' candidates, and the answer model on their out-of-fold scores."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    sentence = fit_listwise(x, y, questions, mean, scale, l2)
    oof = out_of_fold_logits(x, y, folds, (x, y, folds, questions), l2)
    return sentence, fit_answer_model(probe, rows, oof)


def outcome(answerer: ExtractiveAnswerer, row: Retrieved) -> tuple:
    """(confidence, answerable, right, short, short right, words, text, cited sources) of one answer."""
    answer = answerer.answer(row.question.question, row.hits, row.similarities)
    right = contains_answer(answer.answer, row.question.answers) if row.question.answerable else False
    short_right = bool(answer.short) and any(normalize(answer.short) == normalize(v)
                                             for part in row.question.answers for v in part)
    return (answer.confidence or 0.0, row.question.answerable, right, answer.short, short_right,
            len(answer.answer.split()), answer.answer, tuple(c.source for c in answer.citations))


def print_error_classes(rows: list[Retrieved], outcomes: list, threshold: float) -> None:
    """The out-of-fold errors by class, with the first example of each."""
    classes: dict[str, list[str]] = {}
    for row, o in zip(rows, outcomes, strict=True):
        q = row.question
        if o[0] < threshold:
            kind = "false refusal" if q.answerable else ""
        elif not q.answerable:
            kind = "near miss answered"
        elif o[2]:
            kind = ""
        elif any(src.endswith(tuple(q.sources)) for src in o[7]) if q.sources else False:
            kind = "right article, wrong sentence"
        else:
            kind = "another article quoted"
        if kind:
            classes.setdefault(kind, []).append(f"{q.question} | expected {q.answers[0][:2] if q.answers else '(decline)'} | got: {o[6][:160]}")
    print(f"out-of-fold errors of {len(rows)} questions, by class:")
    for kind, items in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        print(f"  {kind}: {len(items)}, e.g. {items[0]}")


def best_threshold(outcomes) -> tuple[float, float] | None:
    """(answer accuracy + refusal accuracy, decline threshold) at the best threshold that keeps false refusals
    and answer length within bounds; None when none does."""
    best = None
    for threshold in np.arange(0.02, 0.951, 0.01):
        figures = figures_at(outcomes, float(threshold))
        if figures["false_refusal_rate"] > MAX_FALSE_REFUSALS or figures["answer_words"] > MAX_WORDS:
            continue
        score = figures["answer_accuracy"] + figures["refusal_accuracy"]
        if best is None or score > best[0] + 1e-9:
            best = (score, float(threshold))
    return best


def choose_short_threshold(outcomes, threshold: float) -> float:
    """The confidence above which short spans are right more often than wrong by the widest margin."""
    best = (-1e9, threshold)
    for short_threshold in np.arange(threshold, 0.991, 0.01):
        given = [o for o in outcomes if o[0] >= short_threshold and o[3]]
        net = sum(1 if o[4] else -1 for o in given)
        if net > best[0]:
            best = (net, float(short_threshold))
    return best[1]


def placeholder_selector() -> Selector:
    """A selector with zero weights: candidates and their features need no fitted model."""
    zero = Logistic(FEATURES, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), 0.0)
    answer = Logistic(ANSWER_FEATURES, np.zeros(len(ANSWER_FEATURES)), np.ones(len(ANSWER_FEATURES)),
                      np.zeros(len(ANSWER_FEATURES)), 0.0)
    return Selector(zero, answer, 0.5, 0.5, {})


def retrieve(bot: Newsbot, question: EvalQuestion) -> Retrieved:
    vector = bot.embedder.embed_query(question.question)
    hits = bot.search(question.question, k=8, vector=vector)
    return Retrieved(question, hits, similarities(bot, hits, vector))


def label(probe: ExtractiveAnswerer, cand, answers) -> int:
    """1 when the sentence, with the sentence it leans on, holds an accepted answer."""
    chunk, start, end, _ = probe.cite.with_antecedent(cand)
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
        if not held.any():  # a fold held out one level up
            continue
        mean, scale = x[~held].mean(axis=0), x[~held].std(axis=0)
        scale[scale < 1e-6] = 1.0
        model = fit_listwise(x[~held], y[~held], data[3][~held], mean, scale, l2)
        logits[held] = model.logits(x[held])
    return list(logits)


def fit_answer_model(probe: ExtractiveAnswerer, rows: list[Retrieved], oof: list[float]) -> Logistic:
    """The answer model on train questions, from out-of-fold candidate scores (weights kept to `ANSWER_SIGNS`)."""
    logits = iter(oof)
    xs, ys = [], []
    for row in rows:
        cands = probe.candidates(profile(row.question.question), row.hits, row.similarities)
        if not cands:
            continue
        scored = sorted(((next(logits), cand) for cand in cands), key=lambda pair: -pair[0])
        best = scored[0][1]
        support = probe._support(profile(row.question.question), best)
        reader_top = max(cand.features[INDEX["reader"]] for cand in cands)
        xs.append(Selector.answer_features([s for s, _ in scored], best.features, support, reader_top))
        ys.append(label(probe, best, row.question.answers) if row.question.answerable else 0)
    x, y = np.asarray(xs), np.asarray(ys)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    weights, bias = fit_signed_logistic((x - mean) / scale, y, [ANSWER_SIGNS[name] for name in ANSWER_FEATURES])
    return Logistic(ANSWER_FEATURES, mean, scale, weights, bias)


def fit_signed_logistic(z, y, signs: list[int], c: float = 1.0) -> tuple[np.ndarray, float]:
    """An L2 logistic regression (as scikit-learn's with ``C=c``) whose weights keep the given signs."""
    from scipy.optimize import minimize

    def loss(params):
        w, b = params[:-1], params[-1]
        margin = z @ w + b
        p = 1.0 / (1.0 + np.exp(-margin))
        value = np.logaddexp(0.0, margin).sum() - y @ margin + 0.5 * w @ w / c
        grad = np.append(z.T @ (p - y) + w / c, (p - y).sum())
        return value, grad

    bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs] + [(None, None)]
    params = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 2000}).x
    return params[:-1].astype(np.float64), float(params[-1])


def choose_thresholds(probe: ExtractiveAnswerer, sentence: Logistic, answer_model: Logistic,
                      rows: list[Retrieved]) -> tuple[dict, dict[str, float]]:
    """The second-sentence share, decline and short-span thresholds that do best on ``rows`` (dev)."""
    best = None
    for share in SHARE_GRID:
        selector = Selector(sentence, answer_model, 0.0, 0.0, {}, share)
        answerer = probe.using(selector)
        outcomes = [outcome(answerer, row) for row in rows]
        found = best_threshold(outcomes)
        if found is not None and (best is None or found[0] > best[0] + 1e-9):
            best = (found[0], share, found[1], outcomes)
    if best is None:
        raise SystemExit("no setting keeps false refusals and answer length within bounds on dev")
    _, share, threshold, outcomes = best
    short_threshold = choose_short_threshold(outcomes, threshold)
    chosen = {"second_share": share, "threshold": threshold, "short_threshold": short_threshold}
    return chosen, figures_at(outcomes, threshold, short_threshold)


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


def print_weights(model: Logistic, name: str = "sentence model") -> None:
    order = np.argsort(-np.abs(model.weights))
    print(f"{name} weights (standardised features), largest first:")
    for i in order:
        print(f"  {model.names[i]:<22} {model.weights[i]:+.3f}")


if __name__ == "__main__":
    sys.exit(main())
