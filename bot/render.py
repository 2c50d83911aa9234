"""Render the core's `Answer` for terminals: rich text for people, plain text for pipes, JSON for machines."""

from __future__ import annotations

import json
import re

from rich.console import Console, Group
from rich.markup import escape
from rich.text import Text

from retrieval.core.types import Answer, Citation
from retrieval.core.wording import counted


def answer_json(answer: Answer) -> str:
    """The `Answer` as one JSON document (what `ask --json` prints)."""
    return json.dumps(answer.to_dict(), ensure_ascii=False)


def _where(c: Citation) -> str:
    parts = [c.title]
    if c.date:
        parts.append(c.date)
    if c.publisher:
        parts.append(c.publisher)
    parts.append(c.url or c.source)
    return " · ".join(parts)


def also_line(c: Citation, limit: int = 3) -> str | None:
    """ "also reported by N others: A, B, C" for a cited story's grouped reprints, or None."""
    if not c.also:
        return None
    names = [r.url or r.source for r in c.also[:limit]]
    more = f" and {len(c.also) - limit} more" if len(c.also) > limit else ""
    return f"{also_reported(len(c.also))}: {', '.join(names)}{more}"


def also_reported(n: int) -> str:
    """ "also reported by 1 other", "also reported by 2 others": a story's grouped reprints, counted."""
    return f"also reported by {counted(n, 'other')}"


def answerer_note(answer: Answer) -> str | None:
    """One line saying who wrote the answer, when it is not the default extractive answerer."""
    if answer.answerer == "llm" and answer.found:
        return "Written by the LLM; each sentence was checked against the passage it cites."
    if answer.answerer == "extractive-fallback":
        reason = f": {answer.fallback_reason}" if answer.fallback_reason else ""
        return f"Quoted from the articles instead of the LLM's answer{reason}."
    return None


def _passage(c: Citation, mark: tuple[str, str]) -> str:
    """The cited passage once: the sentence before, the quote between ``mark``s, the sentence after."""
    parts = [" ".join(c.before.split()), f"{mark[0]}{' '.join(c.quote.split())}{mark[1]}", " ".join(c.after.split())]
    return " ".join(p for p in parts if p)


def searched_line(answer: Answer) -> str | None:
    """What was searched, when it is not just the question: a rewritten follow-up and the time understood."""
    parts = [p for p in (answer.searched, answer.time) if p]
    return "searched: " + " · ".join(parts) if parts else None


def headline(answer: Answer) -> str | None:
    """The line above the passages: reports that differ, the LLM's text, or the short answer (with its date)."""
    if answer.conflict or answer.answerer in ("llm", "overview"):
        return answer.answer
    if answer.updates:  # a developing story: "38 [1], up from 23 [2] and 9 [3] in earlier reports"
        return f"{answer.when}: {answer.answer}" if answer.when else answer.answer
    if answer.short:
        return f"{answer.when}: {answer.short}" if answer.when else answer.short
    return f"{answer.when}:" if answer.when else None


def plain(answer: Answer) -> str:
    """Plain text: the short answer, then each cited passage once with its quote in ``**``; or the decline."""
    lines = []
    if searched_line(answer):
        lines.append(f"({searched_line(answer)})")
    if answer.found:
        if headline(answer):
            lines.append(str(headline(answer)))
        for c in answer.citations:
            lines.append(f"[{c.n}] {_passage(c, ('**', '**'))}")
            lines.append(f"    {_where(c)}")
            if also_line(c):
                lines.append(f"    {also_line(c)}")
    else:
        lines.append(answer.answer)
        if answer.suggestion:
            lines.append(f"Did you mean: {answer.suggestion}")
        if answer.related:
            lines.append("Related passages (they may not answer the question):")
            for c in answer.related:
                lines.append(f'  - "{" ".join(c.quote.split())}"')
                lines.append(f"    {_where(c)}")
    note = answerer_note(answer)
    if note:
        lines.append(f"({note})")
    return "\n".join(lines)


def rich_answer(answer: Answer) -> Group:
    """A rich renderable: the short answer in bold, each passage once with its quote in bold, sources dimmed."""
    items: list[Text] = []
    if searched_line(answer):
        items.append(Text(str(searched_line(answer)), style="dim"))
    if answer.found and (answer.answerer == "llm" or answer.conflict or answer.updates):
        body = Text()
        for piece in re.split(r"(\[\d+\])", str(headline(answer)) if answer.updates else answer.answer):
            body.append(piece, style="bold cyan" if re.fullmatch(r"\[\d+\]", piece) else "bold")
        items.append(body)
    elif answer.found and headline(answer):
        items.append(Text(str(headline(answer)), style="bold"))
    elif not answer.found:
        items.append(Text(answer.answer, style="yellow"))
        if answer.suggestion:
            items.append(Text(f"Did you mean: {answer.suggestion}", style="bold"))
    if answer.found:
        for c in answer.citations:
            line = Text()
            line.append(f"[{c.n}] ", style="bold cyan")
            for text, style in ((c.before, ""), (c.quote, "bold"), (c.after, "")):
                if " ".join(text.split()):
                    line.append((" " if len(line) > len(f"[{c.n}] ") else "") + " ".join(text.split()), style=style)
            items.append(line)
            items.append(Text("    " + _where(c), style="dim"))
            if also_line(c):
                items.append(Text(f"    {also_line(c)}", style="dim"))
    elif answer.related:
        items.append(Text(""))
        items.append(Text("Related passages (they may not answer the question):", style="dim"))
        for c in answer.related:
            line = Text()
            line.append(f"[{c.n}] ", style="bold cyan")
            line.append(f'"{" ".join(c.quote.split())}"', style="italic")
            items.append(line)
            items.append(Text("    " + _where(c), style="dim"))
    note = answerer_note(answer)
    if note:
        items.append(Text(note, style="dim italic"))
    return Group(*items)


def print_answer(answer: Answer, console: Console) -> None:
    """Rich text on a terminal; in a pipe the plain text, where the quote's ``**`` marks survive (bold would not)."""
    if console.is_terminal:
        console.print(rich_answer(answer))
    else:
        console.file.write(plain(answer) + "\n")


__all__ = ["answer_json", "answerer_note", "plain", "print_answer", "rich_answer", "escape"]
