"""The X API v2 parser, against hand-written response bodies in tests/fixtures/x/."""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from commwatch.connector import PayloadError, split
from commwatch.model import Author, Kind
from commwatch_x import XConnector
from commwatch_x.parse import parse_page

FIXTURES = Path(__file__).parent.parent / "fixtures" / "x"


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def by_id(name):
    return {m.remote_id: m for m in parse_page(load(name))}


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


# Whole pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, ids",
    [
        ("search_recent", ["1850000000000000001", "1850000100000000000", "1850000200000000000", "1850000300000000000"]),
        ("empty", []),
        ("errors_only", []),
        ("lookup_with_errors", ["1850000400000000000", "1850000500000000000"]),
        ("broken_items", ["1850000900000000000"]),
        ("minimal", ["1850001000000000000", "1850001100000000000"]),
        ("multilingual", ["1850002000000000000", "1850002100000000000", "1850002200000000000"]),
        ("openapi_names", ["1850003000000000000"]),
        ("single_tweet", ["1850004000000000000"]),
        ("user_lookup", []),
    ],
)
def test_page_yields_the_data_items_in_order(fixture, ids):
    mentions, _ = split(parse_page(load(fixture)))
    assert [m.remote_id for m in mentions] == ids
    assert all(m.platform == "x" and isinstance(m.remote_id, str) for m in mentions)
    assert all(m.created_at.tzinfo is not None for m in mentions)


def test_included_tweets_are_context_not_mentions():
    ids = by_id("search_recent")
    assert "1849990000000000000" not in ids and "1849995000000000000" not in ids


def test_connector_parse_uses_this_parser():
    assert [m.remote_id for m in XConnector.parse(load("single_tweet"))] == ["1850004000000000000"]


# Field mapping -----------------------------------------------------------------


@pytest.mark.parametrize(
    "tweet_id, field, expected",
    [
        # a 19-digit id survives exactly, in remote_id, thread_id and url
        ("1850000000000000001", "remote_id", "1850000000000000001"),
        ("1850000000000000001", "thread_id", "1850000000000000001"),
        ("1850000000000000001", "url", "https://x.com/devon_ships/status/1850000000000000001"),
        ("1850000000000000001", "text", "Is @acmecloud down? Deploys failing & dashboard says <unknown> 😩"),
        ("1850000000000000001", "created_at", utc(2024, 10, 26, 2, 22, 25, 994000)),
        ("1850000000000000001", "lang", "en"),
        ("1850000000000000001", "kind", Kind.POST),
        ("1850000000000000001", "parent_id", None),
        ("1850000000000000001", "edited_at", None),
        ("1850000000000000001", "extra", {}),
        (
            "1850000000000000001",
            "metrics",
            {"likes": 12, "replies": 1, "reposts": 3, "quotes": 0, "bookmarks": 2, "impressions": 845},
        ),
        # a reply
        ("1850000100000000000", "kind", Kind.REPLY),
        ("1850000100000000000", "parent_id", "1850000000000000001"),
        ("1850000100000000000", "thread_id", "1850000000000000001"),
        ("1850000100000000000", "extra", {"in_reply_to_user_id": "2244994945"}),
        # a quote of an included tweet, edited once
        ("1850000200000000000", "kind", Kind.POST),
        (
            "1850000200000000000",
            "extra",
            {
                "quoted_id": "1849990000000000000",
                "quoted_text": "Acme Cloud status: all systems operational ✅ & fast",
                "edit_history_tweet_ids": ["1850000150000000000", "1850000200000000000"],
            },
        ),
        ("1850000200000000000", "edited_at", utc(2024, 10, 26, 2, 23, 13, 678000)),
        ("1850000200000000000", "created_at", utc(2024, 10, 26, 2, 23, 1, 757000)),  # the original's snowflake time
        # a retweet
        ("1850000300000000000", "kind", Kind.POST),
        ("1850000300000000000", "extra", {"retweeted_id": "1849995000000000000"}),
        ("1850000300000000000", "metrics", {"likes": 0, "replies": 0, "reposts": 58, "quotes": 0, "bookmarks": 0, "impressions": 0}),
    ],
)
def test_search_page_fields(tweet_id, field, expected):
    assert getattr(by_id("search_recent")[tweet_id], field) == expected


@pytest.mark.parametrize(
    "tweet_id, expected",
    [
        (
            "1850000000000000001",
            Author("devon_ships", "Devon 🚀", 1520, False, "2244994945", "https://x.com/devon_ships"),
        ),
        (
            "1850000100000000000",
            Author("ops_marta", "Marta Ops", 48213, True, "1488000000000000007", "https://x.com/ops_marta"),
        ),
        ("1850000200000000000", Author("cloudcritic", "Cloud Critic", 310, False, "77001", "https://x.com/cloudcritic")),
    ],
)
def test_author_comes_from_includes_users(tweet_id, expected):
    assert by_id("search_recent")[tweet_id].author == expected


# Traps -------------------------------------------------------------------------


def test_errors_beside_data_are_ignored_and_data_kept():
    mentions = by_id("lookup_with_errors")
    assert "1850000450000000000" not in mentions
    assert mentions["1850000400000000000"].text == "Thanks @acmecloud support, fixed in 10 minutes!"
    assert mentions["1850000400000000000"].metrics == {"likes": 9, "replies": 0, "reposts": 1, "quotes": 0}


def test_author_missing_from_includes():
    m = by_id("lookup_with_errors")["1850000500000000000"]
    assert m.author == Author(handle="9999000011112222", remote_id="9999000011112222")
    assert m.url == "https://x.com/i/web/status/1850000500000000000"
    assert m.thread_id is None and m.metrics == {}


def test_broken_items_are_set_aside_with_reasons_and_a_bad_date_falls_back_to_the_id():
    [m], rejects = split(parse_page(load("broken_items")))
    assert [r.reason for r in rejects] == [
        "post 1850000600000000000 has missing for text",
        "the post's id is missing, not a string of digits",
        "post 1850000700000000000 has missing for text",
        "the post's id is a number, not a string of digits",
        "a post is a JSON object, not str",
        "a post is a JSON object, not NoneType",
    ]
    assert rejects[1].item["text"] == "@acmecloud a post without an id"
    assert m.text == "@acmecloud the one good post on this page"
    assert m.author.followers == 1520 and m.author.name == "Devon 🚀"
    # "not a date" → the time inside the snowflake id
    assert m.created_at == utc(2024, 10, 26, 2, 26, 0, 571000)


def test_no_includes_no_metrics_no_lang_no_created_at():
    m = by_id("minimal")["1850001000000000000"]
    assert m.author == Author(handle="unknown")
    assert m.url == "https://x.com/i/web/status/1850001000000000000"
    assert m.lang is None and m.thread_id is None
    assert m.metrics == {} and m.extra == {}
    assert m.kind is Kind.POST
    assert m.created_at == utc(2024, 10, 26, 2, 26, 24, 413000)


def test_integer_ids_become_exact_strings():
    m = by_id("minimal")["1850001100000000000"]
    assert m.remote_id == "1850001100000000000"
    assert m.author.handle == "2244994945" and m.author.remote_id == "2244994945"
    assert m.created_at == utc(2024, 10, 26, 2, 26)


@pytest.mark.parametrize("value", [1850000000000000001, "1850000000000000001", " 1850000000000000001 "])
def test_19_digit_id_round_trips_exactly(value):
    payload = {"data": [{"id": value, "text": "hi @acmecloud", "created_at": "2024-10-26T02:22:25.994Z"}]}
    [m] = parse_page(payload)
    assert m.remote_id == "1850000000000000001"


@pytest.mark.parametrize(
    "tweet_id, text, lang, handle, name",
    [
        ("1850002000000000000", "@acmecloud のダッシュボードが表示されません😢 助けて", "ja", "hanako_dev", "花子"),
        ("1850002100000000000", "خدمة @acmecloud ممتازة 👍🏽 شكراً", "ar", "omar_builds", "عمر"),
        ("1850002200000000000", "👩🏽\u200d💻❤️ @acmecloud >> everyone else", "zxx", "zoe_codes", "Zoë ✨"),
    ],
)
def test_other_languages_and_emoji(tweet_id, text, lang, handle, name):
    m = by_id("multilingual")[tweet_id]
    assert (m.text, m.lang, m.author.handle, m.author.name) == (text, lang, handle, name)


def test_newer_openapi_names():
    m = by_id("openapi_names")["1850003000000000000"]
    assert m.metrics == {"likes": 40, "replies": 1, "reposts": 5, "quotes": 2}
    assert m.extra == {"quoted_id": "1850002900000000000", "quoted_text": "Edge functions are live on Acme Cloud"}


def test_single_tweet_lookup_uses_the_full_long_text():
    [m] = parse_page(load("single_tweet"))
    assert m.text.endswith("which took two evenings & a lot of coffee.")
    assert "https://t.co" not in m.text
    assert m.url == "https://x.com/devon_ships/status/1850004000000000000"
    assert m.metrics["impressions"] == 1300


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "{}",
        [{"id": "1850000000000000001", "text": "a bare list"}],
        {"data": "1850000000000000001"},
        {"data": 42},
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
    ],
)
def test_not_an_x_response_raises_payload_error(payload):
    with pytest.raises(PayloadError) as info:
        parse_page(payload)
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message


@pytest.mark.parametrize(
    "payload",
    [
        {"data": None, "meta": {"result_count": 0}},
        {"data": [], "meta": {"result_count": 0}},
        {"data": [{"id": "1", "text": "x"}], "includes": "nonsense"},
        {"data": [{"id": "1", "text": "x", "author_id": "5", "public_metrics": None}], "includes": {"users": {"5": {}}}},
    ],
)
def test_odd_but_harmless_shapes_do_not_crash(payload):
    assert len(parse_page(payload)) == len(payload["data"] or [])
