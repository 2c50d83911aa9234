"""The bot as a news companion, through the stand-in: inline answers, topic alerts, digests, time zones, restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from bot.telegram import companion
from bot.telegram.store import BotStore
from tests.bot.telegram.test_telegram_bot import USER, _reply_to, running_bot

pytestmark = pytest.mark.asyncio
OTHER = 777


def _results(call):
    results = call.params["results"]
    return json.loads(results) if isinstance(results, str) else results


async def test_inline_query_answers_with_the_citation_and_serves_repeats_from_the_cache(standin, seeded):
    async with running_bot(standin, seeded):
        standin.queue_inline_query(USER, "who evacuated via Khmeimim?")
        first = await standin.wait_for("answerInlineQuery", timeout=60)
        standin.queue_inline_query(USER, "  Who evacuated via KHMEIMIM  ")
        await standin.wait_for("answerInlineQuery", lambda c: c is not first, timeout=60)
    calls = standin.calls("answerInlineQuery")
    answers = [_results(c) for c in calls]
    if answers[0][0]["id"] == "thinking":  # the model was busy: the second query is served from the cache
        answers = answers[1:]
    (result,) = answers[0]
    message = result["input_message_content"]["message_text"]
    assert "Khmeimim Air Base" in message and "pilgrims" in message
    assert answers[-1][0]["input_message_content"] == result["input_message_content"]  # the cached answer
    assert BotStore(seeded.settings.data_dir).cached(companion.inline_key("who evacuated via khmeimim")) is not None


async def test_inline_decline_is_one_honest_result_and_the_allowlist_holds(standin, seeded):
    async with running_bot(standin, seeded, telegram_allowed_users=[USER]):
        standin.queue_inline_query(USER, "What is the capital of France?")
        await standin.wait_for("answerInlineQuery", timeout=60)
        standin.queue_inline_query(OTHER, "who evacuated via Khmeimim?")
        await standin.wait_for("answerInlineQuery", lambda c: len(standin.calls("answerInlineQuery")) > 1,
                               timeout=60)
    declined, refused = (_results(c) for c in standin.calls("answerInlineQuery"))
    assert len(declined) == 1 and "do not answer" in declined[0]["input_message_content"]["message_text"]
    assert refused[0]["id"] == "refused"


async def test_inline_queries_are_rate_limited(standin, seeded):
    async with running_bot(standin, seeded, telegram_rate_limit=1):
        standin.queue_inline_query(USER, "who evacuated via Khmeimim?")
        await standin.wait_for("answerInlineQuery", timeout=60)
        standin.queue_inline_query(USER, "Where was the stronghold of the groups?")
        await standin.wait_for("answerInlineQuery", lambda c: len(standin.calls("answerInlineQuery")) > 1,
                               timeout=60)
    assert _results(standin.calls("answerInlineQuery")[1])[0]["id"] == "slow"


def _article(folder, name, title, day, body):
    path = folder / name
    path.write_text(f"Title: {title}\nDate: {day}\nSource: Isles Post\n\n{body}", encoding="utf-8")
    return path


FERRY = ("The ferry between Dunmere and Holm Island resumed on Friday after three weeks of storm repairs, the "
         "operator Norrsund Lines said. Crossings will run every ninety minutes and the first boat carried 212 "
         "passengers. The rebuilt pier at Holm has steel piles meant to last forty years.")


async def test_follow_then_a_new_article_alerts_once_and_following_lists_it(standin, seeded, tmp_path):
    async with running_bot(standin, seeded) as app:
        (done,) = await _reply_to(standin, USER, "/follow Holm Island ferry", user_id=USER)
        assert "Following" in done.params["text"]
        (listed,) = await _reply_to(standin, USER, "/following", user_id=USER)
        assert "1. Holm Island ferry" in listed.params["text"]
        path = _article(tmp_path, "ferry.txt", "Holm Island ferry resumes", "2025-06-06", FERRY)
        report = await asyncio.to_thread(seeded.ingest, [path])

        class Context:  # what a job or handler passes to the hook
            application = app
            bot = app.bot

        await companion.alert_new_articles(Context(), report.added)
        alert = await standin.wait_for("sendMessage", lambda c: "🔔" in c.params.get("text", ""), timeout=60)
        await companion.alert_new_articles(Context(), report.added)  # the same article again: no second alert
        (stop,) = await _reply_to(standin, USER, "/unfollow 1", user_id=USER)
    assert "Holm Island ferry resumes" in alert.params["text"] and "Isles Post" in alert.params["text"]
    assert "212 passengers" in alert.params["text"] or "ferry" in alert.params["text"]
    assert sum("🔔" in c.params.get("text", "") for c in standin.calls("sendMessage")) == 1
    assert "Stopped following" in stop.params["text"]


async def test_an_uploaded_article_alerts_its_followers(standin, seeded):
    admin = 31337
    async with running_bot(standin, seeded, telegram_admins=[admin]):
        await _reply_to(standin, USER, "/follow Holm Island ferry", user_id=USER)
        body = f"Title: Holm Island ferry resumes\nDate: 2025-06-06\nSource: Isles Post\n\n{FERRY}".encode()
        standin.queue_document(admin, admin, "ferry.txt", body, "text/plain")
        alert = await standin.wait_for("sendMessage", lambda c: "🔔" in c.params.get("text", ""), timeout=60)
    assert int(alert.params["chat_id"]) == USER and "Holm Island ferry resumes" in alert.params["text"]


async def test_an_article_ingested_by_another_process_alerts_once(standin, seeded, tmp_path):
    """`newsbot ingest` run beside the bot (a separate process, the same data directory) reaches followers."""
    from tests.conftest import run_cli

    data_dir = seeded.settings.data_dir
    async with running_bot(standin, seeded, telegram_watch_seconds=1.0):
        await _reply_to(standin, USER, "/follow Holm Island ferry", user_id=USER)
        await asyncio.sleep(1.5)  # the watcher has noted what was indexed before
        ferry = _article(tmp_path, "ferry.txt", "Holm Island ferry resumes", "2025-06-06", FERRY)
        other = _article(tmp_path, "budget.txt", "Council budget passed", "2025-06-06",
                         "Dunmere council passed its budget on Thursday with a rise in spending on libraries.")
        done = await asyncio.to_thread(run_cli, ["ingest", str(ferry), str(other)], data_dir)
        assert done.returncode == 0, done.stderr
        alert = await standin.wait_for("sendMessage", lambda c: "🔔" in c.params.get("text", ""), timeout=60)
        await asyncio.sleep(3)  # more watcher runs: no second alert
    assert int(alert.params["chat_id"]) == USER and "Holm Island ferry resumes" in alert.params["text"]
    assert sum("🔔" in c.params.get("text", "") for c in standin.calls("sendMessage")) == 1


async def test_alerts_are_capped_per_hour_and_the_rest_folded(standin, seeded, tmp_path):
    stories = [
        "Fares on the Holm Island ferry will rise by twelve percent in July, Norrsund Lines said on Monday.",
        "A new summer timetable doubles the evening sailings of the Holm Island ferry from the first of June.",
        "Crew members of the Holm Island ferry voted to strike over rosters, halting crossings for two days.",
        "Norrsund Lines ordered a hybrid vessel for the Holm Island ferry route from a shipyard in Gdynia.",
        "Engineers found cracks in the Holm pier, and the island ferry will dock at the old quay until autumn.",
        "Tourist arrivals on the Holm Island ferry reached a record 41,000 in May, the island council said.",
        "The winter service of the Holm Island ferry will keep three daily crossings despite the storms.",
    ]
    paths = [_article(tmp_path, f"f{i}.txt", text.split(",")[0][:60], "2025-06-06", text)
             for i, text in enumerate(stories)]
    async with running_bot(standin, seeded) as app:
        await _reply_to(standin, USER, "/follow Holm Island ferry", user_id=USER)
        report = await asyncio.to_thread(seeded.ingest, paths)

        class Context:
            application = app
            bot = app.bot

        await companion.alert_new_articles(Context(), report.added)
        await standin.wait_for("sendMessage", lambda c: "more new articles" in c.params.get("text", ""), timeout=60)
    alerts = [c for c in standin.calls("sendMessage") if "🔔" in c.params.get("text", "")]
    assert len(alerts) == companion.ALERTS_PER_HOUR


async def test_digest_now_and_on_a_schedule_in_the_chats_time_zone(standin, seeded, tmp_path):
    today = dt.datetime.now(ZoneInfo("Pacific/Auckland")).date().isoformat()
    seeded.ingest([_article(tmp_path, "today.txt", "Holm Island ferry resumes", today, FERRY)])
    async with running_bot(standin, seeded):
        (zone,) = await _reply_to(standin, USER, "/timezone Pacific/Auckland", user_id=USER)
        assert "Pacific/Auckland" in zone.params["text"]
        (now,) = await _reply_to(standin, USER, "/digest", user_id=USER)
        soon = (dt.datetime.now(ZoneInfo("Pacific/Auckland")) + dt.timedelta(minutes=1)).strftime("%H:%M")
        (scheduled,) = await _reply_to(standin, USER, f"/digest daily {soon}", user_id=USER)
        digest = await standin.wait_for(
            "sendMessage", lambda c: "Top stories" in c.params.get("text", "") and c is not now, timeout=120)
        (off,) = await _reply_to(standin, USER, "/digest off", user_id=USER)
    assert "Holm Island ferry resumes" in now.params["text"] and today in now.params["text"]
    assert soon in scheduled.params["text"] and "Holm Island ferry resumes" in digest.params["text"]
    assert "off" in off.params["text"].lower()


async def test_a_restart_keeps_topics_digests_and_time_zones(standin, seeded):
    async with running_bot(standin, seeded):
        await _reply_to(standin, USER, "/timezone Europe/Berlin", user_id=USER)
        await _reply_to(standin, USER, "/follow Syria", user_id=USER)
        await _reply_to(standin, USER, "/digest daily 08:00", user_id=USER)
    async with running_bot(standin, seeded) as app:  # a new Application over the same data directory
        (listed,) = await _reply_to(standin, USER, "/following", user_id=USER)
        jobs = app.job_queue.get_jobs_by_name(f"digest-{USER}")
    assert "Syria" in listed.params["text"]
    assert len(jobs) == 1 and str(jobs[0].trigger.timezone) == "Europe/Berlin"
