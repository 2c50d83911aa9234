"""Choose the topic alerts' model and threshold on the dev topics; report precision, recall and F1 on test once.

    PYTHONPATH=. python benchmarks/alert_threshold.py [--fit] [--data-dir DIR] [--report FILE.json]

The labelled set is benchmarks/alerts/topics.jsonl: 64 topics over the BBC corpus, split dev/test, each with
``relevant`` articles and ``not_relevant`` ones (hard negatives: the same subject area, shared words);
``mention_only`` articles (they name the topic in passing: either answer is defensible) and unlabelled articles
are left out of the scores. The BBC evaluation index is the one `newsbot eval --corpus` builds (same key, so it
is reused; it is built only when empty).

``--fit`` chooses, on the dev topics only, the signals (`retrieval.news.alerts.FEATURES`) a logistic model combines and
its L2 penalty, by grouped cross-validation (topics held out together, 8 folds, 5 shuffles), then the threshold
that maximises F1 over the out-of-fold probabilities, refits on every dev pair and writes
``retrieval/news/alerts.json``. Without ``--fit`` the shipped file is evaluated. The table gives dev and test
precision, recall and F1 at the threshold, test by topic size (relevant articles) and by topic length (words),
how many mention-only articles would alert, how often an unlabelled article of another BBC category (nearly
always unrelated) would alert, and the matcher's speed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from retrieval.answering.model import Logistic
from retrieval.core.settings import Settings
from retrieval.evaluation.runner import embedding_key, eval_settings
from retrieval.ingest.documents import load_file
from retrieval.news.alerts import FEATURES, WEIGHTS_FILE, AlertModel, ArticleData, TopicMatcher, signals
from retrieval.newsbot import Newsbot

# the shared corpus beside the main checkout (ROOT.parent) or beside a worktree's parent folder
DEFAULT_CORPUS = next(
    (p for p in (ROOT.parent / "shared/corpora/bbc", ROOT.parent.parent / "shared/corpora/bbc") if p.is_dir()),
    ROOT.parent / "shared/corpora/bbc",
)
DEFAULT_TOPICS = ROOT / "benchmarks" / "alerts" / "topics.jsonl"
DEFAULT_OUT = ROOT / "retrieval" / WEIGHTS_FILE
SCORED = ("relevant", "not_relevant")
FEATURE_SETS = {
    "all signals": FEATURES,
    "compact": ("lead_sim", "max_sim", "lead_cov", "mentions", "chunk_share"),
    "embedding only": ("max_sim", "lead_sim", "mean_sim"),
    "terms only": ("title_cov", "text_cov", "lead_cov", "mentions", "rate", "chunk_share", "phrase"),
}
L2_GRID = (0.1, 1.0, 10.0)
FOLDS, SHUFFLES = 8, 5
TIE = 0.005  # a smaller feature set within this much F1 of the best is preferred
SIZES = ((1, 5, "2-5 relevant"), (6, 12, "6-12 relevant"), (13, 10_000, "13-25 relevant"))


@dataclass
class Pair:
    topic: dict[str, Any]
    doc_id: str
    label: str  # relevant, not_relevant, mention_only


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("/work/data/bbc"))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--topics", type=Path, default=DEFAULT_TOPICS)
    parser.add_argument("--fit", action="store_true", help=f"choose the model on dev and write {DEFAULT_OUT.name}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--report", type=Path, metavar="FILE.json", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    if not corpus.is_dir():
        parser.error(f"no corpus folder at {corpus} (--corpus)")

    settings = Settings(_env_file=None, data_dir=args.data_dir)
    bot = Newsbot(eval_settings(settings, f"dir:{corpus}|{embedding_key(settings)}"))  # as `newsbot eval` keys it
    if not len(bot.index.view):
        report = bot.ingest([corpus])
        print(f"evaluation index built: {len(report.added)} articles", flush=True)
    topics = [json.loads(line) for line in args.topics.read_text(encoding="utf-8").splitlines() if line.strip()]
    doc_of, unmapped = map_files(bot, corpus, topics)
    pairs = [
        Pair(t, doc_of[name], label)
        for t in topics
        for label in (*SCORED, "mention_only")
        for name in t.get(label, [])
        if name in doc_of
    ]
    started = time.perf_counter()
    matcher = TopicMatcher(bot, model=placeholder_model())
    articles = {a.doc_id: a for a in matcher.articles(sorted({p.doc_id for p in pairs}))}
    print(
        f"{len(topics)} topics, {len(pairs)} labelled pairs ({unmapped} file names not indexed), "
        f"{len(articles)} articles read in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    if args.fit:
        model = fit(matcher, pairs, articles, args.topics, settings)
        args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", flush=True)
    shipped = AlertModel.load(args.out)
    matcher = TopicMatcher(bot, model=shipped)
    figures = evaluate(bot, matcher, pairs, articles, topics, doc_of, corpus)
    print_table(figures, shipped)
    if args.report:
        args.report.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


def map_files(bot: Newsbot, corpus: Path, topics: list[dict[str, Any]]) -> tuple[dict[str, str], int]:
    """Corpus-relative file name -> doc_id, through the index's file names, else through the file's content
    (the BBC corpus holds exact duplicates: the index keeps one document for them)."""
    prefix = str(corpus) + "/"
    by_name = {info.file[len(prefix) :]: d for d, info in bot.index.view.documents.all_files().items() if info.file.startswith(prefix)}
    known = set(bot.index.view.documents.all_files())
    doc_of: dict[str, str] = {}
    unmapped = 0
    for name in sorted({n for t in topics for label in (*SCORED, "mention_only") for n in t.get(label, [])}):
        doc_id = by_name.get(name)
        if doc_id is None:
            loaded = load_file(corpus / name, 10_000_000)
            doc_id = next((a.id for a in loaded.articles if a.id in known), None)
        if doc_id is None:
            unmapped += 1
        else:
            doc_of[name] = doc_id
    return doc_of, unmapped


def placeholder_model() -> AlertModel:
    one = np.ones(1)
    return AlertModel(Logistic(("max_sim",), np.zeros(1), one, one, 0.0), 0.5, {})


# ---- fitting on dev ------------------------------------------------------------------------------------------
def fit(
    matcher: TopicMatcher, pairs: list[Pair], articles: dict[str, ArticleData], topics_file: Path, settings: Settings
) -> dict[str, Any]:
    """Choose signals, L2 and threshold on the dev topics (grouped cross-validation); refit on all dev pairs."""
    dev = [p for p in pairs if p.topic["split"] == "dev" and p.label in SCORED and p.doc_id in articles]
    prepared = {t: matcher.topic(t) for t in {p.topic["topic"] for p in dev}}
    rows = [signals(prepared[p.topic["topic"]], articles[p.doc_id]) for p in dev]
    y = np.array([p.label == "relevant" for p in dev], dtype=np.float64)
    groups = np.array([p.topic["id"] for p in dev])
    print(f"\nfitting on dev: {len(dev)} pairs ({int(y.sum())} relevant) over {len(set(groups))} topics", flush=True)
    print(f"{'signals':16} {'L2':>5} {'oof AUC':>8} {'oof F1':>7} {'threshold':>9}")
    results = []
    for name, names in FEATURE_SETS.items():
        x = np.array([[r[f] for f in names] for r in rows])
        for l2 in L2_GRID:
            probs = out_of_fold(x, y, groups, l2)
            f1s = [best_threshold(y, p)[0] for p in probs]
            pooled_f1, threshold = best_threshold(np.tile(y, len(probs)), np.concatenate(probs))
            auc = statistics.mean(roc_auc(y, p) for p in probs)
            f1 = statistics.mean(f1s)
            print(f"{name:16} {l2:>5} {auc:>8.3f} {f1:>7.3f} {threshold:>9.3f}", flush=True)
            results.append({"signals": name, "l2": l2, "auc": auc, "f1": f1, "pooled_f1": pooled_f1, "t": threshold})
    top = max(r["f1"] for r in results)
    chosen = min(
        (r for r in results if r["f1"] >= top - TIE), key=lambda r: (len(FEATURE_SETS[r["signals"]]), -r["f1"])
    )
    names = FEATURE_SETS[chosen["signals"]]
    x = np.array([[r[f] for f in names] for r in rows])
    model = fit_logistic(x, y, chosen["l2"])
    print(
        f"chosen: {chosen['signals']} (L2 {chosen['l2']}), threshold {chosen['t']:.3f}: "
        f"out-of-fold dev F1 {chosen['pooled_f1']:.3f}",
        flush=True,
    )
    return {
        "model": {
            "features": list(names),
            "mean": model.mean.tolist(),
            "scale": model.scale.tolist(),
            "weights": [round(float(w), 6) for w in model.weights],
            "bias": round(float(model.bias), 6),
        },
        "threshold": round(chosen["t"], 4),
        "info": {
            "fitted_on": f"{topics_file.name} dev split: {len(dev)} pairs over {len(set(groups))} topics",
            "chosen_by": f"F1 of grouped {FOLDS}-fold cross-validation on dev (topics held out), {SHUFFLES} shuffles",
            "topics_sha256": hashlib.sha256(topics_file.read_bytes()).hexdigest()[:16],
            "embedding": embedding_key(settings),
            "signals": chosen["signals"],
            "l2": chosen["l2"],
            "dev_out_of_fold_f1": round(chosen["pooled_f1"], 4),
            "script": "benchmarks/alert_threshold.py --fit",
        },
    }


def out_of_fold(x: Any, y: Any, groups: Any, l2: float) -> list[Any]:
    """Out-of-fold probabilities, one array per shuffle of the topics into folds."""
    topics = sorted(set(groups))
    out = []
    for seed in range(SHUFFLES):
        order = list(np.random.default_rng(seed).permutation(topics))
        probs = np.zeros(len(y))
        for fold in range(FOLDS):
            held = np.isin(groups, order[fold::FOLDS])
            model = fit_logistic(x[~held], y[~held], l2)
            probs[held] = model.probabilities(x[held])
        out.append(probs)
    return out


def fit_logistic(x: Any, y: Any, l2: float, steps: int = 50) -> Logistic:
    """L2-penalised logistic regression on standardised inputs (Newton's method; the bias is not penalised)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Logistic(("",) * x.shape[1], mean, scale, w[:-1], float(w[-1]))


def best_threshold(y: Any, p: Any) -> tuple[float, float]:
    """(F1, threshold) with the highest F1; the threshold is midway to the next lower probability."""
    order = np.argsort(-p)
    ys, ps = y[order], p[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ys) + 1)
    f1 = 2 * tp / (k + ys.sum())
    last = np.r_[ps[1:] < ps[:-1], True]  # cut only between distinct probabilities
    f1 = np.where(last, f1, -1.0)
    i = int(np.argmax(f1))
    threshold = (ps[i] + ps[i + 1]) / 2 if i + 1 < len(ps) else ps[i]
    return float(f1[i]), float(threshold)


def roc_auc(y: Any, p: Any) -> float:
    pos, neg = p[y == 1], p[y == 0]
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


# ---- evaluating the shipped model ----------------------------------------------------------------------------
def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}


def evaluate(
    bot: Newsbot,
    matcher: TopicMatcher,
    pairs: list[Pair],
    articles: dict[str, ArticleData],
    topics: list[dict[str, Any]],
    doc_of: dict[str, str],
    corpus: Path,
) -> dict[str, Any]:
    t = matcher.threshold
    score: dict[tuple[str, str], float] = {}
    for topic in topics:
        ids = [p.doc_id for p in pairs if p.topic is topic]
        got = matcher.score_articles(topic["topic"], [articles[d] for d in dict.fromkeys(ids) if d in articles])
        score.update({(topic["id"], d): s for d, s in got.items()})

    def counts(selected: list[Pair]) -> dict[str, float]:
        tp = sum(1 for p in selected if p.label == "relevant" and score[p.topic["id"], p.doc_id] >= t)
        fp = sum(1 for p in selected if p.label == "not_relevant" and score[p.topic["id"], p.doc_id] >= t)
        fn = sum(1 for p in selected if p.label == "relevant" and score[p.topic["id"], p.doc_id] < t)
        return prf(tp, fp, fn)

    scored = [p for p in pairs if (p.topic["id"], p.doc_id) in score]
    split = {s: [p for p in scored if p.topic["split"] == s and p.label in SCORED] for s in ("dev", "test")}
    figures: dict[str, Any] = {"threshold": t, "dev": counts(split["dev"]), "test": counts(split["test"])}
    figures["test_macro_f1"] = statistics.mean(
        counts([p for p in split["test"] if p.topic is topic])["f1"] for topic in topics if topic["split"] == "test"
    )
    figures["test_by_size"] = {}
    for low, high, label in SIZES:
        chosen = [p for p in split["test"] if low <= len(p.topic["relevant"]) <= high]
        figures["test_by_size"][label] = {**counts(chosen), "topics": len({p.topic["id"] for p in chosen})}
    figures["test_by_words"] = {}
    for label, test in (("1 word", lambda n: n == 1), ("2 words", lambda n: n == 2), ("3-5 words", lambda n: n >= 3)):
        chosen = [p for p in split["test"] if test(len(p.topic["topic"].split()))]
        figures["test_by_words"][label] = {**counts(chosen), "topics": len({p.topic["id"] for p in chosen})}
    mentions = [p for p in scored if p.label == "mention_only" and p.topic["split"] == "test"]
    figures["test_mention_only_alerted"] = {
        "alerted": sum(1 for p in mentions if score[p.topic["id"], p.doc_id] >= t),
        "of": len(mentions),
    }
    figures["test_other_category"] = other_category(matcher, topics, doc_of, bot, corpus)
    figures["speed"] = speed(matcher, [p for p in split["test"] if p.label == "relevant"], topics)
    return figures


def other_category(
    matcher: TopicMatcher, topics: list[dict[str, Any]], doc_of: dict[str, str], bot: Newsbot, corpus: Path
) -> dict[str, float]:
    """Alerts among unlabelled articles of the other BBC categories (nearly all unrelated), per test topic."""
    prefix = str(corpus) + "/"
    category = {d: info.file[len(prefix) :].split("/")[0] for d, info in bot.index.view.documents.all_files().items()}
    everything = matcher.articles(sorted(category))
    alerted = checked = 0
    for topic in (t for t in topics if t["split"] == "test"):
        labelled = {doc_of.get(n) for label in (*SCORED, "mention_only") for n in topic.get(label, [])}
        others = [a for a in everything if category[a.doc_id] != topic["category"] and a.doc_id not in labelled]
        got = matcher.score_articles(topic["topic"], others)
        checked += len(got)
        alerted += sum(1 for s in got.values() if s >= matcher.threshold)
    return {"alerted": alerted, "checked": checked, "per_1000": 1000 * alerted / max(1, checked)}


def speed(matcher: TopicMatcher, relevant: list[Pair], topics: list[dict[str, Any]]) -> dict[str, float]:
    """Milliseconds per (topic, article) for `match` on 20 new articles: scoring only, and with the sentences."""
    ids = list(dict.fromkeys(p.doc_id for p in relevant))[:20]
    texts = [t["topic"] for t in topics if t["split"] == "test"][:10]
    for text in texts:
        matcher.topic(text)  # topic embeddings are cached per matcher: a chat's topics are embedded once
    threshold = matcher.threshold
    timings = {}
    for label, value in (("score_ms", 1.01), ("match_ms", threshold)):
        matcher.threshold = value
        started = time.perf_counter()
        for text in texts:
            matcher.match(text, ids)
        timings[label] = 1000 * (time.perf_counter() - started) / (len(texts) * len(ids))
    matcher.threshold = threshold
    started = time.perf_counter()
    matcher.match_topics(texts, ids)
    timings["match_topics_ms"] = 1000 * (time.perf_counter() - started) / (len(texts) * len(ids))
    return timings


def print_table(figures: dict[str, Any], model: AlertModel) -> None:
    info = model.info
    print(f"\nmodel: {info.get('signals', '?')} {list(model.model.names)}, threshold {figures['threshold']:.3f}")
    print(f"\n{'':22} {'precision':>9} {'recall':>7} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4} {'topics':>6}")
    for label, row in (("dev (chosen on)", figures["dev"]), ("TEST", figures["test"])):
        print(_row(label, row))
    for label, row in figures["test_by_size"].items():
        print(_row(f"  test, {label}", row))
    for label, row in figures["test_by_words"].items():
        print(_row(f"  test, {label}", row))
    print(f"\ntest macro F1 (mean over topics): {figures['test_macro_f1']:.3f}")
    m = figures["test_mention_only_alerted"]
    print(f"test mention-only articles that would alert (not scored): {m['alerted']} of {m['of']}")
    o = figures["test_other_category"]
    print(
        f"test topics x unlabelled articles of other categories: {o['alerted']} alerts in {o['checked']} "
        f"({o['per_1000']:.2f} per 1000)"
    )
    s = figures["speed"]
    print(
        f"speed per (topic, article), 10 topics x 20 articles: score {s['score_ms']:.2f} ms, match with best "
        f"sentence {s['match_ms']:.2f} ms, match_topics {s['match_topics_ms']:.2f} ms"
    )


def _row(label: str, row: dict[str, Any]) -> str:
    topics = str(row.get("topics", ""))
    return (
        f"{label:22} {row['precision']:>9.3f} {row['recall']:>7.3f} {row['f1']:>6.3f} "
        f"{row['tp']:>4} {row['fp']:>4} {row['fn']:>4} {topics:>6}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
