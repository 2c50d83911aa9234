"""kill -9 at any moment of an ingest leaves an index that opens and answers; re-running completes it exactly.

Real `newsbot ingest` processes (ONNX backend: same vectors as torch, quick to start) are killed with SIGKILL
at points spread over a run: during start-up, right after the stamp is bumped, just after or inside the k-th
Chroma write, during the final BM25 rebuild, while changed files replace old articles, and inside a reindex.
After every kill the index must open, agree with its BM25 view and answer; at the end it must hold exactly
what an uninterrupted ingest of the same files holds.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import ROOT, cli_env, use_onnx_cache

CHUNK_TOKENS = "64"
GROUP = "6"  # chunks written together: many writes per run, so kills land between and inside them
WORDS = ("harbour council budget river station farmers museum bridge festival school hospital market railway "
         "election tunnel library factory airport stadium orchestra").split()


def write_corpus(folder: Path, n: int = 20, seed: int = 7, version: int = 0) -> dict[str, str]:
    """``n`` articles of 12-16 sentences (a few chunks each); one fact per article to ask about.

    The town's name recurs inside every sentence, so that no two articles look like reprints of each other
    (word 3-gram overlap stays well under `Settings.reprint_threshold`): this file tests crash safety, and
    reprint grouping depends on which article arrived first."""
    rng = random.Random(seed * 1000 + version)
    facts = {}
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        town = f"Tarn{chr(65 + i % 26)}{i}"
        person = f"Edda Quill{i}"
        lines = [f"Title: News from {town}", f"Date: 2025-02-{i % 28 + 1:02d}", ""]
        body = [f"The mayor of {town} is {person}, who was elected in a close vote (edition {version})."]
        for _ in range(rng.randint(11, 15)):
            a, b, c = rng.sample(WORDS, 3)
            body.append(f"Residents of {town} discussed the {a} and {town}'s {b}; the {town} {c} plan was "
                        f"delayed by {rng.randint(2, 40)} weeks.")
        (folder / f"{i:03d}-{town}.txt").write_text("\n".join(lines) + " ".join(body))
        facts[town] = person
    return facts


class Run:
    """A `newsbot` process whose stderr is watched; `kill_after` sends SIGKILL once a line appears."""

    def __init__(self, args: list[str], data: Path) -> None:
        env = cli_env(data, NEWSBOT_EMBEDDING_BACKEND="onnx", NEWSBOT_INGEST_GROUP=GROUP,
                      NEWSBOT_CHUNK_TOKENS=CHUNK_TOKENS)
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "-v", *args], cwd=data.parent, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self.seen:
                self.lines.append(line)
                self.seen.notify_all()
        with self.seen:
            self.lines.append("<eof>")
            self.seen.notify_all()

    def kill_after(self, marker: str | None, nth: int = 1, delay: float = 0.0, timeout: float = 60) -> str:
        """SIGKILL after the ``nth`` stderr line holding ``marker`` (+ ``delay`` s); what happened, in words."""
        if marker is not None:
            with self.seen:
                ok = self.seen.wait_for(
                    lambda: sum(marker in line for line in self.lines) >= nth or "<eof>" in self.lines, timeout)
            assert ok, f"no {marker!r} in time: {''.join(self.lines)[-2000:]}"
            if "<eof>" in self.lines and sum(marker in line for line in self.lines) < nth:
                self.proc.wait(timeout=30)
                return f"finished before {marker!r} #{nth}"
        time.sleep(delay)
        if self.proc.poll() is not None:
            return "finished before the kill"
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        return f"killed after {marker!r} #{nth} + {delay:.2f} s"

    def finish(self, timeout: float = 120) -> int:
        return self.proc.wait(timeout=timeout)


def fresh_index(settings, embedder):
    """An in-process view of the index as a new process sees it: every user closes it (`with`), so that no
    Chroma client of this process keeps the folder's old state."""
    from retrieval.newsbot import Newsbot

    return Newsbot(settings, embedder=embedder)


class Reader:
    """A reader beside the writer (as a serving bot is): it reloads or rebuilds the BM25 view as stamps change,
    and saves views it believes stable. A view saved mid-write under a stamp that outlives the kill would
    show up as a BM25/Chroma disagreement in the next check."""

    def __init__(self, settings, embedder) -> None:
        self.settings, self.embedder = settings, embedder
        self.stop = threading.Event()
        self.refreshes = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from retrieval.store import Index

        while not self.stop.is_set():
            try:
                with Index(self.settings, self.embedder.name).open() as index:
                    index.refresh()
                self.refreshes += 1
            except Exception:  # a read racing the writer may fail; it must never corrupt anything
                pass
            time.sleep(0.02)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def check_consistent(bot, facts: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Opens, BM25 agrees with Chroma, every stored article's chunks are unique, dense search and ask work."""
    with bot:
        return _check_consistent(bot, facts)


def _check_consistent(bot, facts: dict[str, str]) -> dict[str, tuple[str, str]]:
    index = bot.index
    stored = index.collection.get(include=["documents", "metadatas"])
    rows = {i: (d, m) for i, d, m in zip(stored["ids"], stored["documents"], stored["metadatas"])}
    assert len(rows) == len(stored["ids"]) == index.collection.count()
    view = {c.id: c.text for c in index.view.passages.iter_passages()}
    assert view == {i: d for i, (d, _) in rows.items()}, "the passage store and Chroma disagree"
    assert index.view.problems() == []  # keyword rows and term counts agree with the passages
    for i, (_, meta) in rows.items():
        assert i == f"{meta['doc_id']}-{meta['index']}" and 0 <= meta["index"] < meta["n_chunks"]
    if rows:
        probe = index.collection.get(ids=[next(iter(rows))], include=["embeddings"])["embeddings"][0]
        near = index.collection.query(query_embeddings=[probe], n_results=min(5, len(rows)))
        assert near["ids"][0][0] == next(iter(rows)), "the vector index does not find a stored chunk"
    town, person = next(iter(facts.items()))
    question = f"Who is the mayor of {town}?"
    if not rows:  # `ask` would seed an empty index with the bundled article
        assert bot.search(question) == []
    elif any(town in d for d, _ in rows.values()):
        answer = bot.ask(question)
        assert answer.found and person in answer.answer, answer.answer
    else:
        bot.ask(question)  # answers (or declines) without an error
    return {i: (d, m["doc_id"]) for i, (d, m) in rows.items()}


def reference(tmp_path: Path, corpus: Path, settings, embedder) -> dict[str, tuple[str, str]]:
    ref = settings.model_copy(update={"data_dir": tmp_path / "reference", "chunk_tokens": int(CHUNK_TOKENS)})
    with fresh_index(ref, embedder) as bot:
        bot.ingest([corpus])
        rows = bot.index.collection.get(include=["documents", "metadatas"])
    return {i: (d, m["doc_id"]) for i, d, m in zip(rows["ids"], rows["documents"], rows["metadatas"])}


def test_kill_9_at_many_points_then_rerun_holds_every_article_exactly_once(tmp_path, settings, embedder,
                                                                            onnx_cache):
    corpus = tmp_path / "corpus"
    facts = write_corpus(corpus)
    data = settings.data_dir
    use_onnx_cache(onnx_cache, data)
    mine = settings.model_copy(update={"chunk_tokens": int(CHUNK_TOKENS)})
    ingest = ["ingest", "--no-progress", str(corpus)]
    # (marker, nth, delay): None = a time into start-up; later points resume what earlier ones left
    # "vectors written": between a group's Chroma write and its passage-store write (keywords, term counts)
    points = [
        (None, 1, 0.8), ("writing to the index", 1, 0.0), ("vectors written", 1, 0.0), ("wrote", 1, 0.0),
        ("wrote", 2, 0.01), ("vectors written", 2, 0.0), ("wrote", 1, 0.04), ("wrote", 3, 0.1),
        ("wrote", 2, 0.002), ("finishing", 1, 0.0),
    ]
    log = []
    for marker, nth, delay in points:
        run = Run(ingest, data)
        reader = Reader(mine, embedder)
        log.append(run.kill_after(marker, nth, delay))
        reader.close()
        check_consistent(fresh_index(mine, embedder), facts)
    # kill while changed files replace their old articles (twice: new work for each round of kills)
    # "vectors deleted": a replaced article's vectors are gone, its passages not yet
    for version, n, round_points in [(1, 5, [("wrote", 1, 0.0), ("vectors deleted", 1, 0.0), ("finishing", 1, 0.03)]),
                                     (2, 3, [("writing to the index", 1, 0.005), ("vectors written", 1, 0.0),
                                             ("finishing", 1, 0.01)])]:
        changed = write_corpus(corpus, n=n, version=version)
        for marker, nth, delay in round_points:
            log.append(Run(ingest, data).kill_after(marker, nth, delay))
            check_consistent(fresh_index(mine, embedder), changed)
    print("\n".join(log))
    assert sum(entry.startswith("killed") for entry in log) >= 10, log

    done = Run(ingest + ["--json"], data)
    assert done.finish() == 0, "".join(done.lines)
    rows = check_consistent(fresh_index(mine, embedder), facts)
    expected = reference(tmp_path, corpus, settings, embedder)
    assert rows == expected  # every article exactly once: same chunk ids and texts, nothing stale or missing
    assert len({doc for _, doc in rows.values()}) == 20

    # a reindex killed inside its writes loses nothing either
    log.append(Run(["reindex", "--no-progress"], data).kill_after("wrote", 2, 0.0))
    check_consistent(fresh_index(mine, embedder), facts)
    again = Run(["reindex", "--no-progress"], data)
    assert again.finish() == 0, "".join(again.lines)
    assert check_consistent(fresh_index(mine, embedder), facts) == expected
    assert not (data / "reindex-backup.jsonl").exists()


def test_a_second_ingest_on_the_same_folder_is_refused_with_a_clear_message(tmp_path, settings, onnx_cache):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, n=12)
    data = settings.data_dir
    use_onnx_cache(onnx_cache, data)
    first = Run(["ingest", "--no-progress", str(corpus)], data)
    with first.seen:
        assert first.seen.wait_for(lambda: any("writing to the index" in line for line in first.lines), 60)
    second = Run(["ingest", "--no-progress", "--json", str(corpus)], data)
    assert second.finish() == 1
    message = "".join(second.lines)
    assert "being written by newsbot pid" in message and "Traceback" not in message
    assert first.finish() == 0
    report = json.loads(subprocess.run(
        [sys.executable, "-m", "bot", "ingest", "--json", str(corpus)], cwd=ROOT,
        env=cli_env(data, NEWSBOT_EMBEDDING_BACKEND="onnx", NEWSBOT_CHUNK_TOKENS=CHUNK_TOKENS),
        capture_output=True, text=True, timeout=120).stdout)
    assert report["added"] == [] and len(report["unchanged"]) == 12
