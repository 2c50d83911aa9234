"""Errors the core raises; each message is one line a user can act on."""

from __future__ import annotations


class NewsbotError(Exception):
    """Base class: adapters print ``str(exc)`` and exit 1."""


class InputError(NewsbotError):
    """A question or file that cannot be used (empty, too long, binary, malformed)."""


class IndexError_(NewsbotError):
    """The index cannot be opened or used."""


class ModelMismatchError(IndexError_):
    """The index was built with another embedding model."""


class IndexLockedError(IndexError_):
    """Another process is writing to the index."""


class DataDirError(IndexError_):
    """The data directory is missing, unwritable or corrupted."""
