"""When a followed feed is read again, and what each fetch leaves in the registry: the interval after a good
read, a back-off that doubles after each failure (Retry-After honoured), the validators of a complete read."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.feeds.registry import Feed, FeedRegistry


@dataclass(frozen=True)
class FollowPolicy:
    """How often feeds are read and how much is taken from them at once. Times are seconds."""

    interval: float = 1800.0  # a healthy feed is read again after this
    backoff_base: float = 900.0  # wait after the first failure; doubles with each further failure ...
    backoff_max: float = 86_400.0  # ... up to this
    max_items: int = 50  # item pages read per feed and refresh; the rest wait for the next refresh
    max_child_sitemaps: int = 10  # children of a sitemap index read per refresh
    full_text_words: int = 150  # feed content this long is indexed as is, without reading the page


def backoff_delay(failures: int, policy: FollowPolicy) -> float:
    """Seconds before a feed that failed ``failures`` times in a row is tried again."""
    return min(policy.backoff_base * 2 ** max(failures - 1, 0), policy.backoff_max)


class Schedule:
    """Records each fetch of a followed feed and says when it is due again."""

    def __init__(self, registry: FeedRegistry, policy: FollowPolicy) -> None:
        self.registry = registry
        self.policy = policy

    def not_modified(self, feed: Feed, now: float, etag: str | None, last_modified: str | None) -> Feed | None:
        """A 304: nothing new; due again after the interval."""
        return self.registry.record_fetch(
            feed.id,
            now=now,
            status="not modified",
            next_due=now + self.policy.interval,
            etag=etag or feed.etag,
            last_modified=last_modified or feed.last_modified,
        )

    def read(
        self,
        feed: Feed,
        now: float,
        summary: str,
        error: str | None,
        validators: tuple[str | None, str | None],
        new_articles: int,
        kind: str,
        name: str | None,
    ) -> Feed | None:
        """A good read: its summary, its validators (None when items were left for later), due after the interval."""
        return self.registry.record_fetch(
            feed.id,
            now=now,
            status=summary,
            next_due=now + self.policy.interval,
            error=error,
            etag=validators[0],
            last_modified=validators[1],
            new_articles=new_articles,
            kind=kind,
            name=name,
        )

    def failed(self, feed: Feed, now: float, error: str, retry_after: float | None = None) -> Feed | None:
        """A failed read: tried again after the back-off (or the server's Retry-After, if longer)."""
        failures = feed.failures + 1
        wait = backoff_delay(failures, self.policy)
        if retry_after:
            wait = max(wait, min(retry_after, self.policy.backoff_max))
        return self.registry.record_fetch(
            feed.id,
            now=now,
            status="failed",
            error=error,
            failures=failures,
            next_due=now + wait,
            etag=feed.etag,
            last_modified=feed.last_modified,
        )
