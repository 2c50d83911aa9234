"""Terminal plumbing shared by the commands: stderr console, logging, progress bars, errors."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

err = Console(stderr=True, highlight=False)


def out() -> Console:
    """A console on stdout (plain text when stdout is not a terminal)."""
    return Console(highlight=False, soft_wrap=False)


def fail(message: str, code: int = 1) -> int:
    """Print one error line on stderr and return the exit code."""
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False) if sys.stderr.isatty() else print(
        f"error: {message}", file=sys.stderr
    )
    return code


def notice(message: str) -> None:
    """A one-line notice on stderr."""
    print(message, file=sys.stderr, flush=True)


class RedactingFormatter(logging.Formatter):
    """Formats a record, exception text included, then replaces every secret (the bot token) with <token>."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text


def configure_logging(verbose: bool = False, secrets: list[str] | None = None) -> None:
    """Log to stderr; quiet chatty libraries (httpx prints URLs that hold the bot token)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets or []))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    for name in ("httpx", "httpcore", "chromadb", "sentence_transformers", "transformers", "urllib3", "bm25s"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # a page trafilatura cannot use is reported by newsbot itself ("no article text on the page"); its own
    # "discarding data" warning would only repeat that in a library's words
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr fed by the core's ``progress(stage, done, total)`` callback."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
