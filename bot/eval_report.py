"""Render an evaluation report: a rich table, the failures worst first, and a PNG of hit@k and outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from retrieval.core.wording import counted

METRICS = [
    "hit@1",
    "hit@3",
    "hit@5",
    "hit@10",
    "mrr@10",
    "answer_accuracy",
    "token_f1",
    "citation_precision",
    "short_rate",
    "short_exact_match",
    "answer_words",
    "refusal_accuracy",
    "false_refusal_rate",
    "latency_p50",
    "latency_p95",
]


TIME_METRICS = ["time_filter_accuracy", "latest_accuracy", "conflict_precision", "conflict_recall"]


def _fmt(value: Any, key: str) -> str:
    if value is None:
        return "–"
    if key.startswith("latency"):
        return f"{value * 1000:.0f} ms"
    if key == "answer_words":
        return f"{value:.1f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _questions(n: object) -> str:
    return counted(n, "question") if isinstance(n, int) else "? questions"


def summary_table(report: dict[str, Any]) -> Table:
    """Metrics as rows, retrieval modes as columns."""
    modes = report.get("modes") or {report["mode"]: report}
    counts = next(iter(modes.values())).get("counts", {})
    title = (
        f"newsbot eval · {_questions(counts.get('questions'))} ({counts.get('answerable', '?')} answerable, "
        f"{counts.get('unanswerable', '?')} unanswerable) · answerer: {report.get('answerer')}"
    )
    by = report.get("answers_by") or {}
    if set(by) - {report.get("answerer")}:
        title += " (" + ", ".join(f"{name}: {count}" for name, count in sorted(by.items())) + ")"
    table = Table(title=title)
    table.add_column("metric")
    for mode in modes:
        table.add_column(mode, justify="right")
    for key in METRICS:
        table.add_row(key, *(_fmt(m.get(key), key) for m in modes.values()))
    for key in TIME_METRICS:  # only for question sets labelled for them (dated sets, RGB counterfactuals)
        if any(m.get(key) is not None for m in modes.values()):
            table.add_row(key, *(_fmt(m.get(key), key) for m in modes.values()))
    return table


def outcome(row: dict[str, Any]) -> str:
    """What happened to one question: correct, wrong, false_refusal, declined, answered_unanswerable, error."""
    from retrieval.evaluation.metrics import contains_answer

    if row.get("error"):
        return "error"
    if not row["answerable"]:
        return "declined" if not row["found"] else "answered_unanswerable"
    if not row["found"]:
        return "false_refusal"
    return "correct" if contains_answer(row["answer"], row["expected"]) else "wrong"


_SEVERITY = {"error": 0, "answered_unanswerable": 1, "wrong": 2, "false_refusal": 3}


def failures(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the default mode that went wrong, worst first (no relevant chunk found before a low rank)."""
    rows = [r for r in report["questions"] if r["mode"] == report["mode"] and outcome(r) in _SEVERITY]
    return sorted(rows, key=lambda r: (_SEVERITY[outcome(r)], -(r["rank"] or 99)))


def print_report(report: dict[str, Any], console: Console, max_failures: int = 15) -> None:
    console.print(summary_table(report))
    bad = failures(report)
    if not bad:
        return
    console.print(f"\n[bold]Failures[/] ({len(bad)}, mode {report['mode']}, worst first):", highlight=False)
    for row in bad[:max_failures]:
        expected = " | ".join("/".join(part) for part in row["expected"]) or "(decline)"
        rank = row["rank"] if row["rank"] is not None else "none"
        console.print(f"- [{outcome(row)}] {row['id']}: {row['question']}", markup=False, highlight=False)
        console.print(
            f"    expected {expected}; first relevant chunk: {rank}; got: {row['answer'][:160]}",
            markup=False,
            highlight=False,
            style="dim",
        )
    if len(bad) > max_failures:
        console.print(f"  … and {len(bad) - max_failures} more (see --json)", highlight=False)


def hit_curve(rows: list[dict[str, Any]], depth: int = 10) -> list[float]:
    """hit@1..hit@depth over the answerable questions with a known relevance."""
    ranks = [r["rank"] for r in rows if r["answerable"] and not r.get("error")]
    if not ranks:
        return [0.0] * depth
    return [sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks) for k in range(1, depth + 1)]


def write_plot(report: dict[str, Any], path: Path) -> None:
    """A PNG: hit@k curves per mode (left) and the answer/decline breakdown per mode (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(report.get("modes") or {report["mode"]: report})
    rows = report["questions"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for mode in modes:
        curve = hit_curve([r for r in rows if r["mode"] == mode])
        left.plot(range(1, len(curve) + 1), curve, marker="o", label=mode)
    left.set(
        title="Retrieval: hit@k (answerable questions)",
        xlabel="k",
        ylabel="share with a relevant chunk in the top k",
        ylim=(0, 1.02),
        xticks=range(1, 11),
    )
    left.grid(alpha=0.3)
    left.legend()
    kinds = ["correct", "wrong", "false_refusal", "declined", "answered_unanswerable", "error"]
    colors = ["#2e7d32", "#ef6c00", "#c62828", "#1565c0", "#6a1b9a", "#616161"]
    bottoms = [0] * len(modes)
    for kind, color in zip(kinds, colors, strict=False):
        counts = [sum(1 for r in rows if r["mode"] == m and outcome(r) == kind) for m in modes]
        if any(counts):
            right.bar(modes, counts, bottom=bottoms, color=color, label=kind.replace("_", " "))
            bottoms = [b + c for b, c in zip(bottoms, counts, strict=False)]
    right.set(title=f"Answers ({report.get('answerer')} answerer)", ylabel="questions")
    right.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
