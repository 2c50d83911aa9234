"""Feeds from the command line against a real HTTP server on 127.0.0.1: add, list, refresh twice, ask."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli, use_onnx_cache
from tests.retrieval.feeds.website import serve

ENV = {"NEWSBOT_EMBEDDING_BACKEND": "onnx", "NEWSBOT_FETCH_MIN_DELAY": "0"}


@pytest.fixture
def web():
    with serve() as server:
        yield server


@pytest.fixture
def data(tmp_path, onnx_cache):
    folder = tmp_path / "data"
    use_onnx_cache(onnx_cache, folder)
    return folder


def test_follow_a_feed_and_a_sitemap_refresh_twice_and_answer_from_a_fetched_article(web, data):
    rss, sitemap = web.url("/feeds/rss.xml"), web.url("/feeds/news-sitemap.xml")
    added = run_cli(["feeds", "add", rss, "--name", "Riverton Courier"], data, **ENV)
    assert added.returncode == 0, added.stderr
    assert "new" in added.stderr and "Riverton council approves harbour footbridge" in added.stderr
    assert run_cli(["feeds", "add", sitemap], data, **ENV).returncode == 0
    listed = json.loads(run_cli(["feeds", "--json"], data, **ENV).stdout)
    assert {f["url"] for f in listed} == {rss, sitemap} and all(f["last_status"] for f in listed)
    assert next(f for f in listed if f["url"] == rss)["name"] == "Riverton Courier"
    narrow = run_cli(["feeds"], data, COLUMNS="40", **ENV).stdout  # what `feeds remove` takes is never cut
    rows = [line.split("│") for line in narrow.splitlines() if line.startswith("│")]
    assert {row[1].strip() for row in rows} - {""} == {str(f["id"]) for f in listed}
    assert sitemap in "".join(row[2].strip() for row in rows), narrow  # wrapped, whole

    just_added = run_cli(["refresh", "--no-progress"], data, **ENV)  # both were fetched a moment ago
    assert just_added.returncode == 0 and "2 feeds not due yet" in just_added.stderr and "--all" in just_added.stderr
    first = run_cli(["refresh", "--all", "--no-progress", "--json"], data, **ENV)
    second = run_cli(["refresh", "--all", "--no-progress", "--json"], data, **ENV)
    for run in (first, second):
        assert run.returncode == 0, run.stderr
    report = json.loads(second.stdout)
    assert report["new_articles"] == 0
    assert {o["status"] for o in report["feeds"]} == {"not-modified"}  # 304s: nothing fetched again
    conditional = [r for r in web.hits("/feeds/rss.xml") if "if-none-match" in r.headers
                   or "if-modified-since" in r.headers]
    assert conditional

    answer = json.loads(run_cli(["ask", "--json", "How long is the footbridge Riverton council approved?"], data,
                                **ENV).stdout)
    assert answer["found"] and "140-metre" in answer["answer"]
    cited = answer["citations"][0]
    assert cited["url"] == web.url("/news/2026/riverton-footbridge") and cited["date"] == "2026-03-14"
    removed = run_cli(["feeds", "remove", rss], data, **ENV)
    assert removed.returncode == 0 and "stay indexed" in removed.stderr
    assert len(json.loads(run_cli(["feeds", "--json"], data, **ENV).stdout)) == 1


def test_ingest_url_indexes_one_page_once(web, data):
    page = web.url("/news/2026/vell-frost")
    first = run_cli(["ingest", "--json", page], data, **ENV)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == [page]
    again = json.loads(run_cli(["ingest", "--json", page], data, **ENV).stdout)
    assert again["added"] == [] and again["unchanged"] == [page]
    missing = run_cli(["ingest", web.url("/no/such/page")], data, **ENV)
    assert missing.returncode == 1 and "404" in missing.stderr and "Traceback" not in missing.stderr


def test_a_page_without_article_text_is_one_clear_error_not_a_library_warning(web, data):
    from tests.retrieval.feeds.website import send

    page = b"<html><head><title>Live: election night</title></head><body><div id='app'></div></body></html>"
    web.routes["/empty"] = lambda h: send(h, 200, page, "text/html")  # filled in by JavaScript
    empty = run_cli(["ingest", web.url("/empty")], data, **ENV)
    assert empty.returncode == 1 and "no article text" in empty.stderr
    assert "discarding data" not in empty.stderr and "WARNING" not in empty.stderr


STORY = ("The last keeper of the Skarn Point lighthouse, Ove Marten, handed over the keys on Tuesday after 31 "
         "years, as the light was switched to automatic operation. Marten, 64, said he would miss the storms more "
         "than the quiet nights. The coastguard will now watch the light from its station in Dunmere, 40 "
         "kilometres away. The lighthouse, built in 1887, will open to visitors next summer, the harbour trust "
         "said, with a small museum in the keeper's cottage.")
OUTLETS = {
    "/coastal/keeper": ("Coastal Wire", "Last keeper leaves Skarn Point lighthouse", "By Ana Roth, Coastal Wire. "),
    "/herald/keeper": ("Dunmere Herald", "Skarn Point: the last keeper goes home", ""),
    "/valley/keeper": ("Valley Courier", "Lighthouse keeper retires after 31 years", ""),
}


def _page(outlet: str, title: str, byline: str, path: str, base: str) -> bytes:
    footer = "Reporting by Coastal Wire." if outlet != "Coastal Wire" else ""
    return (f"<!doctype html><html><head><title>{title}</title><link rel='canonical' href='{base}{path}'>"
            f"<meta property='og:site_name' content='{outlet}'>"
            f"<meta name='date' content='2026-06-02'></head><body><article><h1>{title}</h1>"
            f"<p>{byline}{STORY}</p><p>{footer}</p></article></body></html>").encode()


def test_a_story_republished_by_three_outlets_is_one_article_with_three_sources(web, data):
    from tests.retrieval.feeds.website import send

    for path, (outlet, title, byline) in OUTLETS.items():
        web.routes[path] = lambda h, p=path, o=outlet, t=title, b=byline: send(
            h, 200, _page(o, t, b, p, web.base), "text/html; charset=utf-8")
    items = "".join(f"<item><title>{t}</title><link>{web.base}{p}</link></item>" for p, (_, t, _) in OUTLETS.items())
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>{items}</channel></rss>".encode()
    web.routes["/wire.xml"] = lambda h: send(h, 200, feed, "application/rss+xml")
    added = run_cli(["feeds", "add", web.url("/wire.xml")], data, **ENV)
    assert added.returncode == 0, added.stderr
    sources = json.loads(run_cli(["sources", "--json"], data, **ENV).stdout)
    assert len(sources) == 1  # one article indexed ...
    answer = json.loads(run_cli(["ask", "--json", "How long was Ove Marten the keeper of the Skarn Point lighthouse?"],
                                data, **ENV).stdout)
    assert answer["found"] and "31" in answer["answer"]
    cited = answer["citations"][0]
    assert len(cited["also"]) == 2  # ... and cited with the two other outlets' copies
    links = {cited["url"]} | {r["url"] for r in cited["also"]}
    assert links == {web.url(p) for p in OUTLETS}
    plain = run_cli(["ask", "How long was Ove Marten the keeper of the Skarn Point lighthouse?"], data, **ENV).stdout
    assert "also reported by 2 others" in plain
    (listed,) = sources  # the listing agrees with the citation: the count, and each copy's source, link and title
    assert listed["reprints"] == 2 and listed["also"] == cited["also"]
    assert all(f"also: {r['url']}" in run_cli(["sources"], data, COLUMNS="200", **ENV).stdout for r in cited["also"])
