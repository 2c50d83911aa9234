"""Topic alerts' matching on invented articles, with the real model and a real Chroma index."""

from __future__ import annotations

import pytest

CEASEFIRE = dict(
    title="Ceasefire takes hold in Syria's Idlib province",
    date="2025-03-10",
    publisher="Meridian Wire",
    url="https://example.org/2025/03/10/idlib-ceasefire",
    text=(
        "A ceasefire between the Syrian government and rebel groups took hold in Idlib province on Monday, "
        "the first full day without shelling in months. The truce was brokered by Turkey and Russia after two "
        "weeks of talks in Ankara. Residents of Idlib city said the guns had fallen silent overnight. Aid "
        "agencies asked both sides to open roads so that food and medicine can reach the displaced families "
        "camped near the Turkish border. Monitors will patrol the front line under the terms of the truce, "
        "and either side may report violations to a joint commission."
    ),
)
GAS = dict(
    title="European gas prices fall for a third week",
    date="2025-03-11",
    publisher="Korvenna Ledger",
    url="https://example.org/2025/03/11/gas-prices",
    text=(
        "Wholesale gas prices in Europe fell for a third week running as mild weather cut demand for heating. "
        "The benchmark Dutch contract closed at its lowest level since the autumn, traders said. Storage sites "
        "across the continent remain more than half full, well above the level usually seen at the end of "
        "winter. Norwegian pipeline flows were steady after maintenance at two fields finished early. "
        "Liquefied natural gas cargoes from the United States and Qatar kept arriving at terminals in Spain, "
        "France and the Netherlands. Industrial users said lower prices would help factories that cut output "
        "during the energy crisis. Retail tariffs, which follow wholesale prices with a lag of several months, "
        "are expected to fall in the summer. Analysts said news of a ceasefire in Syria had little effect on "
        "the market. Forecasters expect temperatures to stay above normal for the rest of the month, which "
        "would keep demand low. The European Commission said it would review its storage targets in June."
    ),
)
FOOTBALL = dict(
    title="Harbour City clinch the league title",
    date="2025-03-12",
    publisher="Sports Desk",
    url="https://example.org/2025/03/12/harbour-city-title",
    text=(
        "Harbour City won the league title on Saturday with three matches to spare after a 2-0 win at home "
        "against Eastfield Rovers. Striker Tomas Brenner scored both goals in the second half. The manager "
        "said the championship was the reward for a season of hard work by the whole squad. Thousands of "
        "supporters invaded the pitch at the final whistle to celebrate the club's first title in 20 years."
    ),
)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, embedder):
    """A Newsbot over the three invented articles, and their doc ids by name (read-only for every test)."""
    from retrieval.core.articles import make_article
    from retrieval.core.settings import Settings
    from retrieval.newsbot import Newsbot

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("alerts") / "data")
    bot = Newsbot(settings, embedder=embedder)
    articles = {
        name: make_article(a["text"], source=a["url"], title=a["title"], date=a["date"], url=a["url"],
                           publisher=a["publisher"])
        for name, a in (("ceasefire", CEASEFIRE), ("gas", GAS), ("football", FOOTBALL))
    }
    bot.ingest_articles(articles.values())
    yield bot, {name: article.id for name, article in articles.items()}
    bot.close()


@pytest.fixture(scope="module")
def matcher(indexed):
    from retrieval.news.alerts import TopicMatcher

    return TopicMatcher(indexed[0])


def test_an_article_about_the_topic_alerts_with_its_best_sentence_title_date_and_link(indexed, matcher):
    _, ids = indexed
    matches = matcher.match("Syria ceasefire", list(ids.values()))
    assert [m.doc_id for m in matches] == [ids["ceasefire"]]
    alert = matches[0]
    assert alert.topic == "Syria ceasefire"
    assert alert.title == CEASEFIRE["title"]
    assert alert.date == "2025-03-10"
    assert alert.publisher == "Meridian Wire"
    assert alert.url == CEASEFIRE["url"]
    assert alert.sentence in " ".join(CEASEFIRE["text"].split())
    assert "ceasefire" in alert.sentence.lower() or "truce" in alert.sentence.lower()
    assert matcher.threshold <= alert.score <= 1.0


def test_an_article_that_mentions_the_topic_in_passing_does_not_alert(indexed, matcher):
    _, ids = indexed
    assert "ceasefire in Syria" in GAS["text"]  # the words are there, once, in passing
    scores = matcher.scores("Syria ceasefire", [ids["gas"], ids["ceasefire"]])
    assert scores[ids["gas"]] < matcher.threshold <= scores[ids["ceasefire"]]


def test_a_different_topic_does_not_alert_and_finds_its_own_article(indexed, matcher):
    _, ids = indexed
    assert matcher.match("Syria ceasefire", [ids["football"]]) == []
    matches = matcher.match("Harbour City football", list(ids.values()))
    assert [m.doc_id for m in matches] == [ids["football"]]
    assert "Harbour City" in matches[0].sentence


def test_several_topics_at_once_give_what_each_topic_gives_alone(indexed, matcher):
    _, ids = indexed
    topics = ["Syria ceasefire", "Harbour City football", "European gas prices"]
    together = matcher.match_topics(topics, list(ids.values()))
    assert set(together) == set(topics)
    for topic in topics:
        assert together[topic] == matcher.match(topic, list(ids.values()))
    assert [m.doc_id for m in together["European gas prices"]] == [ids["gas"]]


def test_the_threshold_defaults_to_the_one_chosen_on_dev_and_can_be_set(indexed):
    from retrieval.news.alerts import AlertModel, TopicMatcher

    bot, ids = indexed
    shipped = AlertModel.load()
    assert TopicMatcher(bot).threshold == shipped.threshold
    assert "dev" in shipped.info["fitted_on"]
    everything = TopicMatcher(bot, threshold=0.0).match("Syria ceasefire", list(ids.values()))
    assert {m.doc_id for m in everything} == set(ids.values())
    assert [m.score for m in everything] == sorted((m.score for m in everything), reverse=True)
    assert all(m.sentence for m in everything)
    assert TopicMatcher(bot, threshold=1.01).match("Syria ceasefire", list(ids.values())) == []


def test_unknown_articles_are_skipped_and_bad_topics_are_refused(indexed, matcher):
    from retrieval.core.errors import InputError

    _, ids = indexed
    assert [m.doc_id for m in matcher.match("Syria ceasefire", ["no-such-doc", ids["ceasefire"]])] == [
        ids["ceasefire"]
    ]
    assert matcher.match("Syria ceasefire", []) == []
    with pytest.raises(InputError, match="empty"):
        matcher.match("   ", [ids["ceasefire"]])
    with pytest.raises(InputError, match="limit"):
        matcher.match("war " * 60, [ids["ceasefire"]])


def test_a_broken_model_file_is_one_line_saying_how_to_refit(tmp_path):
    from retrieval.core.errors import NewsbotError
    from retrieval.news.alerts import AlertModel

    broken = tmp_path / "alerts.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(NewsbotError, match="alert_threshold.py --fit") as caught:
        AlertModel.load(broken)
    assert "\n" not in str(caught.value)


def test_a_new_article_arriving_is_matched_against_every_followed_topic(newsbot):
    from retrieval.core.articles import make_article
    from retrieval.news.alerts import TopicMatcher

    def article(a):
        return make_article(a["text"], source=a["url"], title=a["title"], date=a["date"], url=a["url"],
                            publisher=a["publisher"])

    newsbot.ingest_articles([article(GAS), article(FOOTBALL)])
    matcher = TopicMatcher(newsbot)
    followed = ["Syria ceasefire", "Harbour City football"]
    report = newsbot.ingest_articles([article(CEASEFIRE)])  # what a feed refresh or a channel post brings
    new = matcher.doc_ids_of(report.added + report.replaced)
    assert len(new) == 1
    alerts = matcher.match_topics(followed, new)
    assert [m.title for m in alerts["Syria ceasefire"]] == [CEASEFIRE["title"]]
    assert alerts["Harbour City football"] == []  # the football article is old news: not matched again
