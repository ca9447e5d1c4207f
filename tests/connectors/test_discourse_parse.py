"""Discourse response bodies (written here in the site's shapes) into mentions, and `commwatch import discourse`."""

from __future__ import annotations

import json

import pytest

from commwatch.connector import PayloadError, Rejected
from commwatch.model import Kind, Mention
from commwatch_discourse import DiscourseConnector
from commwatch_discourse.cooked import plain_text

parse = DiscourseConnector.parse


def post(id, number, *, topic=40, username="dana", cooked="<p>hello there</p>", **more) -> dict:
    body = {
        "id": id, "name": username.title(), "username": username, "avatar_template": "/user_avatar/f/x/{size}/2_2.png",
        "created_at": "2026-02-03T10:15:07.412Z", "cooked": cooked, "post_number": number, "post_type": 1,
        "updated_at": "2026-02-03T10:15:07.412Z", "reply_count": 0, "reply_to_post_number": None, "quote_count": 0,
        "incoming_link_count": 0, "reads": 12, "readers_count": 11, "score": 2.4, "yours": False, "topic_id": topic,
        "topic_slug": "deploys-fail-on-arm", "display_username": username.title(), "version": 1,
        "actions_summary": [{"id": 2, "count": 3}], "moderator": False, "admin": False, "staff": False,
        "user_id": 77, "hidden": False, "trust_level": 2, "deleted_at": None, "user_deleted": False, "wiki": False,
    }  # fmt: skip
    body.update(more)
    return body


def mentions(payload) -> list[Mention]:
    found = parse(payload)
    assert all(isinstance(m, Mention) for m in found), found
    return found


def test_latest_posts_become_mentions_with_their_topic_parent_and_metrics():
    body = {"latest_posts": [
        post(903, 3, username="li", reply_to_post_number=2, topic_title="Deploys fail on ARM", category_id=6),
        post(902, 2, username="priya", cooked="<p>same on <strong>arm64</strong></p>", reply_to_post_number=None),
        post(901, 1, topic_title="Deploys fail on ARM", category_id=6, version=3,
             updated_at="2026-02-04T08:00:00.000Z"),
        post(900, 4, topic=39, post_type=3, cooked="<p>closed the topic</p>"),  # a small action
        post(899, 5, topic=39, post_type=2, cooked="<p>This topic is now pinned.</p>"),  # a moderator action
    ]}  # fmt: skip
    third, second, first = mentions(body)
    assert (first.remote_id, first.kind, first.title, first.thread_id) == ("901", Kind.POST, "Deploys fail on ARM", "40")
    assert first.edited_at.isoformat() == "2026-02-04T08:00:00+00:00" and second.edited_at is None
    assert second.kind == Kind.COMMENT and second.title is None and second.text == "same on arm64"
    assert third.kind == Kind.REPLY and third.parent_id == "902"  # its parent is in the same body
    assert first.metrics == {"likes": 3, "replies": 0, "reads": 12, "quotes": 0}
    assert first.author.handle == "dana" and first.author.name == "Dana" and first.author.remote_id == "77"
    assert first.extra == {"topic_id": 40, "post_number": 1, "category_id": 6, "user_id": 77, "trust_level": 2}
    assert first.url is None  # a body does not say which site it came from


def test_a_topic_body_gives_title_tags_and_parents_and_prefers_raw():
    body = {
        "id": 40, "title": "Deploys fail on ARM", "fancy_title": "Deploys fail on ARM", "slug": "deploys-fail-on-arm",
        "category_id": 6, "tags": ["arm", {"id": 3, "name": "deploy", "slug": "deploy"}], "archetype": "regular",
        "post_stream": {"posts": [post(901, 1, raw="It **fails** with `exec format error`"),
                                  post(905, 2, reply_to_post_number=1, username="sam")],
                        "stream": [901, 905]},
    }  # fmt: skip
    first, reply = mentions(body)
    assert first.text == "It **fails** with `exec format error`" and first.title == "Deploys fail on ARM"
    assert first.extra["tags"] == ["arm", "deploy"] and reply.parent_id == "901" and reply.kind == Kind.REPLY


def test_a_search_body_uses_the_blurb_and_the_topics_titles():
    body = {
        "posts": [{"id": 901, "name": "Dana", "username": "dana", "avatar_template": "/a/{size}.png",
                   "created_at": "2026-02-03T10:15:07.412Z", "like_count": 4, "blurb": "It fails with exec format error on arm64…",
                   "post_number": 1, "topic_title_headline": "Deploys fail on <span class=\"search-highlight\">ARM</span>",
                   "topic_id": 40}],
        "topics": [{"id": 40, "title": "Deploys fail on ARM", "slug": "deploys-fail-on-arm", "category_id": 6,
                    "tags": [], "archetype": "regular"}],
        "users": [], "categories": [], "tags": [], "groups": [],
        "grouped_search_result": {"more_posts": None, "more_full_page_results": None, "term": "arm", "post_ids": [901]},
    }  # fmt: skip
    [m] = mentions(body)
    assert m.text == "It fails with exec format error on arm64…" and m.title == "Deploys fail on ARM"
    assert m.metrics == {"likes": 4}


def test_notifications_name_posts_without_their_text_and_are_set_aside_saying_so():
    body = {"notifications": [
        {"id": 5, "user_id": 1, "notification_type": 1, "read": False, "created_at": "2026-02-03T10:15:07.412Z",
         "post_number": 2, "topic_id": 40, "fancy_title": "Deploys fail on ARM", "slug": "deploys-fail-on-arm",
         "data": {"topic_title": "Deploys fail on ARM", "original_post_id": 905, "original_post_type": 1,
                  "original_username": "sam", "display_username": "sam"}},
        {"id": 4, "user_id": 1, "notification_type": 5, "read": True, "created_at": "2026-02-03T09:00:00.000Z",
         "post_number": 1, "topic_id": 40, "data": {"display_username": "li"}},  # a like: nothing to answer
    ], "total_rows_notifications": 2, "seen_notification_id": 3}  # fmt: skip
    [rejected] = parse(body)
    assert isinstance(rejected, Rejected) and rejected.remote_id == "905"
    assert "mentioned" in rejected.reason and "mentions = true" in rejected.reason


@pytest.mark.parametrize(
    "cooked, text",
    [
        ('<p>Thanks <img src="/images/emoji/twitter/heart.png?v=12" title=":heart:" class="emoji" alt=":heart:"></p>',
         "Thanks :heart:"),
        ('<aside class="quote no-group" data-username="priya" data-post="2" data-topic="40"><div class="title">'
         '<div class="quote-controls"></div><img alt="" width="24" height="24" src="/a.png" class="avatar"> priya:</div>'
         "<blockquote><p>it broke again</p></blockquote></aside><p>Same for me</p>",
         "> priya:\n> it broke again\n\nSame for me"),
        ('<pre><code class="lang-bash">$ acme deploy\nerror: exec format error\n</code></pre>',
         "$ acme deploy\nerror: exec format error"),
        ("<p>line one<br>\nline two</p><ul>\n<li>first</li>\n<li>second</li>\n</ul>", "line one\nline two\n\n- first\n- second"),
        ('<p><a href="https://status.acme.dev">status page</a> &amp; <img src="/x.png" alt="screenshot of the error"></p>',
         "status page & screenshot of the error"),
        ("<p>unclosed <b>bold <i>and more", "unclosed bold and more"),
    ],
)  # fmt: skip
def test_cooked_html_reads_as_plain_text(cooked, text):
    assert plain_text(cooked) == text


@pytest.mark.parametrize("garbage", [[], {"latest_posts": "nope"}, {"post_stream": []}, {"something": 1}])
def test_bodies_of_another_shape_are_refused(garbage):
    with pytest.raises(PayloadError):
        parse(garbage)


def test_a_bad_post_is_set_aside_and_its_neighbours_kept():
    body = {"latest_posts": [post(901, 1), {"id": "x"}, post(902, 2, username=""), post(903, 3, created_at=1e300)]}
    found = parse(body)
    assert [m.remote_id for m in found if isinstance(m, Mention)] == ["901"]
    assert [r.reason for r in found if isinstance(r, Rejected)] == [
        "a post without a numeric id", "a post without its author's username", "not a time: 1e+300 seconds is out of range"]


def test_cli_import_stores_every_post_once_with_its_username_and_text(cli, workdir):
    latest = {"latest_posts": [post(903, 3, username="li", reply_to_post_number=2), post(902, 2, username="priya"),
                               post(901, 1, topic_title="Deploys fail on ARM")]}  # fmt: skip
    topic = {"id": 40, "title": "Deploys fail on ARM", "slug": "deploys-fail-on-arm", "category_id": 6, "tags": [],
             "post_stream": {"posts": [post(901, 1), post(902, 2, username="priya"), post(904, 4, username="sam")],
                             "stream": [901, 902, 903, 904]}}  # fmt: skip
    (workdir / "latest.json").write_text(json.dumps(latest))
    (workdir / "topic.json").write_text(json.dumps(topic))
    r = cli("import", "discourse", "latest.json", "topic.json")
    assert r.returncode == 0, r.stderr
    rows = cli.json("inbox", "--json", "--platform", "discourse", "--status", "all")
    assert sorted((m["remote_id"], m["author"]["handle"], m["text"]) for m in rows) == [
        ("901", "dana", "hello there"), ("902", "priya", "hello there"), ("903", "li", "hello there"),
        ("904", "sam", "hello there")]
