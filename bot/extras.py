"""Optional parts of newsbot and the one line that says how to install a missing one."""

from __future__ import annotations

import importlib.util

from retrieval.core.errors import NewsbotError

EXTRAS = {
    "telegram": ("telegram", "the Telegram bot"),
    "chat": ("prompt_toolkit", "the interactive terminal chat"),
    "plot": ("matplotlib", "plots of evaluation reports"),
}


class MissingExtra(NewsbotError):
    """An optional dependency is not installed; the message names the install command."""


def require(extra: str) -> None:
    """Raise `MissingExtra` unless the packages of ``extra`` (a key of `EXTRAS`) are importable."""
    module, what = EXTRAS[extra]
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(f"{what} needs the [{extra}] extra: pip install 'newsbot[{extra}]' (or 'newsbot[all]')")
