"""The ONNX backends against torch: encoder speed, query latency and retrieval quality, in one run.

    PYTHONPATH=. python benchmarks/onnx_backend.py [--limit 800] [--speed-chunks 600]

The bundled model is exported once into a temporary folder (torch.onnx.export; int8 by onnxruntime's dynamic
quantisation), exactly as ``NEWSBOT_EMBEDDING_BACKEND=onnx|onnx-int8`` does into the data directory.

Speed: the same BBC chunks through each encoder, length-sorted batches of 16, rounds interleaved (the machine is
shared), then one-question query embedding. Quality, per backend:
- seeds/eval/questions.jsonl: a real index of the seed article per backend; passage hit@1/@3 (a passage holds an
  accepted answer) and answer accuracy of ``Newsbot.ask`` (found, and the answer holds an accepted answer);
- BBC (``--limit`` articles, all by default): exact cosine search over every chunk, for each article's headline
  (known item: hit@1, hit@5, MRR@10 of its article) and for the benchmark questions (top-5 passages shared with
  torch's top 5, same top-1 article as torch). benchmarks/questions/bbc.jsonl is used when it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
BACKENDS = ("torch", "onnx", "onnx-int8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="BBC articles for the retrieval check")
    parser.add_argument("--speed-chunks", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import numpy as np
    from ingest_throughput import DEFAULT_CORPUS, pick_files
    from query_latency import questions as bbc_questions

    from retrieval.ingest.chunking import chunk_article, embedded_text
    from retrieval.ingest.documents import load_file
    from retrieval.search.embeddings import Embedder

    with tempfile.TemporaryDirectory(prefix="newsbot-onnx-") as tmp:
        cache = Path(tmp) / "onnx"
        encoders = {b: Embedder(backend=b, cache_dir=cache) for b in BACKENDS}
        t = time.perf_counter()
        for e in encoders.values():
            e.embed_query("warm up")  # exports on first use
        print(f"export + load of the three encoders: {time.perf_counter() - t:.1f} s; files: "
              + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.0f} MB" for p in sorted(cache.rglob("*.onnx"))))

        # ---- the BBC chunks ------------------------------------------------------------------------
        counter = encoders["torch"]
        docs, texts, owner = [], [], []
        for path in pick_files(DEFAULT_CORPUS, args.limit):
            for article in load_file(path, 10**9).articles:
                docs.append((str(path.relative_to(DEFAULT_CORPUS)), article.title))
                for c in chunk_article(article, counter.count_tokens, 126, 1):
                    texts.append(embedded_text(c.title, c.text))
                    owner.append(len(docs) - 1)
        owner_arr = np.array(owner)
        print(f"BBC: {len(docs)} articles, {len(texts)} chunks")

        # ---- speed ---------------------------------------------------------------------------------
        step = max(1, len(texts) // args.speed_chunks)
        sample = texts[::step][: args.speed_chunks]
        rates: dict[str, list[float]] = {b: [] for b in BACKENDS}
        for _ in range(args.rounds):
            for b, e in encoders.items():
                t = time.perf_counter()
                e.encode_array(sample)
                rates[b].append(len(sample) / (time.perf_counter() - t))
        query_ms = {}
        for b, e in encoders.items():
            times = []
            for q in bbc_questions() * 3:
                t = time.perf_counter()
                e.embed_query(q)
                times.append(time.perf_counter() - t)
            query_ms[b] = statistics.median(times) * 1000
        base = statistics.mean(rates["torch"])
        print(f"\nencoder speed ({len(sample)} chunks, batch 16, {args.rounds} interleaved rounds):")
        print("| backend | chunks/s (rounds) | relative | query embedding p50 |\n|---|---|---|---|")
        for b in BACKENDS:
            r = statistics.mean(rates[b])
            print(f"| {b} | {r:.1f} ({', '.join(f'{x:.1f}' for x in rates[b])}) | {r / base:.2f} | "
                  f"{query_ms[b]:.1f} ms |")

        # ---- vectors of every chunk per backend ------------------------------------------------------
        vectors = {}
        for b, e in encoders.items():
            t = time.perf_counter()
            vectors[b] = e.encode_array(texts)
            print(f"encoded all {len(texts)} chunks with {b} in {time.perf_counter() - t:.0f} s")
        for b in ("onnx", "onnx-int8"):
            cos = (vectors[b] * vectors["torch"]).sum(1)
            print(f"{b} vs torch, cosine of chunk vectors: mean {cos.mean():.4f}, min {cos.min():.4f}")

        # ---- quality -------------------------------------------------------------------------------
        print("\nretrieval quality:")
        print("| backend | seeds passage hit@1 | seeds hit@3 | seeds answer accuracy | BBC headline hit@1 | "
              "hit@5 | MRR@10 | BBC questions: top-5 shared with torch | same top-1 article |")
        print("|---|---|---|---|---|---|---|---|---|")
        headlines = [title for _, title in docs]
        qs = bbc_questions()
        top_torch = None
        for b, e in encoders.items():
            seeds = seed_quality(e, Path(tmp) / f"seed-{b}")
            hq = e.encode_array(headlines)
            sims = hq @ vectors[b].T
            ranks = []
            for i in range(len(docs)):
                order = np.argsort(-sims[i])
                seen: list[int] = []
                for j in order:
                    d = int(owner_arr[j])
                    if d not in seen:
                        seen.append(d)
                    if len(seen) == 10:
                        break
                ranks.append(seen.index(i) + 1 if i in seen else None)
            hit1 = sum(r == 1 for r in ranks) / len(ranks)
            hit5 = sum(r is not None and r <= 5 for r in ranks) / len(ranks)
            mrr = sum(1 / r for r in ranks if r) / len(ranks)
            qv = e.encode_array(qs)
            top = np.argsort(-(qv @ vectors[b].T), axis=1)[:, :5]
            if top_torch is None:
                top_torch = top
            shared = np.mean([len(set(top[i]) & set(top_torch[i])) / 5 for i in range(len(qs))])
            same1 = np.mean([owner_arr[top[i][0]] == owner_arr[top_torch[i][0]] for i in range(len(qs))])
            print(f"| {b} | {seeds['hit1']:.2f} | {seeds['hit3']:.2f} | {seeds['acc']:.2f} | {hit1:.3f} | "
                  f"{hit5:.3f} | {mrr:.3f} | {shared:.2f} | {same1:.2f} |")
    return 0


def seed_quality(embedder, data_dir: Path) -> dict[str, float]:
    """Passage hit@k and answer accuracy on the seed question set, with a real index built by ``embedder``."""
    from retrieval.core.settings import Settings
    from retrieval.newsbot import Newsbot
    from seeds import seed_files

    bot = Newsbot(Settings(_env_file=None, data_dir=data_dir, embedding_backend=embedder.backend),
                  embedder=embedder)
    bot.ingest(seed_files())
    rows = [json.loads(line) for line in open(ROOT / "seeds" / "eval" / "questions.jsonl", encoding="utf-8")
            if line.strip()]
    hit1 = hit3 = acc = 0
    for row in rows:
        answers = [a.lower() for a in row.get("answers", [])]
        if not answers:
            continue
        hits = bot.search(row["question"], k=3)
        holds = [any(a in h.chunk.text.lower() for a in answers) for h in hits]
        hit1 += bool(holds[:1] and holds[0])
        hit3 += any(holds)
        answer = bot.ask(row["question"])
        acc += answer.found and any(a in answer.answer.lower() for a in answers)
    n = sum(1 for r in rows if r.get("answers"))
    return {"hit1": hit1 / n, "hit3": hit3 / n, "acc": acc / n}


if __name__ == "__main__":
    sys.exit(main())
