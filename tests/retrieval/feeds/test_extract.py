"""News pages become articles: the story without menus or ads, the title, the date and the canonical URL."""

from __future__ import annotations

import pytest

from retrieval.core.errors import InputError
from retrieval.feeds import article_from_page, article_from_text
from tests.retrieval.feeds.website import SITE, WEB

BASE = "http://127.0.0.1:8765"


def page(path: str) -> bytes:
    return (WEB / SITE[path][0]).read_text(encoding="utf-8").replace("{{BASE}}", BASE).encode()


def test_a_news_page_gives_the_story_without_navigation_or_ads():
    article = article_from_page(page("/news/2026/riverton-footbridge"), BASE + "/news/2026/riverton-footbridge?utm=x")
    assert article.title == "Riverton council approves harbour footbridge"
    assert article.date == "2026-03-14"
    assert "lifting centre span of eighteen metres" in article.text
    assert "the fish market will stay open" in article.text  # the last paragraph is there
    for noise in ("Dormo Outlet", "Subscribe", "Most read", "All rights reserved", "Vell valley from 199"):
        assert noise not in article.text
    assert article.source == article.url == BASE + "/news/2026/riverton-footbridge"  # the canonical URL
    # the page's <h1> is the title, not the start of the first sentence
    assert article.text.startswith("Riverton town council voted")


def test_without_a_canonical_link_the_fetched_url_is_the_source_and_the_meta_date_is_used():
    url = BASE + "/culture/library-reopens"
    article = article_from_page(page(url.removeprefix(BASE)).decode(), url)
    assert article.source == article.url == url
    assert article.date == "2026-05-09"
    assert "replaced about 6,500 of the lost books" in article.text and "Learn a language" not in article.text


def test_the_feed_title_and_date_win_over_the_page():
    article = article_from_page(page("/news/2026/vell-frost"), BASE + "/news/2026/vell-frost",
                                title="Frost hits orchards", date="2026-04-23T00:10:00+00:00")
    assert article.title == "Frost hits orchards" and article.date == "2026-04-23"


def test_the_charset_the_server_declares_is_used():
    html = ("<html><head><title>Caf\u00e9 reopens</title></head><body><article><h1>Caf\u00e9 reopens</h1><p>"
            + "The caf\u00e9 on the square reopened on Monday with a new terrace and longer hours. " * 4
            + "</p></article></body></html>")
    article = article_from_page(html.encode("latin-1"), BASE + "/cafe", charset="iso-8859-1")
    assert "caf\u00e9 on the square" in article.text


def test_a_page_without_an_article_is_an_input_error():
    with pytest.raises(InputError, match="no article text on the page"):
        article_from_page(page("/news"), BASE + "/news")
    with pytest.raises(InputError, match="empty page"):
        article_from_page(b"   ", BASE + "/blank")


def test_a_page_over_the_cap_is_refused_before_extraction():
    with pytest.raises(InputError, match=r"page larger than 0.1 MB \(0.2 MB\): not extracted"):
        article_from_page(b"<p>" + b"word " * 40_000 + b"</p>", BASE + "/big", max_bytes=100_000)


def test_the_same_text_from_different_urls_is_the_same_document():
    one = article_from_page(page("/story/skarn-lighthouse"), BASE + "/story/skarn-lighthouse")
    two = article_from_page(page("/amp/skarn-lighthouse"), BASE + "/amp/skarn-lighthouse")
    assert one.id == two.id and one.source != two.source


def test_feed_full_text_becomes_an_article_with_its_url():
    article = article_from_text("Tram drivers vote to strike.\n\nServices stop on 2 June.", BASE + "/t",
                                title="Tram strike", date="Mon, 18 May 2026 17:45:00 GMT")
    assert (article.title, article.date, article.source, article.url) == ("Tram strike", "2026-05-18", BASE + "/t",
                                                                          BASE + "/t")
