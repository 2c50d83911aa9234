"""The feed registry: schema version, state that survives a reopen, seen URLs, due feeds, threads."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from retrieval.core.errors import DataDirError, InputError
from retrieval.feeds import SCHEMA_VERSION, FeedRegistry


def test_a_new_registry_carries_the_schema_version_and_uses_wal(tmp_path):
    path = tmp_path / "data" / "feeds.sqlite3"
    with FeedRegistry(path) as registry:
        assert registry.schema_version == SCHEMA_VERSION == 1
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_state_survives_a_reopen(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with FeedRegistry(path) as registry:
        feed = registry.add("http://127.0.0.1:1/rss.xml", kind="rss", name="Courier", language="en", now=100.0)
        registry.record_fetch(feed.id, now=200.0, status="ok: 3 new", next_due=2000.0, etag='"abc"',
                              last_modified="Sat, 09 May 2026 10:00:00 GMT", new_articles=3)
        registry.mark_seen("http://127.0.0.1:1/a?utm=1", canonical_url="http://127.0.0.1:1/a", content_hash="h1",
                           feed_id=feed.id, now=150.0)
    with FeedRegistry(path) as registry:
        (again,) = registry.list()
        assert (again.url, again.name, again.language, again.kind) == ("http://127.0.0.1:1/rss.xml", "Courier", "en",
                                                                       "rss")
        assert (again.etag, again.last_modified, again.articles) == ('"abc"', "Sat, 09 May 2026 10:00:00 GMT", 3)
        assert (again.added_at, again.last_fetch, again.next_due, again.last_status) == (100.0, 200.0, 2000.0,
                                                                                         "ok: 3 new")
        assert registry.seen("http://127.0.0.1:1/a?utm=1") and registry.seen("http://127.0.0.1:1/a")
        assert not registry.seen("http://127.0.0.1:1/b")


def test_a_registry_from_a_newer_newsbot_is_refused(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version=7")
    with pytest.raises(DataDirError, match="schema version 7"):
        FeedRegistry(path)


def test_a_corrupt_file_is_a_data_dir_error(tmp_path):
    path = tmp_path / "feeds.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DataDirError, match="cannot open the feed registry"):
        FeedRegistry(path)


def test_feeds_are_added_once_found_by_id_or_url_and_removed(registry):
    feed = registry.add("http://127.0.0.1:1/rss.xml", kind="rss")
    with pytest.raises(InputError, match="already following http://127.0.0.1:1/rss.xml"):
        registry.add("http://127.0.0.1:1/rss.xml", kind="rss")
    assert registry.get(feed.id) == registry.get(str(feed.id)) == registry.get("http://127.0.0.1:1/rss.xml")
    assert registry.remove(str(feed.id)).url == "http://127.0.0.1:1/rss.xml"
    assert registry.list() == []
    with pytest.raises(InputError, match="no followed feed"):
        registry.remove("http://127.0.0.1:1/rss.xml")


def test_seen_urls_outlive_the_feed_they_came_from(registry):
    feed = registry.add("http://127.0.0.1:1/rss.xml", kind="rss")
    registry.mark_seen("http://127.0.0.1:1/a", feed_id=feed.id)
    registry.remove(feed.id)
    assert registry.seen("http://127.0.0.1:1/a")


def test_due_lists_the_feeds_whose_time_has_come_most_overdue_first(registry):
    a = registry.add("http://127.0.0.1:1/a.xml", kind="rss", now=0.0)
    b = registry.add("http://127.0.0.1:1/b.xml", kind="atom", now=0.0)
    c = registry.add("http://127.0.0.1:1/c.xml", kind="sitemap", now=0.0)
    registry.record_fetch(a.id, now=10.0, status="ok", next_due=500.0)
    registry.record_fetch(b.id, now=10.0, status="failed", next_due=300.0, failures=2, error="HTTP 500")
    registry.record_fetch(c.id, now=10.0, status="ok", next_due=900.0)
    assert [f.url for f in registry.due(600.0)] == ["http://127.0.0.1:1/b.xml", "http://127.0.0.1:1/a.xml"]
    assert registry.due(100.0) == []
    failing = registry.get(b.id)
    assert failing is not None and (failing.failures, failing.last_error) == (2, "HTTP 500")


def test_the_first_sighting_of_a_url_is_kept(registry):
    registry.mark_seen("http://127.0.0.1:1/a", content_hash="first", now=1.0)
    registry.mark_seen("http://127.0.0.1:1/a", content_hash="second", now=2.0)
    assert registry.seen_count() == 1


def test_two_threads_can_write_at_once(registry):
    def mark(prefix: str) -> None:
        for i in range(100):
            registry.mark_seen(f"http://127.0.0.1:1/{prefix}/{i}")
            assert registry.seen(f"http://127.0.0.1:1/{prefix}/{i}")

    threads = [threading.Thread(target=mark, args=(name,)) for name in ("x", "y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert registry.seen_count() == 200
