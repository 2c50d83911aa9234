"""Feeds and sitemaps read from bytes: kinds, items, dates, full text, news sitemaps, indexes, malformed XML."""

from __future__ import annotations

import gzip

import pytest

from retrieval.feeds import detect_kind, feed_links, parse_feed, parse_sitemap
from tests.retrieval.feeds.website import SITE, WEB

BASE = "http://127.0.0.1:8765"


def page(path: str) -> bytes:
    return (WEB / SITE[path][0]).read_text(encoding="utf-8").replace("{{BASE}}", BASE).encode()


@pytest.mark.parametrize(("path", "kind"), [
    ("/feeds/rss.xml", "rss"), ("/feeds/atom.xml", "atom"), ("/feeds/news-sitemap.xml", "sitemap"),
    ("/feeds/sitemap-index.xml", "sitemapindex"), ("/news/2026/vell-frost", "html"),
    ("/feeds/malformed.xml", "rss"), ("/feeds/feed.json", "jsonfeed"),
])
def test_the_kind_comes_from_the_root_element_whatever_the_content_type(path, kind):
    assert detect_kind(page(path), "application/octet-stream", BASE + "/x") == kind


def test_the_kind_survives_a_bom_comments_a_doctype_and_gzip():
    rdf = b"\xef\xbb\xbf\n<!-- generated -->\n<?xml-stylesheet href='s.xsl'?>\n<rdf:RDF xmlns:rdf='x'></rdf:RDF>"
    assert detect_kind(rdf) == "rss"
    assert detect_kind(b"<!DOCTYPE html>\n<HTML><body></body></HTML>") == "html"
    assert detect_kind(gzip.compress(page("/feeds/sitemap-index.xml"))) == "sitemapindex"
    assert detect_kind(b"{\"json\": true}", "application/json") == "unknown"
    assert detect_kind(b"plain words", "text/html; charset=utf-8") == "html"


def test_an_rss_feed_gives_links_titles_dates_and_guids():
    feed = parse_feed(page("/feeds/rss.xml"))
    assert feed.error is None and feed.title == "The Riverton Courier: news" and feed.language == "en-gb"
    assert [item.url for item in feed.items] == [
        BASE + "/news/2026/riverton-footbridge", BASE + "/news/2026/vell-frost", BASE + "/culture/library-reopens",
        BASE + "/news/2026/tram-strike",
    ]
    bridge = feed.items[0]
    assert bridge.title == "Riverton council approves harbour footbridge"
    assert bridge.date == "2026-03-14T08:30:00+00:00" and bridge.guid == "courier-2026-0314-bridge"
    assert bridge.summary == "A 140-metre footbridge will link the old harbour to the Saltings estate."
    assert bridge.content == ""
    assert feed.items[2].date == "2026-05-09T09:00:00+00:00"  # +0100 in the feed, UTC here


def test_the_full_text_a_feed_carries_is_kept_as_paragraphs():
    strike = parse_feed(page("/feeds/rss.xml")).items[3]
    paragraphs = strike.content.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("Tram drivers in Riverton have voted")
    assert "<p>" not in strike.content and len(strike.content.split()) > 200


def test_an_atom_feed_resolves_relative_links_and_strips_html_titles():
    feed = parse_feed(page("/feeds/atom.xml"), base_url=BASE + "/feeds/atom.xml")
    assert feed.error is None and feed.title == "Vell Valley Gazette"
    frost, library = feed.items
    assert frost.url == BASE + "/news/2026/vell-frost" and frost.date == "2026-04-22T06:05:00+00:00"
    assert library.url == BASE + "/culture/library-reopens"
    assert library.title == "Marlow Street library reopens eight months after the flood"
    assert library.summary == "More than 600 people queued." and library.guid == "urn:uuid:gazette-library-2026"


def test_a_malformed_feed_keeps_the_items_before_the_error_and_says_where():
    feed = parse_feed(page("/feeds/malformed.xml"))
    assert [item.title for item in feed.items][:2] == [
        "Riverton council approves harbour footbridge", "Late frost ruins a third of the Vell valley apple blossom"]
    assert feed.error is not None and feed.error.startswith("malformed feed XML") and "\n" not in feed.error


def test_bytes_that_are_no_feed_give_an_error_and_no_items():
    result = parse_feed(b"<html><body>hello</body></html>")
    assert result.items == [] and result.error is not None
    assert parse_feed(b"").items == []


def test_a_news_sitemap_gives_titles_publication_dates_and_languages():
    sitemap = parse_sitemap(page("/feeds/news-sitemap.xml"))
    assert sitemap.error is None and sitemap.children == []
    bridge, library = sitemap.pages
    assert bridge.url == BASE + "/news/2026/riverton-footbridge"
    assert bridge.title == "Riverton council approves harbour footbridge"
    assert bridge.date == "2026-03-14T08:30:00+00:00" and bridge.language == "en"
    assert library.date == "2026-05-09"


def test_a_plain_sitemap_gives_urls_and_lastmod_and_skips_non_http_locations():
    sitemap = parse_sitemap(page("/feeds/pages-sitemap.xml"))
    expected = [(BASE + "/news/2026/vell-frost", "2026-04-22", None)]
    assert [(p.url, p.lastmod, p.title) for p in sitemap.pages] == expected


def test_a_sitemap_index_lists_its_children_even_gzipped():
    children = [BASE + "/feeds/news-sitemap.xml", BASE + "/feeds/pages-sitemap.xml"]
    assert parse_sitemap(page("/feeds/sitemap-index.xml")).children == children
    assert parse_sitemap(gzip.compress(page("/feeds/sitemap-index.xml"))).children == children


def test_a_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    result = parse_sitemap(bomb, max_bytes=1_000_000)
    assert result.pages == [] and result.error == "bad gzip sitemap: larger than 1 MB once decompressed"


def test_a_malformed_sitemap_keeps_the_readable_urls_and_reports_the_line():
    sitemap = parse_sitemap(page("/feeds/malformed-sitemap.xml"))
    readable = [BASE + "/news/2026/riverton-footbridge", BASE + "/news/2026/vell-frost"]
    assert [p.url for p in sitemap.pages][:2] == readable
    assert sitemap.error is not None and sitemap.error.startswith("malformed sitemap XML at line 5")


def test_sitemap_entities_are_not_expanded():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
           b'<urlset><url><loc>http://a.example/&x;</loc></url></urlset>')
    pages = parse_sitemap(xxe).pages
    assert all("\n" not in p.url and p.url.startswith("http://a.example/") for p in pages)


def test_a_page_advertises_its_feeds():
    assert feed_links(page("/news"), BASE + "/news") == [BASE + "/feeds/rss.xml", BASE + "/feeds/atom.xml"]
    assert feed_links(b"", BASE) == []


def test_a_json_feed_gives_links_titles_dates_and_text():
    result = parse_feed(page("/feeds/feed.json"))
    assert result.error is None and result.title == "The Riverton Courier (JSON Feed)" and result.language == "en-GB"
    bridge, frost = result.items  # the item with no link and the item that is no object are left out
    assert (bridge.url, bridge.guid, bridge.date) == (BASE + "/news/2026/riverton-footbridge",
                                                      "courier-2026-0314-bridge", "2026-03-14T08:30:00+00:00")
    assert bridge.summary.startswith("A 140-metre footbridge") and bridge.content == ""
    assert frost.url == BASE + "/news/2026/vell-frost"  # an id that is a link stands for the url
    assert frost.date == "2026-04-22T06:05:00+00:00"  # in UTC
    assert frost.content == "Growers count the cost of two nights at minus four degrees."  # content_html as text


@pytest.mark.parametrize(("body", "error"), [
    (b'{"version": "https://jsonfeed.org/version/1", "items": [', "malformed JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": 3}', "no list of items"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 100 + b"]" * 100 + b"}", "nested deeper"),
])
def test_a_broken_json_feed_gives_an_error_and_no_items(body, error):
    result = parse_feed(body)
    assert result.items == [] and error in (result.error or "")


def test_a_json_feed_is_known_by_its_content_type_too():
    assert detect_kind(b"{}", "application/feed+json") == "jsonfeed"
    assert detect_kind(b'{"title": "not a feed"}', "application/json") == "unknown"


def test_a_page_may_advertise_a_json_feed():
    html = b'<html><head><link rel="alternate" type="application/feed+json" href="/feed.json"></head></html>'
    assert feed_links(html, BASE + "/news") == [BASE + "/feed.json"]
