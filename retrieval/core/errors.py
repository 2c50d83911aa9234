"""Errors the core raises; each message is one line a user can act on."""

from __future__ import annotations


class NewsbotError(Exception):
    """Base class: adapters print ``str(exc)`` and exit 1."""


class InputError(NewsbotError):
    """A question or file that cannot be used (empty, too long, binary, malformed)."""


class TimeLimitError(InputError):
    """Reading or splitting one file took longer than its time limit."""


class IndexUnusableError(NewsbotError):
    """The index cannot be opened or used."""


class ModelMismatchError(IndexUnusableError):
    """The index was built with another embedding model."""


class IndexLockedError(IndexUnusableError):
    """Another process is writing to the index."""


class DataDirError(IndexUnusableError):
    """The data directory is missing, unwritable or corrupted."""
