"""Bluesky response bodies (written here in the AT Protocol's shapes) into mentions, and `commwatch import bluesky`."""

from __future__ import annotations

import json

import pytest

from commwatch.connector import PayloadError, Rejected
from commwatch.model import Kind, Mention
from commwatch_bluesky import BlueskyConnector
from commwatch_bluesky.parse import readable

parse = BlueskyConnector.parse
DANA = "did:plc:dana4x7qk2mz3wq5v6r7s8t9"


def view(rkey: str, text: str, *, handle: str = "dana.bsky.social", did: str = DANA, reply=None, **more) -> dict:
    record = {"$type": "app.bsky.feed.post", "createdAt": "2026-04-02T10:00:00.000Z", "langs": ["en"], "text": text}
    if reply:
        record["reply"] = reply
    body = {"uri": f"at://{did}/app.bsky.feed.post/{rkey}", "cid": f"bafyreib{rkey}",
            "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0].title(), "labels": []},
            "record": record, "replyCount": 1, "repostCount": 2, "likeCount": 3, "quoteCount": 0,
            "indexedAt": "2026-04-02T10:00:01.000Z", "labels": []}  # fmt: skip
    body.update(more)
    return body


def ref(post: dict) -> dict:
    return {"uri": post["uri"], "cid": post["cid"]}


def test_search_posts_with_a_link_facet_a_reply_and_a_quote():
    root = view("3kroot", "deploys fail on arm")
    start = len("café ☕ déjà vu, see ".encode())  # facets count UTF-8 bytes, not characters
    facets = [{"index": {"byteStart": start, "byteEnd": start + len("status.acme.dev/inc...")},
               "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://status.acme.dev/incidents/42"}]}]  # fmt: skip
    linked = view("3klink", "café ☕ déjà vu, see status.acme.dev/inc...")
    linked["record"]["facets"] = facets
    reply = view("3kreply", "same here", handle="li.bsky.social", did="did:plc:li", reply={"root": ref(root), "parent": ref(root)})
    quote = view("3kquote", "this again", handle="kim.bsky.social", did="did:plc:kim")
    quote["record"]["embed"] = {"$type": "app.bsky.embed.record", "record": ref(root)}
    found = parse({"posts": [root, linked, reply, quote], "hitsTotal": 4})
    assert all(isinstance(m, Mention) for m in found)
    first, link, answer, quoting = found
    assert first.remote_id == root["uri"] and first.url == "https://bsky.app/profile/dana.bsky.social/post/3kroot"
    assert first.metrics == {"likes": 3, "reposts": 2, "replies": 1, "quotes": 0} and first.lang == "en"
    assert first.author.handle == "dana.bsky.social" and first.author.name == "Dana" and first.thread_id == root["uri"]
    assert link.text == "café ☕ déjà vu, see https://status.acme.dev/incidents/42"
    assert (answer.kind, answer.parent_id, answer.thread_id) == (Kind.REPLY, root["uri"], root["uri"])
    assert answer.extra["root_cid"] == root["cid"] and quoting.extra["quoted"] == root["uri"]


def test_notifications_give_mentions_replies_and_quotes_only():
    post = view("3kment", "@acmecloud.bsky.social help")

    def note(reason, record=post["record"]):
        return {"uri": post["uri"], "cid": post["cid"], "author": post["author"], "reason": reason, "record": record,
                "isRead": False, "indexedAt": "2026-04-02T10:00:01.000Z", "labels": []}  # fmt: skip

    body = {"notifications": [note("mention"), note("like", {"$type": "app.bsky.feed.like"}), note("follow", {}),
                              note("reply"), note("repost", {"$type": "app.bsky.feed.repost"})]}  # fmt: skip
    mention, reply = parse(body)
    assert mention.kind == Kind.MENTION and mention.extra["notification"] == "mention"
    assert reply.kind == Kind.REPLY and mention.text == "@acmecloud.bsky.social help"


def test_a_thread_is_walked_up_and_down_to_any_depth_skipping_blocked_and_missing():
    top = view("3ka", "top")
    middle = view("3kb", "middle", reply={"root": ref(top), "parent": ref(top)})
    focus = view("3kc", "focus", reply={"root": ref(top), "parent": ref(middle)})
    deep = [view(f"3kd{i}", f"reply {i}", reply={"root": ref(top), "parent": ref(focus)}) for i in range(3)]
    node = {"$type": "app.bsky.feed.defs#threadViewPost", "post": deep[2], "replies": []}
    for d in reversed(deep[:2]):
        node = {"$type": "app.bsky.feed.defs#threadViewPost", "post": d, "replies": [node]}
    thread = {"$type": "app.bsky.feed.defs#threadViewPost", "post": focus,
              "parent": {"$type": "app.bsky.feed.defs#threadViewPost", "post": middle,
                         "parent": {"$type": "app.bsky.feed.defs#threadViewPost", "post": top}},
              "replies": [node, {"$type": "app.bsky.feed.defs#blockedPost", "uri": "at://x/app.bsky.feed.post/1",
                                 "blocked": True}, {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://y", "notFound": True}]}  # fmt: skip
    found = parse({"thread": thread})
    assert [m.text for m in found] == ["top", "middle", "focus", "reply 0", "reply 1", "reply 2"]


def test_quotes_and_author_feeds():
    assert [m.text for m in parse({"uri": "at://x", "posts": [view("3kq", "quoting")]})] == ["quoting"]
    assert [m.text for m in parse({"feed": [{"post": view("3kf", "from the feed")}]})] == ["from the feed"]


@pytest.mark.parametrize("garbage", [None, [], "text", {"unexpected": True}])
def test_bodies_of_another_shape_are_refused(garbage):
    with pytest.raises(PayloadError):
        parse(garbage)


def test_a_bad_post_is_set_aside_and_its_neighbours_kept():
    found = parse({"posts": [view("3k1", "fine"), {"uri": "not-at"}, {**view("3k3", "x"), "author": {}}]})
    assert [m.text for m in found if isinstance(m, Mention)] == ["fine"]
    assert [r.reason for r in found if isinstance(r, Rejected)] == ["a post without an at:// uri",
                                                                   "a post without its author's handle"]


def test_words_that_link_somewhere_are_followed_by_the_address():
    facet = {"index": {"byteStart": 4, "byteEnd": 15}, "features": [{"$type": "app.bsky.richtext.facet#link",
                                                                     "uri": "https://acme.dev/pricing"}]}  # fmt: skip
    assert readable("see our pricing page", [facet]) == "see our pricing (https://acme.dev/pricing) page"


def test_facets_that_do_not_fit_are_ignored():
    assert readable("short", [{"index": {"byteStart": 2, "byteEnd": 99}, "features": [{"$type": "x#link", "uri": "u"}]}]) == "short"
    assert readable(None, None) == ""


def test_cli_import_stores_every_post_once_with_handle_and_text(cli, workdir):
    a, b = view("3ka", "first post about acme"), view("3kb", "second", handle="li.bsky.social", did="did:plc:li")
    (workdir / "search.json").write_text(json.dumps({"posts": [a, b], "cursor": "100"}))
    (workdir / "thread.json").write_text(json.dumps({"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": a,
                                                                "replies": []}}))  # fmt: skip
    r = cli("import", "bluesky", "search.json", "thread.json")
    assert r.returncode == 0, r.stderr
    rows = cli.json("inbox", "--json", "--platform", "bluesky", "--status", "all")
    assert sorted((m["author"]["handle"], m["text"]) for m in rows) == [("dana.bsky.social", "first post about acme"),
                                                                         ("li.bsky.social", "second")]
