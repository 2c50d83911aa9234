"""One module per command: each has ``register(subparsers)`` (cheap: no heavy imports) and ``run(args)``."""

COMMANDS = ("ask", "ingest", "feeds", "refresh", "sources", "stats", "reindex", "chat", "eval", "bot")
