"""`newsbot`: every way in. Parses argv, builds settings, dispatches to one command module.

Exit codes: 0 success (an honest "not found" included), 1 error, 2 usage. Importing this module is cheap:
``newsbot --help`` never loads torch, sentence-transformers or chromadb.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.commands import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description="Answers questions about news articles with cited passages, offline.",
        epilog='Example: newsbot ask "who evacuated via Khmeimim?"   (newsbot COMMAND --help for more)',
    )
    parser.add_argument("--data-dir", help="index folder (default: NEWSBOT_DATA_DIR or the per-user data folder)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"bot.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsbot` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.console import configure_logging, fail
    from bot.usage import UsageError

    configure_logging(args.verbose)
    from retrieval.core.errors import NewsbotError
    from retrieval.core.settings import load_settings

    try:
        overrides = {"data_dir": args.data_dir} if args.data_dir else {}
        settings = load_settings(**overrides)
        return int(args.run(args, settings) or 0)
    except UsageError as exc:
        print(f"newsbot {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except NewsbotError as exc:  # SettingsError included
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", code=130)
    except Exception as exc:  # noqa: BLE001 - a bug or an unexpected library error: one line, the traceback with -v
        if args.verbose:
            import traceback

            traceback.print_exc()
        return fail(
            f"unexpected {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
            "(run with -v for details)"
        )


if __name__ == "__main__":
    sys.exit(main())
