"""The Reddit listing parser, against hand-written response bodies in tests/fixtures/reddit/."""

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from commwatch.connector import PayloadError, split
from commwatch.model import Author, Kind
from commwatch_reddit import RedditConnector
from commwatch_reddit.parse import parse_listing

FIXTURES = Path(__file__).parent.parent / "fixtures" / "reddit"
THREAD = "https://www.reddit.com/r/acme/comments/1dq8zr4/is_anyone_else_seeing_502s_from_acme_clouds_api/"


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def by_id(name):
    return {m.remote_id: m for m in parse_listing(load(name))}


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def listing(*children):
    return {"kind": "Listing", "data": {"after": None, "before": None, "children": list(children)}}


def t1(**fields):
    data = {
        "id": "lz0001a",
        "name": "t1_lz0001a",
        "author": "acme_fan",
        "body": "Acme Cloud rocks",
        "created_utc": 1719820800.0,
        "parent_id": "t3_1dzz000",
        "link_id": "t3_1dzz000",
        "subreddit": "acme",
    }
    data.update(fields)
    return {"kind": "t1", "data": {k: v for k, v in data.items() if v is not None}}


def t3(**fields):
    data = {
        "id": "1dzz000",
        "name": "t3_1dzz000",
        "author": "acme_fan",
        "title": "Acme Cloud question",
        "selftext": "",
        "created_utc": 1719820800.0,
        "subreddit": "acme",
    }
    data.update(fields)
    return {"kind": "t3", "data": {k: v for k, v in data.items() if v is not None}}


# Whole bodies ------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, ids",
    [
        ("search_new", ["t3_1d9x2ka", "t3_1d9w7pq", "t3_1d9v0zz", "t3_1d9u4mm", "t3_w0k3d9"]),
        # post listing first, then the comment tree depth first; the "more" stub is not a mention
        (
            "comments_thread",
            ["t3_1dq8zr4", "t1_lb2k9f1", "t1_lb2m0x7", "t1_lb2q4z3", "t1_lb2r8a1", "t1_lb2n5c8"],
        ),
        ("message_mentions", ["t1_lc0a1b2", "t1_lc0c3d4"]),
        # the t4 private message is ignored
        ("message_inbox", ["t1_lc1d0e5", "t1_lc1e7f6", "t1_lc0a1b2"]),
        ("subreddit_comments", ["t1_lc2f1g2", "t1_c3kx9q2"]),
    ],
)
def test_every_fixture_yields_its_mentions_in_order(fixture, ids):
    mentions = parse_listing(load(fixture))
    assert [m.remote_id for m in mentions] == ids
    for m in mentions:
        assert m.platform == "reddit"
        assert m.created_at.tzinfo is not None and m.created_at.utcoffset().total_seconds() == 0
        assert m.author.followers is None and m.author.name is None
        assert "<div" not in m.text and "&amp;" not in m.text  # body_html never read, entities decoded


def test_the_connector_class_delegates_to_the_parser():
    assert [m.remote_id for m in RedditConnector.parse(load("message_mentions"))] == ["t1_lc0a1b2", "t1_lc0c3d4"]


@pytest.mark.parametrize("payload", [listing(), [], [listing(), listing()]])
def test_empty_bodies_give_no_mentions(payload):
    assert parse_listing(payload) == []


# Posts (t3) --------------------------------------------------------------------


def test_a_self_post():
    m = by_id("search_new")["t3_1d9x2ka"]
    assert m.kind is Kind.POST
    assert m.title == "Acme Cloud eu-west down? & no status page update"
    assert m.text == (
        "Our deploys have been failing since 09:00 UTC & the status page still says all green.\n\n"
        "Anyone else on Acme Cloud eu-west? <rant> 3 hours </rant> 😤"
    )
    assert m.url == "https://www.reddit.com/r/devops/comments/1d9x2ka/acme_cloud_euwest_down_no_status_page_update/"
    assert m.thread_id == "t3_1d9x2ka" and m.parent_id is None
    assert m.created_at == utc(2024, 6, 10, 6, 13, 20)
    assert m.edited_at == utc(2024, 6, 10, 6, 52, 25)
    assert m.author == Author(
        handle="devops_dana", remote_id="t2_8f3kq1", url="https://www.reddit.com/user/devops_dana"
    )
    assert m.metrics == {"score": 57, "comments": 23}
    assert m.extra == {"subreddit": "devops", "over_18": False, "upvote_ratio": 0.94}


def test_a_link_post_keeps_its_title_and_its_unescaped_target():
    m = by_id("search_new")["t3_1d9w7pq"]
    assert m.text == ""
    assert m.title == "Acme Cloud raises $40M to take on the hyperscalers"
    assert m.edited_at is None  # edited: false
    assert m.extra["link_url"] == "https://news.example.com/acme-cloud-series-b?utm_source=reddit&utm_medium=social"
    assert m.url == "https://www.reddit.com/r/technews/comments/1d9w7pq/acme_cloud_raises_40m_to_take_on_the/"


def test_a_removed_post_is_kept_and_flagged():
    m = by_id("search_new")["t3_1d9v0zz"]
    assert m.text == "[removed]"
    assert m.author == Author(handle="[deleted]")
    assert m.extra["removed"] is True and m.extra["removed_by"] == "moderator"
    assert m.metrics == {"score": 0, "comments": 4}


def test_an_old_post_without_permalink_or_author_fullname():
    m = by_id("search_new")["t3_w0k3d9"]
    assert m.url == "https://www.reddit.com/comments/w0k3d9"
    assert m.author == Author(handle="old_timer_ops", url="https://www.reddit.com/user/old_timer_ops")
    assert m.created_at == utc(2012, 3, 4, 18, 20)  # created_utc, not the legacy local-time `created`
    assert m.edited_at is None and m.extra["edited"] is True  # edited: true, time unknown
    assert m.extra["over_18"] is True
    assert "link_url" not in m.extra  # a self post's url is its own page


def test_a_post_without_name_gets_its_fullname_from_id():
    (m,) = parse_listing(listing(t3(name=None, id="1dzz0aa")))
    assert m.remote_id == "t3_1dzz0aa" and m.thread_id == "t3_1dzz0aa"
    assert m.url == "https://www.reddit.com/comments/1dzz0aa"


def test_a_40000_character_selftext_parses_whole():
    body = ("Acme Cloud review, part one. Latency was fine & support answered. " * 700)[:40_000]
    (m,) = parse_listing(listing(t3(selftext=body.replace("&", "&amp;"))))
    assert len(m.text) == 40_000
    assert m.text == body


# Comments (t1) ------------------------------------------------------------------


def test_a_top_level_comment_with_an_edit_and_entities():
    m = by_id("comments_thread")["t1_lb2k9f1"]
    assert m.kind is Kind.COMMENT
    assert m.text == "Hi! We're on it & will post updates at https://status.acme.example shortly."
    assert m.parent_id == "t3_1dq8zr4" and m.thread_id == "t3_1dq8zr4"
    assert m.url == THREAD + "lb2k9f1/"
    assert m.created_at == utc(2024, 6, 26, 11, 6, 40)
    assert m.edited_at == utc(2024, 6, 26, 11, 15)
    assert m.author == Author(handle="acmecloud", remote_id="t2_acme001", url="https://www.reddit.com/user/acmecloud")
    assert m.metrics == {"score": 31}
    assert m.extra == {"subreddit": "acme"}
    assert m.title is None


@pytest.mark.parametrize(
    "remote_id, parent_id, text",
    [
        ("t1_lb2m0x7", "t1_lb2k9f1", "Thanks 🙏 back to green here"),
        ("t1_lb2q4z3", "t1_lb2m0x7", "[deleted]"),
        ("t1_lb2r8a1", "t1_lb2q4z3", "[removed]"),
    ],
)
def test_nested_replies_are_walked_and_are_replies(remote_id, parent_id, text):
    m = by_id("comments_thread")[remote_id]
    assert m.kind is Kind.REPLY
    assert m.parent_id == parent_id and m.thread_id == "t3_1dq8zr4"
    assert m.text == text
    assert m.url == THREAD + remote_id[3:] + "/"


@pytest.mark.parametrize("remote_id, text", [("t1_lb2q4z3", "[deleted]"), ("t1_lb2r8a1", "[removed]")])
def test_deleted_and_removed_comments_are_kept_and_flagged(remote_id, text):
    m = by_id("comments_thread")[remote_id]
    assert m.text == text
    assert m.author == Author(handle="[deleted]")
    assert m.author.url is None and m.author.remote_id is None
    assert m.extra == {"subreddit": "acme", "removed": True}


def test_a_deleted_account_with_intact_text_is_not_flagged_removed():
    (m,) = parse_listing(listing(t1(author="[deleted]", author_fullname="t2_gone", body="Acme Cloud is fine")))
    assert m.author == Author(handle="[deleted]")
    assert "removed" not in m.extra


def test_a_hidden_score_is_not_reported():
    m = by_id("comments_thread")["t1_lb2n5c8"]
    assert m.kind is Kind.COMMENT
    assert m.metrics == {}  # score_hidden: the 1 Reddit sends is a placeholder
    assert m.text == "Third outage this month. Moving to another provider. 😡"


def test_a_subreddit_comment_ignores_body_html_and_decodes_body():
    m = by_id("subreddit_comments")["t1_lc2f1g2"]
    assert m.text == (
        "The new `acme deploy --dry-run` is great & the diff output <3\n\nOne nit: `--help` is > 200 lines."
    )
    assert m.extra == {"subreddit": "acme", "over_18": False, "link_title": "Acme Cloud CLI 2.0 is out"}
    assert m.url == "https://www.reddit.com/r/acme/comments/1ds9k00/acme_cloud_cli_20_is_out/lc2f1g2/"


def test_an_old_comment_without_permalink_or_author_fullname():
    m = by_id("subreddit_comments")["t1_c3kx9q2"]
    assert m.kind is Kind.REPLY
    assert m.url == "https://www.reddit.com/comments/w0k3d9/_/c3kx9q2/"
    assert m.thread_id == "t3_w0k3d9" and m.parent_id == "t1_c3kx1aa"
    assert m.author == Author(handle="old_timer_ops", url="https://www.reddit.com/user/old_timer_ops")
    assert m.created_at == utc(2012, 3, 4, 18, 20)


# The inbox: mentions and replies without link_id or permalink -----------------------


def test_a_username_mention_takes_its_thread_and_url_from_context():
    m = by_id("message_mentions")["t1_lc0a1b2"]
    assert m.kind is Kind.MENTION
    assert m.thread_id == "t3_1dq8zr4"
    assert m.url == THREAD + "lc0a1b2/"  # ?context=3 dropped
    assert m.parent_id == "t3_1dq8zr4"
    assert m.text == "u/acmecloud can you look at ticket #48213? Billing charged us twice & support is silent."
    assert m.extra == {
        "subreddit": "acme",
        "subject": "username mention",
        "link_title": "Is anyone else seeing 502s from Acme Cloud's API gateway?",
    }
    assert m.metrics == {"score": 3}
    assert m.created_at == utc(2024, 7, 1, 8)


def test_a_username_mention_in_a_reply_is_still_a_mention():
    m = by_id("message_mentions")["t1_lc0c3d4"]
    assert m.kind is Kind.MENTION
    assert m.parent_id == "t1_lc0b9x9" and m.thread_id == "t3_1dr2aa7"
    assert m.url == "https://www.reddit.com/r/brasil/comments/1dr2aa7/provedores_de_nuvem_com_regiao_no_brasil/lc0c3d4/"
    assert m.text == "u/acmecloud alguma novidade sobre a região de São Paulo? Ñandú 🇧🇷"


@pytest.mark.parametrize(
    "remote_id, kind, parent_id, thread_id, subject",
    [
        ("t1_lc1d0e5", Kind.REPLY, "t1_lb2k9f1", "t3_1dq8zr4", "comment reply"),
        ("t1_lc1e7f6", Kind.COMMENT, "t3_1ds0c01", "t3_1ds0c01", "post reply"),
        ("t1_lc0a1b2", Kind.MENTION, "t3_1dq8zr4", "t3_1dq8zr4", "username mention"),
    ],
)
def test_inbox_items(remote_id, kind, parent_id, thread_id, subject):
    m = by_id("message_inbox")[remote_id]
    assert (m.kind, m.parent_id, m.thread_id, m.extra["subject"]) == (kind, parent_id, thread_id, subject)
    assert m.url.startswith(f"https://www.reddit.com/r/acme/comments/{thread_id[3:]}/")
    assert m.url.endswith(f"/{remote_id[3:]}/")


def test_private_messages_are_never_returned():
    mentions = parse_listing(load("message_inbox"))
    assert all(m.remote_id.startswith("t1_") for m in mentions)
    assert not any("Partnership" in m.text or "sponsored" in m.text for m in mentions)
    only_messages = listing(*[c for c in load("message_inbox")["data"]["children"] if c["kind"] == "t4"])
    assert parse_listing(only_messages) == []


def test_an_inbox_item_with_no_context_falls_back_to_its_parent_post():
    (m,) = parse_listing(listing(t1(link_id=None, permalink=None, context="", parent_id="t3_1dzz0bb")))
    assert m.thread_id == "t3_1dzz0bb"
    assert m.url == "https://www.reddit.com/comments/1dzz0bb/_/lz0001a/"


# Text in any language ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Acme Cloud ist großartig, aber die Preise… 🤔",
        "Acme Cloudの東京リージョンは速い 🚀",
        "Acme Cloud — отличный сервис 👍🏽",
        "شكراً Acme Cloud ❤️",
        "👩‍💻👨‍👩‍👧 family plan when?",
    ],
)
def test_emoji_and_other_languages_pass_through_unchanged(body):
    (m,) = parse_listing(listing(t1(body=body)))
    assert m.text == body


def test_a_japanese_post():
    m = by_id("search_new")["t3_1d9u4mm"]
    assert m.title == "Acme Cloudの東京リージョンについて"
    assert m.text == "東京リージョンの遅延が改善しました！ありがとうございます 🙏 👩\u200d💻 ❤\ufe0f"


# Broken input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "a string",
        42,
        3.5,
        True,
        {},
        {"unexpected": True},
        {"data": "not a list"},
        {"kind": "t3", "data": {"id": "1dzz000"}},  # a bare thing, not a Listing
        {"kind": "Listing"},
        {"kind": "Listing", "data": []},
        {"kind": "Listing", "data": {"after": None}},
        {"kind": "Listing", "data": {"children": "t3_1dzz000"}},
        {"kind": "Listing", "data": {"children": {"t3": {}}}},
        [1, 2],
        [listing(), "not a listing"],
        [listing(), {"kind": "Listing", "data": {"children": None}}],
        {"message": "Forbidden", "error": 403},
        {"error": "invalid_grant"},
    ],
)
def test_a_body_of_the_wrong_shape_raises_one_sentence(payload):
    with pytest.raises(PayloadError) as info:
        parse_listing(payload)
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message
    assert message.count(". ") == 0


def test_an_error_body_says_what_reddit_answered():
    with pytest.raises(PayloadError, match=r"error \(403 Forbidden\)"):
        parse_listing({"message": "Forbidden", "error": 403})


GOOD = t1(id="lz0good", name="t1_lz0good")


@pytest.mark.parametrize(
    "bad_child",
    [
        None,
        "t1_lz0002b",
        42,
        [],
        {"kind": "t1"},
        {"data": GOOD["data"]},  # no kind
        {"kind": "t1", "data": "not an object"},
        t1(id=None, name=None),  # no id at all
        t1(id="bad id!", name="t1_bad id!"),
        t1(id=123, name=None),
        t1(created_utc=None),  # no creation time
        t1(created_utc="yesterday"),
        t1(created_utc=True),
        t3(id=None, name=None),
    ],
)
def test_a_malformed_child_is_set_aside_with_its_reason_not_fatal(bad_child):
    mentions, [reject] = split(parse_listing(listing(bad_child, GOOD)))
    assert [m.remote_id for m in mentions] == ["t1_lz0good"]
    assert reject.reason and reject.item == bad_child


@pytest.mark.parametrize(
    "other",
    [
        {"kind": "more", "data": {"count": 2, "children": ["lz0003c", "lz0004d"]}},
        {"kind": "t2", "data": {"id": "8f3kq1", "name": "t2_8f3kq1"}},
        {"kind": "t5", "data": {"id": "3acme1", "display_name": "acme"}},
    ],
)
def test_children_that_are_rightly_not_mentions_are_skipped_quietly(other):
    assert [m.remote_id for m in parse_listing(listing(other, GOOD))] == ["t1_lz0good"]


def test_each_reject_says_what_is_wrong():
    bad = [None, t1(id=None, name=None), t1(created_utc="yesterday"), {"kind": "t1", "data": "x"}]
    _, rejects = split(parse_listing(listing(*bad)))
    assert [r.reason for r in rejects] == [
        "a Listing child is a JSON object, not null",
        "a comment has no usable name or id",
        "t1_lz0001a has no usable created_utc",
        "a Listing child needs a kind and a data object",
    ]


@pytest.mark.parametrize("replies", ["", None, "junk", {"kind": "Listing", "data": {"children": "x"}}, {"kind": "t1"}])
def test_malformed_replies_do_not_lose_the_comment(replies):
    (m,) = parse_listing(listing(t1(replies=replies)))
    assert m.remote_id == "t1_lz0001a"


def test_odd_field_types_fall_back_instead_of_failing():
    child = t1(
        author=None,
        body=None,
        score="12",
        edited="not a time",
        parent_id=7,
        permalink=42,
        subreddit=["acme"],
        created_utc="1719820800",
    )
    (m,) = parse_listing(listing(child))
    assert m.author == Author(handle="[deleted]")
    assert m.text == ""
    assert m.metrics == {"score": 12}
    assert m.edited_at is None
    assert m.parent_id is None
    assert m.url == "https://www.reddit.com/comments/1dzz000/_/lz0001a/"
    assert "subreddit" not in m.extra
    assert m.created_at == utc(2024, 7, 1, 8)


def test_control_characters_are_dropped_from_handles():
    (m,) = parse_listing(listing(t1(author="acme\x1b[31mfan", body="hi\x00 there")))
    assert m.author.handle == "acme[31mfan"
    assert m.text == "hi there"


def test_a_very_deep_comment_tree_does_not_hit_the_recursion_limit():
    depth = sys.getrecursionlimit() + 200
    node = t1(id="lzdeep0", name="t1_lzdeep0")
    for i in range(1, depth):
        node = t1(id=f"lzdeep{i}", name=f"t1_lzdeep{i}", replies=listing(node))
    mentions = parse_listing(listing(node))
    assert len(mentions) == depth
    assert mentions[0].remote_id == f"t1_lzdeep{depth - 1}" and mentions[-1].remote_id == "t1_lzdeep0"


def test_the_parser_imports_nothing_but_the_stdlib_and_commwatch():
    code = (
        "import sys; import commwatch_reddit.parse; "
        "print(sorted(m for m in ('praw', 'prawcore', 'requests', 'httpx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
