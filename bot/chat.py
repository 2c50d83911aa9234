"""`newsbot chat`: a terminal conversation with follow-ups (interactive), or one question per line (piped)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console

from bot.render import also_reported, answer_json, plain, rich_answer
from retrieval.asking.conversation import Conversation
from retrieval.core.errors import IndexUnusableError, InputError, NewsbotError
from retrieval.core.types import Answer, SourceInfo
from retrieval.core.wording import counted

HELP = """Ask a question about the indexed articles; follow-ups ("where was their stronghold?") use the
conversation so far. After "Did you mean: ...?", answer y to ask that. Commands:
  /help        this help
  /sources     what is indexed
  /reset       forget the conversation
  /cite N      the whole passage around citation N of the last answer
  /quit        leave (Ctrl-D and Ctrl-C too)"""
_LEAVE_WORDS = frozenset({"quit", "exit", "q", ":q"})
MAX_LINE = 2000
YES = frozenset({"y", "yes", "yes please", "yep", "yeah", "ok", "sure"})


class ChatSession:
    """The state of one chat: the core, the conversation, the last answer; commands and questions."""

    def __init__(self, newsbot: Any, say: Callable[[object], None]) -> None:
        self.newsbot = newsbot
        self.say = say
        self.conversation = Conversation(max_turns=newsbot.settings.history_turns)
        self.last: Answer | None = None

    def triage(self, line: str) -> str:
        """What to do with an input line: "skip" (empty), "too_long", "quit", "done" (a command ran) or "ask"."""
        if not line:
            return "skip"
        if len(line) > MAX_LINE:
            return "too_long"
        if line.startswith("/"):
            return "done" if self.command(line) else "quit"
        if line.strip().lower().rstrip(".!") in _LEAVE_WORDS:  # "quit" typed without its slash is no question
            return "quit"
        return "ask"

    def command(self, line: str) -> bool:
        """Run a /command; False means leave."""
        name, _, arg = line[1:].partition(" ")
        name = name.lower()
        if name in ("quit", "exit", "q"):
            return False
        if name == "help":
            self.say(HELP)
        elif name == "reset":
            self.conversation.reset()
            self.last = None
            self.say("Conversation forgotten.")
        elif name == "sources":
            sources = self.newsbot.sources()
            lines = [f"{counted(len(sources), 'article')}:"] + [
                f"  {s.date or 'undated':<10}  {s.title}  ({counted(s.chunks, 'passage')}{_reprints(s)})"
                for s in sources[:50]
            ]
            if len(sources) > 50:
                lines.append(f"  … and {len(sources) - 50} more (newsbot sources)")
            self.say("\n".join(lines))
        elif name == "cite":
            self.say(self._cite(arg.strip()))
        else:
            self.say(f"Unknown command /{name}. Type /help for the commands.")
        return True

    def _cite(self, arg: str) -> str:
        if self.last is None or not (self.last.citations or self.last.related):
            return "No citation yet: ask a question first."
        cites = self.last.citations or self.last.related
        if not arg.isdigit() or not 1 <= int(arg) <= len(cites):
            return f"Usage: /cite N, with N from 1 to {len(cites)}."
        c = cites[int(arg) - 1]
        chunk = self.newsbot.passage(c.chunk_id)
        text = chunk.text if chunk is not None else c.quote
        where = " · ".join(x for x in (c.title, c.date, c.url or c.source) if x)
        return f"[{c.n}] {where}\n\n{text}"

    def ask(self, line: str, stream: Callable[[str], None] | None = None) -> Answer:
        """Answer ``line`` in this conversation; ``stream`` receives LLM text as it arrives. "y" after a decline
        that asked "Did you mean ...?" asks the suggested question."""
        if line.strip().lower() in YES and self.last is not None and self.last.suggestion:
            line = self.last.suggestion
        answers = self.newsbot.ask_stream(line, conversation=self.conversation)
        for delta in answers:
            if stream is not None:
                stream(delta)
        self.last = answers.result()
        return self.last


def _reprints(source: SourceInfo) -> str:
    return f", {also_reported(source.reprints)}" if source.reprints else ""


def run_piped(newsbot: Any, stdin: TextIO, stdout: TextIO, as_json: bool) -> int:
    """One question per line, plain text (or one JSON object per answer), conversation kept; exit 0 at EOF."""
    session = ChatSession(newsbot, lambda text: print(text, file=stdout, flush=True))
    for raw in stdin:
        line = raw.strip()
        kind = session.triage(line)
        if kind == "quit":
            break
        if kind == "too_long":
            print(f"skipped a line of {len(line)} characters (the limit is {MAX_LINE})", file=sys.stderr)
        if kind != "ask":
            continue
        try:
            answer = session.ask(line)
        except InputError as exc:
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        if as_json:
            data = json.loads(answer_json(answer))
            data["searched"] = answer.searched or answer.question
            print(json.dumps(data, ensure_ascii=False), file=stdout, flush=True)
        else:
            print(f"> {line}\n{plain(answer)}\n", file=stdout, flush=True)
    return 0


def run_interactive(newsbot: Any, history_file: Path) -> int:
    """A prompt with line editing and history kept across sessions; rich answers; a spinner while it works."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    console = Console(highlight=False)
    history_file.parent.mkdir(parents=True, exist_ok=True)
    prompt: PromptSession[str] = PromptSession(history=FileHistory(str(history_file)))
    session = ChatSession(newsbot, console.print)
    console.print("newsbot chat: ask about the indexed articles. /help for commands, Ctrl-D to leave.", style="bold")
    loader = threading.Thread(target=newsbot.warm_up, daemon=True)  # load the model while the user types
    loader.start()
    while True:
        try:
            line = prompt.prompt("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        kind = session.triage(line)
        if kind == "quit":
            break
        if kind == "too_long":
            console.print(f"That line has {len(line)} characters; the limit is {MAX_LINE}.", style="yellow")
        if kind != "ask":
            continue
        try:
            status = "Loading the model and the index…" if loader.is_alive() else "Searching the articles…"
            streamed: list[str] = []
            with console.status(status, spinner="dots") as spinner:
                loader.join()
                spinner.update("Searching the articles…")

                show = _streamer(console, spinner, streamed)
                answer = session.ask(line, stream=show if newsbot.settings.llm else None)
            if streamed:
                console.print()
                console.rule("checked answer", style="dim")
            console.print(rich_answer(answer))
            console.print()
        except KeyboardInterrupt:
            console.print("(interrupted)", style="yellow")
        except InputError as exc:
            console.print(str(exc), style="yellow")
        except (
            IndexUnusableError
        ) as exc:  # the index cannot be used (model mismatch, corrupted, locked): nothing to chat about
            console.print(f"error: {exc}", style="red")
            return 1
        except NewsbotError as exc:
            console.print(f"error: {exc}", style="red")
    console.print("Bye.")
    return 0


def _streamer(console: Console, spinner: Any, streamed: list[str]) -> Callable[[str], None]:
    """Write LLM deltas as they arrive (the spinner stops at the first one); ``streamed`` keeps them."""

    def show(delta: str) -> None:
        spinner.stop()
        streamed.append(delta)
        console.file.write(delta)
        console.file.flush()

    return show
