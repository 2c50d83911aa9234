"""The fetcher against a real server on 127.0.0.1: conditional GET, robots.txt, retries, timeouts, size cap."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler

import httpx

from tests.retrieval.feeds.website import LAST_MODIFIED, send


def robots(text: str, status: int = 200):
    def handler(h: BaseHTTPRequestHandler) -> None:
        send(h, status, text.encode(), "text/plain")

    return handler


def test_a_page_is_fetched_with_an_honest_user_agent(web, make_fetcher):
    result = make_fetcher().fetch(web.url("/news/2026/vell-frost"))
    assert result.ok and result.status == 200
    assert b"Late frost ruins" in result.content
    assert result.content_type.startswith("text/html") and result.charset == "utf-8"
    agent = web.hits("/news/2026/vell-frost")[0].headers["user-agent"]
    assert agent.startswith("newsbot/") and "+http" in agent


def test_a_second_fetch_with_the_etag_is_a_304_with_no_body(web, make_fetcher):
    fetcher = make_fetcher()
    first = fetcher.fetch(web.url("/feeds/rss.xml"))
    assert first.etag and first.last_modified == LAST_MODIFIED
    second = fetcher.fetch(web.url("/feeds/rss.xml"), etag=first.etag)
    assert second.ok and second.not_modified and second.status == 304 and second.content == b""
    assert second.etag == first.etag
    assert web.hits("/feeds/rss.xml")[1].headers["if-none-match"] == first.etag


def test_a_second_fetch_with_last_modified_only_is_a_304(web, make_fetcher):
    fetcher = make_fetcher()
    second = fetcher.fetch(web.url("/feeds/atom.xml"), last_modified=LAST_MODIFIED)
    assert second.not_modified and second.error is None
    assert second.last_modified == LAST_MODIFIED
    assert "if-none-match" not in web.hits("/feeds/atom.xml")[0].headers


def test_a_page_that_robots_txt_disallows_is_not_fetched(web, make_fetcher):
    web.routes["/robots.txt"] = robots("User-agent: *\nDisallow: /news/\n")
    fetcher = make_fetcher()
    result = fetcher.fetch(web.url("/news/2026/vell-frost"))
    assert result.error == "disallowed by robots.txt" and not result.transient
    assert web.hits("/news/2026/vell-frost") == []
    assert fetcher.fetch(web.url("/culture/library-reopens")).ok
    assert len(web.hits("/robots.txt")) == 1  # read once per host, then cached


def test_robots_txt_rules_for_newsbot_apply_to_it(web, make_fetcher):
    web.routes["/robots.txt"] = robots("User-agent: newsbot\nDisallow: /culture/\n\nUser-agent: *\nDisallow:\n")
    fetcher = make_fetcher()
    assert fetcher.fetch(web.url("/culture/library-reopens")).error == "disallowed by robots.txt"
    assert fetcher.fetch(web.url("/news/2026/vell-frost")).ok


def test_a_missing_robots_txt_allows_everything(web, make_fetcher):
    assert make_fetcher().fetch(web.url("/news/2026/vell-frost")).ok
    assert len(web.hits("/robots.txt")) == 1


def test_a_failing_robots_txt_disallows_the_host_for_now(web, make_fetcher, clock):
    web.routes["/robots.txt"] = robots("overloaded", status=503)
    fetcher = make_fetcher()
    result = fetcher.fetch(web.url("/news/2026/vell-frost"))
    assert result.error is not None and result.error.startswith("disallowed by robots.txt")
    assert "503" in result.error and result.transient
    assert web.hits("/news/2026/vell-frost") == []
    web.routes["/robots.txt"] = robots("User-agent: *\nAllow: /\n")
    clock.sleep(fetcher.policy.robots_retry + 1)  # later, robots.txt is read again
    assert fetcher.fetch(web.url("/news/2026/vell-frost")).ok


def test_a_robots_txt_that_times_out_disallows(silent_port, make_fetcher):
    result = make_fetcher(read_timeout=0.3, retries=0).fetch(f"http://127.0.0.1:{silent_port}/page")
    assert result.error is not None and result.error.startswith("disallowed by robots.txt")
    assert "timed out" in result.error


def test_requests_to_one_host_are_spaced_by_the_delay_and_crawl_delay_raises_it(web, make_fetcher, clock):
    fetcher = make_fetcher(min_delay=2.0)
    fetcher.fetch(web.url("/news/2026/vell-frost"))  # robots.txt (404), then the page: 2 s apart
    fetcher.fetch(web.url("/culture/library-reopens"))
    assert clock.sleeps == [2.0, 2.0]

    web.routes["/robots.txt"] = robots("User-agent: *\nCrawl-delay: 7\n")
    clock.sleeps.clear()
    slow = make_fetcher(min_delay=2.0)
    slow.fetch(web.url("/news/2026/vell-frost"))
    slow.fetch(web.url("/culture/library-reopens"))
    assert clock.sleeps[-1] == 7.0
    assert slow.delay_for(web.url("/")) == 7.0


def test_429_with_retry_after_is_retried_after_the_wait(web, make_fetcher, clock):
    calls = []

    def busy_once(h: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        if len(calls) == 1:
            send(h, 429, b"slow down", headers={"Retry-After": "12"})
        else:
            send(h, 200, b"<rss version='2.0'><channel><title>t</title></channel></rss>", "application/rss+xml")

    web.routes["/feeds/busy.xml"] = busy_once
    result = make_fetcher().fetch(web.url("/feeds/busy.xml"))
    assert result.ok and result.status == 200 and len(calls) == 2
    assert clock.sleeps == [12.0]


def test_a_retry_after_beyond_the_cap_is_not_waited_for_but_reported(web, make_fetcher, clock):
    web.routes["/feeds/busy.xml"] = lambda h: send(h, 503, b"", headers={"Retry-After": "7200"})
    result = make_fetcher(max_retry_after=60.0).fetch(web.url("/feeds/busy.xml"))
    assert result.error == "HTTP 503 Service Unavailable" and result.retry_after == 7200.0
    assert result.transient and clock.sleeps == [] and len(web.hits("/feeds/busy.xml")) == 1


def test_server_errors_are_retried_with_exponential_back_off(web, make_fetcher, clock):
    web.routes["/feeds/down.xml"] = lambda h: send(h, 502, b"bad gateway")
    result = make_fetcher(retries=3, backoff=1.5).fetch(web.url("/feeds/down.xml"))
    assert result.error == "HTTP 502 Bad Gateway" and result.status == 502
    assert clock.sleeps == [1.5, 3.0, 6.0]
    assert len(web.hits("/feeds/down.xml")) == 4


def test_a_404_is_an_error_value_and_is_not_retried(web, make_fetcher, clock):
    result = make_fetcher().fetch(web.url("/news/nothing-here"))
    assert result.error == "HTTP 404 Not Found" and not result.transient
    assert clock.sleeps == [] and len(web.hits("/news/nothing-here")) == 1


def test_a_server_that_never_answers_gives_a_timeout_error(silent_port, make_fetcher, clock):
    fetcher = make_fetcher(read_timeout=0.3, retries=1, obey_robots=False)
    result = fetcher.fetch(f"http://127.0.0.1:{silent_port}/feed.xml")
    assert result.error == "timed out waiting for the server after 0.3 s"
    assert result.status == 0 and result.transient
    assert clock.sleeps == [1.0]  # one retry after the back-off


def test_a_closed_port_is_an_error_value(make_fetcher):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = make_fetcher(obey_robots=False, retries=0).fetch(f"http://127.0.0.1:{port}/")
    assert result.error is not None and result.error.startswith("cannot connect")


def test_a_50_mb_page_is_cut_off_at_the_cap(web, make_fetcher):
    sent = {"bytes": 0, "completed": False}
    block = b"<p>" + b"x" * 65_530 + b"</p>"

    def huge(h: BaseHTTPRequestHandler) -> None:  # no Content-Length: only counting can stop it
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            while sent["bytes"] < 50_000_000:
                h.wfile.write(block)
                sent["bytes"] += len(block)
            sent["completed"] = True
        except OSError:
            pass
        h.close_connection = True

    counter = CountingTransport()
    web.routes["/huge"] = huge
    result = make_fetcher(transport=counter, max_bytes=1_000_000).fetch(web.url("/huge"))
    assert result.error == "page larger than 1 MB"
    assert result.content == b""
    assert counter.read < 1_000_000 + 2 * len(block)  # the client stopped reading at the cap
    assert not sent["completed"]


def test_a_declared_length_above_the_cap_is_refused_before_reading(web, make_fetcher):
    web.routes["/big"] = lambda h: send(h, 200, b"y" * 3_000_000, "text/html")
    counter = CountingTransport()
    result = make_fetcher(transport=counter, max_bytes=1_000_000).fetch(web.url("/big"))
    assert result.error == "page larger than 1 MB (3 MB)"
    assert counter.read < 1_000_000


def test_redirects_are_followed_and_limited(web, make_fetcher):
    web.routes["/old-feed"] = lambda h: send(h, 301, headers={"Location": "/feeds/rss.xml"})
    result = make_fetcher().fetch(web.url("/old-feed"))
    assert result.ok and result.url == web.url("/old-feed") and result.final_url == web.url("/feeds/rss.xml")

    web.routes["/loop"] = lambda h: send(h, 302, headers={"Location": "/loop"})
    looping = make_fetcher(max_redirects=3).fetch(web.url("/loop"))
    assert looping.error == "too many redirects (more than 3)"
    assert len(web.hits("/loop")) == 4


def test_a_redirect_to_a_disallowed_page_is_not_followed(web, make_fetcher):
    web.routes["/robots.txt"] = robots("User-agent: *\nDisallow: /private/\n")
    web.routes["/go"] = lambda h: send(h, 302, headers={"Location": "/private/page"})
    result = make_fetcher().fetch(web.url("/go"))
    assert result.error == "disallowed by robots.txt" and result.final_url == web.url("/private/page")
    assert web.hits("/private/page") == []


def test_urls_that_are_not_http_are_refused_without_a_request(make_fetcher):
    fetcher = make_fetcher()
    assert fetcher.fetch("file:///etc/passwd").error == "not an http(s) URL: file:///etc/passwd"
    assert fetcher.fetch("http:///no-host").error is not None


def test_the_fetcher_can_be_shared_by_threads(web, make_fetcher):
    fetcher = make_fetcher()
    results = []
    paths = ["/news/2026/vell-frost", "/culture/library-reopens", "/feeds/rss.xml", "/feeds/atom.xml"]
    threads = [threading.Thread(target=lambda p=p: results.append(fetcher.fetch(web.url(p)))) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.final_url for r in results if r.ok) == sorted(web.url(p) for p in paths)


class CountingTransport(httpx.HTTPTransport):
    """The real transport, counting the body bytes the client actually read."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        inner = response.stream
        outer = self

        class Counting(httpx.SyncByteStream):
            def __iter__(self):
                for chunk in inner:  # type: ignore[union-attr]
                    outer.read += len(chunk)
                    yield chunk

            def close(self) -> None:
                inner.close()  # type: ignore[union-attr]

        response.stream = Counting()
        return response
