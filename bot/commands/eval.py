"""`newsbot eval`: score retrieval and answers on a question set, per retrieval mode."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.usage import UsageError, positive_int


def register(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="measure retrieval and answer quality on a question set",
        description="Run a question set and report hit@k, MRR, answer accuracy, token F1, citation precision, "
        "refusal accuracy and latency. --corpus indexes a folder into an evaluation index of its own "
        "(reused on the next run); rgb and squad files bring their own passages.",
        epilog="Example: newsbot eval --corpus ../shared/corpora/bbc --questions benchmarks/questions/bbc.jsonl "
        "--compare dense,bm25,hybrid --report report.json --plot report.png",
    )
    p.add_argument("--questions", required=True, type=Path, metavar="FILE", help="the question set")
    p.add_argument("--corpus", type=Path, metavar="DIR", help="folder of articles to evaluate on")
    p.add_argument("--format", choices=["jsonl", "rgb", "squad"], help="question file format (default: guessed)")
    p.add_argument("-k", type=positive_int, default=5, help="retrieval depth reported first (default 5)")
    p.add_argument("--compare", metavar="MODES", help="comma-separated retrieval modes, e.g. dense,bm25,hybrid")
    p.add_argument(
        "--json",
        nargs="?",
        const=True,
        default=None,
        metavar="FILE",
        help="print the full report as JSON on stdout (instead of the table); `--json FILE` is the old "
        "spelling of --report FILE and still works",
    )
    p.add_argument("--report", type=Path, metavar="REPORT.json", help="also write the full report to this file")
    p.add_argument("--plot", type=Path, metavar="REPORT.png", help="write hit@k curves and the answer breakdown")
    p.add_argument("--limit", type=positive_int, metavar="N", help="only the first N questions")
    p.add_argument("--split", metavar="NAME", help="only questions of this split (e.g. dev or test)")
    p.add_argument(
        "--where",
        metavar="FIELD=VALUE",
        action="append",
        default=[],
        help="only questions whose FIELD (a field of the question file, e.g. kind=search) is VALUE; repeat to combine",
    )
    p.add_argument("--rgb-counterfactual", action="store_true", help="rgb: add the counterfactual passages")
    p.add_argument(
        "--answerer",
        choices=["extractive", "llm"],
        help="which answerer to evaluate (default: llm when NEWSBOT_LLM is set, else extractive)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Any) -> int:
    from bot.console import fail, notice, out, progress_bar
    from bot.eval_report import print_report, write_plot
    from bot.extras import require
    from retrieval.evaluation.formats import load
    from retrieval.evaluation.runner import corpus_key, embedding_key, eval_settings, run_eval
    from retrieval.newsbot import Newsbot
    from retrieval.search.searcher import MODES

    modes = [m.strip() for m in (args.compare or settings.retrieval_mode).split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise UsageError(f"--compare takes modes among {', '.join(MODES)}; got {args.compare!r}")
    report_file = args.report
    if isinstance(args.json, str):  # the old spelling: --json FILE
        notice(f"note: `--json FILE` is deprecated; use `--report {args.json}` (or `--json > {args.json}`)")
        report_file = report_file or Path(args.json)
    if args.plot:
        require("plot")
    if not args.questions.is_file():
        return fail(f"no question file at {args.questions}")
    if args.corpus is not None and not args.corpus.is_dir():
        return fail(f"no corpus folder at {args.corpus}")
    try:
        evalset = load(args.questions, args.format, counterfactual=args.rgb_counterfactual)
    except ValueError as exc:
        return fail(str(exc))
    if args.split:
        evalset.questions = [q for q in evalset.questions if q.split == args.split]
    for condition in args.where:
        field, sep, value = condition.partition("=")
        if not sep or not field:
            raise UsageError(f"--where takes FIELD=VALUE, got {condition!r}")
        evalset.questions = [q for q in evalset.questions if str(q.meta.get(field)) == value]
    if args.limit:
        evalset.questions = evalset.questions[: args.limit]
    if not evalset.questions:
        return fail("no questions to evaluate (check --split, --where and --limit)")

    show = not args.no_progress and sys.stderr.isatty()
    key = corpus_key(evalset, args.corpus, args.questions)
    if key:  # an evaluation index per corpus and per embedding: comparing models or backends never needs reindex
        key += "|" + embedding_key(settings)
    bot = Newsbot(eval_settings(settings, key) if key else settings, notice=notice, purpose="ingest")
    with progress_bar(enabled=show) as progress:
        if args.corpus is not None:
            report = bot.ingest([args.corpus], progress=progress)
            notice(
                f"evaluation index: {len(report.added)} added, {len(report.unchanged)} already indexed, "
                f"{len(report.copies)} copies of another file ({report.seconds:.1f} s)"
            )
        elif evalset.documents is not None:
            bot.ingest_articles(evalset.documents, progress=progress)
        else:
            bot.ensure_seeded()
        result = run_eval(bot, evalset, modes, k=args.k, corpus=args.corpus, progress=progress, answerer=args.answerer)
    if args.json is True:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print_report(result, out())
    if report_file:
        report_file.parent.mkdir(parents=True, exist_ok=True)
        report_file.write_text(json.dumps(result, ensure_ascii=False, indent=1))
        notice(f"report written to {report_file}")
    if args.plot:
        write_plot(result, args.plot)
        notice(f"plot written to {args.plot}")
    return 0
