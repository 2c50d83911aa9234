"""Following feeds end to end against the test site: what gets indexed, what is skipped, what is reported."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest

from retrieval.core.errors import IndexLockedError, InputError
from retrieval.core.types import Article
from retrieval.feeds import FeedFollower, FollowPolicy, backoff_delay
from tests.retrieval.feeds.website import send

T0 = 1_780_000_000.0  # May 2026
POLICY = FollowPolicy(interval=1800.0, backoff_base=900.0, backoff_max=86_400.0)


class Index:
    """Stands in for the core's index: keeps what it is given, knows the URLs it holds."""

    def __init__(self) -> None:
        self.articles: list[Article] = []
        self.calls = 0
        self.fail_with: Exception | None = None

    def add(self, articles: list[Article]) -> None:
        if self.fail_with:
            raise self.fail_with
        self.calls += 1
        self.articles.extend(articles)

    def knows(self, url: str) -> bool:
        return any(url in (a.url, a.source) for a in self.articles)

    def titles(self) -> list[str]:
        return [a.title for a in self.articles]


@pytest.fixture
def index() -> Index:
    return Index()


@pytest.fixture
def follower(registry, make_fetcher, index):
    def build(**policy: object) -> FeedFollower:
        options = {**POLICY.__dict__, **policy}
        return FeedFollower(registry, make_fetcher(), index.add, index.knows, policy=FollowPolicy(**options),
                            clock=lambda: T0)

    return build


def test_refreshing_twice_indexes_new_items_once_then_costs_only_304s(web, registry, follower, index):
    follow = follower()
    for path, kind in (("/feeds/rss.xml", "rss"), ("/feeds/atom.xml", "atom"),
                       ("/feeds/sitemap-index.xml", "sitemapindex")):
        registry.add(web.url(path), kind=kind, now=T0)
    stages = []
    first = follow.refresh(now=T0, progress=lambda *args: stages.append(args))

    assert stages == [("feeds", 1, 3), ("feeds", 2, 3), ("feeds", 3, 3)]
    rss, atom, sitemaps = first.feeds
    assert rss.status == "new" and rss.name == "The Riverton Courier: news" and rss.failed == []
    assert sorted(index.titles()) == [
        "Late frost ruins a third of the Vell valley apple blossom",
        "Marlow Street library reopens eight months after the flood",
        "Riverton council approves harbour footbridge",
        "Tram drivers vote for a two-day strike",
    ]
    strike = next(a for a in index.articles if a.title.startswith("Tram"))
    assert strike.url == web.url("/news/2026/tram-strike") and strike.date == "2026-05-18"
    assert web.hits("/news/2026/tram-strike") == []  # the feed carried the full text: no page read
    assert (atom.status, atom.known, sitemaps.status, sitemaps.known) == ("unchanged", 2, "unchanged", 3)
    assert first.new_articles == 4
    assert len(web.hits("/news/2026/vell-frost")) == 1  # in three feeds, read once

    pages_read = len(web.requests)
    second = follow.refresh(now=T0 + POLICY.interval)
    assert [o.status for o in second.feeds] == ["not-modified"] * 3
    assert second.new_articles == 0 and len(index.articles) == 4
    assert [r.path for r in web.requests[pages_read:]] == ["/feeds/rss.xml", "/feeds/atom.xml",
                                                           "/feeds/sitemap-index.xml"]
    feed = registry.get(web.url("/feeds/rss.xml"))
    assert feed.articles == 4 and feed.last_status == "not modified" and feed.failures == 0
    assert feed.next_due == T0 + 2 * POLICY.interval


def test_only_due_feeds_are_refreshed(web, registry, follower):
    follow = follower()
    registry.add(web.url("/feeds/atom.xml"), kind="atom", now=T0)
    follow.refresh(now=T0)
    assert follow.refresh(now=T0 + 60).feeds == []
    assert [o.status for o in follow.refresh(now=T0 + 60, only_due=False).feeds] == ["not-modified"]


def test_adding_a_feed_indexes_its_current_items_and_follows_it(web, registry, follower, index):
    outcome = follower().add(web.url("/feeds/atom.xml"), name="Gazette", language="en")
    assert outcome.status == "new" and outcome.kind == "atom" and len(outcome.new) == 2
    (feed,) = registry.list()
    assert (feed.url, feed.name, feed.language, feed.kind, feed.articles) == (web.url("/feeds/atom.xml"), "Gazette",
                                                                              "en", "atom", 2)
    assert feed.etag is not None and feed.next_due == T0 + POLICY.interval
    with pytest.raises(InputError, match="already following"):
        follower().add(web.url("/feeds/atom.xml"))


def test_a_json_feed_is_followed_like_rss_and_atom(web, registry, follower, index):
    outcome = follower().add(web.url("/feeds/feed.json"))
    assert outcome.status == "new" and outcome.kind == "jsonfeed" and len(outcome.new) == 2
    assert sorted(index.titles()) == ["Late frost ruins a third of the Vell valley apple blossom",
                                      "Riverton council approves harbour footbridge"]
    assert {a.url for a in index.articles} == {web.url("/news/2026/riverton-footbridge"),
                                                web.url("/news/2026/vell-frost")}
    assert registry.list()[0].name == "The Riverton Courier (JSON Feed)"
    again = follower().refresh(now=T0, only_due=False)
    assert [o.status for o in again.feeds] == ["not-modified"] and len(index.articles) == 2


def test_adding_an_article_page_indexes_it_once_and_does_not_follow_it(web, registry, follower, index):
    outcome = follower().add(web.url("/news/2026/riverton-footbridge"))
    assert outcome.status == "page" and registry.list() == []
    assert index.titles() == ["Riverton council approves harbour footbridge"]
    assert "pages are not followed" in outcome.note and web.url("/feeds/rss.xml") in outcome.note
    again = follower().add(web.url("/news/2026/riverton-footbridge"))
    assert again.status == "known" and len(index.articles) == 1


def test_adding_a_section_page_follows_the_feed_it_advertises(web, registry, follower):
    outcome = follower().add(web.url("/news"))
    assert outcome.kind == "rss" and outcome.feed.url == web.url("/feeds/rss.xml")
    assert "following the feed it advertises" in outcome.note
    assert [f.url for f in registry.list()] == [web.url("/feeds/rss.xml")]
    with pytest.raises(InputError, match="the feed it advertises, .*/feeds/rss.xml, is followed"):
        follower().add(web.url("/news"))


def test_adding_something_that_is_not_a_feed_is_an_input_error(web, registry, follower):
    web.routes["/api"] = lambda h: send(h, 200, b'{"items": []}', "application/json")
    with pytest.raises(InputError, match="is not a feed, a sitemap or a web page"):
        follower().add(web.url("/api"))
    with pytest.raises(InputError, match="cannot read .*: HTTP 404 Not Found"):
        follower().add(web.url("/feeds/missing.xml"))
    assert registry.list() == []


def test_items_whose_pages_404_are_reported_and_the_good_ones_indexed(web, registry, follower, index):
    registry.add(web.url("/feeds/broken-links.xml"), kind="rss", now=T0)
    (outcome,) = follower().refresh(now=T0).feeds
    assert outcome.status == "new" and len(outcome.new) == 2
    assert outcome.failed == [(web.url("/news/2026/retracted"), "HTTP 404 Not Found"),
                              (web.url("/news/2026/moved-away"), "HTTP 404 Not Found")]
    assert registry.get(web.url("/feeds/broken-links.xml")).last_status == "ok: 2 new, 0 known, 2 failed"
    assert registry.seen(web.url("/news/2026/retracted"))  # gone for good: not read again
    web.routes["/feeds/broken-links.xml"] = lambda h: send(h, 200, web.body("/feeds/broken-links.xml"), "text/xml")
    (again,) = follower().refresh(now=T0 + POLICY.interval).feeds
    assert again.status == "unchanged" and again.known == 4 and len(web.hits("/news/2026/retracted")) == 1


def test_a_story_republished_under_three_urls_gives_three_articles_and_three_seen_urls(web, registry, follower,
                                                                                         index):
    registry.add(web.url("/feeds/republished.xml"), kind="rss", now=T0)
    (outcome,) = follower().refresh(now=T0).feeds
    assert outcome.status == "new" and len(outcome.new) == 3 and outcome.failed == []
    assert len({a.text for a in index.articles}) == 1 and len({a.source for a in index.articles}) == 3
    for path in ("/story/skarn-lighthouse", "/wire/2026/06/02/lighthouse-keeper", "/amp/skarn-lighthouse"):
        assert registry.seen(web.url(path))


def test_a_failing_feed_backs_off_exponentially_up_to_a_cap_and_recovers(web, registry, follower):
    broken = {"on": True}

    def feed(h: BaseHTTPRequestHandler) -> None:
        if broken["on"]:
            send(h, 500, b"oops")
        else:
            send(h, 200, web.body("/feeds/atom.xml"), "application/atom+xml")

    web.routes["/feeds/flaky.xml"] = feed
    registry.add(web.url("/feeds/flaky.xml"), kind="atom", now=T0)
    follow = follower()
    now, waits = T0, []
    for _ in range(10):
        (outcome,) = follow.refresh(now=now).feeds
        assert outcome.status == "failed" and outcome.error == "HTTP 500 Internal Server Error"
        state = registry.get(web.url("/feeds/flaky.xml"))
        waits.append(state.next_due - now)
        assert follow.refresh(now=state.next_due - 1).feeds == []  # not due before its time
        now = state.next_due
    assert waits[:4] == [900.0, 1800.0, 3600.0, 7200.0] and waits[-1] == 86_400.0
    assert state.failures == 10 and state.last_error == "HTTP 500 Internal Server Error"
    assert state.last_status == "failed"

    broken["on"] = False
    (outcome,) = follow.refresh(now=now).feeds
    state = registry.get(web.url("/feeds/flaky.xml"))
    assert outcome.status == "new" and state.failures == 0 and state.last_error is None
    assert state.next_due == now + POLICY.interval


def test_a_long_retry_after_postpones_the_feed(web, registry, follower):
    web.routes["/feeds/busy.xml"] = lambda h: send(h, 429, b"", headers={"Retry-After": "14400"})
    registry.add(web.url("/feeds/busy.xml"), kind="rss", now=T0)
    follower().refresh(now=T0)
    assert registry.get(web.url("/feeds/busy.xml")).next_due == T0 + 14_400


def test_backoff_delay_is_capped():
    assert [backoff_delay(n, POLICY) for n in (1, 2, 3)] == [900.0, 1800.0, 3600.0]
    assert backoff_delay(30, POLICY) == 86_400.0


def test_an_item_page_disallowed_by_robots_txt_is_reported_and_not_fetched(web, registry, follower, index):
    web.routes["/robots.txt"] = lambda h: send(h, 200, b"User-agent: *\nDisallow: /culture/\n")
    registry.add(web.url("/feeds/rss.xml"), kind="rss", now=T0)
    (outcome,) = follower().refresh(now=T0).feeds
    assert (web.url("/culture/library-reopens"), "disallowed by robots.txt") in outcome.failed
    assert web.hits("/culture/library-reopens") == [] and len(index.articles) == 3


def test_a_malformed_feed_indexes_what_it_could_read_and_records_the_error(web, registry, follower, index):
    registry.add(web.url("/feeds/malformed.xml"), kind="rss", now=T0)
    (outcome,) = follower().refresh(now=T0).feeds
    assert outcome.status == "new"
    assert index.titles()[:2] == ["Riverton council approves harbour footbridge",
                                  "Late frost ruins a third of the Vell valley apple blossom"]
    feed = registry.get(web.url("/feeds/malformed.xml"))
    assert feed.last_error.startswith("malformed feed XML") and feed.failures == 0


def test_a_feed_that_now_serves_a_web_page_fails_with_a_reason(web, registry, follower):
    web.routes["/feeds/gone.xml"] = lambda h: send(h, 200, web.body("/news"), "text/html")
    registry.add(web.url("/feeds/gone.xml"), kind="rss", now=T0)
    (outcome,) = follower().refresh(now=T0).feeds
    assert outcome.status == "failed" and outcome.error == "not a feed or a sitemap (the URL serves html)"


def test_items_beyond_the_cap_wait_for_the_next_refresh(web, registry, follower, index):
    registry.add(web.url("/feeds/rss.xml"), kind="rss", now=T0)
    follow = follower(max_items=2)
    (first,) = follow.refresh(now=T0).feeds
    assert len(first.new) == 2 and first.left == 2
    assert registry.get(web.url("/feeds/rss.xml")).etag is None  # so that the next fetch is not a 304
    (second,) = follow.refresh(now=T0 + POLICY.interval).feeds
    assert len(second.new) == 2 and second.known == 2 and second.left == 0
    assert len(index.articles) == 4 and registry.get(web.url("/feeds/rss.xml")).etag is not None


def test_an_item_page_that_fails_for_now_is_retried_at_the_next_refresh(web, registry, follower, index):
    web.routes["/culture/library-reopens"] = lambda h: send(h, 503, b"maintenance")
    registry.add(web.url("/feeds/rss.xml"), kind="rss", now=T0)
    follow = follower()
    (first,) = follow.refresh(now=T0).feeds
    assert first.failed == [(web.url("/culture/library-reopens"), "HTTP 503 Service Unavailable")]
    assert not registry.seen(web.url("/culture/library-reopens"))
    del web.routes["/culture/library-reopens"]
    (second,) = follow.refresh(now=T0 + POLICY.interval).feeds
    assert second.status == "new" and [title for _, title in second.new] == [
        "Marlow Street library reopens eight months after the flood"]


def test_an_index_error_stops_the_refresh_and_leaves_the_feed_due(web, registry, follower, index):
    registry.add(web.url("/feeds/atom.xml"), kind="atom", now=T0)
    index.fail_with = IndexLockedError("another process is writing to the index")
    with pytest.raises(IndexLockedError):
        follower().refresh(now=T0)
    feed = registry.get(web.url("/feeds/atom.xml"))
    assert feed.etag is None and registry.due(T0) == [feed]
    assert not registry.seen(web.url("/news/2026/vell-frost"))
    index.fail_with = None
    (outcome,) = follower().refresh(now=T0).feeds
    assert len(outcome.new) == 2


def test_ingest_url_reads_a_page_or_a_feed_once_without_following(web, registry, follower, index):
    follow = follower()
    page = follow.ingest_url(web.url("/news/2026/vell-frost"))
    assert page.status == "page" and index.titles() == ["Late frost ruins a third of the Vell valley apple blossom"]
    assert follow.ingest_url(web.url("/news/2026/vell-frost")).status == "known"
    assert len(web.hits("/news/2026/vell-frost")) == 1

    feed = follow.ingest_url(web.url("/feeds/news-sitemap.xml"))
    assert feed.status == "new" and feed.kind == "sitemap" and len(feed.new) == 2
    assert registry.list() == [] and len(index.articles) == 3
    dated = {a.title: a.date for a in index.articles}
    assert dated["Marlow Street library reopens eight months after the flood"] == "2026-05-09"

    missing = follow.ingest_url(web.url("/nowhere"))
    assert missing.status == "failed" and missing.error == "HTTP 404 Not Found"


def test_pages_already_in_the_index_are_not_fetched(web, registry, follower, index):
    registry.add(web.url("/feeds/atom.xml"), kind="atom", now=T0)
    index.articles.append(Article("x", "t", "text", source=web.url("/news/2026/vell-frost"),
                                  url=web.url("/news/2026/vell-frost")))
    (outcome,) = follower().refresh(now=T0).feeds
    assert outcome.known == 1 and len(outcome.new) == 1 and web.hits("/news/2026/vell-frost") == []


def test_the_report_serialises_to_json(web, registry, follower):
    import json

    registry.add(web.url("/feeds/atom.xml"), kind="atom", now=T0)
    report = follower().refresh(now=T0)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["new_articles"] == 2 and data["feeds"][0]["status"] == "new"
