"""Command-line usage: argparse value types and the error that means "exit 2". Cheap to import."""

from __future__ import annotations

import argparse


class UsageError(Exception):
    """A command line that cannot be run as given: `bot.cli.main` prints it and exits with code 2."""


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def iso_date(value: str) -> str:
    """An argparse type: a date as ``YYYY-MM-DD`` (other common spellings are normalised)."""
    from retrieval.core.articles import normalize_date

    iso = normalize_date(value)
    if iso is None:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (expected YYYY-MM-DD)")
    return iso
