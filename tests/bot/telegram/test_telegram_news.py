"""Fresh news through the bot: a followed feed refreshed on schedule, channel posts, /add for admins."""

from __future__ import annotations

import asyncio

import pytest

from tests.bot.telegram.test_telegram_bot import USER, _reply_to, running_bot
from tests.retrieval.feeds.website import send, serve

pytestmark = pytest.mark.asyncio
ADMIN = 4242
CHANNEL = -1001234567890

ITEM = ("<item><title>Ferry to Holm Island resumes after storm repairs</title><link>{base}/ferry</link>"
        "<description>The ferry is back.</description></item>")
FERRY = ("The ferry between Dunmere and Holm Island resumed on Friday after three weeks of storm repairs costing "
         "1.8 million crowns, the operator Norrsund Lines said. Crossings will run every ninety minutes from "
         "six in the morning until ten at night, and the first boat carried 212 passengers and a school choir. "
         "The operator said the pier at Holm had been rebuilt with steel piles that should last forty years. ") * 2


def _feed(base: str, items: str) -> bytes:
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Isles Post</title>{items}"
            "</channel></rss>").encode()


async def test_the_bot_follows_a_feed_and_answers_from_an_item_that_appears_later(standin, seeded):
    with serve() as web:
        items = {"xml": _feed(web.base, "")}
        web.routes["/isles.xml"] = lambda h: send(h, 200, items["xml"], "application/rss+xml")
        page = (f"<!doctype html><html><head><title>Ferry resumes</title><meta name='date' content='2026-06-05'>"
                f"</head><body><article><h1>Ferry to Holm Island resumes</h1><p>{FERRY}</p></article></body>"
                "</html>").encode()
        web.routes["/ferry"] = lambda h: send(h, 200, page, "text/html; charset=utf-8")
        seeded.settings = seeded.settings.model_copy(update={"fetch_min_delay": 0.0, "refresh_minutes": 0.02})
        seeded.close()  # the follower is built with the settings above: a refresh every 1.2 s
        await asyncio.to_thread(seeded.feeds.add, web.url("/isles.xml"))
        arrived = asyncio.Event()

        async def on_new(context, sources):
            arrived.set()

        async with running_bot(standin, seeded) as app:
            app.bot_data["on_new_articles"] = on_new
            items["xml"] = _feed(web.base, ITEM.format(base=web.base))
            await asyncio.wait_for(arrived.wait(), timeout=60)  # within one refresh period or two
            replies = await _reply_to(standin, USER, "How much did the Holm Island ferry repairs cost?",
                                      user_id=USER)
    text = "".join(r.params["text"] for r in replies)
    assert "1.8 million crowns" in text and web.url("/ferry") in text


async def test_a_channel_post_is_indexed_and_cited_with_its_link_and_an_edit_replaces_it(standin, seeded):
    arrived = asyncio.Event()

    async def on_new(context, sources):
        arrived.set()

    post = ("Tram fares rise in Dunmere\nThe city council raised the single tram fare to 3.40 crowns from March, "
            "citing higher energy costs, and kept the monthly pass at 60 crowns.")
    async with running_bot(standin, seeded, telegram_channels=["@dunmere_news"]) as app:
        app.bot_data["on_new_articles"] = on_new
        standin.queue_channel_post(-100999, "An unlisted channel's post about tram fares at 9 crowns.", "Other")
        sent = standin.queue_channel_post(CHANNEL, post, "Dunmere News", username="dunmere_news")
        await asyncio.wait_for(arrived.wait(), timeout=60)
        first = await _reply_to(standin, USER, "How much is the single tram fare in Dunmere?", user_id=USER)
        arrived.clear()
        standin.queue_channel_post(CHANNEL, post.replace("3.40", "3.60"), "Dunmere News", username="dunmere_news",
                                   message_id=sent["channel_post"]["message_id"], edited=True)
        await asyncio.wait_for(arrived.wait(), timeout=60)
        second = await _reply_to(standin, USER, "How much is the single tram fare in Dunmere?", user_id=USER)
    link = f"https://t.me/dunmere_news/{sent['channel_post']['message_id']}"
    first_text = "".join(r.params["text"] for r in first)
    assert "3.40 crowns" in first_text and link in first_text and "Dunmere News" in first_text
    assert "9 crowns" not in first_text  # the unlisted channel was not indexed
    second_text = "".join(r.params["text"] for r in second)
    assert "3.60 crowns" in second_text and "3.40" not in second_text
    assert not standin.calls("sendMessage") or all(int(c.params["chat_id"]) != CHANNEL
                                                   for c in standin.calls("sendMessage"))


async def test_add_follows_a_feed_for_admins_only(standin, seeded):
    with serve() as web:
        seeded.settings = seeded.settings.model_copy(update={"fetch_min_delay": 0.0})
        seeded.close()
        async with running_bot(standin, seeded, telegram_admins=[ADMIN]):
            (refused,) = await _reply_to(standin, USER, f"/add {web.url('/feeds/rss.xml')}", user_id=USER)
            (done,) = await _reply_to(standin, ADMIN, f"/add {web.url('/feeds/rss.xml')}", user_id=ADMIN,
                                      timeout=120)
    assert "admins" in refused.params["text"]
    assert "new articles indexed" in done.params["text"] and "following it" in done.params["text"]
    assert any(f.url == web.url("/feeds/rss.xml") for f in seeded.feeds.feeds())
