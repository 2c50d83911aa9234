"""The sentence reader shipped in the package: it loads without torch, reads which sentence answers, finds the
span, and the answers it changes are the ones word overlap got wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.answering.reader import Reader, encode
from retrieval.core.text import sentence_spans
from tests.conftest import ROOT

SEED_TEXT = (
    "Speaking to IRNA on Friday, Esmaeil Baghaei Hamaneh said that the presence of Iranian advisers in Syria from "
    "the beginning was aimed at helping the Syrian army. We prefer to exchange opinions through official channels, "
    "he stated. All these people were transported to Iran by Iranian planes and through Khmeimim Air Base, he added."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader.load(threads=2)


def best_sentence(reader: Reader, question: str, text: str = SEED_TEXT) -> tuple[str, str | None, float]:
    spans = sentence_spans(text)
    readings = reader.read(question, [("Iran on advisers in Syria", "", text, spans)])[0]
    i = max(range(len(spans)), key=lambda j: readings[j].logit if readings[j] else -1e9)
    r = readings[i]
    assert r is not None
    span = text[r.span[0] : r.span[1]] if r.span else None
    return text[spans[i][0] : spans[i][1]], span, r.probability


def test_the_input_puts_each_passage_token_in_its_sentence(reader):
    spans = sentence_spans(SEED_TEXT)
    enc = encode(reader.tokenizer, "Who spoke to IRNA?", "A title", "The sentence before.", SEED_TEXT, spans)
    assert enc.ids[0] == reader.tokenizer.token_to_id("[CLS]") and enc.ids[-1] == reader.tokenizer.token_to_id("[SEP]")
    assert enc.types[1] == 0 and enc.types[-1] == 1  # the question, then the rest
    words = {}
    for s, (start, end) in zip(enc.sentence, enc.offsets, strict=True):
        if s >= 0:
            words.setdefault(s, []).append(SEED_TEXT[start:end])
    assert sorted(words) == [0, 1, 2]
    first, last = "".join(words[0]).lower(), "".join(words[2]).lower()  # word pieces, joined
    assert "irna" in first and "khmeimim" not in first and "khmeimim" in last


def test_a_long_passage_is_cut_and_the_sentences_past_the_cut_are_not_read(reader):
    text = " ".join(f"Sentence number {i} says something about the harbour." for i in range(120))
    readings = reader.read("What about the harbour?", [("", "", text, sentence_spans(text))])[0]
    assert readings[0] is not None and readings[-1] is None


def test_the_reader_picks_the_sentence_that_answers_and_its_span(reader):
    sentence, span, _ = best_sentence(reader, "Which news agency did the Iranian official speak to?")
    assert sentence.startswith("Speaking to IRNA") and span == "IRNA"


def test_a_paraphrase_is_read_as_the_same_question(reader):
    # "exchange views" against "exchange opinions": the word-overlap features declined it
    sentence, _, probability = best_sentence(reader, "How does Tehran prefer to exchange views with Moscow?")
    assert sentence.startswith("We prefer to exchange opinions") and probability > 0.5


def test_the_bot_answers_a_paraphrase_and_declines_a_near_miss(seeded):
    # neither "Tehran" nor "Moscow" is in the article: the word rules alone declined it
    answer = seeded.ask("How does Tehran prefer to exchange views with Moscow?")
    assert answer.found and "exchange opinions through official channels" in answer.answer
    # the article names Iran's officials but not its president: word overlap answered it
    near = seeded.ask("Who is the president of Iran?")
    assert not near.found


def test_the_bot_answers_the_khmeimim_question_with_who_was_evacuated(seeded):
    answer = seeded.ask("who evacuated via Khmeimim?")
    assert answer.found and "pilgrims" in answer.answer and "Khmeimim Air Base" in answer.answer


def test_the_shipped_model_loads_from_an_installed_package_without_torch(tmp_path):
    """In an installed newsbot (CI's fresh virtual environment), the model file ships in the package and reads
    without torch; from a source checkout alone there is no installed package to check."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = (
        "import sys, retrieval.answering.reader as r; from pathlib import Path;"
        "print(Path(r.__file__).resolve())"
    )
    where = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    if where.returncode != 0 or Path(where.stdout.strip()).is_relative_to(ROOT / "retrieval"):
        pytest.skip("newsbot is not installed apart from this checkout")
    # the reader alone, in a process that imports nothing else: it loads from the package and never imports torch
    script = (
        "import sys; from retrieval.answering.reader import Reader; from retrieval.core.text import sentence_spans;"
        f"t = {SEED_TEXT!r}; s = sentence_spans(t);"
        "out = Reader.load().read('Which news agency did the Iranian official speak to?', [('', '', t, s)])[0];"
        "best = max(range(len(s)), key=lambda i: out[i].logit);"
        "print(t[s[best][0]:s[best][1]]); print('torch' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    sentence, torch_loaded = run.stdout.strip().splitlines()
    assert sentence.startswith("Speaking to IRNA") and torch_loaded == "False"
    # the installed newsbot, on a fresh data directory, answers the Khmeimim question from the bundled seed
    ask = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "who evacuated via Khmeimim?"],
        cwd=tmp_path,
        env={**env, "NEWSBOT_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
    )
    assert ask.returncode == 0, ask.stderr
    assert "pilgrims" in ask.stdout and "Khmeimim Air Base" in ask.stdout and "do not answer" not in ask.stdout


def test_the_model_is_small_enough_to_ship():
    folder = ROOT / "retrieval" / "answering" / "models"
    assert sum(p.stat().st_size for p in folder.iterdir()) < 30_000_000
