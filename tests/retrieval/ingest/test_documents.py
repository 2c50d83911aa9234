"""Parsing articles: the seed format, headers, headlines, HTML, JSON/JSONL and bad files."""

from __future__ import annotations

import json

from retrieval.core.articles import normalize_date
from retrieval.ingest.documents import load_file
from tests.conftest import ROOT, SEED

MB = 1_000_000


def test_seed_format_gives_date_body_and_a_real_title():
    loaded = load_file(SEED, MB)
    assert loaded.error is None
    (article,) = loaded.articles
    assert article.date == "2024-12-20"
    assert article.text.startswith("Speaking to IRNA on Friday")
    assert "date 2024" not in article.text
    assert article.title == "Esmaeil Baghaei Hamaneh: the presence of Iranian advisers in Syria"
    assert len(article.content_hash) == 64


def test_a_text_article_knows_where_its_body_begins_in_the_file(tmp_path):
    files = {
        "seed.txt": SEED.read_text(),
        "headers.md": "Title: Floods\nDate: 2024-10-30\n\n  Heavy rain caused floods. Roads closed.\n",
        "headline.txt": "Ad sales boost profits\n\nProfits jumped 76% in the quarter.",
        "plain.txt": "\n\nThe council approved the budget.",
        "titled-seed.txt": "Title: Iran's advisers\n" + SEED.read_text(),
    }
    for name, content in files.items():
        (tmp_path / name).write_text(content)
        (article,) = load_file(tmp_path / name, MB).articles
        offset = article.file_offset
        assert content[offset : offset + len(article.text)] == article.text, name
    assert load_file(SEED, MB).articles[0].file_offset == 17  # after " date 2024-12-20 "
    (tmp_path / "crlf.txt").write_bytes(b"Title: Floods\r\n\r\nHeavy rain caused floods.")
    assert load_file(tmp_path / "crlf.txt", MB).articles[0].file_offset is None  # not a slice of the file
    (tmp_path / "a.json").write_text(json.dumps({"title": "A", "text": "First story text."}))
    assert load_file(tmp_path / "a.json", MB).articles[0].file_offset is None


def test_header_lines_are_metadata_not_text(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("Title: Floods in Valencia\nDate: 2024-10-30\nURL: https://example.org/floods\n\n"
                    "Heavy rain caused floods. Many roads closed.")
    (article,) = load_file(path, MB).articles
    assert (article.title, article.date, article.url) == ("Floods in Valencia", "2024-10-30",
                                                           "https://example.org/floods")
    assert article.text == "Heavy rain caused floods. Many roads closed."


def test_headline_on_line_one_and_date_from_file_name(tmp_path):
    path = tmp_path / "2005-02-14_story.txt"
    path.write_text("Ad sales boost profits\n\nProfits jumped 76% in the quarter. Sales rose.")
    (article,) = load_file(path, MB).articles
    assert article.title == "Ad sales boost profits"
    assert article.date == "2005-02-14"
    assert article.text.startswith("Profits jumped")


def test_untitled_text_gets_its_first_sentence_as_title(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("The council approved the budget on Monday. It passed by four votes.")
    (article,) = load_file(path, MB).articles
    assert article.title == "The council approved the budget on Monday"


def test_an_untitled_article_gets_a_short_headline_not_a_cut_sentence():
    from retrieval.core.titles import first_sentence_title

    cases = {
        "According to the police, three people died when a bus overturned on the motorway near Leeds late on "
        "Sunday night after heavy rain.": "Three people died when a bus overturned",
        "In 2004, the company sold 2.3 million phones across Europe and Asia, helped by strong demand for its "
        "cheaper models.": "The company sold 2.3 million phones across Europe and Asia",
        "Profits at Japanese car maker Nissan rose sharply in the three months to December, helped by strong "
        "sales.": "Profits at Japanese car maker Nissan rose sharply in the three months",
        "x" * 300: "x" * 69 + "…",
    }
    for text, title in cases.items():
        assert first_sentence_title(text) == title
    for text in [*cases, " ".join(["narratives", "of", "the"] * 100_000)]:
        title = first_sentence_title(text)
        assert len(title) <= 70 and not title.endswith((" of", " the", ","))
        last = title.rstrip("…").split()[-1]
        assert last in [w.strip(",.") for w in text.split()] or title.startswith("xxx")  # never a cut word


def test_a_title_line_above_the_seed_date_line_names_the_article(tmp_path):
    path = tmp_path / "seed.txt"
    path.write_text("Title: Iran's advisers in Syria\n" + SEED.read_text())
    (article,) = load_file(path, MB).articles
    assert (article.title, article.date) == ("Iran's advisers in Syria", "2024-12-20")
    assert article.text == load_file(SEED, MB).articles[0].text


def test_html_page_main_text_title_date_and_canonical_url(tmp_path):
    body = " ".join(f"The harbour reopened after the storm, officials said in statement {i}." for i in range(12))
    path = tmp_path / "page.html"
    path.write_text(
        "<!doctype html><html><head><title>Harbour reopens | Daily</title>"
        '<link rel="canonical" href="https://news.example.com/harbour">'
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        '<meta property="og:title" content="Harbour reopens"></head>'
        f"<body><nav>Home | World</nav><article><h1>Harbour reopens</h1><p>{body}</p></article>"
        "<footer>Copyright</footer></body></html>"
    )
    loaded = load_file(path, MB)
    assert loaded.error is None, loaded.error
    (article,) = loaded.articles
    assert article.title == "Harbour reopens"
    assert article.date == "2024-03-05"
    assert article.url == "https://news.example.com/harbour"
    assert "harbour reopened" in article.text and "Copyright" not in article.text
    assert article.text.startswith("The harbour reopened")  # the <h1> is the title, not the first sentence's start


def test_json_and_jsonl_one_article_per_object(tmp_path):
    records = [{"title": "A", "content": "First story text.", "date": "2024-01-02", "url": "https://x.org/a"},
               {"headline": "B", "body": "Second story text.", "published": "Tue, 05 Mar 2024 10:00:00 GMT"}]
    (tmp_path / "a.json").write_text(json.dumps({"articles": records}))
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    for name in ("a.json", "b.jsonl"):
        loaded = load_file(tmp_path / name, MB)
        assert loaded.error is None
        assert [a.title for a in loaded.articles] == ["A", "B"]
        assert [a.date for a in loaded.articles] == ["2024-01-02", "2024-03-05"]
        assert loaded.articles[0].source == "https://x.org/a"


def test_jsonl_bad_line_is_reported_and_the_good_lines_kept(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"title": "ok", "text": "Good article."}\n{not json\n{"title": "no text"}\n')
    loaded = load_file(path, MB)
    assert [a.title for a in loaded.articles] == ["ok"]
    assert "line 2: malformed JSON" in loaded.error and "line 3: no text field" in loaded.error


def test_bad_files_get_one_clear_reason(tmp_path):
    cases = {
        "empty.txt": (b"", "empty file"),
        "blank.txt": (b"  \n\n ", "empty file"),
        "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        "bad.json": (b'{"title": "x", ', "malformed JSON"),
        "nothing.html": (b"<!doctype html><html><body><nav>menu</nav></body></html>", "no article text"),
        "big.txt": (b"word " * 300_000, "file too large"),
    }
    for name, (data, reason) in cases.items():
        (tmp_path / name).write_bytes(data)
        loaded = load_file(tmp_path / name, MB)
        assert loaded.articles == [], name
        assert reason in loaded.error, (name, loaded.error)
        assert "\n" not in loaded.error


def test_windows_1252_text_is_read(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Prices\n\nIt cost \xa3600m, up 5%.".encode("cp1252"))
    (article,) = load_file(path, MB).articles
    assert "£600m" in article.text


def test_unicode_with_a_byte_order_mark_and_legacy_encodings_are_read(tmp_path):
    text = "Title: Floods in Valencia\n\nHeavy rain caused floods on Tuesday. Many roads closed."
    encoded = {
        "utf16le.txt": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf16be.txt": b"\xfe\xff" + text.encode("utf-16-be"),
        "utf32.txt": text.encode("utf-32"),  # with its byte-order mark
        "utf8bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "windows.txt": text.replace("\n", "\r\n").encode("utf-16"),
    }
    for name, data in encoded.items():
        (tmp_path / name).write_bytes(data)
        loaded = load_file(tmp_path / name, MB)
        assert loaded.error is None, (name, loaded.error)
        (article,) = loaded.articles
        assert (article.title, article.text) == ("Floods in Valencia", text.split("\n\n", 1)[1]), name
    russian = "Сильный дождь вызвал наводнения в Валенсии во вторник. Многие дороги закрыты, сообщили власти."
    (tmp_path / "koi8.txt").write_bytes(russian.encode("koi8-r"))
    (tmp_path / "sjis.txt").write_bytes("大雨でバレンシアに洪水が発生した。多くの道路が閉鎖された。".encode("shift_jis"))
    assert load_file(tmp_path / "koi8.txt", MB).articles[0].text == russian
    assert load_file(tmp_path / "sjis.txt", MB).articles[0].text.startswith("大雨でバレンシア")


def test_what_cannot_be_decoded_is_named(tmp_path):
    cases = {
        "broken16.txt": (b"\xff\xfe" + "News".encode("utf-16-le") + b"\x00\xd8", "invalid UTF-16 at byte 10"),
        "noise.txt": (bytes(range(128, 256)) * 8, "cannot decode: not UTF-8 (invalid byte at 0)"),
        "nul.txt": (b"News\x00\x00\x01 of the day", "binary file (contains NUL bytes and no byte-order mark)"),
    }
    for name, (data, reason) in cases.items():
        (tmp_path / name).write_bytes(data)
        loaded = load_file(tmp_path / name, MB)
        assert loaded.articles == [] and reason in loaded.error, (name, loaded.error)


def test_dates_are_normalised():
    assert normalize_date("2024-12-20T08:00:00Z") == "2024-12-20"
    assert normalize_date("20241220") == "2024-12-20"
    assert normalize_date("Fri, 20 Dec 2024 08:00:00 +0000") == "2024-12-20"
    assert normalize_date("not a date") is None
    assert normalize_date("2024-13-45") is None


def test_a_saved_feed_file_gives_one_article_per_item_cited_by_its_link(tmp_path):
    # an RSS file saved to disk was indexed as one article of raw XML; a JSON Feed failed with "no text field"
    base = "http://127.0.0.1:8765"
    for name in ("rss.xml", "feed.json"):
        text = (ROOT / "tests" / "fixtures" / "web" / "feeds" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("{{BASE}}", base), encoding="utf-8")
    rss = load_file(tmp_path / "rss.xml", 1_000_000)
    assert rss.error is None and len(rss.articles) == 4
    bridge = rss.articles[0]
    assert bridge.title == "Riverton council approves harbour footbridge" and "<" not in bridge.text
    assert (bridge.url, bridge.date, bridge.publisher) == (base + "/news/2026/riverton-footbridge", "2026-03-14",
                                                           "The Riverton Courier: news")
    assert "Tram drivers in Riverton have voted" in rss.articles[3].text  # the full text the feed carries
    feed = load_file(tmp_path / "feed.json", 1_000_000)
    assert [a.url for a in feed.articles] == [base + "/news/2026/riverton-footbridge", base + "/news/2026/vell-frost"]
    assert feed.articles[1].text == "Growers count the cost of two nights at minus four degrees."


def test_a_saved_sitemap_or_a_feed_item_without_text_says_what_to_do(tmp_path):
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0"?><urlset><url><loc>http://127.0.0.1/a</loc></url></urlset>')
    loaded = load_file(sitemap, 1_000_000)
    assert loaded.articles == [] and loaded.skipped and "newsbot feeds add URL" in (loaded.error or "")
    bare = tmp_path / "bare.rss"
    bare.write_text('<rss version="2.0"><channel><title>T</title><item><title>A</title><link>http://127.0.0.1/a</link>'
                    "<description>The council met on Tuesday.</description></item><item><title>B</title>"
                    "<link>http://127.0.0.1/b</link></item></channel></rss>")
    loaded = load_file(bare, 1_000_000)
    assert [a.url for a in loaded.articles] == ["http://127.0.0.1/a"]
    assert "item 2: no text" in (loaded.error or "") and "newsbot ingest http://127.0.0.1/b" in (loaded.error or "")
    other = tmp_path / "settings.xml"
    other.write_text('<?xml version="1.0"?><settings><colour>blue</colour></settings>')
    other_xml = load_file(other, 1_000_000)  # skipped, not failed: a folder of articles may hold other XML
    assert other_xml.skipped and other_xml.error == "XML that is not a feed (RSS, Atom or JSON Feed); not an article file"
