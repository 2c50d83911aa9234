"""Chroma server mode: several newsbot processes, each with its own data directory, share one `chroma run`.

A real Chroma server runs on a free loopback port in a temporary folder. One process ingests, two long-running
processes answer (two readers, each with a passage store of its own); after more ingests (two writers at once,
then a removal) both answer from the new articles: each notices the collection's new stamp and catches up with
the rows written since (and the tombstones of the removed ones), never downloading the whole collection again.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import cli_env, use_onnx_cache

CHROMA = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))

ANSWERER = """
import json, logging, sys
store_log = logging.getLogger("newsbot.store")
store_log.addHandler(logging.StreamHandler(sys.stderr))
store_log.setLevel(logging.INFO)
from retrieval.newsbot import Newsbot
from retrieval.core.settings import load_settings
bot = Newsbot(load_settings())
for line in sys.stdin:
    answer = bot.ask(line.strip())
    print(json.dumps({"found": answer.found, "answer": answer.answer,
                      "sources": [c.source for c in answer.citations]}), flush=True)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_url(tmp_path):
    """`chroma run` on a free loopback port, its data in a temporary folder; stopped after the test."""
    if not os.path.exists(CHROMA):
        pytest.skip("the `chroma` command of the chromadb package is not installed")
    port = _free_port()
    log = open(tmp_path / "chroma.log", "w")
    server = subprocess.Popen([CHROMA, "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                              env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            time.sleep(0.2)
    yield url
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def _article(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Title: {title}\nDate: 2025-03-01\n\n{body}")
    return path


def _env(data: Path, url: str, onnx_cache: Path) -> dict[str, str]:
    use_onnx_cache(onnx_cache, data)
    return cli_env(data, NEWSBOT_CHROMA_URL=url, NEWSBOT_EMBEDDING_BACKEND="onnx")


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_one_process_ingests_another_answers_and_sees_later_articles(tmp_path, chroma_url, onnx_cache):
    first = _article(tmp_path / "in1", "lighthouse.txt", "Lighthouse restored",
                     "The Varn Point lighthouse was restored by the engineer Mira Olsk. The work took two years "
                     "and cost four million crowns. Visitors may climb the tower from May.")
    _article(tmp_path / "in1", "ferry.txt", "Ferry timetable", "The island ferry now sails every ninety minutes. "
             "Tickets are sold on board. The winter timetable starts in November.")
    writer_env = _env(tmp_path / "writer", chroma_url, onnx_cache)
    done = _cli(["ingest", "--json", str(tmp_path / "in1")], writer_env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["added"]) == 2
    assert not (tmp_path / "writer" / "chroma").exists()  # the index lives in the server, not locally

    answerers = [
        subprocess.Popen([sys.executable, "-c", ANSWERER], env=_env(tmp_path / name, chroma_url, onnx_cache),
                         cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for name in ("reader", "reader2")
    ]

    def ask(question: str) -> dict:
        """Both readers' answers, which must agree; the first's is returned."""
        got = []
        for answerer in answerers:
            answerer.stdin.write(question + "\n")
            answerer.stdin.flush()
            line = answerer.stdout.readline()
            assert line, answerer.stderr.read()
            got.append(json.loads(line))
        assert got[0] == got[1]
        return got[0]

    try:
        got = ask("Who restored the Varn Point lighthouse?")
        assert got["found"] and "Mira Olsk" in got["answer"] and got["sources"][0] == str(first)
        assert not ask("Who designed the new Kelm observatory?")["found"]

        # two writers at once, from two other data directories (two machines): both articles arrive
        second = _article(tmp_path / "in2", "observatory.txt", "Observatory opens",
                          "The new Kelm observatory was designed by the architect Tovi Brannick. It opened on "
                          "Saturday with a telescope donated by the university.")
        third = _article(tmp_path / "in3", "bakery.txt", "Bakery wins prize",
                         "The harbour bakery of Jessa Lund won the national bread prize. Its rye loaf was "
                         "judged the best of two hundred entries.")
        writers = [subprocess.Popen([sys.executable, "-m", "bot", "ingest", str(folder)], cwd=tmp_path,
                                    env=_env(tmp_path / name, chroma_url, onnx_cache), stderr=subprocess.PIPE,
                                    text=True)
                   for name, folder in (("writer", tmp_path / "in2"), ("writer2", tmp_path / "in3"))]
        for w in writers:
            assert w.wait(timeout=120) == 0, w.stderr.read()
        got = ask("Who designed the new Kelm observatory?")
        assert got["found"] and "Tovi Brannick" in got["answer"] and got["sources"][0] == str(second)
        got = ask("Whose bakery won the national bread prize?")
        assert got["found"] and "Jessa Lund" in got["answer"] and got["sources"][0] == str(third)
        assert "Mira Olsk" in ask("Who restored the Varn Point lighthouse?")["answer"]

        removed = _cli(["sources", "remove", str(second)], writer_env, tmp_path)
        assert removed.returncode == 0, removed.stderr
        assert not ask("Who designed the new Kelm observatory?")["found"]
    finally:
        logs = []
        for answerer in answerers:
            answerer.stdin.close()
            answerer.wait(timeout=30)
            logs.append(answerer.stderr.read())
    for log in logs:  # each reader filled its store once, then only caught up with what changed
        assert log.count("filling the passage store") == 1, log[-2000:]

    # a third, new process: sources and stats come from the server
    reader3 = _env(tmp_path / "reader3", chroma_url, onnx_cache)
    listed = json.loads(_cli(["sources", "--json"], reader3, tmp_path).stdout)
    assert sorted(s["title"] for s in listed) == ["Bakery wins prize", "Ferry timetable", "Lighthouse restored"]
    stats = json.loads(_cli(["stats", "--json"], reader3, tmp_path).stdout)
    assert stats["documents"] == 3 and stats["location"] == chroma_url


def test_a_server_that_is_down_is_a_clear_error(tmp_path, onnx_cache):
    env = _env(tmp_path / "data", f"http://127.0.0.1:{_free_port()}", onnx_cache)
    result = _cli(["ask", "anything?"], env, tmp_path)
    assert result.returncode == 1
    assert "the Chroma server at http://127.0.0.1:" in result.stderr and "Traceback" not in result.stderr


def test_a_server_behind_a_token_proxy_needs_the_token_and_never_logs_it(tmp_path, chroma_url, onnx_cache):
    from tests.retrieval.store.auth_proxy import AuthProxy

    token = "s3cret-token-for-the-index"
    article = _article(tmp_path / "in", "harbour.txt", "Harbour reopens",
                       "The Dunmere harbour reopened after the storm. The harbour master Elin Vask said repairs "
                       "cost two million crowns.")
    with AuthProxy(chroma_url, token) as proxy_url:
        env = _env(tmp_path / "data", proxy_url, onnx_cache)
        refused = _cli(["ingest", str(article)], env, tmp_path)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert "NEWSBOT_CHROMA_AUTH_TOKEN" in refused.stderr, refused.stderr

        wrong = _cli(["ingest", str(article)], dict(env, NEWSBOT_CHROMA_AUTH_TOKEN="not-it"), tmp_path)
        assert wrong.returncode == 1 and "NEWSBOT_CHROMA_AUTH_TOKEN" in wrong.stderr
        assert "not-it" not in wrong.stderr

        env["NEWSBOT_CHROMA_AUTH_TOKEN"] = token
        done = _cli(["ingest", str(article)], env, tmp_path)
        assert done.returncode == 0, done.stderr
        got = _cli(["ask", "--json", "Who is the Dunmere harbour master?"], env, tmp_path)
        assert got.returncode == 0, got.stderr
        assert "Elin Vask" in json.loads(got.stdout)["answer"]
        assert token not in got.stderr + done.stderr
