"""The data directory's write lock: one writer at a time per local index, refused at once with who holds it."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from retrieval.core.errors import DataDirError, IndexLockedError

LOCK_FILE = "write.lock"


class WriteLock:
    """An exclusive ``flock`` on ``folder/write.lock``; the file names the holder (``newsbot pid N``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_FILE

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the lock for the block; `IndexLockedError` at once when another process holds it."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+")  # noqa: SIM115 - held for the whole block, closed in finally
        except OSError as exc:
            raise DataDirError(f"cannot write to the data directory {self.folder}: {exc.strerror or exc}") from None
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise IndexLockedError(
                    f"the index in {self.folder} is being written by {holder}; wait for it to finish and try again"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"newsbot pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            handle.close()

    def free(self) -> bool:
        """True when no process (this one included) holds the lock."""
        try:
            with open(self.path, "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return True
        except OSError:  # BlockingIOError included: somebody writes
            return False
