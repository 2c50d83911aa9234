"""Shared fixtures: the real model loaded once per session, a real Chroma in a temporary folder per test."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_02dd03580792acdc.txt"
CARMAKERS = ROOT / "tests" / "fixtures" / "carmakers"  # three invented articles: two carmakers and a bank
BBC = ROOT.parent / "shared" / "corpora" / "bbc"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# one ONNX export for the whole test session (every process answers with it), not one per data directory
SESSION_ONNX = Path(tempfile.mkdtemp(prefix="newsbot-onnx-"))
os.environ["NEWSBOT_ONNX_DIR"] = str(SESSION_ONNX)
atexit.register(shutil.rmtree, SESSION_ONNX, ignore_errors=True)  # 87 MB per test session otherwise left in /tmp


@pytest.fixture(scope="session")
def embedder():
    """The real bundled embedding model, loaded once for the whole test session."""
    from retrieval.search.embeddings import Embedder

    model = Embedder()
    model.embed_query("warm up")
    return model


@pytest.fixture
def settings(tmp_path):
    """Settings with a fresh data directory; no `.env` from the working directory is read."""
    from retrieval.core.settings import Settings

    return Settings(_env_file=None, data_dir=tmp_path / "data")


@pytest.fixture
def newsbot(settings, embedder):
    from retrieval.newsbot import Newsbot

    return Newsbot(settings, embedder=embedder)


@pytest.fixture
def seeded(newsbot):
    """A Newsbot whose index holds the seed article."""
    newsbot.ingest([SEED])
    return newsbot


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a `newsbot` subprocess: its own data dir, the checkout importable, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(NEWSBOT_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", COLUMNS="120",
               NEWSBOT_ONNX_DIR=str(SESSION_ONNX))
    env.update(extra)
    return env


def run_cli(args: list[str], data_dir: Path, input: str | None = None, timeout: float = 300,
            **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `newsbot ARGS` as a new process (``python -m bot``) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=data_dir.parent, env=cli_env(data_dir, **extra),
        input=input, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def onnx_cache(embedder, tmp_path_factory):
    """The bundled model exported for the `onnx` backend once per session; `use_onnx_cache` links it in.

    Subprocess tests run with NEWSBOT_EMBEDDING_BACKEND=onnx: the same vectors as torch, but a process starts
    in about 2 s instead of 7 (no torch import).
    """
    from retrieval.search.onnx_backend import exported_model

    cache = SESSION_ONNX
    exported_model(embedder.location, "onnx", cache)
    return cache


def use_onnx_cache(cache: Path, data_dir: Path) -> None:
    """Hard-link the session's ONNX export into ``data_dir/onnx`` (where the backend looks for it)."""
    import shutil

    if not (data_dir / "onnx").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copytree(cache, data_dir / "onnx", copy_function=os.link)
