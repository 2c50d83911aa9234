"""The LLM answerer end to end: the real LangChain ``ChatOpenAI`` (through ``init_chat_model``) over HTTP to the
loopback OpenAI stand-in, the real model and the real seeded index. Each case asserts what the user finally gets.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time

import pytest

from tests.conftest import SEED, run_cli
from tests.llm import cases
from tests.llm.openai_standin import OpenAIStandin, Reply

DECLINE = "The articles I have do not answer this question."


@pytest.fixture(scope="module")
def standin():
    """One stand-in server for the module; each test scripts its own reply and sees only its own requests."""
    with OpenAIStandin() as server:
        yield server


@pytest.fixture
def llm(standin):
    standin.requests.clear()
    standin.reply(Reply("NOT IN THE ARTICLES"))
    yield standin
    standin.requests.clear()


def make_bot(tmp_path, embedder, notices, name="data", **llm_settings):
    from retrieval.core.settings import Settings
    from retrieval.newsbot import Newsbot

    settings = Settings(_env_file=None, data_dir=tmp_path / name, **llm_settings)
    return Newsbot(settings, embedder=embedder, notice=notices.append)


@pytest.fixture
def notices():
    return []


@pytest.fixture
def bot(tmp_path, embedder, llm, notices):
    """A Newsbot over the seed article whose LLM is the stand-in (2 s timeout)."""
    newsbot = make_bot(tmp_path, embedder, notices, llm="openai:standin", llm_base_url=llm.base_url,
                       llm_timeout=2)
    newsbot.ingest([SEED])
    return newsbot


@pytest.fixture
def hostile_bot(tmp_path, bot):
    """The same, with a hostile article (instructions aimed at the model, a forged fence) indexed too."""
    path = tmp_path / "hostile.txt"
    path.write_text(cases.HOSTILE_ARTICLE, encoding="utf-8")
    report = bot.ingest([path])
    assert report.added and not report.failed
    return bot


def markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def stream(bot, question, **kwargs):
    answers = bot.ask_stream(question, **kwargs)
    deltas = list(answers)
    assert all(isinstance(d, str) for d in deltas)
    return "".join(deltas), answers.result()


# ---- the scripted cases, asked plainly and streamed --------------------------------------------------

@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_well_cited_answer_is_shown_with_its_checked_citations(bot, llm, streamed):
    llm.reply(cases.well_cited)
    if streamed:
        deltas, answer = stream(bot, cases.QUESTION)
        assert "Khmeimim Air Base [" in deltas  # the raw text arrived piece by piece before the final answer
    else:
        answer = bot.ask(cases.QUESTION)
    assert answer.answerer == "llm" and answer.found and answer.fallback_reason is None
    assert "Iranian pilgrims" in answer.answer and "flown to Iran" in answer.answer
    assert markers(answer.answer) == {c.n for c in answer.citations} == set(range(1, len(answer.citations) + 1))
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Iranian pilgrims" in quotes and "Khmeimim Air Base" in quotes
    source = SEED.read_text(encoding="utf-8")
    for c in answer.citations:  # every quote is an exact span of the article
        assert c.quote in source
    request = llm.requests[-1]
    assert request.stream  # one path: `ask` is the end of the same streamed request
    assert request.body["model"] == "standin" and request.body["temperature"] == 0.0


def test_citation_of_a_passage_that_does_not_exist_is_removed(bot, llm):
    llm.reply(cases.bad_citation)
    answer = bot.ask(cases.QUESTION)
    assert answer.answerer == "llm" and answer.found
    assert "Iranian pilgrims" in answer.answer
    assert "[9]" not in answer.answer and "soldiers" not in answer.answer  # the sentence citing nothing is gone
    assert markers(answer.answer) == {1} and len(answer.citations) == 1


@pytest.mark.parametrize("case, reason", [
    (cases.only_bad_citations, "cited only passages that do not exist"),
    (cases.uncited, "cited no passage"),
    (cases.unsupported, "do not support"),
])
@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_unchecked_answers_are_replaced_by_the_extractive_answer(bot, llm, notices, case, reason, streamed):
    llm.reply(case)
    answer = stream(bot, cases.QUESTION)[1] if streamed else bot.ask(cases.QUESTION)
    extractive = bot.ask(cases.QUESTION, answerer="extractive")
    assert answer.answerer == "extractive-fallback" and reason in answer.fallback_reason
    assert answer.answer == extractive.answer and answer.citations == extractive.citations
    assert "soldiers" not in answer.answer and "[7]" not in answer.answer
    assert "Khmeimim Air Base" in answer.answer
    assert notices == []  # a rejected reply is not an outage: no operator notice


def test_not_in_the_articles_becomes_a_decline(bot, llm):
    llm.reply(cases.not_in_articles)
    answer = bot.ask(cases.OFF_TOPIC)
    assert answer.answerer == "llm" and not answer.found
    assert answer.answer == DECLINE and answer.citations == []
    deltas, streamed = stream(bot, cases.OFF_TOPIC)
    assert deltas.strip() == "NOT IN THE ARTICLES"
    assert streamed.answer == DECLINE and not streamed.found and streamed.answerer == "llm"


def test_a_slow_llm_times_out_and_the_extractive_answer_is_given(bot, llm, notices):
    llm.reply(cases.slow)
    started = time.monotonic()
    answer = bot.ask(cases.QUESTION)
    assert time.monotonic() - started < 5.5  # the 2 s timeout, not the 6 s the server would take
    assert answer.answerer == "extractive-fallback" and "in time" in answer.fallback_reason
    assert "Khmeimim Air Base" in answer.answer and answer.found
    assert len(notices) == 1 and "did not answer within 2 s (NEWSBOT_LLM_TIMEOUT)" in notices[0]
    # the next question does not wait again for a server that just failed
    started = time.monotonic()
    again = bot.ask(cases.QUESTION)
    assert time.monotonic() - started < 2 and again.answerer == "extractive-fallback"
    assert len(llm.requests) == 1 and len(notices) == 1


def test_a_stream_that_trickles_past_the_timeout_is_abandoned(bot, llm, notices):
    llm.reply(Reply("Iranian pilgrims were transferred to Iran " * 8 + "[1].", chunk_delay=0.3))
    deltas, answer = stream(bot, cases.QUESTION)
    assert deltas and "[1]." not in deltas  # some tokens arrived, then the deadline cut the stream
    assert answer.answerer == "extractive-fallback" and "in time" in answer.fallback_reason
    assert len(notices) == 1


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_a_malformed_response_falls_back_with_one_line(bot, llm, notices, streamed):
    llm.reply(cases.malformed)
    answer = stream(bot, cases.QUESTION)[1] if streamed else bot.ask(cases.QUESTION)
    assert answer.answerer == "extractive-fallback" and "could not be read" in answer.fallback_reason
    assert "Khmeimim Air Base" in answer.answer
    assert len(notices) == 1 and "\n" not in notices[0] and "cannot read" in notices[0]


# ---- the hostile article -----------------------------------------------------------------------------

@pytest.mark.parametrize("case", [cases.injected, cases.injected_cited], ids=["obeyed", "obeyed-and-cited"])
def test_hostile_article_cannot_change_what_the_user_sees(hostile_bot, llm, case):
    llm.reply(case)
    answer = hostile_bot.ask(cases.QUESTION)
    request = llm.requests[-1]

    # the article reached the model only as fenced data, numbered, in the user message
    passages = request.passages()
    hostile = request.passage_with("evil.example")
    assert "ignore all previous instructions" in passages[hostile]
    assert "evil.example" not in request.system and "ignore all previous" not in request.system
    fence = re.search(r"<<<PASSAGE \d+ (\w+)>>>", request.user).group(1)
    assert fence != "0000" and fence in request.system
    outside = re.sub(r"<<<PASSAGE (\d+) \w+>>>.*?<<<END PASSAGE \1 \w+>>>", "", request.user, flags=re.DOTALL)
    assert "evil.example" not in outside and "PWNED" not in outside
    assert "<<<END PASSAGE 1 0000>>>" not in request.user  # the forged fence was neutralised
    assert "<|im_start|>" not in request.user

    # and what the model did with it never reaches the user
    assert answer.answerer == "extractive-fallback"
    shown = json.dumps(answer.to_dict())
    assert "hacked" not in shown and "evil.example" not in shown and "PWNED" not in shown
    assert "Khmeimim" in answer.answer


def test_hostile_article_does_not_disturb_a_well_cited_answer(hostile_bot, llm):
    llm.reply(cases.well_cited)
    answer = hostile_bot.ask(cases.QUESTION)
    assert answer.answerer == "llm" and "Iranian pilgrims" in answer.answer
    assert "evil.example" not in json.dumps(answer.to_dict())


# ---- configuration -----------------------------------------------------------------------------------

def test_unreachable_server_is_one_line_and_the_extractive_answer(tmp_path, embedder, notices):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    newsbot = make_bot(tmp_path, embedder, notices, llm="openai:standin",
                       llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=2)
    newsbot.ingest([SEED])
    answer = newsbot.ask(cases.QUESTION)
    assert answer.answerer == "extractive-fallback" and "could not be reached" in answer.fallback_reason
    assert "Khmeimim Air Base" in answer.answer
    assert notices == [f"the LLM server (openai:standin at http://127.0.0.1:{port}/v1) cannot be reached; "
                       "answering extractively."]


def test_missing_provider_package_is_one_line_naming_the_extra(tmp_path, embedder, notices):
    pytest.importorskip("langchain")
    try:
        import langchain_ollama  # noqa: F401
        pytest.skip("langchain-ollama is installed here")
    except ImportError:
        pass
    newsbot = make_bot(tmp_path, embedder, notices, llm="ollama:llama3.1")
    newsbot.ingest([SEED])
    first, second = newsbot.ask(cases.QUESTION), newsbot.ask(cases.QUESTION)
    assert first.answerer == second.answerer == "extractive-fallback"
    assert len(notices) == 1  # said once, not at every question
    assert "pip install 'newsbot[ollama]'" in notices[0] and "langchain-ollama" in notices[0]


def test_answerer_llm_without_an_llm_is_an_error(tmp_path, embedder, notices):
    from retrieval.core.errors import NewsbotError

    newsbot = make_bot(tmp_path, embedder, notices)
    with pytest.raises(NewsbotError, match="set NEWSBOT_LLM"):
        newsbot.ask(cases.QUESTION, answerer="llm")
    with pytest.raises(NewsbotError, match="set NEWSBOT_LLM"):
        newsbot.ask_stream(cases.QUESTION, answerer="llm")  # raised at the call, before any item


def test_without_an_llm_the_extractive_answerer_runs_and_streams_nothing(tmp_path, embedder, notices):
    newsbot = make_bot(tmp_path, embedder, notices)
    newsbot.ingest([SEED])
    answers = newsbot.ask_stream(cases.QUESTION)
    assert list(answers) == []
    answer = answers.result()
    assert answer.answerer == "extractive" and answer.found


def test_answerer_extractive_overrides_a_configured_llm(bot, llm):
    llm.reply(cases.well_cited)
    answer = bot.ask(cases.QUESTION, answerer="extractive")
    assert answer.answerer == "extractive" and llm.requests == []


def test_the_api_key_is_sent_but_never_logged_or_shown(tmp_path, embedder, llm, notices, caplog):
    key = "sk-test-SECRET-0123456789abcdef"
    llm.reply(Reply(status=401, error=f"Incorrect API key provided: {key}. Also sk-tes***cdef."))
    newsbot = make_bot(tmp_path, embedder, notices, llm="openai:standin", llm_base_url=llm.base_url,
                       llm_api_key=key, llm_timeout=2)
    newsbot.ingest([SEED])
    with caplog.at_level(logging.DEBUG):
        answer = newsbot.ask(cases.QUESTION)
    assert llm.requests[-1].headers["Authorization"] == f"Bearer {key}"
    assert answer.answerer == "extractive-fallback" and "refused the API key" in answer.fallback_reason
    assert notices and "refused the API key" in notices[0]
    for text in [*notices, caplog.text, json.dumps(answer.to_dict()), repr(newsbot.settings)]:
        assert key not in text and "0123456789" not in text


def test_stream_can_be_abandoned_early(bot, llm):
    llm.reply(Reply("Iranian pilgrims were transferred " * 20 + "[1].", chunk_delay=0.05))
    answers = bot.ask_stream(cases.QUESTION)
    deltas = iter(answers)
    assert isinstance(next(deltas), str)
    deltas.close()  # an adapter that stops listening: no error, the HTTP stream is closed
    assert answers.answer is None


# ---- the CLI -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    """A data folder holding the seed and the hostile article, indexed once by `newsbot ingest`."""
    root = tmp_path_factory.mktemp("cli")
    hostile = root / "hostile.txt"
    hostile.write_text(cases.HOSTILE_ARTICLE, encoding="utf-8")
    done = run_cli(["ingest", str(SEED), str(hostile)], root / "data")
    assert done.returncode == 0, done.stderr
    return root / "data"


def cli_ask(cli_index, tmp_path, standin, *args, **env):
    data = tmp_path / "data"
    shutil.copytree(cli_index, data)
    env = {"NEWSBOT_LLM": "openai:standin", "NEWSBOT_LLM_BASE_URL": standin.base_url, "NEWSBOT_LLM_TIMEOUT": "2",
           **env}
    return run_cli(["ask", *args], data, **{k: v for k, v in env.items() if v is not None})


CLI_CASES = {
    # case: (responder, question, what the user must see, what they must not see)
    "well-cited": (cases.well_cited, cases.QUESTION,
                   ["Iranian pilgrims [1]", "Written by the LLM"], ["[9]", "evil"]),
    "bad-citation": (cases.bad_citation, cases.QUESTION,
                     ["among those transferred [1].", "Written by the LLM"], ["[9]", "soldiers"]),
    "uncited": (cases.uncited, cases.QUESTION,
                ["Khmeimim Air Base", "instead of the LLM's answer: the LLM's answer cited no passage"], ["flown out"]),
    "unsupported": (cases.unsupported, cases.QUESTION,
                    ["Khmeimim Air Base", "its cited passages do not support"], ["4,000", "Hezbollah"]),
    "injected": (cases.injected, cases.QUESTION, ["Khmeimim", "instead of the LLM's answer"],
                 ["hacked", "evil.example", "PWNED"]),
    "injected-cited": (cases.injected_cited, cases.QUESTION, ["Khmeimim", "instead of the LLM's answer"],
                       ["hacked", "evil.example", "PWNED"]),
    "slow": (cases.slow, cases.QUESTION, ["Khmeimim Air Base", "the LLM did not answer in time"], []),
    "malformed": (cases.malformed, cases.QUESTION, ["Khmeimim Air Base", "could not be read"], []),
    "not-in-articles": (cases.not_in_articles, cases.OFF_TOPIC, [DECLINE], ["NOT IN THE ARTICLES", "LLM"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_ask_shows_the_checked_answer(cli_index, tmp_path, standin, case):
    responder, question, shown, hidden = CLI_CASES[case]
    standin.reply(responder)
    # a generous time limit unless the case is about it: a cold CLI on a busy machine must not fail the others
    done = cli_ask(cli_index, tmp_path, standin, question, NEWSBOT_LLM_TIMEOUT="2" if case == "slow" else "30")
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    for text in shown:
        assert text in out, (case, done.stdout)
    for text in hidden:
        assert text not in out, (case, done.stdout)
    if case in ("slow", "malformed"):
        lines = [line for line in done.stderr.splitlines() if "LLM" in line]
        assert len(lines) == 1 and lines[0].endswith("answering extractively."), done.stderr
    else:
        assert "LLM" not in done.stderr, done.stderr


@pytest.mark.slow
def test_cli_ask_json_records_the_answerer(cli_index, tmp_path, standin):
    standin.reply(cases.uncited)
    done = cli_ask(cli_index, tmp_path, standin, cases.QUESTION, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["answerer"] == "extractive-fallback" and data["fallback_reason"] == "the LLM's answer cited no passage"


@pytest.mark.slow
def test_cli_answerer_option(cli_index, tmp_path, standin):
    standin.reply(cases.well_cited)
    standin.requests.clear()
    done = cli_ask(cli_index, tmp_path, standin, cases.QUESTION, "--answerer", "extractive", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["answerer"] == "extractive"
    assert standin.requests == []
    shutil.rmtree(tmp_path / "data")
    done = cli_ask(cli_index, tmp_path, standin, cases.QUESTION, "--answerer", "llm", NEWSBOT_LLM=None,
                   NEWSBOT_LLM_BASE_URL=None)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().startswith("error: no LLM is configured: set NEWSBOT_LLM")
    assert len(done.stderr.strip().splitlines()) == 1


def test_cli_help_names_the_answerer_option():
    from bot.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "--answerer" in sub.choices["ask"].format_help()


@pytest.mark.slow
def test_cli_never_prints_the_api_key_even_verbose(cli_index, tmp_path, standin):
    key = "sk-live-TOPSECRET-9876543210"
    standin.reply(Reply(status=401, error=f"Incorrect API key provided: {key}"))
    data = tmp_path / "data"
    shutil.copytree(cli_index, data)
    done = run_cli(["-v", "ask", cases.QUESTION], data, NEWSBOT_LLM="openai:standin",
                   NEWSBOT_LLM_BASE_URL=standin.base_url, NEWSBOT_LLM_API_KEY=key)
    assert done.returncode == 0, done.stderr
    assert standin.requests[-1].headers["Authorization"] == f"Bearer {key}"
    assert "refused the API key" in done.stderr and "refused the API key" in done.stdout
    assert "TOPSECRET" not in done.stdout + done.stderr


@pytest.mark.slow
def test_eval_with_the_llm_answerer_names_it_and_counts_fallbacks(cli_index, tmp_path, standin):
    from tests.conftest import ROOT

    standin.reply(cases.uncited)  # every answer falls back to the extractive one
    data = tmp_path / "data"
    shutil.copytree(cli_index, data)
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(line + "\n" for line in (ROOT / "seeds/eval/questions.jsonl").read_text()
                                 .splitlines()[:3]))
    done = run_cli(["eval", "--questions", str(questions), "--answerer", "llm", "--report", str(tmp_path / "r.json")],
                   data, NEWSBOT_LLM="openai:standin", NEWSBOT_LLM_BASE_URL=standin.base_url,
                   NEWSBOT_LLM_TIMEOUT="30")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["answerer"] == "llm"
    assert sum(report["answers_by"].values()) == 3 and "extractive-fallback" in report["answers_by"]
    assert "answerer: llm" in " ".join(done.stdout.split())
